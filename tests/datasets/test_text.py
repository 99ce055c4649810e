"""IMDB / Reuters: safe npz reading, sequence processing, word indices."""

from __future__ import annotations

import hashlib
import io
import json
import os
import pickle
import zipfile
from pathlib import Path

import numpy as np
import pytest

from layerwise.datasets import _npz, imdb, reuters
from layerwise.datasets._safe_pickle import restricted_loads


def ragged(rng, n, vocab=30):
    seqs = [rng.integers(1, vocab, rng.integers(2, 9)).tolist() for _ in range(n)]
    seqs[0] = seqs[0][:2] + [vocab - 1]  # make sure lengths differ
    seqs[1] = seqs[1] + [1, 2, 3, 4, 5, 6, 7, 8]
    return np.array(seqs, dtype="object")


def keras_encode(seqs, start_char=1, index_from=3, oov_char=2):
    """Expected default processing; like Keras, num_words=None means max index,
    and that (exclusive) bound turns the largest index itself into `oov_char`."""
    shifted = [[start_char] + [w + index_from for w in s] for s in seqs]
    top = max(max(s) for s in shifted)
    return [[w if w < top else oov_char for w in s] for s in shifted]


def npz_bytes(**arrays):
    buf = io.BytesIO()
    np.savez(buf, **arrays)
    return buf.getvalue()


@pytest.fixture
def imdb_files(http_server, monkeypatch):
    rng = np.random.default_rng(0)
    arrays = {
        "x_train": ragged(rng, 12),
        "y_train": rng.integers(0, 2, 12),
        "x_test": ragged(rng, 8),
        "y_test": rng.integers(0, 2, 8),
    }
    data = npz_bytes(**arrays)
    words = json.dumps({"the": 1, "and": 2, "film": 3}).encode()
    http_server.files.update({"imdb.npz": data, "imdb_word_index.json": words})
    monkeypatch.setattr(imdb, "BASE_URL", http_server.url())
    monkeypatch.setattr(imdb, "NPZ_HASH", hashlib.sha256(data).hexdigest())
    monkeypatch.setattr(imdb, "WORD_INDEX_HASH", hashlib.md5(words).hexdigest())
    return arrays


def test_imdb_load_data(dataset_env, http_server, imdb_files):
    (x_train, y_train), (x_test, y_test) = imdb.load_data()
    assert x_train.dtype == object and x_train.ndim == 1 and len(x_train) == 12
    assert len(x_test) == len(y_test) == 8
    # Same shuffle as Keras: one RandomState(113) shuffles train, then test.
    rng = np.random.RandomState(113)
    order = np.arange(12)
    rng.shuffle(order)
    test_order = np.arange(8)
    rng.shuffle(test_order)
    expected = keras_encode(
        list(imdb_files["x_train"][order]) + list(imdb_files["x_test"][test_order])
    )
    assert list(x_train) + list(x_test) == expected
    np.testing.assert_array_equal(y_train, imdb_files["y_train"][order])
    # Cache hit: no new request.
    count = len(http_server.requests)
    imdb.load_data()
    assert len(http_server.requests) == count


def test_imdb_options(dataset_env, imdb_files):
    (x_train, _), (x_test, _) = imdb.load_data(num_words=10, skip_top=4, seed=1)
    for seq in list(x_train) + list(x_test):
        assert seq[0] == 2  # start_char 1 < skip_top: it becomes oov_char too
        assert all(w == 2 or 4 <= w < 10 for w in seq)
    (x_train, y_train), _ = imdb.load_data(maxlen=6)
    assert all(len(s) < 6 for s in x_train) and len(x_train) == len(y_train)
    (x_train, _), _ = imdb.load_data(start_char=None, index_from=0, oov_char=None, num_words=5)
    assert all(all(w < 5 for w in s) for s in x_train)
    with pytest.raises(ValueError, match="maxlen"):
        imdb.load_data(maxlen=1)


def test_imdb_word_index(dataset_env, http_server, imdb_files):
    assert imdb.get_word_index() == {"the": 1, "and": 2, "film": 3}


