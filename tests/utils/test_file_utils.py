"""`get_file` and friends, against a local HTTP server (no real network)."""

from __future__ import annotations

import hashlib
import io
import os
import tarfile
import threading
import zipfile
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path

import pytest

from layerwise.utils import download
from layerwise.utils.file_utils import (
    DownloadError,
    UnsafeArchiveError,
    extract_archive,
    get_file,
    hash_file,
    validate_file,
)

DATA = bytes(range(256)) * 1000  # 256 kB, several read chunks


class RangeServer:
    """Serves `files` from memory with optional `Range` support.

    `honor_range=False` makes it ignore `Range` (answers 200 with everything);
    `cut_next[name] = n` makes the next response for `name` announce the full
    length but send only `n` bytes before closing the connection.
    """

    def __init__(self) -> None:
        self.files: dict[str, bytes] = {}
        self.requests: list[tuple[str, str | None]] = []
        self.honor_range = True
        self.cut_next: dict[str, int] = {}
        outer = self

        class Handler(BaseHTTPRequestHandler):
            def do_GET(self) -> None:  # noqa: N802 - http.server API
                name = self.path.lstrip("/")
                rng = self.headers.get("Range")
                outer.requests.append((name, rng))
                data = outer.files.get(name)
                if data is None:
                    self.send_error(404)
                    return
                start = 0
                if rng and outer.honor_range:
                    start = int(rng.removeprefix("bytes=").split("-")[0])
                    if start >= len(data):
                        self.send_error(416)
                        return
                    self.send_response(206)
                    self.send_header("Content-Range", f"bytes {start}-{len(data) - 1}/{len(data)}")
                else:
                    self.send_response(200)
                body = data[start:]
                self.send_header("Content-Length", str(len(body)))
                self.end_headers()
                self.wfile.write(body[: outer.cut_next.pop(name, len(body))])

            def log_message(self, *args: object) -> None:
                pass

        self.httpd = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        threading.Thread(
            target=self.httpd.serve_forever, kwargs={"poll_interval": 0.05}, daemon=True
        ).start()
        self.running = True

    def url(self, name: str) -> str:
        return f"http://127.0.0.1:{self.httpd.server_address[1]}/{name}"

    def stop(self) -> None:
        if self.running:
            self.running = False
            self.httpd.shutdown()
            self.httpd.server_close()


@pytest.fixture
def server(monkeypatch):
    monkeypatch.setenv("no_proxy", "127.0.0.1,localhost")
    monkeypatch.setattr(download, "_RETRY_DELAY_S", 0.0)
    srv = RangeServer()
    srv.files["data.bin"] = DATA
    yield srv
    srv.stop()


SHA = hashlib.sha256(DATA).hexdigest()
MD5 = hashlib.md5(DATA).hexdigest()


def test_download_verify_and_cache_hit(server, tmp_path):
    path = get_file("data.bin", server.url("data.bin"), file_hash=SHA, cache_dir=tmp_path)
    assert path == str(tmp_path / "datasets" / "data.bin")
    assert Path(path).read_bytes() == DATA
    assert os.listdir(tmp_path / "datasets") == ["data.bin"]
    # md5 via "auto" and via the deprecated md5_hash argument: cache hits.
    assert get_file("data.bin", server.url("data.bin"), file_hash=MD5, cache_dir=tmp_path) == path
    assert get_file("data.bin", server.url("data.bin"), md5_hash=MD5, cache_dir=tmp_path) == path
    assert len(server.requests) == 1
    get_file("data.bin", server.url("data.bin"), cache_dir=tmp_path, force_download=True)
    assert len(server.requests) == 2


def test_default_cache_dir_and_fname_from_url(server, tmp_path, monkeypatch):
    monkeypatch.setenv("LAYERWISE_HOME", str(tmp_path / "lw"))
    path = get_file(origin=server.url("data.bin"), cache_subdir="sub")
    assert path == str(tmp_path / "lw" / "sub" / "data.bin")


