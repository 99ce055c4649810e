"""Boston / California housing (Keras npz) and the embedded digits dataset."""

from __future__ import annotations

import hashlib
import io

import numpy as np
import pytest

from layerwise.datasets import boston_housing, california_housing, digits


def npz_bytes(**arrays):
    buf = io.BytesIO()
    np.savez(buf, **arrays)
    return buf.getvalue()


def expected_split(x, y, test_split, seed):
    order = np.arange(len(x))
    np.random.RandomState(seed).shuffle(order)
    idx = int(len(x) * (1 - test_split))
    return (x[order][:idx], y[order][:idx]), (x[order][idx:], y[order][idx:])


def test_boston_housing(dataset_env, http_server, monkeypatch):
    rng = np.random.default_rng(0)
    x, y = rng.random((20, 13)), rng.random(20) * 50
    data = npz_bytes(x=x, y=y)
    http_server.files["boston_housing.npz"] = data
    monkeypatch.setattr(boston_housing, "BASE_URL", http_server.url())
    monkeypatch.setattr(boston_housing, "FILE_HASH", hashlib.sha256(data).hexdigest())
    result = boston_housing.load_data(test_split=0.25, seed=7)
    expected = expected_split(x, y, 0.25, 7)
    for got, want in zip(sum(result, ()), sum(expected, ()), strict=True):
        np.testing.assert_array_equal(got, want)
    with pytest.raises(ValueError, match="test_split"):
        boston_housing.load_data(test_split=-0.1)


def test_california_housing_from_keras_cache(dataset_env, monkeypatch):
    rng = np.random.default_rng(1)
    x, y = rng.random((700, 8)), rng.random(700)
    data = npz_bytes(x=x, y=y)
    keras_dir = dataset_env / "keras" / "datasets"
    keras_dir.mkdir(parents=True)
    (keras_dir / "california_housing.npz").write_bytes(data)
    monkeypatch.setattr(california_housing, "FILE_HASH", hashlib.sha256(data).hexdigest())
    monkeypatch.setattr(california_housing, "BASE_URL", "http://127.0.0.1:9/")  # unused
    (x_train, y_train), (x_test, y_test) = california_housing.load_data("small")
    assert x_train.shape == (480, 8) and x_test.shape == (120, 8)
    np.testing.assert_array_equal(x_train, expected_split(x[:600], y[:600], 0.2, 113)[0][0])
    (x_train, _), _ = california_housing.load_data()
    assert x_train.shape == (560, 8)
    with pytest.raises(ValueError, match="version"):
        california_housing.load_data("medium")


def test_digits():
    (x_train, y_train), (x_test, y_test) = digits.load_data()
    assert x_train.shape == (1437, 8, 8) and x_test.shape == (360, 8, 8)
    assert y_train.shape == (1437,) and y_test.shape == (360,)
    assert x_train.dtype == y_train.dtype == np.uint8
    x = np.concatenate([x_train, x_test])
    assert len(x) == 1797 and x.min() == 0 and x.max() == 16
    assert set(np.concatenate([y_train, y_test]).tolist()) == set(range(10))
    (x2, _), _ = digits.load_data()
    np.testing.assert_array_equal(x_train, x2)  # deterministic
    (x3, _), _ = digits.load_data(seed=1)
    assert not np.array_equal(x_train, x3)
    (xs, _), (xt, _) = digits.load_data(test_split=0.5)
    assert len(xs) == 898 and len(xt) == 899


def test_digits_matches_scikit_learn():
    sklearn_datasets = pytest.importorskip("sklearn.datasets")
    bunch = sklearn_datasets.load_digits()
    (x_train, y_train), (x_test, y_test) = digits.load_data(test_split=0.0)
    order = np.arange(1797)
    np.random.RandomState(113).shuffle(order)
    np.testing.assert_array_equal(x_train, bunch.images[order].astype(np.uint8))
    np.testing.assert_array_equal(y_train, bunch.target[order])
    assert len(x_test) == 0
