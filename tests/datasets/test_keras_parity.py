"""Differential tests: our loaders vs. real Keras 3 on the same small files.

Keras' own `get_file` is monkeypatched to return the local test file, so both
implementations read identical bytes; outputs must match exactly (values,
dtypes, shapes, ordering).
"""

from __future__ import annotations

import hashlib
import io
import os
import pickle
import tarfile

import numpy as np
import pytest

from layerwise.datasets import (
    boston_housing,
    california_housing,
    cifar100,
    fashion_mnist,
    imdb,
    mnist,
    reuters,
)

os.environ.setdefault("KERAS_BACKEND", "torch")
k_boston = pytest.importorskip("keras.src.datasets.boston_housing")
k_california = pytest.importorskip("keras.src.datasets.california_housing")
k_cifar100 = pytest.importorskip("keras.src.datasets.cifar100")
k_fashion = pytest.importorskip("keras.src.datasets.fashion_mnist")
k_imdb = pytest.importorskip("keras.src.datasets.imdb")
k_mnist = pytest.importorskip("keras.src.datasets.mnist")
k_reuters = pytest.importorskip("keras.src.datasets.reuters")

pytestmark = pytest.mark.keras


def sha256(path) -> str:
    with open(path, "rb") as f:
        return hashlib.sha256(f.read()).hexdigest()


def assert_same(ours, theirs):
    ours, theirs = sum(ours, ()), sum(theirs, ())
    for a, b in zip(ours, theirs, strict=True):
        assert type(a) is type(b)
        assert a.dtype == b.dtype and a.shape == b.shape
        if a.dtype == object:
            assert [list(s) for s in a] == [list(s) for s in b]
        else:
            np.testing.assert_array_equal(a, b)


def place(dataset_env, name, data: bytes):
    """Puts `data` in the layerwise cache as `name`; returns its path."""
    path = dataset_env / "home" / "datasets" / name
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_bytes(data)
    return path


def ragged(rng, n):
    return np.array(
        [rng.integers(1, 40, int(k)).tolist() for k in rng.integers(1, 12, n)], dtype="object"
    )


@pytest.mark.parametrize(
    "kwargs",
    [
        {},
        {"num_words": 20, "skip_top": 3},
        {"maxlen": 6, "seed": 5},
        {"start_char": None, "oov_char": None, "index_from": 0, "num_words": 25},
        {"start_char": None, "index_from": 2},
    ],
)
def test_imdb_and_reuters_match_keras(dataset_env, monkeypatch, kwargs):
    rng = np.random.default_rng(0)
    buf = io.BytesIO()
    np.savez(buf, x_train=ragged(rng, 30), y_train=rng.integers(0, 2, 30),
             x_test=ragged(rng, 20), y_test=rng.integers(0, 2, 20))  # fmt: skip
    path = place(dataset_env, "imdb/imdb.npz", buf.getvalue())
    monkeypatch.setattr(imdb, "NPZ_HASH", sha256(path))
    monkeypatch.setattr(k_imdb, "get_file", lambda *a, **k: str(path))
    assert_same(imdb.load_data(**kwargs), k_imdb.load_data(**kwargs))

    buf = io.BytesIO()
    np.savez(buf, x=ragged(rng, 40), y=rng.integers(0, 46, 40))
    path = place(dataset_env, "reuters/reuters.npz", buf.getvalue())
    monkeypatch.setattr(reuters, "NPZ_HASH", sha256(path))
    monkeypatch.setattr(k_reuters, "get_file", lambda *a, **k: str(path))
    kwargs = dict(kwargs, test_split=0.3)
    assert_same(reuters.load_data(**kwargs), k_reuters.load_data(**kwargs))
    assert reuters.get_label_names() == k_reuters.get_label_names()


