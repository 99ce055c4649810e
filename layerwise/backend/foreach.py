# pyright: reportPrivateImportUsage=false
# (This module exists to hold torch's private kernels: the one place where they are named.)
"""The private torch kernels layerwise uses, in one place, behind one version check.

The optimizers update all weights at once with torch's multi-tensor kernels
(`torch._foreach_*`) and Adam / AdamW with the fused kernel `torch._fused_adam_`. These
are not public torch API (nor is the forward-mode autodiff level `forward_mode_active`
reads): every use goes through the names of this module, so a torch
release that changes them needs one edit here. `MIN_TORCH` matches `pyproject.toml`'s
`torch>=` pin (a test checks that).

Example:

>>> import torch
>>> from layerwise.backend import foreach
>>> foreach.add([torch.ones(2)], [torch.ones(2)])
(tensor([2., 2.]),)
"""

from __future__ import annotations

import torch
from torch.autograd import forward_ad as _forward_ad

#: The oldest torch layerwise supports (`pyproject.toml`: `torch>=2.2`).
MIN_TORCH = (2, 2)


def torch_version(version: str = torch.__version__) -> tuple[int, int]:
    """`(major, minor)` of a torch version string (`"2.13.0+cpu"` gives `(2, 13)`)."""
    major, minor = version.split("+")[0].split(".")[:2]
    return int(major), int("".join(c for c in minor if c.isdigit()) or 0)


def forward_mode_active() -> bool:
    """Whether a forward-mode autodiff dual level is open (`torch.func.jvp`,
    `torch.autograd.forward_ad.dual_level`): tangents flow even under `no_grad`."""
    return _forward_ad._current_level >= 0


def check_torch_version(version: str = torch.__version__) -> None:
    """Raises `ImportError` for a torch older than `MIN_TORCH`."""
    if torch_version(version) < MIN_TORCH:
        raise ImportError(
            f"layerwise needs torch>={MIN_TORCH[0]}.{MIN_TORCH[1]}; torch {version} is "
            f"installed. Upgrade it: `pip install 'torch>={MIN_TORCH[0]}.{MIN_TORCH[1]}'`."
        )


check_torch_version()

abs = torch._foreach_abs  # noqa: A001 (the kernel's own name)
add = torch._foreach_add
add_ = torch._foreach_add_
clamp_max = torch._foreach_clamp_max
clamp_max_ = torch._foreach_clamp_max_
clamp_min = torch._foreach_clamp_min
copy_ = torch._foreach_copy_
div = torch._foreach_div
div_ = torch._foreach_div_
maximum_ = torch._foreach_maximum_
mul = torch._foreach_mul
mul_ = torch._foreach_mul_
norm = torch._foreach_norm
sign_ = torch._foreach_sign_
sqrt = torch._foreach_sqrt
sqrt_ = torch._foreach_sqrt_
sub = torch._foreach_sub
sub_ = torch._foreach_sub_

#: torch's fused Adam kernel (`None` where this torch has none: Adam then uses `foreach`).
fused_adam_ = getattr(torch, "_fused_adam_", None)
