"""`text_dataset_from_directory`: a `layerwise.data.Dataset` of texts read from folders."""

from __future__ import annotations

from layerwise.utils.dataset_utils import list_directory, make_datasets


class _TextLoader:
    def __init__(self, max_length):
        self.max_length = max_length

    def __call__(self, path):
        with open(path, "rb") as f:
            text = f.read()
        return text if self.max_length is None else text[:self.max_length]


def text_dataset_from_directory(directory, labels="inferred", label_mode="int",
                                class_names=None, batch_size=32, max_length=None, shuffle=True,
                                seed=None, validation_split=None, subset=None,
                                follow_links=False, format=None, verbose=True):
    """Generates a dataset of texts from `.txt` files, one sub-folder per class.

    Args:
        directory: Folder of `.txt` files; with `labels="inferred"`, one sub-folder per class.
        labels: `"inferred"`, `None` or a list of integer labels (one per file, sorted paths).
        label_mode: `"int"`, `"categorical"`, `"binary"` or `None`.
        class_names: Explicit order of the class sub-folders.
        batch_size: Texts per batch (default 32); `None` yields single texts.
        max_length: Keep at most this many characters of each text.
        shuffle, seed, validation_split, subset, follow_links, verbose: As in
            `image_dataset_from_directory`.

    Returns:
        A `layerwise.data.Dataset` of `(texts, labels)` batches; `texts` is a NumPy
        object array of `bytes` (UTF-8), as tf.data's string tensors, with `.numpy()`;
        a list of two for `subset="both"`.

    Example:

    ```python
    raw_train = keras.utils.text_dataset_from_directory("aclImdb/train", batch_size=32)
    vectorize = keras.layers.TextVectorization(max_tokens=20000, output_sequence_length=200)
    vectorize.adapt(raw_train.map(lambda text, label: text))
    train = raw_train.map(lambda text, label: (vectorize(text), label))
    ```
    """
    paths, labels, label_mode, class_names, seed = list_directory(
        directory, labels, label_mode, class_names, (".txt",), "text", shuffle, seed,
        validation_split, subset, follow_links, verbose)
    return make_datasets(paths, labels, label_mode, class_names, _TextLoader(max_length),
                          batch_size, shuffle, seed, validation_split, subset, directory,
                          "text files")
