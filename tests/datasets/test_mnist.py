"""MNIST / Fashion-MNIST: IDX download, verification, cache lookup order."""

from __future__ import annotations

import gzip
import hashlib
import io
import os
import struct
from pathlib import Path

import numpy as np
import pytest

from layerwise.datasets import _cache, fashion_mnist, mnist
from layerwise.datasets._idx import read_idx
from layerwise.utils.file_utils import DownloadError

SHARED = Path(__file__).resolve().parents[2] / ".." / "shared" / "datasets"


def idx_bytes(array: np.ndarray) -> bytes:
    header = b"\0\0\x08" + bytes([array.ndim]) + struct.pack(f">{array.ndim}I", *array.shape)
    return gzip.compress(header + array.astype(np.uint8).tobytes(), mtime=0)


def sha256(data: bytes) -> str:
    return hashlib.sha256(data).hexdigest()


@pytest.fixture
def quartet():
    rng = np.random.default_rng(0)
    arrays = {
        "train-images-idx3-ubyte.gz": rng.integers(0, 256, (6, 28, 28), dtype=np.uint8),
        "train-labels-idx1-ubyte.gz": rng.integers(0, 10, (6,), dtype=np.uint8),
        "t10k-images-idx3-ubyte.gz": rng.integers(0, 256, (4, 28, 28), dtype=np.uint8),
        "t10k-labels-idx1-ubyte.gz": rng.integers(0, 10, (4,), dtype=np.uint8),
    }
    return arrays, {name: idx_bytes(a) for name, a in arrays.items()}


def serve(module, server, files, monkeypatch):
    server.files.update(files)
    monkeypatch.setattr(module, "BASE_URL", server.url())
    monkeypatch.setattr(module, "FILE_HASHES", {n: sha256(d) for n, d in files.items()})


def check(result, arrays):
    (x_train, y_train), (x_test, y_test) = result
    np.testing.assert_array_equal(x_train, arrays["train-images-idx3-ubyte.gz"])
    np.testing.assert_array_equal(y_train, arrays["train-labels-idx1-ubyte.gz"])
    np.testing.assert_array_equal(x_test, arrays["t10k-images-idx3-ubyte.gz"])
    np.testing.assert_array_equal(y_test, arrays["t10k-labels-idx1-ubyte.gz"])
    assert x_train.dtype == y_train.dtype == np.uint8
    assert x_train.flags.writeable


def test_mnist_downloads_idx_then_hits_cache(dataset_env, http_server, quartet, monkeypatch):
    arrays, files = quartet
    serve(mnist, http_server, files, monkeypatch)
    check(mnist.load_data(), arrays)
    assert sorted(r[0] for r in http_server.requests) == sorted(files)
    cache = dataset_env / "home" / "datasets" / "mnist"
    assert sorted(os.listdir(cache)) == sorted(files)  # no .part left behind
    http_server.requests.clear()
    check(mnist.load_data(), arrays)
    assert http_server.requests == []


def test_mnist_corrupt_download_is_removed(dataset_env, http_server, quartet, monkeypatch):
    arrays, files = quartet
    serve(mnist, http_server, files, monkeypatch)
    bad = dict(mnist.FILE_HASHES, **{"t10k-labels-idx1-ubyte.gz": "0" * 64})
    monkeypatch.setattr(mnist, "FILE_HASHES", bad)
    with pytest.raises(ValueError, match="Checksum mismatch") as info:
        mnist.load_data()
    target = dataset_env / "home" / "datasets" / "mnist" / "t10k-labels-idx1-ubyte.gz"
    assert str(target) in str(info.value) and "0" * 64 in str(info.value)
    assert sha256(files["t10k-labels-idx1-ubyte.gz"]) in str(info.value)
    assert not target.exists() and not Path(str(target) + ".part").exists()


def test_mnist_corrupt_cached_file_is_an_error(dataset_env, tmp_path, quartet, monkeypatch):
    arrays, files = quartet
    folder = tmp_path / "shared" / "mnist"
    folder.mkdir(parents=True)
    for name, data in files.items():
        (folder / name).write_bytes(data)
    monkeypatch.setenv("LAYERWISE_DATASETS", str(tmp_path / "shared"))
    monkeypatch.setattr(mnist, "FILE_HASHES", {n: sha256(d) for n, d in files.items()})
    check(mnist.load_data(), arrays)  # found in $LAYERWISE_DATASETS, no server needed
    (folder / "train-labels-idx1-ubyte.gz").write_bytes(b"garbage")
    with pytest.raises(ValueError, match="train-labels-idx1-ubyte.gz.*corrupted"):
        mnist.load_data()


