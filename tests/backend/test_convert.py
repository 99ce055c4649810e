"""`layerwise.backend.convert_to_tensor` (used by metrics and constraints) follows the same
rules as `layerwise.ops.convert_to_tensor` and Keras 3's, plus a `device` argument."""

from __future__ import annotations

import numpy as np
import pytest
import torch

import layerwise
from layerwise.backend.convert import convert_to_tensor

VALUES = {
    "python float": 1.5,
    "python int": 3,
    "python bool": True,
    "list of ints": [1, 2, 3],
    "list of floats": [0.5, 1.0],
    "nested list": [[1, 2], [3, 4]],
    "float64 array": np.array([0.1, 0.2]),
    "int64 array": np.arange(3),
    "uint8 array": np.arange(3, dtype=np.uint8),
    "bool array": np.array([True, False]),
}


@pytest.mark.keras
@pytest.mark.parametrize("kind", sorted(VALUES))
def test_same_dtypes_and_values_as_keras(keras, kind):
    value = VALUES[kind]
    ours = convert_to_tensor(value)
    theirs = keras.ops.convert_to_tensor(value)
    assert str(ours.dtype) == str(theirs.dtype)
    np.testing.assert_array_equal(ours.numpy(), np.asarray(theirs.cpu()))
    assert ours.dtype == layerwise.ops.convert_to_tensor(value).dtype


def test_tensors_pass_through_and_dtype_and_device_apply():
    tensor = torch.arange(3)
    assert convert_to_tensor(tensor) is tensor
    assert convert_to_tensor(tensor, dtype="float32").dtype == torch.float32
    assert convert_to_tensor([1, 2], device="cpu").device.type == "cpu"
