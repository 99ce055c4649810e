"""What the `*_dataset_from_directory` utilities share, and `split_dataset`.

Files are listed, shuffled and split between training and validation exactly as in
Keras (same seed, same files in each subset); the result is a `layerwise.data.Dataset`
built as Keras builds its tf.data pipeline: file indices, a shuffle buffer of
`8 * batch_size`, files read in parallel threads (`map(..., num_parallel_calls=AUTOTUNE)`),
then `batch` and `prefetch`. The per-kind utilities live beside this module:
`image_dataset_utils`, `text_dataset_utils`, `audio_dataset_utils`,
`timeseries_dataset_utils`.
"""

from __future__ import annotations

import os

import numpy as np
import torch

from layerwise.data import AUTOTUNE, Dataset
from layerwise.data._stages import Slices
from layerwise.data.elements import collate, split_batch

IMAGE_FORMATS = (".bmp", ".gif", ".jpeg", ".jpg", ".png")


# ------------------------------------------------------------------ directory indexing
def check_validation_split_arg(validation_split, subset, shuffle, seed):
    """Keras' checks of `validation_split` / `subset` / `seed`."""
    if validation_split and not 0 < validation_split < 1:
        raise ValueError(f"`validation_split` must be between 0 and 1, received: "
                         f"{validation_split}")
    if (validation_split or subset) and not (validation_split and subset):
        raise ValueError("If `subset` is set, `validation_split` must be set, and inversely.")
    if subset not in ("training", "validation", "both", None):
        raise ValueError(f'`subset` must be either "training", "validation" or "both", '
                         f"received: {subset}")
    if validation_split and shuffle and seed is None:
        raise ValueError(
            "If using `validation_split` and shuffling the data, you must provide a `seed` "
            "argument, to make sure that there is no overlap between the training and "
            "validation subset."
        )


def _iter_valid_files(directory, follow_links, formats):
    for root, _, files in sorted(os.walk(directory, followlinks=follow_links),
                                 key=lambda x: x[0]):
        for fname in sorted(files):
            if fname.lower().endswith(formats):
                yield root, fname


def index_directory(directory, labels, formats, class_names=None, shuffle=True, seed=None,
                    follow_links=False, verbose=True):
    """Lists the files of `directory` (one sub-folder per class when
    `labels="inferred"`), as Keras: returns `(file_paths, labels, class_names)`."""
    directory = os.fspath(directory)
    if not os.path.isdir(directory):
        raise ValueError(f"`directory` {directory!r} does not exist or is not a folder.")
    subdirs = _class_subdirs(directory, labels, class_names)
    class_indices = {name: i for i, name in enumerate(subdirs)}
    filenames, found_labels = [], []
    for subdir in subdirs:
        sub = os.path.join(directory, subdir)
        dirname = os.path.basename(sub)
        for root, fname in _iter_valid_files(sub, follow_links, formats):
            found_labels.append(class_indices[dirname])
            filenames.append(os.path.join(dirname, os.path.relpath(os.path.join(root, fname),
                                                                   sub)))
    if labels == "inferred":
        labels = np.asarray(found_labels, dtype="int32").reshape(-1)
        class_names = subdirs
    elif labels is None:
        class_names = None
    else:
        if len(labels) != len(filenames):
            raise ValueError(
                "Expected the lengths of `labels` to match the number of files in the target "
                f"directory. len(labels) is {len(labels)} while we found {len(filenames)} files "
                f"in directory {directory}."
            )
        class_names = [str(label) for label in sorted(set(labels))]
        labels = np.asarray(labels)
    if verbose:
        if labels is None:
            print(f"Found {len(filenames)} files.")
        else:
            print(f"Found {len(filenames)} files belonging to {len(class_names)} classes.")
    file_paths = [os.path.join(directory, f) for f in filenames]
    if shuffle:
        if seed is None:
            seed = np.random.randint(1e6)
        np.random.RandomState(seed).shuffle(file_paths)
        if labels is not None:
            np.random.RandomState(seed).shuffle(labels)
    return file_paths, labels, class_names


