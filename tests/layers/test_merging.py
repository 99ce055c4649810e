"""Merging layers against real Keras 3, and their shape errors."""

from __future__ import annotations

import numpy as np
import pytest

import layerwise

RNG = np.random.default_rng(1)

CASES = [
    ("Add", {}, [(5, 3), (5, 3), (5, 3)]),
    ("Add", {}, [(5, 3), (5, 1)]),
    ("Subtract", {}, [(5, 4), (5, 4)]),
    ("Multiply", {}, [(5, 2, 3), (5, 2, 3)]),
    ("Average", {}, [(5, 3), (5, 3), (5, 3)]),
    ("Maximum", {}, [(5, 3), (5, 3)]),
    ("Minimum", {}, [(5, 3), (5, 3)]),
    ("Concatenate", {}, [(5, 3), (5, 2)]),
    ("Concatenate", {"axis": 1}, [(5, 2, 3), (5, 4, 3)]),
    ("Dot", {"axes": 1}, [(5, 3), (5, 3)]),
    ("Dot", {"axes": 1, "normalize": True}, [(5, 3), (5, 3)]),
    ("Dot", {"axes": (2, 2)}, [(5, 2, 3), (5, 4, 3)]),
    ("Dot", {"axes": (1, 1)}, [(5, 2, 3), (5, 2, 4)]),
]


@pytest.mark.keras
@pytest.mark.parametrize("name,kwargs,shapes", CASES)
def test_merge_matches_keras(keras, name, kwargs, shapes):
    xs = [RNG.standard_normal(s).astype("float32") for s in shapes]
    expected = keras.ops.convert_to_numpy(getattr(keras.layers, name)(**kwargs)(xs))
    got = getattr(layerwise.layers, name)(**kwargs)(xs).detach().numpy()
    np.testing.assert_allclose(got, expected, rtol=1e-5, atol=1e-6)
    # Symbolic shapes agree with Keras too.
    k_out = getattr(keras.layers, name)(**kwargs)([keras.Input(s[1:]) for s in shapes])
    l_out = getattr(layerwise.layers, name)(**kwargs)([layerwise.Input(s[1:]) for s in shapes])
    assert tuple(l_out.shape) == tuple(k_out.shape)


@pytest.mark.parametrize("fn,cls", [("add", "Add"), ("subtract", "Subtract"),
                                    ("multiply", "Multiply"), ("average", "Average"),
                                    ("maximum", "Maximum"), ("minimum", "Minimum"),
                                    ("concatenate", "Concatenate")])
def test_functional_forms(fn, cls):
    a, b = layerwise.Input((3,)), layerwise.Input((3,))
    out = getattr(layerwise.layers, fn)([a, b])
    assert type(out.node.layer).__name__ == cls


def test_incompatible_shapes_are_refused_at_construction():
    L = layerwise.layers
    with pytest.raises(ValueError, match="my_add.*incompatible shapes"):
        L.Add(name="my_add")([layerwise.Input((3,)), layerwise.Input((4,))])
    with pytest.raises(ValueError, match="my_dot.*incompatible"):
        L.Dot(axes=1, name="my_dot")([layerwise.Input((3,)), layerwise.Input((4,))])
    with pytest.raises(ValueError, match="at least 2 inputs"):
        L.Add()([layerwise.Input((3,))])
    with pytest.raises(ValueError, match="exactly 2"):
        L.Subtract()([layerwise.Input((3,))] * 3)
