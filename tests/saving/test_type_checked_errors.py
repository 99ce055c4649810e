"""Errors that the type checker made explicit in `saving/` (they used to be `None` crashes)."""

from __future__ import annotations

import numpy as np
import pytest

import layerwise as keras
from layerwise.saving.keras_objects import deserialize_keras_object
from layerwise.saving.keras_zip import KerasArchive


@pytest.mark.parametrize("class_name", ["__numpy__", "__tuple__"])
def test_numpy_and_tuple_entries_without_config_name_what_is_missing(class_name):
    with pytest.raises(TypeError, match=f"`{class_name}` needs a `config` dict"):
        deserialize_keras_object({"class_name": class_name})


def test_numpy_and_tuple_entries_still_load():
    array = deserialize_keras_object(
        {"class_name": "__numpy__", "config": {"value": [1, 2], "dtype": "int32"}})
    assert array.dtype == np.int32 and array.tolist() == [1, 2]
    assert deserialize_keras_object(
        {"class_name": "__tuple__", "config": {"value": [1, "a"]}}) == (1, "a")


def test_a_closed_archive_says_so(tmp_path):
    path = tmp_path / "m.keras"
    keras.Sequential([keras.Input((2,)), keras.layers.Dense(1)]).save(path)
    with KerasArchive(path) as archive:
        assert archive.size("config.json") > 0
    with pytest.raises(ValueError, match="is closed"):
        archive.read("config.json", 1 << 20)
