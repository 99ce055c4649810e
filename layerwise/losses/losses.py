"""Every loss function and class, under the names Keras 3 uses in `keras.src.losses.losses`.

The implementations live by family (`regression`, `probabilistic`, `hinge`,
`segmentation`, `sequence`, `similarity`); this module gathers them so that
`from layerwise.losses.losses import mean_squared_error` keeps working.
"""

from __future__ import annotations

from layerwise.losses.focal import BinaryFocalCrossentropy as BinaryFocalCrossentropy
from layerwise.losses.focal import (
    CategoricalFocalCrossentropy as CategoricalFocalCrossentropy,
)
from layerwise.losses.focal import binary_focal_crossentropy as binary_focal_crossentropy
from layerwise.losses.focal import (
    categorical_focal_crossentropy as categorical_focal_crossentropy,
)
from layerwise.losses.hinge import CategoricalHinge as CategoricalHinge
from layerwise.losses.hinge import Hinge as Hinge
from layerwise.losses.hinge import SquaredHinge as SquaredHinge
from layerwise.losses.hinge import categorical_hinge as categorical_hinge
from layerwise.losses.hinge import convert_binary_labels_to_hinge as convert_binary_labels_to_hinge
from layerwise.losses.hinge import hinge as hinge
from layerwise.losses.hinge import squared_hinge as squared_hinge
from layerwise.losses.loss import Loss as Loss
from layerwise.losses.loss import LossFunctionWrapper as LossFunctionWrapper
from layerwise.losses.probabilistic import BinaryCrossentropy as BinaryCrossentropy
from layerwise.losses.probabilistic import CategoricalCrossentropy as CategoricalCrossentropy
from layerwise.losses.probabilistic import (
    CategoricalGeneralizedCrossEntropy as CategoricalGeneralizedCrossEntropy,
)
from layerwise.losses.probabilistic import KLDivergence as KLDivergence
from layerwise.losses.probabilistic import Poisson as Poisson
from layerwise.losses.probabilistic import (
    SparseCategoricalCrossentropy as SparseCategoricalCrossentropy,
)
from layerwise.losses.probabilistic import binary_crossentropy as binary_crossentropy
from layerwise.losses.probabilistic import categorical_crossentropy as categorical_crossentropy
from layerwise.losses.probabilistic import (
    categorical_generalized_cross_entropy as categorical_generalized_cross_entropy,
)
from layerwise.losses.probabilistic import kl_divergence as kl_divergence
from layerwise.losses.probabilistic import poisson as poisson
from layerwise.losses.probabilistic import (
    sparse_categorical_crossentropy as sparse_categorical_crossentropy,
)
from layerwise.losses.regression import CosineSimilarity as CosineSimilarity
from layerwise.losses.regression import Huber as Huber
from layerwise.losses.regression import LogCosh as LogCosh
from layerwise.losses.regression import MeanAbsoluteError as MeanAbsoluteError
from layerwise.losses.regression import (
    MeanAbsolutePercentageError as MeanAbsolutePercentageError,
)
from layerwise.losses.regression import MeanSquaredError as MeanSquaredError
from layerwise.losses.regression import (
    MeanSquaredLogarithmicError as MeanSquaredLogarithmicError,
)
from layerwise.losses.regression import cosine_similarity as cosine_similarity
from layerwise.losses.regression import huber as huber
from layerwise.losses.regression import log_cosh as log_cosh
from layerwise.losses.regression import mean_absolute_error as mean_absolute_error
from layerwise.losses.regression import (
    mean_absolute_percentage_error as mean_absolute_percentage_error,
)
from layerwise.losses.regression import mean_squared_error as mean_squared_error
from layerwise.losses.regression import (
    mean_squared_logarithmic_error as mean_squared_logarithmic_error,
)
from layerwise.losses.segmentation import Dice as Dice
from layerwise.losses.segmentation import Tversky as Tversky
from layerwise.losses.segmentation import dice as dice
from layerwise.losses.segmentation import tversky as tversky
from layerwise.losses.sequence import CTC as CTC
from layerwise.losses.sequence import ctc as ctc
from layerwise.losses.similarity import Circle as Circle
from layerwise.losses.similarity import circle as circle
