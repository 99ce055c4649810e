"""Keras 2 paths `keras.preprocessing.sequence.pad_sequences` and `keras.utils.to_categorical`
against real Keras (more cases in tests/utils/test_utils.py)."""

from __future__ import annotations

import numpy as np
import pytest

import layerwise

pytestmark = pytest.mark.keras

SEQUENCES = [[1, 2, 3], [4], [], [5, 6, 7, 8, 9]]


@pytest.mark.parametrize("kwargs", [
    dict(), dict(maxlen=2), dict(padding="post", truncating="post", maxlen=3),
    dict(value=-1, dtype="float32"), dict(maxlen=4, truncating="pre", padding="pre")])
def test_pad_sequences_keras_2_path(keras, kwargs):
    np.testing.assert_array_equal(
        layerwise.preprocessing.sequence.pad_sequences(SEQUENCES, **kwargs),
        keras.preprocessing.sequence.pad_sequences(SEQUENCES, **kwargs))


@pytest.mark.parametrize("labels, num_classes", [([0, 2, 1], None), ([[1], [3]], 5),
                                                 (np.array([1, 0, 1]), 2)])
def test_to_categorical(keras, labels, num_classes):
    np.testing.assert_array_equal(layerwise.utils.to_categorical(labels, num_classes),
                                  keras.utils.to_categorical(labels, num_classes))