def test_reuters(dataset_env, http_server, monkeypatch):
    rng = np.random.default_rng(1)
    xs, ys = ragged(rng, 10), rng.integers(0, 46, 10)
    data = npz_bytes(x=xs, y=ys)
    http_server.files["reuters.npz"] = data
    monkeypatch.setattr(reuters, "BASE_URL", http_server.url())
    monkeypatch.setattr(reuters, "NPZ_HASH", hashlib.sha256(data).hexdigest())
    (x_train, y_train), (x_test, y_test) = reuters.load_data(test_split=0.3)
    assert (len(x_train), len(x_test)) == (7, 3) and y_train.shape == (7,)
    order = np.arange(10)
    np.random.RandomState(113).shuffle(order)
    assert list(x_train) + list(x_test) == keras_encode(xs[order])
    np.testing.assert_array_equal(np.concatenate([y_train, y_test]), ys[order])
    names = reuters.get_label_names()
    assert len(names) == 46 and names[3] == "earn"
    with pytest.raises(ValueError, match="test_split"):
        reuters.load_data(test_split=1.0)


def test_load_npz_refuses_object_arrays_by_default(tmp_path):
    path = tmp_path / "a.npz"
    path.write_bytes(npz_bytes(x=np.array([[1], [2, 3]], dtype=object), y=np.arange(2)))
    with pytest.raises(ValueError, match="object array"):
        _npz.load_npz(path)
    arrays = _npz.load_npz(path, allow_object_arrays=True)
    assert arrays["x"].tolist() == [[1], [2, 3]] and arrays["y"].tolist() == [0, 1]


class Evil:
    def __init__(self, marker):
        self.marker = marker

    def __reduce__(self):
        return (os.system, (f"touch {self.marker}",))


def test_malicious_object_npz_is_refused(tmp_path):
    marker = tmp_path / "pwned"
    npy = io.BytesIO()
    np.lib.format.write_array_header_1_0(
        npy, {"descr": "|O", "fortran_order": False, "shape": (1,)}
    )
    npy.write(pickle.dumps(Evil(marker), protocol=3))
    path = tmp_path / "evil.npz"
    with zipfile.ZipFile(path, "w") as zf:
        zf.writestr("x.npy", npy.getvalue())
    with pytest.raises(ValueError, match=r"Refusing to load `(posix|os|nt)\.system`"):
        _npz.load_npz(path, allow_object_arrays=True)
    assert not marker.exists()


@pytest.mark.parametrize(
    "payload",
    [
        b"cos\nsystem\n(S'true'\ntR.",  # protocol 0: GLOBAL + REDUCE
        b"cbuiltins\neval\n(S'1'\ntR.",
        b"c__builtin__\ngetattr\n(S'x'\nS'y'\ntR.",
    ],
)
def test_restricted_unpickler_refuses_globals(payload):
    with pytest.raises(pickle.UnpicklingError, match="Refusing"):
        restricted_loads(payload)


def test_restricted_unpickler_reads_plain_data_and_arrays():
    obj = {b"k": [1, 2, (3, "x")], "a": np.arange(6, dtype=np.uint8).reshape(2, 3)}
    out = restricted_loads(pickle.dumps(obj, protocol=3))
    assert out[b"k"] == [1, 2, (3, "x")]
    np.testing.assert_array_equal(out["a"], obj["a"])
    with pytest.raises(pickle.UnpicklingError):
        restricted_loads(pickle.dumps(np.arange(3), protocol=3), allow_numpy=False)


SHARED = Path(__file__).resolve().parents[2] / ".." / "shared" / "datasets"


@pytest.mark.skipif(not (SHARED / "imdb").is_dir(), reason="no shared IMDB copy beside the repo")
def test_real_imdb_word_index_from_shared_folder(dataset_env, monkeypatch):
    monkeypatch.setenv("LAYERWISE_DATASETS", str(SHARED.resolve()))
    word_index = imdb.get_word_index()
    assert len(word_index) == 88584 and word_index["the"] == 1
