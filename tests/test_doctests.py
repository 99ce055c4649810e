"""Every docstring example in `layerwise/` runs, as a doctest, in `make test`."""

from __future__ import annotations

import doctest
import importlib
import sys
from pathlib import Path

import pytest

sys.path.insert(0, str(Path(__file__).resolve().parent))
import import_graph  # noqa: E402

MODULES = sorted(name for name, path in import_graph.module_files().items()
                 if ">>>" in path.read_text(encoding="utf-8"))
FLAGS = doctest.ELLIPSIS | doctest.NORMALIZE_WHITESPACE


@pytest.mark.parametrize("name", MODULES)
def test_docstring_examples_run(name, tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)  # examples that write files write them here
    module = importlib.import_module(name)
    finder = doctest.DocTestFinder(exclude_empty=True)
    tests = [t for t in finder.find(module, name) if t.examples]  # module globals, as pytest
    assert tests, f"{name} has `>>>` lines but no doctest was found"
    failures = []
    for test in tests:
        result = doctest.DocTestRunner(optionflags=FLAGS)
        report: list[str] = []
        result.run(test, out=report.append)
        if result.failures:
            failures.append("".join(report))
    assert not failures, "\n".join(failures)
