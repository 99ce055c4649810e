"""Weight penalties with Keras 3's formulas: L1, L2, L1L2 and OrthogonalRegularizer."""

from __future__ import annotations

import math

import torch

from layerwise.backend.numerics import l2_normalize as normalize


def validate_float_arg(value, name: str) -> float:
    """Checks that `value` is a finite, non-negative number and returns it as a float."""
    if (not isinstance(value, (float, int)) or isinstance(value, bool)
            or math.isinf(value) or math.isnan(value) or value < 0):
        raise ValueError(
            f"Invalid value for argument {name}: expected a non-negative float. "
            f"Received: {name}={value!r}"
        )
    return float(value)


def _cast(value: float, like: torch.Tensor) -> torch.Tensor:
    # Keras stores the factors as float32 tensors and casts them to the weight's dtype.
    return torch.tensor(value, dtype=torch.float32).to(dtype=like.dtype, device=like.device)


class Regularizer:
    """Base class: `regularizer(weight)` returns a scalar penalty added to the loss.

    Example:

    >>> import torch, layerwise as keras
    >>> class L2Sum(keras.regularizers.Regularizer):
    ...     def __init__(self, factor):
    ...         self.factor = factor
    ...     def __call__(self, x):
    ...         return self.factor * torch.sum(x ** 2)
    ...     def get_config(self):
    ...         return {"factor": self.factor}
    >>> float(L2Sum(0.5)(torch.ones(2)))
    1.0
    """

    def __call__(self, x: torch.Tensor):
        return 0.0

    def get_config(self) -> dict:
        """Returns the constructor arguments as a JSON-friendly dict."""
        raise NotImplementedError(f"{self} does not implement get_config()")

    @classmethod
    def from_config(cls, config: dict):
        """Creates a regularizer from the dict returned by `get_config`."""
        return cls(**config)

    def __repr__(self) -> str:
        try:
            return f"{type(self).__name__}({self.get_config()})"
        except NotImplementedError:
            return f"{type(self).__name__}()"


class L1L2(Regularizer):
    """`l1 * sum(|x|) + l2 * sum(x ** 2)`.

    Args:
        l1: L1 factor (default 0).
        l2: L2 factor (default 0).

    Example:

    >>> import torch, layerwise as keras
    >>> float(keras.regularizers.L1L2(l1=0.5, l2=0.25)(torch.full((2,), 2.0)))
    4.0
    """

    def __init__(self, l1=0.0, l2=0.0):
        l1 = 0.0 if l1 is None else l1
        l2 = 0.0 if l2 is None else l2
        self.l1 = validate_float_arg(l1, name="l1")
        self.l2 = validate_float_arg(l2, name="l2")

    def __call__(self, x):
        regularization = torch.tensor(0.0, dtype=x.dtype, device=x.device)
        if self.l1 != 0.0:
            regularization = regularization + _cast(self.l1, x) * torch.sum(torch.abs(x))
        if self.l2 != 0.0:
            regularization = regularization + _cast(self.l2, x) * torch.sum(torch.square(x))
        return regularization

    def get_config(self) -> dict:
        return {"l1": self.l1, "l2": self.l2}


class L1(Regularizer):
    """`l1 * sum(|x|)`.

    Args:
        l1: The factor (default 0.01).

    Example:

    >>> import torch, layerwise as keras
    >>> float(keras.regularizers.L1(0.5)(torch.tensor([-1.0, 3.0])))
    2.0
    """

    def __init__(self, l1=0.01):
        l1 = 0.01 if l1 is None else l1
        self.l1 = validate_float_arg(l1, name="l1")

    def __call__(self, x):
        return _cast(self.l1, x) * torch.sum(torch.abs(x))

    def get_config(self) -> dict:
        return {"l1": float(torch.tensor(self.l1, dtype=torch.float32))}


class L2(Regularizer):
    """`l2 * sum(x ** 2)`.

    Args:
        l2: The factor (default 0.01).

    Example:

    >>> import torch, layerwise as keras
    >>> float(keras.regularizers.L2(0.1)(torch.ones(2, 2)))
    0.4000000059604645
    """

    def __init__(self, l2=0.01):
        l2 = 0.01 if l2 is None else l2
        self.l2 = validate_float_arg(l2, name="l2")

    def __call__(self, x):
        return _cast(self.l2, x) * torch.sum(torch.square(x))

    def get_config(self) -> dict:
        return {"l2": self.l2}


class OrthogonalRegularizer(Regularizer):
    """Pushes the rows (or columns) of a 2D weight towards orthogonality.

    The penalty is `factor` times the mean absolute cosine similarity over the
    pairs of distinct rows (`mode="rows"`) or columns (`mode="columns"`).

    Args:
        factor: Multiplier of the penalty (default 0.01).
        mode: `"rows"` or `"columns"`.

    Example:

    >>> import torch, layerwise as keras
    >>> float(keras.regularizers.OrthogonalRegularizer(1.0)(torch.eye(3)))
    0.0
    """

    def __init__(self, factor=0.01, mode="rows"):
        validate_float_arg(factor, name="factor")
        self.factor = float(factor)
        if mode not in ("rows", "columns"):
            raise ValueError(
                'Invalid value for argument `mode`. Expected one of {"rows", "columns"}. '
                f"Received: mode={mode!r}"
            )
        self.mode = mode

    def __call__(self, inputs):
        if inputs.ndim != 2:
            raise ValueError(
                "Inputs to OrthogonalRegularizer must have rank 2. "
                f"Received: inputs.shape={tuple(inputs.shape)}"
            )
        if self.mode == "rows":
            inputs = normalize(inputs, axis=1)
            product = torch.matmul(inputs, inputs.T)
            size = inputs.shape[0]
        else:
            inputs = normalize(inputs, axis=0)
            product = torch.matmul(inputs.T, inputs)
            size = inputs.shape[1]
        product_no_diagonal = product * (1.0 - torch.eye(size, dtype=inputs.dtype,
                                                         device=inputs.device))
        num_pairs = size * (size - 1.0) / 2.0
        factor = torch.tensor(self.factor, dtype=torch.float32, device=inputs.device)
        return factor * 0.5 * torch.sum(torch.abs(product_no_diagonal)) / num_pairs

    def get_config(self) -> dict:
        return {"factor": float(torch.tensor(self.factor, dtype=torch.float32)),
                "mode": self.mode}
