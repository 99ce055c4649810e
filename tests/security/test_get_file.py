"""Item 7: `get_file` stays inside its cache folder and bounds what it extracts."""

from __future__ import annotations

import io
import os
import tarfile
import zipfile

import pytest

from layerwise.utils import archives
from layerwise.utils.file_utils import UnsafeArchiveError, extract_archive, get_file

ORIGIN = "http://127.0.0.1:9/never-contacted"


def _bomb_tar(path, size: int) -> None:
    with tarfile.open(path, "w:gz") as tar:
        info = tarfile.TarInfo("zeros.bin")
        info.size = size
        tar.addfile(info, io.BytesIO(bytes(size)))


def test_extraction_is_bounded(tmp_path):
    cache = tmp_path / "cache"
    (cache / "datasets").mkdir(parents=True)
    _bomb_tar(cache / "datasets" / "bomb.tar.gz", 80 << 20)  # 80 MiB in ~80 KiB
    assert os.path.getsize(cache / "datasets" / "bomb.tar.gz") < 200_000
    with pytest.raises(UnsafeArchiveError, match="expand to 83886080 bytes"):
        get_file("bomb.tar.gz", ORIGIN, extract=True, cache_dir=cache)
    assert not os.path.exists(cache / "datasets" / "bomb_extracted")
    assert [n for n in os.listdir(cache / "datasets") if n != "bomb.tar.gz"] == []


def test_zip_extraction_is_bounded_and_configurable(tmp_path, monkeypatch):
    path = tmp_path / "a.zip"
    with zipfile.ZipFile(path, "w", compression=zipfile.ZIP_DEFLATED) as zf:
        zf.writestr("a.txt", bytes(1 << 20))
    with pytest.raises(UnsafeArchiveError, match="more than the limit of 1000 bytes"):
        extract_archive(path, tmp_path / "out", max_bytes=1000)
    monkeypatch.setenv("LAYERWISE_MAX_EXTRACT_BYTES", "2000")
    with pytest.raises(UnsafeArchiveError):
        extract_archive(path, tmp_path / "out")
    monkeypatch.delenv("LAYERWISE_MAX_EXTRACT_BYTES")
    assert archives.extraction_limit(str(path)) == archives.MIN_EXTRACT_LIMIT_BYTES
    assert extract_archive(path, tmp_path / "out")
    assert os.path.getsize(tmp_path / "out" / "a.txt") == 1 << 20


@pytest.mark.parametrize("fname", ["..", "."])
def test_fname_cannot_name_the_folder(tmp_path, fname):
    with pytest.raises(ValueError, match="fname"):
        get_file(fname, ORIGIN, cache_dir=tmp_path)


@pytest.mark.parametrize("subdir", ["../..", "a/../../b", "../outside"])
def test_cache_subdir_cannot_leave_the_cache(tmp_path, subdir):
    cache = tmp_path / "deep" / "cache"
    cache.mkdir(parents=True)
    with pytest.raises(ValueError, match="cache_subdir"):
        get_file("x.txt", ORIGIN, cache_dir=cache, cache_subdir=subdir)
    assert sorted(os.listdir(tmp_path)) == ["deep"]


def test_cache_subdir_inside_and_absolute_still_work(tmp_path):
    cache = tmp_path / "cache"
    (cache / "a" / "b").mkdir(parents=True)
    (cache / "a" / "b" / "x.txt").write_text("hi")
    assert get_file("x.txt", ORIGIN, cache_dir=cache, cache_subdir="a/b") == str(
        cache / "a" / "b" / "x.txt")
    elsewhere = tmp_path / "elsewhere"
    elsewhere.mkdir()
    (elsewhere / "y.txt").write_text("hi")
    assert get_file("y.txt", ORIGIN, cache_dir=cache, cache_subdir=str(elsewhere)) == str(
        elsewhere / "y.txt")
