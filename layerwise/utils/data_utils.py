"""Keras 2 path `keras.utils.data_utils`: `get_file`."""

from layerwise.utils.file_utils import get_file as get_file