def _class_subdirs(directory: str, labels, class_names) -> list[str]:
    """The class folders (`labels="inferred"`: the sub-folders, or `class_names`), else
    `[""]` (the folder itself)."""
    if labels == "inferred":
        subdirs = [d for d in sorted(os.listdir(directory))
                   if os.path.isdir(os.path.join(directory, d)) and not d.startswith(".")]
        if class_names is not None:
            if not set(class_names).issubset(set(subdirs)):
                raise ValueError(
                    "The `class_names` passed did not match the names of the subdirectories of "
                    f"the target directory. Expected: {subdirs} (or a subset of it), but "
                    f"received: class_names={class_names}"
                )
            subdirs = list(class_names)
    else:
        subdirs = [""]
        if class_names is not None:
            if labels is None:
                raise ValueError("When `labels=None` (no labels), argument `class_names` cannot "
                                 "be specified.")
            raise ValueError("When argument `labels` is specified, argument `class_names` "
                             "cannot be specified (the `class_names` will be the sorted list "
                             "of labels).")
    return subdirs


def get_training_or_validation_split(samples, labels, validation_split, subset):
    """The training (first) or validation (last) part of the samples, as Keras."""
    if not validation_split:
        return samples, labels
    num_val_samples = int(validation_split * len(samples))
    if subset == "training":
        print(f"Using {len(samples) - num_val_samples} files for training.")
        samples = samples[:-num_val_samples]
        if labels is not None:
            labels = labels[:-num_val_samples]
    elif subset == "validation":
        print(f"Using {num_val_samples} files for validation.")
        samples = samples[-num_val_samples:]
        if labels is not None:
            labels = labels[-num_val_samples:]
    else:
        raise ValueError(f'`subset` must be either "training" or "validation", received: '
                         f"{subset}")
    return samples, labels


def check_labels_args(labels, label_mode, class_names, kind):
    if labels not in ("inferred", None):
        if not isinstance(labels, (list, tuple)):
            raise ValueError(
                f"`labels` argument should be a list/tuple of integer labels, of the same size "
                f"as the number of {kind} files in the target directory. If you wish to infer "
                'the labels from the subdirectory names in the target directory, pass '
                '`labels="inferred"`. If you wish to get a dataset that only contains '
                f"{kind}s (no labels), pass `labels=None`. Received: labels={labels}"
            )
        if class_names:
            raise ValueError(f'You can only pass `class_names` if `labels="inferred"`. '
                             f"Received: labels={labels}, and class_names={class_names}")
    if label_mode not in {"int", "categorical", "binary", None}:
        raise ValueError('`label_mode` argument must be one of "int", "categorical", "binary", '
                         f"or None. Received: label_mode={label_mode}")


def list_directory(directory, labels, label_mode, class_names, formats, kind, shuffle, seed,
                   validation_split, subset, follow_links, verbose):
    """The argument checks and the file listing every `*_dataset_from_directory` shares.

    Returns:
        `(paths, labels, label_mode, class_names, seed)`: the files in Keras' order (shuffled
        with `seed`, drawn here when `None`), and the labels settings after the checks.
    """
    check_labels_args(labels, label_mode, class_names, kind)
    if labels is None or label_mode is None:
        labels, label_mode = None, None
    check_validation_split_arg(validation_split, subset, shuffle, seed)
    if seed is None:
        seed = np.random.randint(1e6)
    paths, labels, class_names = index_directory(
        directory, labels, formats=formats, class_names=class_names, shuffle=shuffle,
        seed=seed, follow_links=follow_links, verbose=verbose)
    if label_mode == "binary" and len(class_names) != 2:
        raise ValueError('When passing `label_mode="binary"`, there must be exactly 2 '
                         f"class_names. Received: class_names={class_names}")
    return paths, labels, label_mode, class_names, seed


def encode_label(label, label_mode, num_classes):
    """One label as Keras encodes it: int32 scalar, one-hot float32, or float32 `(1,)`."""
    if label_mode == "binary":
        return np.asarray([label], dtype="float32")
    if label_mode == "categorical":
        out = np.zeros(num_classes, dtype="float32")
        out[int(label)] = 1.0
        return out
    return np.asarray(label, dtype="int32")


