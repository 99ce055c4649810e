"""Every public name of Keras 3's `keras.ops` (and submodules) exists in `layerwise.ops`,
with Keras' argument names and defaults."""

from __future__ import annotations

import inspect

import pytest

from layerwise import ops

keras = pytest.importorskip("keras")
keras_ops = keras.ops

SUBMODULES = ["nn", "numpy", "image", "linalg"]


def _public(module) -> list[str]:
    return sorted(n for n in dir(module) if not n.startswith("_"))


def _keras_private_module(name: str):
    import importlib

    module = importlib.import_module(f"keras.src.ops.{name}")
    return [n for n, v in vars(module).items()
            if not n.startswith("_") and callable(v) and not inspect.isclass(v)
            and getattr(v, "__module__", "") == module.__name__]


def test_every_top_level_name_exists():
    missing = [n for n in _public(keras_ops) if not hasattr(ops, n)]
    assert missing == []


@pytest.mark.parametrize("submodule", SUBMODULES)
def test_every_submodule_name_exists(submodule):
    theirs = getattr(keras_ops, submodule)
    ours = getattr(ops, submodule)
    assert [n for n in _public(theirs) if not hasattr(ours, n)] == []


@pytest.mark.parametrize("submodule", ["math", "core"])
def test_math_and_core_modules(submodule):
    """`keras.ops.math`/`core` are not public attributes in Keras 3.15; their ops are."""
    ours = getattr(ops, submodule)
    names = [n for n in _keras_private_module(submodule) if hasattr(keras_ops, n)]
    assert names, "no names found: the Keras module layout changed"
    assert [n for n in names if not hasattr(ours, n)] == []


def _signature(fn):
    try:
        return inspect.signature(fn)
    except (TypeError, ValueError):
        return None


@pytest.mark.parametrize("submodule", ["", *SUBMODULES])
def test_argument_names_and_defaults_match_keras(submodule):
    theirs_module = getattr(keras_ops, submodule) if submodule else keras_ops
    ours_module = getattr(ops, submodule) if submodule else ops
    mismatches = []
    for name in _public(theirs_module):
        theirs, ours = getattr(theirs_module, name), getattr(ours_module, name, None)
        if inspect.ismodule(theirs) or inspect.isclass(theirs):
            continue
        a, b = _signature(theirs), _signature(ours)
        if a is None or b is None:
            continue
        theirs_params = [(p.name, p.default) for p in a.parameters.values()]
        ours_params = [(p.name, p.default) for p in b.parameters.values()]
        if theirs_params != ours_params:
            mismatches.append((name, theirs_params, ours_params))
    assert mismatches == []
