"""The loaders fuzzer (`fuzzing.py`): a smoke run in the normal suite, a long one in
`make test-all`. Only success and `ValueError` are allowed; no case may take more than
10 s. `LAYERWISE_FUZZ_CASES` / `LAYERWISE_FUZZ_SEED` size and seed the slow run."""

from __future__ import annotations

import importlib.util
import os
import sys
import time

import pytest

pytest.importorskip("h5py")

_SPEC = importlib.util.spec_from_file_location(
    "layerwise_security_fuzzing", os.path.join(os.path.dirname(__file__), "fuzzing.py"))
fuzzing = importlib.util.module_from_spec(_SPEC)
sys.modules[_SPEC.name] = fuzzing
_SPEC.loader.exec_module(fuzzing)


def _check(report, capsys) -> None:
    with capsys.disabled():  # the case count and seed show in every run, not only with -s
        print("\n" + report.line())
    assert not report.failures, report.failures[:10]
    assert report.slowest < fuzzing.MAX_CASE_SECONDS
    loaders = {key.split(":")[0] for key in report.outcomes}
    assert loaders == set(fuzzing.LOADERS)


def test_fuzz_smoke(tmp_path, capsys):
    report = fuzzing.run(cases=3 * len(fuzzing.LOADERS), seed=20, folder=str(tmp_path))
    _check(report, capsys)
    assert report.cases == 21


@pytest.mark.slow
def test_fuzz_campaign(tmp_path, capsys):
    cases = int(os.environ.get("LAYERWISE_FUZZ_CASES", "2000"))
    seed = int(os.environ.get("LAYERWISE_FUZZ_SEED", str(int(time.time()))))
    report = fuzzing.run(cases=cases, seed=seed, folder=str(tmp_path))
    _check(report, capsys)
    assert report.peak_rss_mb < 2048
