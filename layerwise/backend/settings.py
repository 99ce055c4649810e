"""Process-wide settings: every environment variable layerwise reads, read here only.

Each setting has a programmatic switch (`layerwise.config`) that wins over its variable.
Variables are read when the setting is used (not at import), so a test or a notebook may
change them at any time.

| variable | default | what it sets |
| --- | --- | --- |
| `LAYERWISE_DEVICE` | `cuda` when available, else `cpu` | where `compile()` places the model |
| `LAYERWISE_TUNE_MALLOC` | `1` | `0` keeps glibc's malloc settings in CPU training |
| `LAYERWISE_WINOGRAD` | `1` | `0` runs every 3x3 inference convolution directly (no Winograd) |
| `MALLOC_MMAP_MAX_` | glibc's 65536 | glibc's own; restored after each CPU `fit`/`evaluate`/`predict` |
| `LAYERWISE_DATASETS` | unset | a folder of dataset files used before any download |
| `KERAS_HOME` | `~/.keras` | the dataset cache (`$KERAS_HOME/datasets`), as in Keras |
| `LAYERWISE_HOME` | `~/.layerwise` | the cache of `get_file` without `cache_dir` |
| `LAYERWISE_LOADER_THREADS` | CPU count, at most 8 | threads that load `PyDataset` batches |
| `PYCHARM_HOSTED` | unset | set by PyCharm: the progress bar redraws in place |
| `LAYERWISE_DEBUG` | unset | the `layerwise` command shows tracebacks, not one-line errors |
| `LAYERWISE_MAX_EXTRACT_BYTES` | by archive size, at most 16 GiB | what an archive may expand to |
| `LAYERWISE_LOAD_ALLOWANCE` | `1G` | what loading a model file may allocate beyond its weights |
| `LAYERWISE_DIST_TIMEOUT` | 1800 s | how long a rank waits for the others |
| `WORLD_SIZE`, `RANK` | unset | torch.distributed's process count and rank (`torchrun`) |

Example:

>>> from layerwise.backend import settings
>>> sorted(settings.ENVIRONMENT)[:2]
['KERAS_HOME', 'LAYERWISE_DATASETS']
"""

from __future__ import annotations

import os

ENVIRONMENT = {
    "LAYERWISE_DEVICE": "the device `compile()` moves a model to (`cpu`, `cuda`, `cuda:1`)",
    "LAYERWISE_TUNE_MALLOC": "`0` turns off the glibc malloc tuning of CPU training",
    "LAYERWISE_WINOGRAD": "`0` turns off the Winograd 3x3 convolutions of inference",
    "MALLOC_MMAP_MAX_": "glibc's mmap count limit, put back after `host_memory.heap_only()`",
    "LAYERWISE_DATASETS": "a folder of dataset files, looked up before downloading",
    "KERAS_HOME": "Keras' home folder; datasets are cached in `$KERAS_HOME/datasets`",
    "LAYERWISE_HOME": "the cache folder of `get_file` when `cache_dir` is not given",
    "LAYERWISE_LOADER_THREADS": "the number of threads loading `PyDataset` batches",
    "PYCHARM_HOSTED": "set by PyCharm; the progress bar then redraws in place",
    "LAYERWISE_DEBUG": "set: the `layerwise` command raises errors with their traceback",
    "LAYERWISE_MAX_EXTRACT_BYTES": "the bytes an archive may expand to (`get_file(extract=)`)",
    "LAYERWISE_LOAD_ALLOWANCE": "bytes (`8G`) a loaded model may allocate beyond its weights",
    "LAYERWISE_DIST_TIMEOUT": "seconds a rank waits for the others in `torch.distributed`",
    "WORLD_SIZE": "torch.distributed's process count (set by `torchrun` or `initialize()`)",
    "RANK": "torch.distributed's rank of this process (set by `torchrun` or `initialize()`)",
}

_OVERRIDES: dict[str, object] = {}
_FALSE = ("0", "false", "no", "off")


def _get(name: str) -> str | None:
    return os.environ.get(name)


def device_name() -> str | None:
    """The device set by `layerwise.config.set_device` or `$LAYERWISE_DEVICE`, else `None`."""
    if _OVERRIDES.get("device") is not None:
        return str(_OVERRIDES["device"])
    return _get("LAYERWISE_DEVICE") or None


def set_device_name(name: str | None) -> None:
    """Sets (or with `None` clears) the programmatic device, which wins over the variable."""
    _OVERRIDES["device"] = name


def glibc_mmap_max(default: int) -> int:
    """glibc's `M_MMAP_MAX` as the process started (`$MALLOC_MMAP_MAX_`), else `default`."""
    value = (_get("MALLOC_MMAP_MAX_") or "").strip()
    return int(value) if value.isdigit() else default


def _switch(key: str, variable: str) -> bool:
    """An on/off setting: its programmatic override, else `$variable` (on unless false)."""
    if key in _OVERRIDES:
        return bool(_OVERRIDES[key])
    return (_get(variable) or "1").strip().lower() not in _FALSE


def _set_switch(key: str, enabled: bool | None) -> None:
    """Sets (or with `None` clears) the programmatic override of an on/off setting."""
    if enabled is None:
        _OVERRIDES.pop(key, None)
    else:
        _OVERRIDES[key] = bool(enabled)


def malloc_tuning() -> bool:
    """Whether CPU training may tune glibc malloc (`set_malloc_tuning`, else the variable)."""
    return _switch("malloc", "LAYERWISE_TUNE_MALLOC")


def set_malloc_tuning(enabled: bool | None) -> None:
    """Sets (or with `None` clears) the programmatic malloc-tuning switch."""
    _set_switch("malloc", enabled)


def winograd_convolutions() -> bool:
    """Whether wide 3x3 inference convolutions may use Winograd's algorithm
    (`set_winograd_convolutions`, else `$LAYERWISE_WINOGRAD`, default on)."""
    return _switch("winograd", "LAYERWISE_WINOGRAD")


def set_winograd_convolutions(enabled: bool | None) -> None:
    """Sets (or with `None` clears) the programmatic Winograd switch."""
    _set_switch("winograd", enabled)


def datasets_dir() -> str | None:
    """`$LAYERWISE_DATASETS`: a folder of dataset files, or `None`."""
    return _get("LAYERWISE_DATASETS") or None


def keras_home() -> str:
    """`$KERAS_HOME`, else `~/.keras` (not expanded)."""
    return _get("KERAS_HOME") or os.path.join("~", ".keras")


def layerwise_home() -> str:
    """`$LAYERWISE_HOME`, else `~/.layerwise`, with `~` expanded."""
    return os.path.expanduser(_get("LAYERWISE_HOME") or os.path.join("~", ".layerwise"))


def loader_threads() -> int:
    """`$LAYERWISE_LOADER_THREADS` as an int, `0` when unset (the loader then chooses)."""
    return int(_get("LAYERWISE_LOADER_THREADS") or 0)


def pycharm_hosted() -> bool:
    """Whether PyCharm runs the process (`$PYCHARM_HOSTED`)."""
    return "PYCHARM_HOSTED" in os.environ


def debug() -> bool:
    """Whether `$LAYERWISE_DEBUG` is set (the command line then shows tracebacks)."""
    return bool(_get("LAYERWISE_DEBUG"))


def env_text(name: str) -> str:
    """The stripped text of a documented variable (`""` when unset), for the modules that
    parse their own setting (`utils/archives.py`, `saving/_budget.py`)."""
    if name not in ENVIRONMENT:
        raise KeyError(f"{name} is not a documented layerwise setting: add it to ENVIRONMENT.")
    return (_get(name) or "").strip()