def test_checksum_mismatch_deletes_download(server, tmp_path):
    wrong = "ab" * 32
    with pytest.raises(ValueError) as info:
        get_file("data.bin", server.url("data.bin"), file_hash=wrong, cache_dir=tmp_path)
    message = str(info.value)
    target = tmp_path / "datasets" / "data.bin"
    assert str(target) in message and wrong in message and SHA in message
    assert os.listdir(tmp_path / "datasets") == []


def test_stale_cached_file_is_downloaded_again(server, tmp_path):
    (tmp_path / "datasets").mkdir()
    (tmp_path / "datasets" / "data.bin").write_bytes(b"old version")
    path = get_file("data.bin", server.url("data.bin"), file_hash=SHA, cache_dir=tmp_path)
    assert Path(path).read_bytes() == DATA


def test_resume_from_part_file(server, tmp_path):
    folder = tmp_path / "datasets"
    folder.mkdir()
    (folder / "data.bin.part").write_bytes(DATA[:100_000])
    path = get_file("data.bin", server.url("data.bin"), file_hash=SHA, cache_dir=tmp_path)
    assert Path(path).read_bytes() == DATA
    assert server.requests == [("data.bin", "bytes=100000-")]
    assert not (folder / "data.bin.part").exists()


def test_resume_when_server_ignores_range(server, tmp_path):
    server.honor_range = False
    folder = tmp_path / "datasets"
    folder.mkdir()
    (folder / "data.bin.part").write_bytes(DATA[:100_000])
    path = get_file("data.bin", server.url("data.bin"), file_hash=SHA, cache_dir=tmp_path)
    assert Path(path).read_bytes() == DATA


def test_stale_part_file_is_discarded(server, tmp_path):
    folder = tmp_path / "datasets"
    folder.mkdir()
    (folder / "data.bin.part").write_bytes(b"\xff" * 1000)  # not a prefix of DATA
    path = get_file("data.bin", server.url("data.bin"), file_hash=SHA, cache_dir=tmp_path)
    assert Path(path).read_bytes() == DATA
    assert [r[1] for r in server.requests] == ["bytes=1000-", None]


def test_dropped_connection_is_resumed(server, tmp_path):
    server.cut_next["data.bin"] = 70_000
    path = get_file("data.bin", server.url("data.bin"), file_hash=SHA, cache_dir=tmp_path)
    assert Path(path).read_bytes() == DATA
    assert server.requests == [("data.bin", None), ("data.bin", "bytes=70000-")]


def test_offline_error_names_url_and_path(server, tmp_path):
    url = server.url("data.bin")
    server.stop()
    with pytest.raises(DownloadError) as info:
        get_file("data.bin", url, file_hash=SHA, cache_dir=tmp_path)
    assert url in str(info.value)
    assert str(tmp_path / "datasets" / "data.bin") in str(info.value)
    assert not (tmp_path / "datasets" / "data.bin").exists()


def test_http_404_is_not_retried(server, tmp_path):
    with pytest.raises(DownloadError, match="HTTP 404"):
        get_file("missing.bin", server.url("missing.bin"), cache_dir=tmp_path)
    assert len(server.requests) == 1


def test_bad_arguments(tmp_path):
    with pytest.raises(ValueError, match="origin"):
        get_file("x")
    with pytest.raises(ValueError, match="fname"):
        get_file("a/b", "http://127.0.0.1:9/x", cache_dir=tmp_path)
    with pytest.raises(ValueError, match="hash"):
        get_file("x", "http://127.0.0.1:9/x", file_hash="abc", cache_dir=tmp_path)


def test_hash_and_validate(tmp_path):
    path = tmp_path / "f"
    path.write_bytes(DATA)
    assert hash_file(path) == SHA and hash_file(path, "md5") == MD5
    assert validate_file(path, SHA) and validate_file(path, MD5.upper())
    assert validate_file(path, MD5, algorithm="md5")
    assert not validate_file(path, "0" * 64)


def make_tar(members, path):
    with tarfile.open(path, "w:gz") as tar:
        for name, kind, target in members:
            info = tarfile.TarInfo(name)
            if kind == "file":
                info.size = 3
                tar.addfile(info, io.BytesIO(b"abc"))
            else:
                info.type = tarfile.SYMTYPE if kind == "sym" else tarfile.LNKTYPE
                info.linkname = target
                tar.addfile(info)


