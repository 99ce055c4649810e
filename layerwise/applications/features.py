"""`extract_features`: the transfer-learning tutorial's "run the frozen base once" step."""

from __future__ import annotations

import math
from collections.abc import Iterable

import numpy as np
import torch


def _device_of(model) -> torch.device:
    for w in model.weights:
        return w.device
    return torch.device("cpu")


def _run(base, x, device) -> np.ndarray:
    t = torch.as_tensor(np.asarray(x) if not isinstance(x, torch.Tensor) else x)
    if not t.is_floating_point():
        t = t.float()
    with torch.inference_mode():
        return base(t.to(device), training=False).detach().cpu().numpy()


def _split(batch):
    """`(x, y)` of a batch that is `x` alone or `(x, y[, sample_weight])`."""
    if isinstance(batch, (tuple, list)):
        return batch[0], (batch[1] if len(batch) > 1 else None)
    return batch, None


def extract_features(base, data, batch_size: int = 32, steps: int | None = None,
                     sample_count: int | None = None):
    """Runs `base` in inference mode over `data` once and returns the stacked outputs.

    The tutorial's `extract_features(directory, sample_count)` loop in one call:
    no autograd, frozen `BatchNormalization` / `Dropout` in inference mode,
    batches of `batch_size` (arrays) or as the iterator yields them.

    Args:
        base: A built model (e.g. `VGG16(include_top=False)`).
        data: A NumPy array / tensor of images; or an iterable of batches `x`
            or `(x, y)`: a Python generator, a `flow` / `flow_from_directory`
            iterator or a `PyDataset` (one pass of `len(data)` batches).
        batch_size: Batch size for array inputs.
        steps: Number of batches to read from an iterable (required for
            endless generators without `len`, unless `sample_count` is given).
        sample_count: Stop after this many samples (the tutorial's argument).

    Returns:
        `features` for an array input or batches without labels; otherwise
        `(features, labels)` with the labels as the iterator yielded them.

    Example:

    >>> import numpy as np, layerwise as keras
    >>> base = keras.applications.VGG16(weights=None, include_top=False,
    ...                                 input_shape=(32, 32, 3))
    >>> keras.applications.extract_features(base, np.zeros((3, 32, 32, 3)),
    ...                                     batch_size=2).shape
    (3, 1, 1, 512)
    """
    if not isinstance(batch_size, int) or batch_size < 1:
        raise ValueError(f"`batch_size` must be a positive integer. Received: {batch_size!r}")
    device = _device_of(base)
    was_training = base.training
    base.eval()
    try:
        if isinstance(data, (np.ndarray, torch.Tensor)):
            n = len(data) if sample_count is None else min(len(data), sample_count)
            if n == 0:
                raise ValueError("`data` is empty: there is nothing to extract features from.")
            return np.concatenate([_run(base, data[i:min(i + batch_size, n)], device)
                                   for i in range(0, n, batch_size)])
        return _from_batches(base, data, steps, sample_count, device)
    finally:
        base.train(was_training)


def _from_batches(base, data, steps, sample_count, device):
    if not isinstance(data, Iterable) and not hasattr(data, "__getitem__"):
        raise ValueError(
            "`data` must be an array, a generator or an iterator of batches (e.g. "
            f"`flow_from_directory`). Received: {type(data).__name__}")
    if steps is None and sample_count is None:
        if not hasattr(data, "__len__"):
            raise ValueError(
                "`data` is a generator without a length: pass `steps` (batches) or "
                "`sample_count` (samples) to say when to stop.")
        steps = len(data)
    if steps is None:
        steps = math.inf
    features, labels, seen = [], [], 0
    batches = (data[i] for i in range(len(data))) if _indexable(data, steps) else iter(data)
    for step, batch in enumerate(batches):
        if step >= steps or (sample_count is not None and seen >= sample_count):
            break
        x, y = _split(batch)
        out = _run(base, x, device)
        take = len(out) if sample_count is None else min(len(out), sample_count - seen)
        features.append(out[:take])
        if y is not None:
            labels.append(np.asarray(y)[:take])
        seen += take
    if not features:
        raise ValueError("`data` yielded no batches.")
    features = np.concatenate(features)
    return (features, np.concatenate(labels)) if labels else features


def _indexable(data, steps) -> bool:
    """Sequence-like iterators (`flow_from_directory`, `PyDataset`) are read by index once."""
    return (hasattr(data, "__getitem__") and hasattr(data, "__len__")
            and not isinstance(data, (list, tuple)) and steps <= len(data))