def test_mnist_falls_back_to_keras_npz(dataset_env, quartet, monkeypatch):
    arrays, _ = quartet
    keras_dir = dataset_env / "keras" / "datasets"
    keras_dir.mkdir(parents=True)
    buf = io.BytesIO()
    np.savez(
        buf,
        x_train=arrays["train-images-idx3-ubyte.gz"],
        y_train=arrays["train-labels-idx1-ubyte.gz"],
        x_test=arrays["t10k-images-idx3-ubyte.gz"],
        y_test=arrays["t10k-labels-idx1-ubyte.gz"],
    )
    (keras_dir / "mnist.npz").write_bytes(buf.getvalue())
    monkeypatch.setattr(mnist, "NPZ_HASH", sha256(buf.getvalue()))
    monkeypatch.setattr(mnist, "BASE_URL", "http://127.0.0.1:9/")  # must not be used
    check(mnist.load_data(), arrays)


def test_mnist_offline_error_names_urls_and_paths(dataset_env, http_server, quartet, monkeypatch):
    _, files = quartet
    serve(mnist, http_server, files, monkeypatch)
    monkeypatch.setattr(mnist, "NPZ_URL", http_server.url("mnist.npz"))
    http_server.stop()
    with pytest.raises(DownloadError) as info:
        mnist.load_data()
    message = str(info.value)
    assert http_server.url("train-images-idx3-ubyte.gz") in message
    assert http_server.url("mnist.npz") in message
    cache = dataset_env / "home" / "datasets" / "mnist"
    assert str(cache / "train-images-idx3-ubyte.gz") in message
    assert str(cache / "mnist.npz") in message


def test_fashion_mnist_reads_keras_cache_subfolder(dataset_env, http_server, quartet, monkeypatch):
    arrays, files = quartet
    serve(fashion_mnist, http_server, {}, monkeypatch)
    monkeypatch.setattr(fashion_mnist, "FILE_HASHES", {n: sha256(d) for n, d in files.items()})
    keras_dir = dataset_env / "keras" / "datasets" / "fashion-mnist"
    keras_dir.mkdir(parents=True)
    for name, data in files.items():
        if "labels" in name:  # images come from the server, labels from Keras' cache
            (keras_dir / name).write_bytes(data)
        else:
            http_server.files[name] = data
    check(fashion_mnist.load_data(), arrays)
    assert sorted(r[0] for r in http_server.requests) == [
        "t10k-images-idx3-ubyte.gz",
        "train-images-idx3-ubyte.gz",
    ]


def test_idx_reader_rejects_bad_files(tmp_path):
    bad_magic = tmp_path / "a.gz"
    bad_magic.write_bytes(gzip.compress(b"\x01\x02\x08\x01\0\0\0\x02ab"))
    with pytest.raises(ValueError, match="not an IDX file"):
        read_idx(bad_magic)
    truncated = tmp_path / "b.gz"
    truncated.write_bytes(gzip.compress(b"\0\0\x08\x01\0\0\0\x05ab"))
    with pytest.raises(ValueError, match="truncated"):
        read_idx(truncated)


@pytest.mark.skipif(not (SHARED / "mnist").is_dir(), reason="no shared MNIST copy beside the repo")
def test_real_mnist_from_shared_folder(dataset_env, monkeypatch):
    monkeypatch.setenv("LAYERWISE_DATASETS", str(SHARED.resolve()))
    (x_train, y_train), (x_test, y_test) = mnist.load_data()
    assert x_train.shape == (60000, 28, 28) and x_test.shape == (10000, 28, 28)
    assert x_train.dtype == y_train.dtype == x_test.dtype == y_test.dtype == np.uint8
    assert np.bincount(y_train).tolist() == [
        5923,
        6742,
        5958,
        6131,
        5842,
        5421,
        5918,
        6265,
        5851,
        5949,
    ]
    assert np.bincount(y_test).tolist() == [980, 1135, 1032, 1010, 982, 892, 958, 1028, 974, 1009]


@pytest.mark.skipif(
    not (SHARED / "fashion_mnist").is_dir(), reason="no shared Fashion-MNIST copy beside the repo"
)
def test_real_fashion_mnist_labels_verify(dataset_env, monkeypatch):
    monkeypatch.setenv("LAYERWISE_DATASETS", str(SHARED.resolve()))
    for name, count in (("train-labels-idx1-ubyte.gz", 6000), ("t10k-labels-idx1-ubyte.gz", 1000)):
        file = _cache.DataFile(name, fashion_mnist.BASE_URL + name, fashion_mnist.FILE_HASHES[name])
        path = _cache.find_local("fashion_mnist", file)
        assert path is not None and path.startswith(str(SHARED.resolve()))
        assert np.bincount(read_idx(path)).tolist() == [count] * 10
