"""`RemoteMonitor`: posts the epoch logs to an HTTP server."""

from __future__ import annotations

import json
import urllib.error
import urllib.parse
import urllib.request
import warnings

import numpy as np
import torch

from layerwise.callbacks.callback import Callback


class RemoteMonitor(Callback):
    """Streams events to a server: an HTTP POST at the end of every epoch.

    The body is `{"epoch": epoch, **logs}` as JSON: sent as the form field `field`
    (`application/x-www-form-urlencoded`, the default), or as the whole request
    body when `send_as_json=True` (`application/json`). Requests use the Python
    standard library (`urllib`); no extra package is needed. A server that
    cannot be reached produces a warning, not an error.

    Args:
        root: Root URL of the target server.
        path: Path relative to `root` to which the events are sent.
        field: Form field under which the JSON data is sent (form mode).
        headers: Optional dict of custom HTTP headers.
        send_as_json: Whether the request body is the JSON itself
            (`application/json`).
        timeout: Seconds to wait for the server before giving up (with a warning).

    Example:

    >>> import layerwise as keras
    >>> monitor = keras.callbacks.RemoteMonitor(root="http://localhost:9000")
    """

    def __init__(self, root: str = "http://localhost:9000", path: str = "/publish/epoch/end/",
                 field: str = "data", headers: dict | None = None, send_as_json: bool = False,
                 timeout: float = 10.0):
        super().__init__()
        self.root = root
        self.path = path
        self.field = field
        self.headers = headers
        self.send_as_json = send_as_json
        self.timeout = timeout

    def on_epoch_end(self, epoch, logs=None):
        send = {"epoch": epoch}
        for k, v in (logs or {}).items():
            send[k] = _to_json_value(v)
        headers = dict(self.headers or {})
        if self.send_as_json:
            body = json.dumps(send).encode("utf-8")
            headers.setdefault("Content-Type", "application/json")
        else:
            body = urllib.parse.urlencode({self.field: json.dumps(send)}).encode("utf-8")
            headers.setdefault("Content-Type", "application/x-www-form-urlencoded")
        request = urllib.request.Request(self.root + self.path, data=body, headers=headers,
                                         method="POST")
        try:
            with urllib.request.urlopen(request, timeout=self.timeout) as response:
                response.read()
        except urllib.error.HTTPError:
            # The server answered (with an error status): as with `requests`, no warning.
            pass
        except (urllib.error.URLError, OSError, ValueError):
            warnings.warn(f"Could not reach RemoteMonitor root server at {self.root}",
                          stacklevel=2)


def _to_json_value(v):
    if isinstance(v, torch.Tensor):
        v = v.detach().cpu().numpy()
    if isinstance(v, (np.ndarray, np.generic)):
        return v.item() if v.size == 1 else v.tolist()
    return v
