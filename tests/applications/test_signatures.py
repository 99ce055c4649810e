"""The public application functions (many made from a family's table by
`_common.variant`) have Keras' signatures, names and docstrings, and bind positional
arguments as Keras does."""

from __future__ import annotations

import inspect

import pytest

import layerwise
from layerwise.applications import _common

pytestmark = pytest.mark.keras

PUBLIC = sorted(n for n in dir(layerwise.applications)
                if n[0].isupper() and inspect.isfunction(getattr(layerwise.applications, n)))


def _parameters(function):
    return [(p.name, p.kind, p.default) for p in inspect.signature(function).parameters.values()]


@pytest.mark.parametrize("name", PUBLIC)
def test_signature_matches_keras(keras, name):
    ours = getattr(layerwise.applications, name)
    assert _parameters(ours) == _parameters(getattr(keras.applications, name))
    assert ours.__name__ == name
    assert ours.__doc__ and name.lower()[:8] in ours.__doc__.lower()


def test_variant_binds_positional_arguments_and_rejects_unknown_ones():
    calls = []

    def build(**kwargs):
        calls.append(kwargs)
        return kwargs

    fn = _common.variant(build, "Demo1", "Builds {name}.", _common.APPLICATION_ARGS
                         + (("name", "demo1"),), depth=3)
    assert fn(False, None, classes=7) == {
        "include_top": False, "weights": None, "input_tensor": None, "input_shape": None,
        "pooling": None, "classes": 7, "classifier_activation": "softmax", "name": "demo1",
        "depth": 3}
    assert fn.__name__ == "Demo1" and fn.__doc__ == "Builds Demo1."
    with pytest.raises(TypeError, match="alpha"):
        fn(alpha=0.5)
    assert len(calls) == 1
