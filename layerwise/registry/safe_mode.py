"""Safe mode: loading a file never runs code that the file carries.

With `safe_mode=True` (the default of every loader) a config that holds
serialized Python bytecode (a `Lambda` layer's `lambda`, or any
`{"class_name": "__lambda__"}` entry) is refused with an error that names
`safe_mode=False`. Only pass `safe_mode=False` for files you trust: it lets
the file run arbitrary code in your process.

Example:

>>> import layerwise as keras
>>> keras.saving.in_safe_mode() is None  # no loader is running
True
>>> with keras.saving.SafeModeScope(False):
...     keras.saving.in_safe_mode()
False
"""

from __future__ import annotations

import threading

_STATE = threading.local()
_UNSAFE_GLOBALLY = False


class SafeModeScope:
    """Sets safe mode for the deserialization that happens inside the `with` block.

    Args:
        safe_mode: `True` (refuse serialized code) or `False` (allow it).
    """

    def __init__(self, safe_mode: bool | None = True):
        self.safe_mode = safe_mode
        self._previous = None

    def __enter__(self) -> SafeModeScope:
        self._previous = getattr(_STATE, "safe_mode", None)
        _STATE.safe_mode = self.safe_mode
        return self

    def __exit__(self, *exc) -> None:
        _STATE.safe_mode = self._previous


def in_safe_mode() -> bool | None:
    """The safe mode of the innermost `SafeModeScope`, or `None` outside any.

    `keras.config.enable_unsafe_deserialization()` (here
    `layerwise.saving.enable_unsafe_deserialization()`) makes it `False` everywhere.
    """
    if _UNSAFE_GLOBALLY:
        return False
    return getattr(_STATE, "safe_mode", None)


def enable_unsafe_deserialization() -> None:
    """Allows serialized code (e.g. `Lambda` lambdas) in every later load in this process.

    Equivalent to passing `safe_mode=False` to every loader. Only use it when
    all the files you load come from sources you trust.
    """
    global _UNSAFE_GLOBALLY
    _UNSAFE_GLOBALLY = True


def disable_unsafe_deserialization() -> None:
    """Undoes `enable_unsafe_deserialization()` (safe mode is the default again)."""
    global _UNSAFE_GLOBALLY
    _UNSAFE_GLOBALLY = False


def check_code_allowed(what: str) -> None:
    """Raises the safe-mode `ValueError` unless safe mode is explicitly off.

    Outside any scope (`in_safe_mode() is None`) code is refused: a direct
    `from_config` call fails closed, as in Keras.

    Args:
        what: Description of the serialized code, used in the message
            (`"the function of Lambda layer 'lambda'"`).
    """
    if in_safe_mode() is False:
        return
    raise ValueError(
        f"Refusing to deserialize {what}: it is Python bytecode stored in the file, and "
        "running it could execute arbitrary code. This is disallowed by default "
        "(safe mode). If you trust the source of the file, pass `safe_mode=False` to the "
        "loading function (e.g. `keras.models.load_model(path, safe_mode=False)`), or call "
        "`layerwise.saving.enable_unsafe_deserialization()`."
    )
