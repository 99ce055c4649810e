"""Item 4 (dataset readers): one error type, `ValueError` naming the file, no huge allocation."""

from __future__ import annotations

import gzip
import io
import pickle
import struct
import zipfile

import numpy as np
import pytest

from layerwise.datasets._cifar import load_batch
from layerwise.datasets._idx import read_idx
from layerwise.datasets._npz import load_npz
from layerwise.datasets._safe_pickle import restricted_loads


def test_idx_huge_declared_shape_is_a_value_error(tmp_path):
    path = tmp_path / "t10k-images-idx3-ubyte"
    path.write_bytes(b"\0\0\x08\x03" + struct.pack(">3I", 2**20, 2**16, 2**10) + b"\0" * 64)
    with pytest.raises(ValueError, match=r"t10k-images.*declares shape"):
        read_idx(path)
    gz = tmp_path / "x.gz"
    gz.write_bytes(gzip.compress(path.read_bytes()))
    with pytest.raises(ValueError, match=r"x\.gz.*declares shape"):
        read_idx(gz)


def test_idx_damaged_gzip_stream_is_a_value_error(tmp_path):
    data = bytearray(gzip.compress(b"\0\0\x08\x01" + struct.pack(">I", 4000) + bytes(4000)))
    data[20:30] = b"\xff" * 10
    path = tmp_path / "labels.gz"
    path.write_bytes(bytes(data))
    with pytest.raises(ValueError, match=r"labels\.gz"):
        read_idx(path)


def _array_state_pickle(shape: int) -> bytes:
    """A pickle rebuilding an empty array, then setting a state of `shape` elements."""
    return (b"\x80\x03cnumpy._core.multiarray\n_reconstruct\ncnumpy\nndarray\nK\x00\x85C\x01b"
            b"\x87R(K\x01\x8a\x06" + shape.to_bytes(6, "little") + b"\x85cnumpy\ndtype\nX\x02"
            b"\x00\x00\x00u1\x89\x88\x87R(K\x03X\x01\x00\x00\x00|NNNJ\xff\xff\xff\xffJ\xff\xff"
            b"\xff\xffK\x00tb\x89C\x00tb.")


@pytest.mark.parametrize("payload", [
    # numpy.ndarray((2**40,), "b") and _reconstruct(ndarray, (2**40,), "b")
    b"\x80\x03cnumpy\nndarray\n\x8a\x06" + (2**40).to_bytes(6, "little") + b"\x85C\x01b\x86R.",
    b"\x80\x03cnumpy._core.multiarray\n_reconstruct\ncnumpy\nndarray\n\x8a\x06"
    + (2**40).to_bytes(6, "little") + b"\x85C\x01b\x87R.",
    _array_state_pickle(2**40),
])
def test_cifar_unpickler_refuses_huge_arrays(payload):
    with pytest.raises(ValueError, match=r"data_batch_1.*(Refusing an array|Invalid)"):
        load_batch(payload, source="cifar-10-python.tar.gz:data_batch_1")


def test_cifar_unpickler_still_reads_arrays():
    batch = {b"data": np.arange(2 * 3072, dtype=np.uint8).reshape(2, 3072), b"labels": [3, 4]}
    images, labels = load_batch(pickle.dumps(batch, protocol=3), source="b")
    assert images.shape == (2, 3, 32, 32) and labels == [3, 4] and type(images) is np.ndarray
    obj = restricted_loads(pickle.dumps(np.array([[1, 2], [3]], dtype=object), protocol=3))
    assert type(obj) is np.ndarray and obj[1] == [3]


def test_npz_huge_declared_shape_and_damaged_member(tmp_path):
    buffer = io.BytesIO()
    np.lib.format.write_array(buffer, np.zeros(4, "float32"))
    header = buffer.getvalue().replace(b"(4,)", b"(4000000000,)".ljust(4, b" "))
    path = tmp_path / "boston_housing.npz"
    with zipfile.ZipFile(path, "w") as zf:
        zf.writestr("x.npy", header)
    with pytest.raises(ValueError, match=r"boston_housing\.npz:x\.npy.*declares shape"):
        load_npz(path)
    with zipfile.ZipFile(path, "w", compression=zipfile.ZIP_DEFLATED) as zf:
        zf.writestr("x.npy", buffer.getvalue() * 50)
    data = bytearray(path.read_bytes())
    data[60:80] = b"\x00" * 20
    path.write_bytes(bytes(data))
    with pytest.raises(ValueError, match=r"boston_housing\.npz"):
        load_npz(path)


def test_npz_unsupported_zip_version_is_a_value_error(tmp_path):
    path = tmp_path / "imdb.npz"
    np.savez(path, x=np.arange(3))
    data = bytearray(path.read_bytes())
    at = data.find(b"PK\x01\x02")
    data[at + 6] = 128  # "version needed to extract" 12.8 (found by the fuzzer)
    path.write_bytes(bytes(data))
    with pytest.raises(ValueError, match=r"imdb\.npz.*version"):
        load_npz(path)
