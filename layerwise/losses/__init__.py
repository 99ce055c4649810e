"""`layerwise.losses`: loss functions and classes, by Keras name.

Functions (`mean_squared_error`) return one value per sample; classes
(`MeanSquaredError()`) weight and reduce them to a scalar. Names resolve as
in Keras 3 (`"mse"`, `"MeanSquaredError"`, `"binary_crossentropy"`), plus the
Keras 2 aliases tutorials still use (`"logcosh"`, `"kullback_leibler_divergence"`,
`"cosine_proximity"`, `"huber_loss"`).

Example:

>>> import torch, layerwise as keras
>>> float(keras.losses.MeanSquaredError()(torch.zeros(2, 1), torch.ones(2, 1)))
1.0
>>> keras.losses.get("mse") is keras.losses.mean_squared_error
True
>>> keras.losses.serialize(keras.losses.Huber(delta=2.0))["class_name"]
'Huber'
"""

from __future__ import annotations

from layerwise.losses.loss import Loss as Loss
from layerwise.losses.loss import LossFunctionWrapper as LossFunctionWrapper
from layerwise.losses.loss import reduce_weighted_values as reduce_weighted_values
from layerwise.losses.loss import squeeze_or_expand_to_same_rank as squeeze_or_expand_to_same_rank
from layerwise.losses.losses import CTC as CTC
from layerwise.losses.losses import BinaryCrossentropy as BinaryCrossentropy
from layerwise.losses.losses import BinaryFocalCrossentropy as BinaryFocalCrossentropy
from layerwise.losses.losses import CategoricalCrossentropy as CategoricalCrossentropy
from layerwise.losses.losses import CategoricalFocalCrossentropy as CategoricalFocalCrossentropy
from layerwise.losses.losses import (
    CategoricalGeneralizedCrossEntropy as CategoricalGeneralizedCrossEntropy,
)
from layerwise.losses.losses import CategoricalHinge as CategoricalHinge
from layerwise.losses.losses import Circle as Circle
from layerwise.losses.losses import CosineSimilarity as CosineSimilarity
from layerwise.losses.losses import Dice as Dice
from layerwise.losses.losses import Hinge as Hinge
from layerwise.losses.losses import Huber as Huber
from layerwise.losses.losses import KLDivergence as KLDivergence
from layerwise.losses.losses import LogCosh as LogCosh
from layerwise.losses.losses import MeanAbsoluteError as MeanAbsoluteError
from layerwise.losses.losses import MeanAbsolutePercentageError as MeanAbsolutePercentageError
from layerwise.losses.losses import MeanSquaredError as MeanSquaredError
from layerwise.losses.losses import MeanSquaredLogarithmicError as MeanSquaredLogarithmicError
from layerwise.losses.losses import Poisson as Poisson
from layerwise.losses.losses import SparseCategoricalCrossentropy as SparseCategoricalCrossentropy
from layerwise.losses.losses import SquaredHinge as SquaredHinge
from layerwise.losses.losses import Tversky as Tversky
from layerwise.losses.losses import binary_crossentropy as binary_crossentropy
from layerwise.losses.losses import binary_focal_crossentropy as binary_focal_crossentropy
from layerwise.losses.losses import categorical_crossentropy as categorical_crossentropy
from layerwise.losses.losses import (
    categorical_focal_crossentropy as categorical_focal_crossentropy,
)
from layerwise.losses.losses import (
    categorical_generalized_cross_entropy as categorical_generalized_cross_entropy,
)
from layerwise.losses.losses import categorical_hinge as categorical_hinge
from layerwise.losses.losses import circle as circle
from layerwise.losses.losses import cosine_similarity as cosine_similarity
from layerwise.losses.losses import ctc as ctc
from layerwise.losses.losses import dice as dice
from layerwise.losses.losses import hinge as hinge
from layerwise.losses.losses import huber as huber
from layerwise.losses.losses import kl_divergence as kl_divergence
from layerwise.losses.losses import log_cosh as log_cosh
from layerwise.losses.losses import mean_absolute_error as mean_absolute_error
from layerwise.losses.losses import (
    mean_absolute_percentage_error as mean_absolute_percentage_error,
)
from layerwise.losses.losses import mean_squared_error as mean_squared_error
from layerwise.losses.losses import (
    mean_squared_logarithmic_error as mean_squared_logarithmic_error,
)
from layerwise.losses.losses import poisson as poisson
from layerwise.losses.losses import (
    sparse_categorical_crossentropy as sparse_categorical_crossentropy,
)
from layerwise.losses.losses import squared_hinge as squared_hinge
from layerwise.losses.losses import tversky as tversky
from layerwise.registry.family import Family

