"""Builds an application in real Keras 3 and in layerwise, moves weights through files."""

from __future__ import annotations

import numpy as np

import layerwise


def build_pair(keras, name: str, **kwargs):
    """`(keras_model, layerwise_model)` built with `weights=None` from clean name counters."""
    keras.backend.clear_session()
    layerwise.backend.clear_session(free_memory=False)
    layerwise.applications._common._UIDS.clear()
    k_model = getattr(keras.applications, name)(weights=None, **kwargs)
    l_model = getattr(layerwise.applications, name)(weights=None, **kwargs)
    return k_model, l_model


def randomize(k_model, seed: int = 0) -> None:
    """Random values for every Keras weight (positive variances, small kernels)."""
    rng = np.random.default_rng(seed)
    values = []
    for w in k_model.weights:
        shape = tuple(w.shape)
        if "variance" in w.path or "moving_var" in w.path:
            values.append(rng.uniform(0.5, 1.5, shape).astype("float32"))
        else:
            fan_in = int(np.prod(shape[:-1])) if len(shape) > 1 else 1
            scale = 1.0 / np.sqrt(max(fan_in, 1))
            values.append(rng.normal(0.0, scale, shape).astype("float32"))
    k_model.set_weights(values)


def write_legacy_h5(k_model, path) -> None:
    """Keras' own legacy HDF5 weights writer (the layout of the official files)."""
    import h5py
    from keras.src.legacy.saving import legacy_h5_format

    with h5py.File(path, "w") as f:
        legacy_h5_format.save_weights_to_hdf5_group(f, k_model)


def image_batch(shape, seed: int = 1, n: int = 2) -> np.ndarray:
    rng = np.random.default_rng(seed)
    return rng.uniform(0, 255, (n, *shape)).astype("float32")


def keras_predict(k_model, x) -> np.ndarray:
    import torch

    with torch.no_grad():
        return np.asarray(k_model(x, training=False).detach().cpu())
