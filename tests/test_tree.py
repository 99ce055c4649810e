"""`layerwise.tree` against Keras 3's `keras.tree` (the oracle), and its errors."""

from __future__ import annotations

import collections

import pytest

from layerwise import tree

Point = collections.namedtuple("Point", ["x", "y"])

STRUCTURES = [
    1,
    None,
    [1, 2, 3],
    (1, [2, (3, None)]),
    {"b": [1, 2], "a": 3},
    [Point(1, 2), {"k": None}],
    [],
    {},
]


@pytest.mark.parametrize("structure", STRUCTURES)
def test_flatten_and_paths_match_keras(keras, structure):
    assert tree.flatten(structure) == keras.tree.flatten(structure)
    assert tree.flatten_with_path(structure) == keras.tree.flatten_with_path(structure)
    assert tree.is_nested(structure) == keras.tree.is_nested(structure)


@pytest.mark.parametrize("structure", STRUCTURES)
def test_map_and_pack_match_keras(keras, structure):
    def double(x):
        return None if x is None else 2 * x

    assert tree.map_structure(double, structure) == keras.tree.map_structure(double, structure)
    flat = list(range(len(tree.flatten(structure))))
    assert tree.pack_sequence_as(structure, flat) == keras.tree.pack_sequence_as(structure, flat)
    assert tree.lists_to_tuples(structure) == keras.tree.lists_to_tuples(structure)


def test_dicts_are_sorted_at_every_depth():
    # Keras' torch-backend tree (torch pytree) leaves a dict directly inside a dict in
    # insertion order; its other backends (optree, dm-tree) sort every dict, as here.
    assert tree.flatten({"z": {"y": 1, "x": 2}, "a": 0}) == [0, 2, 1]


def test_map_structure_keeps_container_types():
    out = tree.map_structure(lambda v: v + 1, [Point(1, 2), (3,)])
    assert isinstance(out[0], Point) and out[0] == Point(2, 3)
    assert out[1] == (4,) and isinstance(out[1], tuple)
    assert tree.map_structure(lambda a, b: a * b, {"a": 2, "b": [3]}, {"b": [4], "a": 5}) == \
        {"a": 10, "b": [12]}


def test_up_to_traverse_and_shapes_match_keras(keras):
    assert tree.map_structure_up_to([0, 0], len, [[1, 2], (3,)]) == \
        keras.tree.map_structure_up_to([0, 0], len, [[1, 2], (3,)])

    def cut(x):
        return 0 if isinstance(x, list) else None

    assert tree.traverse(cut, (1, [2, 3])) == keras.tree.traverse(cut, (1, [2, 3]))
    assert tree.traverse(lambda x: None, {"a": (1, 2)}, top_down=False) == {"a": (1, 2)}
    shapes = {"a": (None, 3), "b": [(2,), (4, 5)]}
    assert tree.map_shape_structure(len, shapes) == keras.tree.map_shape_structure(len, shapes)


def test_structure_errors_name_the_difference():
    with pytest.raises(ValueError, match="different keys"):
        tree.assert_same_structure({"a": 1}, {"b": 1})
    with pytest.raises(ValueError, match="container types"):
        tree.assert_same_structure([1], (1,))
    tree.assert_same_structure([1], (1,), check_types=False)
    with pytest.raises(ValueError, match="has 2 items but `structure` has 3 leaves"):
        tree.pack_sequence_as([1, (2, 3)], [0, 0])
    with pytest.raises(ValueError, match="do not contain `shallow_structure`"):
        tree.map_structure_up_to([0, 0], len, [1])
    with pytest.raises(ValueError, match="at least one structure"):
        tree.map_structure(len)
