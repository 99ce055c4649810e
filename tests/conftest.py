"""Shared test set-up: thread limits, a fresh name space per test, the Keras oracle."""

from __future__ import annotations

import os

os.environ.setdefault("KERAS_BACKEND", "torch")

import pytest  # noqa: E402
import torch  # noqa: E402

torch.set_num_threads(int(os.environ.get("LAYERWISE_TEST_THREADS", "2")))


@pytest.fixture(autouse=True)
def _fresh_session():
    """Each test starts with layer names counted from zero and a fixed seed."""
    import layerwise

    layerwise.backend.clear_session(free_memory=False)  # gc.collect() costs ~0.2 s a test
    layerwise.utils.set_random_seed(1234)
    yield


@pytest.fixture(scope="session")
def keras():
    """Real Keras 3 on the torch backend, the oracle for differential tests."""
    if os.environ.get("KERAS_BACKEND") != "torch":
        pytest.skip("differential tests need KERAS_BACKEND=torch")
    keras = pytest.importorskip("keras")
    if keras.backend.backend() != "torch":
        pytest.skip("Keras was imported with another backend")
    return keras


@pytest.fixture(scope="session")
def shared_datasets():
    """The folder of real dataset files beside the repo (skip when absent)."""
    from pathlib import Path

    path = Path(__file__).resolve().parents[1].parent / "shared" / "datasets"
    if not path.is_dir():
        pytest.skip("../shared/datasets is not present")
    return path
