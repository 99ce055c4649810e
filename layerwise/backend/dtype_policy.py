"""Dtype policies (Keras 3's `keras.DTypePolicy`) and the global policy.

A policy names the dtype of a layer's variables and the dtype it computes in.
`"mixed_float16"` / `"mixed_bfloat16"` keep float32 variables and compute in
float16 / bfloat16 (through `torch.autocast`); any float dtype name gives a
policy whose variables and computations share that dtype.

The state lives here, low in the stack, because `layers/layer.py` reads it;
`layerwise.mixed_precision` re-exports it.
"""

from __future__ import annotations

import contextlib

import torch

from layerwise.backend.config import floatx, to_torch_dtype

_MIXED = {"mixed_float16": "float16", "mixed_bfloat16": "bfloat16"}
_FLOATS = ("float16", "bfloat16", "float32", "float64")


class DTypePolicy:
    """A dtype policy for a layer (Keras 3's `keras.DTypePolicy`).

    Args:
        name: `"mixed_float16"`, `"mixed_bfloat16"`, or a float dtype name such
            as `"float32"` (default: `floatx()`).

    Example:

    >>> import layerwise as keras
    >>> policy = keras.mixed_precision.DTypePolicy("mixed_bfloat16")
    >>> policy.compute_dtype, policy.variable_dtype
    ('bfloat16', 'float32')
    """

    def __init__(self, name: str | None = None):
        name = floatx() if name is None else name
        if not isinstance(name, str):
            raise TypeError(
                "`name` must be a string, such as 'mixed_float16'. "
                f"Received: name={name!r} (of type {type(name).__name__})"
            )
        if name in _MIXED:
            compute, variable = _MIXED[name], "float32"
        elif name in _FLOATS:
            compute = variable = name
        else:
            raise ValueError(
                f"Cannot convert '{name}' to a mixed precision DTypePolicy. Valid policies "
                f"include 'mixed_float16', 'mixed_bfloat16', and the float dtype names {_FLOATS}."
            )
        self._name = name
        self._compute_dtype = compute
        self._variable_dtype = variable
        self._compute_torch_dtype = to_torch_dtype(compute)

    @property
    def name(self) -> str:
        """The policy's name (`"mixed_bfloat16"`, `"float32"`, ...)."""
        return self._name

    @property
    def compute_dtype(self) -> str:
        """The dtype the layer computes in."""
        return self._compute_dtype

    @property
    def variable_dtype(self) -> str:
        """The dtype of the layer's variables."""
        return self._variable_dtype

    @property
    def is_mixed(self) -> bool:
        """Whether computations and variables use different dtypes."""
        return self._compute_dtype != self._variable_dtype

    def get_config(self) -> dict:
        return {"name": self._name}

    @classmethod
    def from_config(cls, config: dict) -> DTypePolicy:
        return cls(**config)

    def __repr__(self) -> str:
        return f'<DTypePolicy "{self._name}">'

    def __eq__(self, other) -> bool:
        return isinstance(other, DTypePolicy) and other.name == self._name

    def __hash__(self) -> int:
        return hash(self._name)


FloatDTypePolicy = DTypePolicy
Policy = DTypePolicy

_global_policy: DTypePolicy | None = None


def get(identifier) -> DTypePolicy:
    """Returns a `DTypePolicy` from a name, a Keras config dict or a policy."""
    if isinstance(identifier, DTypePolicy):
        return identifier
    if isinstance(identifier, dict):
        return DTypePolicy(**(identifier.get("config") or {}))
    if isinstance(identifier, torch.dtype):
        return DTypePolicy(str(identifier).replace("torch.", ""))
    if isinstance(identifier, str) or identifier is None:
        return DTypePolicy(identifier)
    raise ValueError(
        "Invalid dtype policy. Expected a name such as 'mixed_bfloat16', a `DTypePolicy` "
        f"or its config dict. Received: {identifier!r} (of type {type(identifier).__name__})"
    )


def set_global_policy(policy) -> None:
    """Sets the policy of the layers created from now on (Keras' `set_dtype_policy`).

    Args:
        policy: `"mixed_float16"`, `"mixed_bfloat16"`, a float dtype name such as
            `"float32"`, or a `DTypePolicy`.
    """
    global _global_policy
    if not isinstance(policy, (str, DTypePolicy)):
        raise ValueError(
            "Invalid `policy` argument. Expected the string name of a policy (such as "
            f"'mixed_float16') or a `DTypePolicy` instance. Received: policy={policy!r} "
            f"(of type {type(policy).__name__})"
        )
    _global_policy = get(policy)


def global_policy() -> DTypePolicy:
    """Returns the global policy (default: `DTypePolicy(floatx())`)."""
    return _global_policy if _global_policy is not None else DTypePolicy(floatx())


def reset_global_policy() -> None:
    """Back to the default policy (`clear_session` calls it, as Keras 3 does)."""
    global _global_policy
    _global_policy = None


set_dtype_policy = set_global_policy
dtype_policy = global_policy


def serialize(policy: DTypePolicy) -> dict:
    """Keras 3's serialized form of a policy."""
    return {"module": "keras", "class_name": "DTypePolicy",
            "config": policy.get_config(), "registered_name": None}


def resolve_layer_dtype(dtype) -> tuple[str | None, DTypePolicy | None]:
    """A layer's `dtype=` argument -> (variable dtype name or None, mixed policy or None).

    `None` takes the global policy; non-mixed policies keep their plain name, as
    layers without mixed precision always did.
    """
    if dtype is None:
        if _global_policy is None or (not _global_policy.is_mixed
                                      and _global_policy.name == floatx()):
            return None, None
        dtype = _global_policy
    if isinstance(dtype, dict):
        dtype = get(dtype)
    name = str(dtype.name if hasattr(dtype, "name") else dtype)
    if isinstance(dtype, torch.dtype):
        name = name.replace("torch.", "")
    if name in _MIXED:
        policy = get(name)
        return policy.variable_dtype, policy
    return name, None


class _AutocastState:
    """How many mixed layers' autocast regions are open, and the layer whose call runs
    in the innermost region (read by `Layer.__call__`)."""

    depth = 0
    layer = None


AUTOCAST_STATE = _AutocastState()


@contextlib.contextmanager
def layer_autocast(policy: DTypePolicy | None, device_type: str, layer=None):
    """The region a layer's call runs in.

    A mixed `policy` computes under `torch.autocast(compute_dtype)`; a layer
    without one (float32) called inside such a region disables autocast, so a
    float32 head in a mixed model computes and outputs float32, as in Keras.
    """
    saved, saved_layer = AUTOCAST_STATE.depth, AUTOCAST_STATE.layer
    AUTOCAST_STATE.layer = layer
    if policy is not None:
        AUTOCAST_STATE.depth = saved + 1
        scope = torch.autocast(device_type, dtype=policy._compute_torch_dtype)
    else:
        AUTOCAST_STATE.depth = 0
        scope = torch.autocast(device_type, enabled=False)
    try:
        with scope:
            yield
    finally:
        AUTOCAST_STATE.depth, AUTOCAST_STATE.layer = saved, saved_layer
