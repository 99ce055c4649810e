"""Keras 2 path `keras.utils.np_utils`: `to_categorical` and `normalize`."""

from layerwise.utils.numerical_utils import normalize as normalize
from layerwise.utils.numerical_utils import to_categorical as to_categorical
