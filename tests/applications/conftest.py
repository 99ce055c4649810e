"""Isolated caches and a 127.0.0.1 file server for the application tests."""

from __future__ import annotations

import pytest

from layerwise.applications import imagenet_utils
from layerwise.utils import download
from tests.datasets.conftest import LocalServer


@pytest.fixture
def http_server(monkeypatch):
    monkeypatch.setenv("no_proxy", "127.0.0.1,localhost")
    monkeypatch.setattr(download, "_RETRY_DELAY_S", 0.0)
    server = LocalServer()
    yield server
    server.stop()


@pytest.fixture
def app_env(tmp_path, monkeypatch):
    """Empty layerwise and Keras caches under tmp_path; no cached class index."""
    monkeypatch.setenv("LAYERWISE_HOME", str(tmp_path / "home"))
    monkeypatch.setenv("KERAS_HOME", str(tmp_path / "keras"))
    monkeypatch.setattr(imagenet_utils, "CLASS_INDEX", None)
    return tmp_path
