"""Keras 2 path `keras.preprocessing.sequence`: `pad_sequences`."""

from layerwise.utils.sequence_utils import pad_sequences as pad_sequences
