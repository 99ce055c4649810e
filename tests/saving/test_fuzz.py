"""Fuzzing the loaders with hypothesis: corrupted zips, truncated HDF5, mutated JSON.

Whatever the bytes, a load either returns a complete, working model or raises a
`ValueError`: never another exception, a crash, a hang or a partial model.
"""

from __future__ import annotations

import contextlib
import json
import os
import signal
import warnings
import zipfile

import numpy as np
import pytest

hypothesis = pytest.importorskip("hypothesis")
from hypothesis import HealthCheck, given, settings  # noqa: E402
from hypothesis import strategies as st  # noqa: E402

import layerwise as keras  # noqa: E402

# LAYERWISE_FUZZ_EXAMPLES=5000 runs a longer, random (not derandomized) campaign.
_EXAMPLES = int(os.environ.get("LAYERWISE_FUZZ_EXAMPLES", "0"))
SETTINGS = settings(max_examples=_EXAMPLES or 40, deadline=None, derandomize=not _EXAMPLES,
                    suppress_health_check=list(HealthCheck), database=None)
TIME_LIMIT_S = 30


class _Hang(BaseException):
    """Raised on a timeout; not an `Exception`, so no loader can swallow it."""


@contextlib.contextmanager
def _time_limit(seconds: int):
    """Fails the example instead of hanging (SIGALRM, main thread)."""

    def handler(signum, frame):
        raise _Hang(f"load did not finish within {seconds} s")

    previous = signal.signal(signal.SIGALRM, handler)
    signal.alarm(seconds)
    try:
        yield
    finally:
        signal.alarm(0)
        signal.signal(signal.SIGALRM, previous)


def _model():
    keras.backend.clear_session(free_memory=False)
    model = keras.Sequential([keras.Input((4,)), keras.layers.Dense(3, activation="relu"),
                              keras.layers.BatchNormalization(), keras.layers.Dense(2)])
    model.compile(optimizer="adam", loss="mse", metrics=["mae"])
    model.fit(np.ones((4, 4), "float32"), np.ones((4, 2), "float32"), verbose=0)
    return model


class _Files(dict):
    def __repr__(self) -> str:  # keep hypothesis' failure reports short
        return "<fuzz seed files>"


@pytest.fixture(scope="module")
def files(tmp_path_factory):
    folder = tmp_path_factory.mktemp("fuzz")
    model = _model()
    model.save(folder / "m.keras")
    model.save(folder / "m.h5")
    model.save_weights(folder / "m.weights.h5")
    with zipfile.ZipFile(folder / "m.keras") as zf:
        parts = {name: zf.read(name) for name in zf.namelist()}
    return _Files(folder=folder, keras=(folder / "m.keras").read_bytes(),
                  h5=(folder / "m.h5").read_bytes(),
                  weights=(folder / "m.weights.h5").read_bytes(), parts=parts)


def _check_loaded(model):
    """A model that loads must be complete: it predicts."""
    out = model.predict(np.ones((2, 4), "float32"), verbose=0)
    assert np.asarray(out).shape[0] == 2


def _load_or_value_error(load):
    with _time_limit(TIME_LIMIT_S), warnings.catch_warnings():
        warnings.simplefilter("ignore")
        try:
            model = load()
        except ValueError:
            return None
    if model is not None:
        _check_loaded(model)
    return model


def _mutate_bytes(data: bytes, edits) -> bytes:
    out = bytearray(data)
    for kind, position, value in edits:
        if not out:
            break
        i = position % len(out)
        if kind == "flip":
            out[i] ^= value or 1
        elif kind == "set":
            out[i] = value
        elif kind == "cut":
            del out[i:]
        elif kind == "insert":
            out[i:i] = bytes([value]) * (1 + value % 7)
    return bytes(out)


def _cut_or_mutate(data: bytes, cut: float, edits) -> bytes:
    """`data` with the given edits applied, or (no edits) its first `cut` fraction."""
    return _mutate_bytes(data, edits) if edits else data[: int(len(data) * cut)]


EDITS = st.lists(st.tuples(st.sampled_from(["flip", "set", "cut", "insert"]),
                           st.integers(0, 2**31), st.integers(0, 255)), min_size=1, max_size=6)


@SETTINGS
@given(edits=EDITS)
def test_corrupted_keras_archives(files, edits):
    path = files["folder"] / "fuzz.keras"
    path.write_bytes(_mutate_bytes(files["keras"], edits))
    _load_or_value_error(lambda: keras.models.load_model(path))


@SETTINGS
@given(cut=st.floats(0.0, 1.0, exclude_max=True), edits=st.one_of(st.none(), EDITS))
def test_truncated_or_corrupted_legacy_h5(files, cut, edits):
    path = files["folder"] / "fuzz.h5"
    path.write_bytes(_cut_or_mutate(files["h5"], cut, edits))
    _load_or_value_error(lambda: keras.models.load_model(path))


@SETTINGS
@given(cut=st.floats(0.0, 1.0, exclude_max=True), edits=st.one_of(st.none(), EDITS))
def test_truncated_or_corrupted_weights_h5(files, cut, edits):
    path = files["folder"] / "fuzz.weights.h5"
    path.write_bytes(_cut_or_mutate(files["weights"], cut, edits))
    model = _model()
    before = model.get_weights()
    try:
        with _time_limit(TIME_LIMIT_S), warnings.catch_warnings():
            warnings.simplefilter("ignore")
            model.load_weights(path)
    except ValueError:
        for a, b in zip(model.get_weights(), before):  # a failed load changes nothing
            np.testing.assert_array_equal(a, b)


JSON_VALUES = st.recursive(
    st.none() | st.booleans() | st.integers(-2**63, 2**63) | st.floats(allow_nan=True)
    | st.text(max_size=12) | st.sampled_from(["Dense", "relu", "__lambda__", "function",
                                             "keras.layers", "os", "../x", "float64"]),
    lambda children: st.lists(children, max_size=4)
    | st.dictionaries(st.text(max_size=8), children, max_size=4),
    max_leaves=12)


def _paths(node, prefix=()):
    yield prefix
    if isinstance(node, dict):
        for k, v in node.items():
            yield from _paths(v, (*prefix, k))
    elif isinstance(node, list):
        for i, v in enumerate(node):
            yield from _paths(v, (*prefix, i))


def _apply(config, path, action, value):
    if not path:
        return value if action == "replace" else config
    parent = config
    for key in path[:-1]:
        parent = parent[key]
    key = path[-1]
    if action == "replace":
        parent[key] = value
    elif action == "delete":
        if isinstance(parent, dict):
            del parent[key]
        else:
            parent.pop(key)
    elif action == "duplicate" and isinstance(parent, list):
        parent.insert(key, json.loads(json.dumps(parent[key])))
    return config


@SETTINGS
@given(data=st.data())
def test_mutated_json_configs(files, data):
    config = json.loads(files["parts"]["config.json"])
    for _ in range(data.draw(st.integers(1, 3))):
        paths = list(_paths(config))
        path = data.draw(st.sampled_from(paths))
        action = data.draw(st.sampled_from(["replace", "delete", "duplicate"]))
        config = _apply(config, path, action, data.draw(JSON_VALUES))
    parts = dict(files["parts"])
    parts["config.json"] = json.dumps(config).encode()
    path = files["folder"] / "json.keras"
    with zipfile.ZipFile(path, "w") as zf:
        for name, blob in parts.items():
            zf.writestr(name, blob)
    _load_or_value_error(lambda: keras.models.load_model(path))