def files_dataset(paths, labels, label_mode, class_names, loader, batch_size, shuffle, seed,
                  batch=None) -> Dataset:
    """The dataset of `loader(path)` contents (with encoded labels) for some files.

    `batch(dataset, batch_size)` overrides the batching step (audio pads its batches).
    """
    paths = list(paths)
    num_classes = len(class_names) if class_names else 0

    def load(index):
        i = int(index)
        content = loader(paths[i])
        if label_mode is None:
            return content
        return content, encode_label(labels[i], label_mode, num_classes)

    dataset = Dataset.from_tensor_slices(np.arange(len(paths)))
    if shuffle:
        dataset = dataset.shuffle(8 * batch_size if batch_size else 1024, seed=seed)
    dataset = dataset.map(load, num_parallel_calls=AUTOTUNE)
    if batch_size:
        dataset = batch(dataset, batch_size) if batch else dataset.batch(batch_size)
    dataset = dataset.prefetch(AUTOTUNE)
    dataset.class_names, dataset.file_paths = class_names, paths
    return dataset


def make_datasets(paths, labels, label_mode, class_names, loader, batch_size, shuffle, seed,
                  validation_split, subset, directory, what, batch=None):
    """The dataset (or `[training, validation]` for `subset="both"`) of a directory listing."""
    def build(sub_paths, sub_labels, do_shuffle):
        return files_dataset(sub_paths, sub_labels, label_mode, class_names, loader,
                             batch_size, do_shuffle, seed, batch)

    if subset == "both":
        train_paths, train_labels = get_training_or_validation_split(
            paths, labels, validation_split, "training")
        val_paths, val_labels = get_training_or_validation_split(
            paths, labels, validation_split, "validation")
        if not train_paths:
            raise ValueError(f"No training {what} found in directory {directory}.")
        if not val_paths:
            raise ValueError(f"No validation {what} found in directory {directory}.")
        return [build(train_paths, train_labels, shuffle), build(val_paths, val_labels, False)]
    paths, labels = get_training_or_validation_split(paths, labels, validation_split, subset)
    if not paths:
        raise ValueError(f"No {what} found in directory {directory}.")
    return build(paths, labels, shuffle)


def _rescale_split_sizes(left_size, right_size, total_length):
    left_type, right_type = type(left_size), type(right_size)
    for value, kind, name in ((left_size, left_type, "left_size"),
                              (right_size, right_type, "right_size")):
        if value is not None and kind not in (int, float):
            raise TypeError(f"Invalid `{name}` Type. Expected: int or float or None, "
                            f"Received: type({name})={kind}.")
    if left_size == 0 and right_size == 0:
        raise ValueError("Both `left_size` and `right_size` are zero. At least one of the "
                         "split sizes must be non-zero.")
    if (left_type is int and (left_size <= 0 or left_size >= total_length)) or (
            left_type is float and (left_size <= 0 or left_size >= 1)):
        raise ValueError(f"`left_size` should be either a positive integer smaller than "
                         f"{total_length}, or a float within the range `[0, 1]`. Received: "
                         f"left_size={left_size}")
    if (right_type is int and (right_size <= 0 or right_size >= total_length)) or (
            right_type is float and (right_size <= 0 or right_size >= 1)):
        raise ValueError(f"`right_size` should be either a positive integer and smaller than "
                         f"{total_length} or a float within the range `[0, 1]`. Received: "
                         f"right_size={right_size}")
    if right_type is left_type is float and right_size + left_size > 1:
        raise ValueError("The sum of `left_size` and `right_size` is greater than 1. It must be "
                         "less than or equal to 1.")
    if left_type is float:
        left_size = round(left_size * total_length)
    if right_type is float:
        right_size = round(right_size * total_length)
    if left_size is None:
        left_size = total_length - right_size
    elif right_size is None:
        right_size = total_length - left_size
    if left_size + right_size > total_length:
        raise ValueError(f"The sum of `left_size` and `right_size` should be smaller than the "
                         f"{total_length}. Received: left_size + right_size = "
                         f"{left_size + right_size} and total_length = {total_length}")
    for split, side in ((left_size, "left"), (right_size, "right")):
        if split == 0:
            raise ValueError(f"With `dataset` of length={total_length}, `left_size`={left_size} "
                             f"and `right_size`={right_size}. Resulting {side} side dataset "
                             "split will be empty. Adjust any of the aforementioned parameters")
    return int(left_size), int(right_size)


