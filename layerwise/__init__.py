"""layerwise: the Keras API, rebuilt in Python on PyTorch.

Example:

>>> import layerwise as keras
>>> model = keras.Sequential([keras.Input((784,)), keras.layers.Dense(10, "softmax")])
>>> model.compile(optimizer="sgd", loss="categorical_crossentropy", metrics=["accuracy"])
"""

import importlib

from layerwise import activations as activations
from layerwise import applications as applications
from layerwise import backend as backend
from layerwise import callbacks as callbacks
from layerwise import config as config
from layerwise import constraints as constraints
from layerwise import data as data
from layerwise import datasets as datasets
from layerwise import initializers as initializers
from layerwise import layers as layers
from layerwise import losses as losses
from layerwise import metrics as metrics
from layerwise import mixed_precision as mixed_precision
from layerwise import models as models
from layerwise import ops as ops
from layerwise import optimizers as optimizers
from layerwise import preprocessing as preprocessing
from layerwise import random as random
from layerwise import regularizers as regularizers
from layerwise import saving as saving
from layerwise import tree as tree
from layerwise import utils as utils
from layerwise.backend.device import device as device
from layerwise.layers import Input as Input
from layerwise.layers import InputLayer as InputLayer
from layerwise.layers import Layer as Layer
from layerwise.models import Model as Model
from layerwise.models import Sequential as Sequential

__version__ = "0.1.0"

# The top of the stack: evaluation reports and K-fold validation (NumPy only) ...
from layerwise import model_selection as model_selection  # noqa: E402
from layerwise import reports as reports  # noqa: E402


def __getattr__(name):
    # ... and the scikit-learn wrappers, loaded on first use (they import scikit-learn).
    if name == "wrappers":
        return importlib.import_module("layerwise.wrappers")
    raise AttributeError(f"module 'layerwise' has no attribute {name!r}")
