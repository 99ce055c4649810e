"""`backend.structure`: the leaves of nested call arguments in the order given (dicts in
insertion order, unlike `layerwise.tree`'s sorted keys)."""

from __future__ import annotations

from layerwise.backend.structure import leaves, map_leaves


def test_leaves_keep_the_given_order():
    nested = [1, {"b": 2, "a": (3, [4])}, None]
    assert leaves(nested) == [1, 2, 3, 4, None]
    assert leaves(5) == [5]
    assert leaves([]) == []


def test_map_leaves_rebuilds_lists_tuples_and_dicts():
    out = map_leaves(lambda v: v * 10, [1, {"b": 2, "a": (3,)}])
    assert out == [10, {"b": 20, "a": (30,)}]
    assert list(out[1]) == ["b", "a"] and isinstance(out[1]["a"], tuple)