def test_housing_and_mnist_npz_match_keras(dataset_env, monkeypatch):
    rng = np.random.default_rng(1)
    for ours, theirs, name, shape, calls in (
        (boston_housing, k_boston, "boston_housing", (50, 13), [{}, {"test_split": 0.3, "seed": 2}]),
        (california_housing, k_california, "california_housing", (650, 8),
         [{}, {"version": "small"}, {"version": "small", "test_split": 0.1, "seed": 3}]),
    ):  # fmt: skip
        buf = io.BytesIO()
        np.savez(buf, x=rng.random(shape), y=rng.random(shape[0]).astype("float32"))
        path = place(dataset_env, f"{name}/{name}.npz", buf.getvalue())
        monkeypatch.setattr(ours, "FILE_HASH", sha256(path))
        monkeypatch.setattr(theirs, "get_file", lambda *a, _p=path, **k: str(_p))
        for kw in calls:
            assert_same(ours.load_data(**kw), theirs.load_data(**kw))

    buf = io.BytesIO()
    np.savez(buf, x_train=rng.integers(0, 255, (5, 28, 28), dtype=np.uint8),
             y_train=rng.integers(0, 9, 5, dtype=np.uint8),
             x_test=rng.integers(0, 255, (3, 28, 28), dtype=np.uint8),
             y_test=rng.integers(0, 9, 3, dtype=np.uint8))  # fmt: skip
    keras_dir = dataset_env / "keras" / "datasets"
    keras_dir.mkdir(parents=True)
    (keras_dir / "mnist.npz").write_bytes(buf.getvalue())
    monkeypatch.setattr(mnist, "NPZ_HASH", sha256(keras_dir / "mnist.npz"))
    monkeypatch.setattr(k_mnist, "get_file", lambda *a, **k: str(keras_dir / "mnist.npz"))
    assert_same(mnist.load_data(), k_mnist.load_data())


def test_fashion_mnist_matches_keras(dataset_env, monkeypatch):
    import gzip
    import struct

    rng = np.random.default_rng(2)
    folder = dataset_env / "keras" / "datasets" / "fashion-mnist"
    folder.mkdir(parents=True)
    hashes = {}
    for name, shape in (("train-images-idx3-ubyte.gz", (4, 28, 28)),
                        ("train-labels-idx1-ubyte.gz", (4,)),
                        ("t10k-images-idx3-ubyte.gz", (2, 28, 28)),
                        ("t10k-labels-idx1-ubyte.gz", (2,))):  # fmt: skip
        a = rng.integers(0, 256, shape, dtype=np.uint8)
        head = b"\0\0\x08" + bytes([a.ndim]) + struct.pack(f">{a.ndim}I", *a.shape)
        (folder / name).write_bytes(gzip.compress(head + a.tobytes()))
        hashes[name] = sha256(folder / name)
    monkeypatch.setattr(fashion_mnist, "FILE_HASHES", hashes)
    monkeypatch.setattr(k_fashion, "get_file", lambda fname, **k: str(folder / fname))
    assert_same(fashion_mnist.load_data(), k_fashion.load_data())


@pytest.mark.parametrize("label_mode", ["fine", "coarse"])
def test_cifar100_matches_keras(dataset_env, monkeypatch, label_mode):
    rng = np.random.default_rng(3)
    root = dataset_env / "kx"
    (root / "cifar-100-python").mkdir(parents=True)
    tgz = io.BytesIO()
    with tarfile.open(fileobj=tgz, mode="w:gz") as tar:
        for name, n in (("train", 5), ("test", 3)):
            batch = {b"data": rng.integers(0, 256, (n, 3072), dtype=np.uint8),
                     b"fine_labels": rng.integers(0, 100, n).tolist(),
                     b"coarse_labels": rng.integers(0, 20, n).tolist()}  # fmt: skip
            data = pickle.dumps(batch, protocol=3)
            (root / "cifar-100-python" / name).write_bytes(data)
            info = tarfile.TarInfo(f"cifar-100-python/{name}")
            info.size = len(data)
            tar.addfile(info, io.BytesIO(data))
    path = place(dataset_env, "cifar100/cifar-100-python.tar.gz", tgz.getvalue())
    monkeypatch.setattr(cifar100, "FILE_HASH", sha256(path))
    monkeypatch.setattr(k_cifar100, "get_file", lambda *a, **k: str(root))
    assert_same(cifar100.load_data(label_mode), k_cifar100.load_data(label_mode))