def test_extract_tar_via_get_file(server, tmp_path):
    make_tar([("pkg/a.txt", "file", None), ("pkg/link", "sym", "a.txt")], tmp_path / "a.tgz")
    server.files["a.tgz"] = (tmp_path / "a.tgz").read_bytes()
    out = get_file("pkg", server.url("a.tgz"), extract=True, cache_dir=tmp_path / "c")
    assert out == str(tmp_path / "c" / "datasets" / "pkg")
    assert Path(out, "pkg", "a.txt").read_text() == "abc"
    assert os.path.islink(os.path.join(out, "pkg", "link"))
    assert get_file("pkg", server.url("a.tgz"), extract=True, cache_dir=tmp_path / "c") == out
    assert len(server.requests) == 1


@pytest.mark.parametrize(
    "members",
    [
        [("../evil.txt", "file", None)],
        [("ok/../../evil.txt", "file", None)],
        [("/tmp/evil-absolute.txt", "file", None)],
        [("link", "sym", "../../outside")],
        [("link", "sym", "/etc/passwd")],
        [("hard", "hard", "../outside")],
    ],
    ids=["dotdot", "nested-dotdot", "absolute", "symlink-out", "symlink-abs", "hardlink-out"],
)
def test_unsafe_tar_is_refused(tmp_path, members):
    make_tar([("fine.txt", "file", None)] + members, tmp_path / "bad.tgz")
    dest = tmp_path / "x" / "out"
    with pytest.raises(UnsafeArchiveError, match="Refusing to extract"):
        extract_archive(tmp_path / "bad.tgz", dest)
    assert not (dest / "fine.txt").exists()  # nothing is extracted
    assert not (tmp_path / "x" / "evil.txt").exists() and not (tmp_path / "evil.txt").exists()


def test_unsafe_zip_is_refused(server, tmp_path):
    with zipfile.ZipFile(tmp_path / "bad.zip", "w") as zf:
        zf.writestr("fine.txt", "ok")
        zf.writestr("../evil.txt", "boom")
    with pytest.raises(UnsafeArchiveError, match="evil.txt"):
        extract_archive(tmp_path / "bad.zip", tmp_path / "out")
    assert not (tmp_path / "evil.txt").exists()
    server.files["bad.zip"] = (tmp_path / "bad.zip").read_bytes()
    with pytest.raises(UnsafeArchiveError):
        get_file("z", server.url("bad.zip"), extract=True, cache_dir=tmp_path / "c")
    assert not (tmp_path / "c" / "datasets" / "z").exists()
    assert [p for p in os.listdir(tmp_path / "c" / "datasets") if p.startswith(".")] == []


def test_extract_zip(tmp_path):
    with zipfile.ZipFile(tmp_path / "ok.zip", "w") as zf:
        zf.writestr("d/a.txt", "ok")
    assert extract_archive(tmp_path / "ok.zip", tmp_path / "out")
    assert (tmp_path / "out" / "d" / "a.txt").read_text() == "ok"
    assert not extract_archive(tmp_path / "ok.zip", tmp_path / "out2", archive_format="tar")


def test_symlink_chain_escape_is_refused(tmp_path):
    # Each link looks harmless on its own; together "a" would point outside.
    make_tar(
        [("b", "sym", "."), ("a", "sym", "b/.."), ("a/evil.txt", "file", None)], tmp_path / "c.tgz"
    )
    dest = tmp_path / "x" / "out"
    with pytest.raises(UnsafeArchiveError):
        extract_archive(tmp_path / "c.tgz", dest)
    assert not (tmp_path / "x" / "evil.txt").exists()


def test_complete_part_file_gets_416_and_restarts(server, tmp_path):
    folder = tmp_path / "datasets"
    folder.mkdir()
    (folder / "data.bin.part").write_bytes(DATA)  # e.g. crashed just before the rename
    path = get_file("data.bin", server.url("data.bin"), file_hash=SHA, cache_dir=tmp_path)
    assert Path(path).read_bytes() == DATA
    assert [r[1] for r in server.requests] == [f"bytes={len(DATA)}-", None]
