"""Every public op is a module-level function that pickles by reference (as a
hand-written function does), also the ones made by `ops._factories`."""

from __future__ import annotations

import inspect
import pickle

import layerwise.ops as ops

FUNCTIONS = sorted(n for n in dir(ops)
                   if not n.startswith("_") and inspect.isfunction(getattr(ops, n)))


def test_every_public_op_pickles_by_reference_from_its_own_module():
    assert len(FUNCTIONS) > 300
    wrong = []
    for name in FUNCTIONS:
        op = getattr(ops, name)
        if not op.__module__.startswith("layerwise.ops") or op.__module__.endswith("_factories"):
            wrong.append((name, op.__module__))
        elif pickle.loads(pickle.dumps(op)) is not op:
            wrong.append((name, "pickle"))
    assert wrong == []
