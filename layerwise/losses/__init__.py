"""`layerwise.losses`: loss functions and classes, by Keras name.

Example:

>>> import torch, layerwise as keras
>>> float(keras.losses.MeanSquaredError()(torch.zeros(2, 1), torch.ones(2, 1)))
1.0
"""

from __future__ import annotations

from layerwise.losses.loss import Loss as Loss
from layerwise.losses.loss import LossFunctionWrapper as LossFunctionWrapper
from layerwise.losses.losses import BinaryCrossentropy as BinaryCrossentropy
from layerwise.losses.losses import CategoricalCrossentropy as CategoricalCrossentropy
from layerwise.losses.losses import MeanAbsoluteError as MeanAbsoluteError
from layerwise.losses.losses import MeanSquaredError as MeanSquaredError
from layerwise.losses.losses import SparseCategoricalCrossentropy as SparseCategoricalCrossentropy
from layerwise.losses.losses import binary_crossentropy as binary_crossentropy
from layerwise.losses.losses import categorical_crossentropy as categorical_crossentropy
from layerwise.losses.losses import mean_absolute_error as mean_absolute_error
from layerwise.losses.losses import mean_squared_error as mean_squared_error
from layerwise.losses.losses import (
    sparse_categorical_crossentropy as sparse_categorical_crossentropy,
)
from layerwise.saving import object_registry

mse = MSE = mean_squared_error
mae = MAE = mean_absolute_error

_CLASSES = (BinaryCrossentropy, CategoricalCrossentropy, MeanAbsoluteError, MeanSquaredError,
            SparseCategoricalCrossentropy)
_FUNCTIONS = (binary_crossentropy, categorical_crossentropy, mean_absolute_error,
              mean_squared_error, sparse_categorical_crossentropy)
ALL_OBJECTS = {**{c.__name__: c for c in _CLASSES}, **{f.__name__: f for f in _FUNCTIONS}}
_REGISTRY = {**ALL_OBJECTS, "mse": mean_squared_error, "MSE": mean_squared_error,
             "mae": mean_absolute_error, "MAE": mean_absolute_error}


def get(identifier):
    """Returns a loss (class instance or function) from a name, config, instance or callable."""
    return object_registry.lookup("loss", identifier, _REGISTRY, Loss)


def serialize(loss):
    return object_registry.serialize(loss)


def deserialize(config, custom_objects=None):
    if isinstance(config, str):
        return get(config)
    return object_registry.deserialize("loss", config, _REGISTRY, custom_objects)