# Keras 3 module-level aliases (keras.losses.MSE etc. in the legacy namespace).
mse = MSE = mean_squared_error
mae = MAE = mean_absolute_error
mape = MAPE = mean_absolute_percentage_error
msle = MSLE = mean_squared_logarithmic_error
kld = KLD = kl_divergence
bce = BCE = binary_crossentropy
# Keras 2 names that Keras 3 dropped but tutorials still use.
logcosh = log_cosh
kullback_leibler_divergence = kl_divergence
cosine_proximity = cosine_similarity
huber_loss = huber

_CLASSES = (
    Loss, LossFunctionWrapper,
    KLDivergence, Poisson, BinaryCrossentropy, BinaryFocalCrossentropy, CategoricalCrossentropy,
    CategoricalFocalCrossentropy, SparseCategoricalCrossentropy,
    CategoricalGeneralizedCrossEntropy,
    MeanSquaredError, MeanAbsoluteError, MeanAbsolutePercentageError,
    MeanSquaredLogarithmicError, CosineSimilarity, LogCosh, Huber,
    Hinge, SquaredHinge, CategoricalHinge,
    Dice, Tversky, Circle, CTC,
)
_FUNCTIONS = (
    kl_divergence, poisson, binary_crossentropy, binary_focal_crossentropy,
    categorical_crossentropy, categorical_focal_crossentropy, sparse_categorical_crossentropy,
    categorical_generalized_cross_entropy,
    mean_squared_error, mean_absolute_error, mean_absolute_percentage_error,
    mean_squared_logarithmic_error, cosine_similarity, log_cosh, huber,
    hinge, squared_hinge, categorical_hinge, dice, tversky, circle, ctc,
)
ALL_OBJECTS = {**{c.__name__: c for c in _CLASSES}, **{f.__name__: f for f in _FUNCTIONS}}
# The names Keras 3's `losses.get` accepts, then the Keras 2 names it rejects.
KERAS_ALIASES = {
    "bce": binary_crossentropy, "BCE": binary_crossentropy,
    "kld": kl_divergence, "KLD": kl_divergence,
    "mae": mean_absolute_error, "MAE": mean_absolute_error,
    "mse": mean_squared_error, "MSE": mean_squared_error,
    "mape": mean_absolute_percentage_error, "MAPE": mean_absolute_percentage_error,
    "msle": mean_squared_logarithmic_error, "MSLE": mean_squared_logarithmic_error,
}
KERAS2_ALIASES = {
    "logcosh": log_cosh,
    "kullback_leibler_divergence": kl_divergence,
    "cosine_proximity": cosine_similarity,
    "huber_loss": huber,
}
_REGISTRY = {**ALL_OBJECTS, **KERAS_ALIASES, **KERAS2_ALIASES}
_FAMILY = Family("loss", _REGISTRY, Loss, module="keras.losses", builtins=ALL_OBJECTS,
                 instantiate_custom=False)


def get(identifier):
    """Returns a loss function or `Loss` instance from an identifier.

    Args:
        identifier: `None`, a name (`"mse"`, `"categorical_crossentropy"`,
            `"CategoricalCrossentropy"`), a config dict (`serialize`'s output),
            a `Loss` class or instance, or a callable.

    Returns:
        A function for function names, an instance for class names and
        configs, the identifier itself for instances and callables.

    Example:

    >>> import layerwise as keras
    >>> keras.losses.get("logcosh") is keras.losses.log_cosh
    True
    >>> type(keras.losses.get({"class_name": "Huber", "config": {"delta": 2.0}})).__name__
    'Huber'
    """
    return _FAMILY.get(identifier)


def serialize(loss):
    """Returns Keras 3's config dict for a `Loss`, or the name of a loss function.

    Example:

    >>> import layerwise as keras
    >>> keras.losses.serialize(keras.losses.MeanSquaredError())
    {'module': 'keras.losses', 'class_name': 'MeanSquaredError', 'config': {'name': 'mean_squared_error', 'reduction': 'sum_over_batch_size'}, 'registered_name': None}
    >>> keras.losses.serialize(keras.losses.mse)
    'mean_squared_error'
    """
    return _FAMILY.serialize(loss)


def deserialize(config, custom_objects=None):
    """Returns the loss described by `config` (a name or a `serialize` dict).

    Keras' own configs are accepted, including its form for functions
    (`{"class_name": "function", "config": "mean_squared_error"}`).
    """
    return _FAMILY.deserialize(config, custom_objects)
