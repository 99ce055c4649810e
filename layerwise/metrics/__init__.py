"""`layerwise.metrics`: stateful metrics and metric functions, by Keras name.

Names resolve as in Keras 3 (`keras.metrics.get`): class names (`"AUC"`),
their snake-case forms (`"auc"`, `"mean_squared_error"`) and the aliases
`"mse"`, `"mae"`, `"mape"`, `"msle"`, `"bce"` (and upper case) give metric
instances; `"log_cosh"` gives the function. `"accuracy"`/`"acc"` and
`"crossentropy"`/`"ce"` are resolved by `compile` from the shapes of the data.

Example:

>>> import layerwise as keras
>>> m = keras.metrics.SparseCategoricalAccuracy()
>>> m.update_state([1, 2], [[0.1, 0.9, 0.0], [0.8, 0.1, 0.1]])
>>> float(m.result())
0.5
>>> type(keras.metrics.get("AUC")).__name__
'AUC'
"""

from __future__ import annotations

from layerwise.backend.naming import to_snake_case as _to_snake_case

# Loss functions Keras also exports from `keras.metrics` (the same objects).
from layerwise.losses import binary_focal_crossentropy as binary_focal_crossentropy
from layerwise.losses import categorical_focal_crossentropy as categorical_focal_crossentropy
from layerwise.losses import huber as huber
from layerwise.metrics.accuracy_metrics import Accuracy as Accuracy
from layerwise.metrics.accuracy_metrics import BinaryAccuracy as BinaryAccuracy
from layerwise.metrics.accuracy_metrics import CategoricalAccuracy as CategoricalAccuracy
from layerwise.metrics.accuracy_metrics import (
    SparseCategoricalAccuracy as SparseCategoricalAccuracy,
)
from layerwise.metrics.accuracy_metrics import (
    SparseTopKCategoricalAccuracy as SparseTopKCategoricalAccuracy,
)
from layerwise.metrics.accuracy_metrics import (
    TopKCategoricalAccuracy as TopKCategoricalAccuracy,
)
from layerwise.metrics.accuracy_metrics import accuracy as accuracy
from layerwise.metrics.accuracy_metrics import binary_accuracy as binary_accuracy
from layerwise.metrics.accuracy_metrics import categorical_accuracy as categorical_accuracy
from layerwise.metrics.accuracy_metrics import (
    sparse_categorical_accuracy as sparse_categorical_accuracy,
)
from layerwise.metrics.accuracy_metrics import (
    sparse_top_k_categorical_accuracy as sparse_top_k_categorical_accuracy,
)
from layerwise.metrics.accuracy_metrics import (
    top_k_categorical_accuracy as top_k_categorical_accuracy,
)
from layerwise.metrics.auc import AUC as AUC
from layerwise.metrics.confusion_metrics import FalseNegatives as FalseNegatives
from layerwise.metrics.confusion_metrics import FalsePositives as FalsePositives
from layerwise.metrics.confusion_metrics import Precision as Precision
from layerwise.metrics.confusion_metrics import PrecisionAtRecall as PrecisionAtRecall
from layerwise.metrics.confusion_metrics import Recall as Recall
from layerwise.metrics.confusion_metrics import RecallAtPrecision as RecallAtPrecision
from layerwise.metrics.confusion_metrics import (
    SensitivityAtSpecificity as SensitivityAtSpecificity,
)
from layerwise.metrics.confusion_metrics import (
    SpecificityAtSensitivity as SpecificityAtSensitivity,
)
from layerwise.metrics.confusion_metrics import TrueNegatives as TrueNegatives
from layerwise.metrics.confusion_metrics import TruePositives as TruePositives
from layerwise.metrics.correlation_metrics import (
    ConcordanceCorrelation as ConcordanceCorrelation,
)
from layerwise.metrics.correlation_metrics import PearsonCorrelation as PearsonCorrelation
from layerwise.metrics.correlation_metrics import (
    concordance_correlation as concordance_correlation,
)
from layerwise.metrics.correlation_metrics import pearson_correlation as pearson_correlation
from layerwise.metrics.f_score_metrics import F1Score as F1Score
from layerwise.metrics.f_score_metrics import FBetaScore as FBetaScore
from layerwise.metrics.hinge_metrics import CategoricalHinge as CategoricalHinge
from layerwise.metrics.hinge_metrics import Hinge as Hinge
from layerwise.metrics.hinge_metrics import SquaredHinge as SquaredHinge
from layerwise.metrics.hinge_metrics import categorical_hinge as categorical_hinge
from layerwise.metrics.hinge_metrics import hinge as hinge
from layerwise.metrics.hinge_metrics import squared_hinge as squared_hinge
from layerwise.metrics.iou_metrics import BinaryIoU as BinaryIoU
from layerwise.metrics.iou_metrics import IoU as IoU
from layerwise.metrics.iou_metrics import MeanIoU as MeanIoU
from layerwise.metrics.iou_metrics import OneHotIoU as OneHotIoU
from layerwise.metrics.iou_metrics import OneHotMeanIoU as OneHotMeanIoU
from layerwise.metrics.metric import Mean as Mean
from layerwise.metrics.metric import MeanMetricWrapper as MeanMetricWrapper
from layerwise.metrics.metric import Metric as Metric
from layerwise.metrics.metric import Sum as Sum
from layerwise.metrics.probabilistic_metrics import BinaryCrossentropy as BinaryCrossentropy
from layerwise.metrics.probabilistic_metrics import (
    CategoricalCrossentropy as CategoricalCrossentropy,
)
from layerwise.metrics.probabilistic_metrics import KLDivergence as KLDivergence
from layerwise.metrics.probabilistic_metrics import Poisson as Poisson
from layerwise.metrics.probabilistic_metrics import (
    SparseCategoricalCrossentropy as SparseCategoricalCrossentropy,
)
from layerwise.metrics.probabilistic_metrics import binary_crossentropy as binary_crossentropy
from layerwise.metrics.probabilistic_metrics import (
    categorical_crossentropy as categorical_crossentropy,
)
from layerwise.metrics.probabilistic_metrics import kl_divergence as kl_divergence
from layerwise.metrics.probabilistic_metrics import poisson as poisson
from layerwise.metrics.probabilistic_metrics import (
    sparse_categorical_crossentropy as sparse_categorical_crossentropy,
)
from layerwise.metrics.regression_metrics import CosineSimilarity as CosineSimilarity
from layerwise.metrics.regression_metrics import LogCoshError as LogCoshError
from layerwise.metrics.regression_metrics import MeanAbsoluteError as MeanAbsoluteError
from layerwise.metrics.regression_metrics import (
    MeanAbsolutePercentageError as MeanAbsolutePercentageError,
)
from layerwise.metrics.regression_metrics import MeanSquaredError as MeanSquaredError
from layerwise.metrics.regression_metrics import (
    MeanSquaredLogarithmicError as MeanSquaredLogarithmicError,
)
from layerwise.metrics.regression_metrics import R2Score as R2Score
from layerwise.metrics.regression_metrics import RootMeanSquaredError as RootMeanSquaredError
from layerwise.metrics.regression_metrics import log_cosh as log_cosh
from layerwise.metrics.regression_metrics import mean_absolute_error as mean_absolute_error
from layerwise.metrics.regression_metrics import (
    mean_absolute_percentage_error as mean_absolute_percentage_error,
)
from layerwise.metrics.regression_metrics import mean_squared_error as mean_squared_error
from layerwise.metrics.regression_metrics import (
    mean_squared_logarithmic_error as mean_squared_logarithmic_error,
)
from layerwise.registry.family import Family
from layerwise.registry.names import register_names

