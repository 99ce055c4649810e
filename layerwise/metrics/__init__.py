"""`layerwise.metrics`: stateful metrics and metric functions, by Keras name.

Example:

>>> import layerwise as keras
>>> m = keras.metrics.SparseCategoricalAccuracy()
>>> m.update_state([1, 2], [[0.1, 0.9, 0.0], [0.8, 0.1, 0.1]])
>>> float(m.result())
0.5
"""

from __future__ import annotations

from layerwise.losses.losses import binary_crossentropy as binary_crossentropy
from layerwise.losses.losses import categorical_crossentropy as categorical_crossentropy
from layerwise.losses.losses import mean_absolute_error as mean_absolute_error
from layerwise.losses.losses import mean_squared_error as mean_squared_error
from layerwise.losses.losses import (
    sparse_categorical_crossentropy as sparse_categorical_crossentropy,
)
from layerwise.metrics.accuracy_metrics import Accuracy as Accuracy
from layerwise.metrics.accuracy_metrics import BinaryAccuracy as BinaryAccuracy
from layerwise.metrics.accuracy_metrics import CategoricalAccuracy as CategoricalAccuracy
from layerwise.metrics.accuracy_metrics import (
    SparseCategoricalAccuracy as SparseCategoricalAccuracy,
)
from layerwise.metrics.accuracy_metrics import accuracy as accuracy
from layerwise.metrics.accuracy_metrics import binary_accuracy as binary_accuracy
from layerwise.metrics.accuracy_metrics import categorical_accuracy as categorical_accuracy
from layerwise.metrics.accuracy_metrics import (
    sparse_categorical_accuracy as sparse_categorical_accuracy,
)
from layerwise.metrics.metric import Mean as Mean
from layerwise.metrics.metric import MeanMetricWrapper as MeanMetricWrapper
from layerwise.metrics.metric import Metric as Metric
from layerwise.metrics.metric import Sum as Sum
from layerwise.metrics.regression_metrics import MeanAbsoluteError as MeanAbsoluteError
from layerwise.metrics.regression_metrics import MeanSquaredError as MeanSquaredError
from layerwise.saving import object_registry

mse = MSE = mean_squared_error
mae = MAE = mean_absolute_error

_CLASSES = (Accuracy, BinaryAccuracy, CategoricalAccuracy, SparseCategoricalAccuracy, Mean, Sum,
            MeanMetricWrapper, MeanSquaredError, MeanAbsoluteError)
ALL_OBJECTS = {c.__name__: c for c in _CLASSES}
_REGISTRY = {
    **ALL_OBJECTS,
    "accuracy": accuracy, "binary_accuracy": binary_accuracy,
    "categorical_accuracy": categorical_accuracy,
    "sparse_categorical_accuracy": sparse_categorical_accuracy,
    "mean_squared_error": MeanSquaredError, "mse": MeanSquaredError, "MSE": MeanSquaredError,
    "mean_absolute_error": MeanAbsoluteError, "mae": MeanAbsoluteError, "MAE": MeanAbsoluteError,
    "binary_crossentropy": binary_crossentropy,
    "categorical_crossentropy": categorical_crossentropy,
    "sparse_categorical_crossentropy": sparse_categorical_crossentropy,
}


def get(identifier):
    """Returns a metric (instance or function) from a name, config, instance or callable."""
    return object_registry.lookup("metric", identifier, _REGISTRY, Metric)


def serialize(metric):
    return object_registry.serialize(metric)


def deserialize(config, custom_objects=None):
    return object_registry.deserialize("metric", config, _REGISTRY, custom_objects)