def _samples(dataset) -> list:
    """The samples of a `Dataset` in a list (batches are split, as Keras does)."""
    from_batches = dataset._step.batched
    samples = []
    for element in dataset:
        samples.extend(split_batch(element) if from_batches else [element])
    if not samples:
        raise ValueError("`dataset` is empty: there is nothing to split.")
    return samples


def split_dataset(dataset, left_size=None, right_size=None, shuffle=False, seed=None):
    """Splits a dataset into a left and a right part.

    Args:
        dataset: A NumPy array, a list/tuple of arrays (samples along the first axis), a
            `layerwise.data.Dataset` (batched ones are split into samples, as Keras does)
            or a map-style `torch.utils.data.Dataset`.
        left_size: Int (number of samples) or float in `(0, 1)` (fraction); default: the
            complement of `right_size`.
        right_size: Likewise; default: the complement of `left_size`.
        shuffle: Shuffle before splitting (otherwise the left part is the first samples).
        seed: Shuffling seed.

    Returns:
        `(left, right)`: two unbatched `Dataset`s (call `.batch(n)`), or
        `torch.utils.data.Subset`s for a torch Dataset.

    Example:

    >>> import numpy as np, layerwise as keras
    >>> left, right = keras.utils.split_dataset(np.arange(10), left_size=0.8)
    >>> len(left), len(right)
    (8, 2)
    """
    if right_size is None and left_size is None:
        raise ValueError("At least one of the `left_size` or `right_size` must be specified. "
                         "Received: left_size=None and right_size=None")
    samples = None
    if isinstance(dataset, Dataset):
        samples = _samples(dataset)
        total = len(samples)
    elif isinstance(dataset, torch.utils.data.Dataset):
        total = len(dataset)
    elif isinstance(dataset, (np.ndarray, torch.Tensor)):
        total = len(dataset)
    elif isinstance(dataset, (list, tuple)):
        if not dataset:
            raise ValueError("Received an empty list dataset. Please provide a non-empty "
                             "list/tuple of arrays.")
        lengths = {len(a) for a in dataset}
        if len(lengths) != 1:
            raise ValueError(f"Received a {type(dataset).__name__} of arrays with different "
                             f"lengths: {sorted(lengths)}. Provide arrays of the same length.")
        total = lengths.pop()
    else:
        raise TypeError(
            "The `dataset` argument must be a NumPy array, a list/tuple of arrays, a "
            "layerwise.data.Dataset or a torch Dataset. Received: dataset of type "
            f"{type(dataset).__name__}"
        )
    left_size, right_size = _rescale_split_sizes(left_size, right_size, total)
    order = np.arange(total)
    if shuffle:
        if seed is None:
            seed = np.random.randint(1e6)
        np.random.RandomState(seed).shuffle(order)
    left_ids, right_ids = order[:left_size], order[total - right_size:]
    if isinstance(dataset, torch.utils.data.Dataset):
        return (torch.utils.data.Subset(dataset, left_ids.tolist()),
                torch.utils.data.Subset(dataset, right_ids.tolist()))
    if samples is not None:
        return tuple(_from_samples([samples[i] for i in ids], dataset)
                     for ids in (left_ids, right_ids))
    if isinstance(dataset, torch.Tensor):
        dataset = dataset.detach().cpu().numpy()
    source = Slices(dataset if isinstance(dataset, np.ndarray) else tuple(dataset))
    return tuple(Dataset.from_tensor_slices(_rows(source.tensors, ids))
                 for ids in (left_ids, right_ids))


def _rows(tensors, ids):
    if isinstance(tensors, tuple):
        return tuple(_rows(t, ids) for t in tensors)
    if isinstance(tensors, dict):
        return {k: _rows(v, ids) for k, v in tensors.items()}
    return tensors[ids]


def _from_samples(samples: list, parent: Dataset) -> Dataset:
    part = Dataset.from_tensor_slices(collate(samples))
    part.class_names, part.file_paths = parent.class_names, None
    return part
