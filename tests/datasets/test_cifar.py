"""CIFAR-10/100: tarball download and batch parsing without unrestricted pickle."""

from __future__ import annotations

import hashlib
import io
import os
import pickle
import tarfile

import numpy as np
import pytest

from layerwise.datasets import _cifar, cifar10, cifar100


def batch(rng, n, labels):
    data = rng.integers(0, 256, (n, 3072), dtype=np.uint8)
    d = {b"batch_label": b"batch", b"data": data, b"filenames": [b"f.png"] * n}
    d.update({k.encode(): v for k, v in labels.items()})
    return data, d


def tarball(folder, members):
    buf = io.BytesIO()
    with tarfile.open(fileobj=buf, mode="w:gz") as tar:
        for name, obj in members.items():
            # The official batches are Python 2 pickles (str -> BINSTRING, read back
            # as bytes). Python 3 writes bytes without any global from protocol 3 on.
            data = obj if isinstance(obj, bytes) else pickle.dumps(obj, protocol=3)
            info = tarfile.TarInfo(f"{folder}/{name}")
            info.size = len(data)
            tar.addfile(info, io.BytesIO(data))
    return buf.getvalue()


def serve(module, server, name, data, monkeypatch):
    server.files[name] = data
    monkeypatch.setattr(module, "ORIGIN", server.url(name))
    monkeypatch.setattr(module, "FILE_HASH", hashlib.sha256(data).hexdigest())


def to_images(data):
    return data.reshape(-1, 3, 32, 32).transpose(0, 2, 3, 1)


class Evil:
    def __init__(self, marker):
        self.marker = marker

    def __reduce__(self):
        return (os.system, (f"touch {self.marker}",))


def test_cifar10(dataset_env, http_server, monkeypatch):
    rng = np.random.default_rng(0)
    members, xs, ys = {}, [], []
    for name in [f"data_batch_{i}" for i in range(1, 6)] + ["test_batch"]:
        labels = rng.integers(0, 10, 3).tolist()
        data, members[name] = batch(rng, 3, {"labels": labels})
        xs.append(data)
        ys.append(labels)
    serve(cifar10, http_server, "c10.tgz", tarball("cifar-10-batches-py", members), monkeypatch)
    (x_train, y_train), (x_test, y_test) = cifar10.load_data()
    assert x_train.shape == (15, 32, 32, 3) and x_test.shape == (3, 32, 32, 3)
    assert x_train.dtype == y_train.dtype == x_test.dtype == y_test.dtype == np.uint8
    assert y_train.shape == (15, 1) and y_test.shape == (3, 1)
    np.testing.assert_array_equal(x_train, to_images(np.concatenate(xs[:5])))
    np.testing.assert_array_equal(y_train[:, 0], sum(ys[:5], []))
    np.testing.assert_array_equal(x_test, to_images(xs[5]))
    assert x_train.flags.c_contiguous
    # Second call: served from the cache, verified, no request.
    count = len(http_server.requests)
    cifar10.load_data()
    assert len(http_server.requests) == count
    cached = dataset_env / "home" / "datasets" / "cifar10" / "cifar-10-python.tar.gz"
    assert cached.is_file()


@pytest.mark.parametrize("label_mode", ["fine", "coarse"])
def test_cifar100(dataset_env, http_server, monkeypatch, label_mode):
    rng = np.random.default_rng(1)
    members, expected = {}, {}
    for name, n in (("train", 4), ("test", 2)):
        fine, coarse = rng.integers(0, 100, n).tolist(), rng.integers(0, 20, n).tolist()
        data, members[name] = batch(rng, n, {"fine_labels": fine, "coarse_labels": coarse})
        expected[name] = (data, fine if label_mode == "fine" else coarse)
    serve(cifar100, http_server, "c100.tgz", tarball("cifar-100-python", members), monkeypatch)
    (x_train, y_train), (x_test, y_test) = cifar100.load_data(label_mode)
    np.testing.assert_array_equal(x_train, to_images(expected["train"][0]))
    np.testing.assert_array_equal(y_train[:, 0], expected["train"][1])
    assert y_train.shape == (4, 1) and y_test.shape == (2, 1) and x_test.shape == (2, 32, 32, 3)
    assert y_train.dtype == np.int64  # as Keras: labels come from a list


def test_cifar100_channels_first(dataset_env, http_server, monkeypatch):
    rng = np.random.default_rng(3)
    members = {
        n: batch(rng, 2, {"fine_labels": [1, 2], "coarse_labels": [0, 1]})[1]
        for n in ("train", "test")
    }
    serve(cifar100, http_server, "c100.tgz", tarball("cifar-100-python", members), monkeypatch)
    monkeypatch.setattr(_cifar, "image_data_format", lambda: "channels_first")
    (x_train, _), _ = cifar100.load_data()
    np.testing.assert_array_equal(x_train, members["train"][b"data"].reshape(2, 3, 32, 32))


def test_cifar100_rejects_bad_label_mode():
    with pytest.raises(ValueError, match="label_mode"):
        cifar100.load_data("medium")


def test_malicious_batch_is_refused(dataset_env, http_server, monkeypatch, tmp_path):
    marker = tmp_path / "pwned"
    rng = np.random.default_rng(2)
    _, good = batch(rng, 2, {"fine_labels": [1, 2], "coarse_labels": [0, 1]})
    evil = {**good, b"data": Evil(marker)}
    tgz = tarball("cifar-100-python", {"train": evil, "test": good})
    serve(cifar100, http_server, "evil.tgz", tgz, monkeypatch)
    with pytest.raises(ValueError, match=r"Refusing to load `(posix|os|nt)\.system`"):
        cifar100.load_data()
    assert not marker.exists()


def test_archive_without_batches_is_a_clear_error(dataset_env, http_server, monkeypatch):
    tgz = tarball("something-else", {"train": b"x"})
    serve(cifar100, http_server, "other.tgz", tgz, monkeypatch)
    with pytest.raises(ValueError, match="not the official CIFAR archive"):
        cifar100.load_data()