_CLASSES = (
    # Base
    Metric, Mean, Sum, MeanMetricWrapper,
    # Regression
    MeanSquaredError, RootMeanSquaredError, MeanAbsoluteError, MeanAbsolutePercentageError,
    MeanSquaredLogarithmicError, CosineSimilarity, LogCoshError, R2Score,
    # Classification
    AUC, FalseNegatives, FalsePositives, Precision, PrecisionAtRecall, Recall,
    RecallAtPrecision, SensitivityAtSpecificity, SpecificityAtSensitivity, TrueNegatives,
    TruePositives,
    # Correlation
    ConcordanceCorrelation, PearsonCorrelation,
    # Hinge
    Hinge, SquaredHinge, CategoricalHinge,
    # Probabilistic
    KLDivergence, Poisson, BinaryCrossentropy, CategoricalCrossentropy,
    SparseCategoricalCrossentropy,
    # Accuracy
    Accuracy, BinaryAccuracy, CategoricalAccuracy, SparseCategoricalAccuracy,
    TopKCategoricalAccuracy, SparseTopKCategoricalAccuracy,
    # F-score
    F1Score, FBetaScore,
    # IoU
    IoU, BinaryIoU, MeanIoU, OneHotIoU, OneHotMeanIoU,
)

#: Metric functions by name (what `MeanMetricWrapper` configs refer to).
FUNCTIONS = {
    f.__name__: f
    for f in (
        accuracy, binary_accuracy, categorical_accuracy, sparse_categorical_accuracy,
        top_k_categorical_accuracy, sparse_top_k_categorical_accuracy, mean_squared_error,
        mean_absolute_error, mean_absolute_percentage_error, mean_squared_logarithmic_error,
        log_cosh, hinge, squared_hinge, categorical_hinge, kl_divergence, poisson,
        binary_crossentropy, categorical_crossentropy, sparse_categorical_crossentropy,
        pearson_correlation, concordance_correlation, huber, binary_focal_crossentropy,
        categorical_focal_crossentropy,
    )
}

#: Class name and snake-case name -> class, as Keras' `ALL_OBJECTS_DICT`.
ALL_OBJECTS = {c.__name__: c for c in _CLASSES}
ALL_OBJECTS.update({_to_snake_case(c.__name__): c for c in _CLASSES})
ALL_OBJECTS.update({
    "bce": BinaryCrossentropy, "BCE": BinaryCrossentropy,
    "mse": MeanSquaredError, "MSE": MeanSquaredError,
    "mae": MeanAbsoluteError, "MAE": MeanAbsoluteError,
    "mape": MeanAbsolutePercentageError, "MAPE": MeanAbsolutePercentageError,
    "msle": MeanSquaredLogarithmicError, "MSLE": MeanSquaredLogarithmicError,
})

# Functions Keras exports under `keras.metrics` whose names are not class names.
_REGISTRY = {**ALL_OBJECTS, "log_cosh": log_cosh}
_FAMILY = Family("metric", _REGISTRY, Metric)
register_names("metric function", FUNCTIONS)

mse = MSE = mean_squared_error
mae = MAE = mean_absolute_error
mape = MAPE = mean_absolute_percentage_error
msle = MSLE = mean_squared_logarithmic_error


def get(identifier):
    """Returns a metric instance (or function) from a name, config dict, instance or callable.

    Example:

    >>> import layerwise as keras
    >>> keras.metrics.get("mse").name
    'mean_squared_error'
    """
    return _FAMILY.get(identifier)


def serialize(metric):
    """The config dict of a metric (or the name of a metric function)."""
    return _FAMILY.serialize(metric)


def deserialize(config, custom_objects=None):
    """Builds a metric from `serialize`'s output."""
    return _FAMILY.deserialize(config, custom_objects)
