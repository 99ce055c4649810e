"""Random initializers, drawn exactly as Keras 3 draws them on torch.

`RandomNormal`, `RandomUniform`, `TruncatedNormal`, `VarianceScaling` and its
presets (Glorot, He, LeCun), and `Orthogonal`. Conv kernels of shape
`(*spatial, in, out)` use Keras' fans: `fan_in = in * prod(spatial)`,
`fan_out = out * prod(spatial)`.
"""

from __future__ import annotations

import math

import torch

from layerwise.initializers.initializer import (
    RandomInitializer,
    random_normal,
    random_uniform,
    standardize_dtype,
    truncated_normal,
)


def compute_fans(shape, input_axes=None, output_axes=None) -> tuple[int, int]:
    """Keras' fan-in and fan-out of a weight shape.

    Args:
        shape: The weight's shape. Rank 1 gives `(n, n)`, rank 2
            `(shape[0], shape[1])`; higher ranks are conv kernels
            `(*spatial, in, out)` whose fans are multiplied by the receptive
            field `prod(spatial)`.
        input_axes, output_axes: Optional axes whose sizes multiply into the
            fans (both must be given).

    Returns:
        `(fan_in, fan_out)`.

    Example:

    >>> from layerwise.initializers import compute_fans
    >>> compute_fans((3, 3, 16, 32))
    (144, 288)
    """
    shape = tuple(shape)
    if input_axes is not None and output_axes is not None:
        fan_in = math.prod(shape[axis] for axis in input_axes)
        fan_out = math.prod(shape[axis] for axis in output_axes)
        return int(fan_in), int(fan_out)
    if len(shape) < 1:
        return 1, 1
    if len(shape) == 1:
        return int(shape[0]), int(shape[0])
    if len(shape) == 2:
        return int(shape[0]), int(shape[1])
    receptive_field_size = math.prod(shape[:-2])
    return int(shape[-2] * receptive_field_size), int(shape[-1] * receptive_field_size)


class RandomNormal(RandomInitializer):
    """Normal distribution with `mean` and `stddev`.

    Args:
        mean: Mean of the values.
        stddev: Standard deviation of the values.
        seed: Optional integer seed (same values at every call).

    Example:

    >>> import layerwise as keras
    >>> init = keras.initializers.RandomNormal(stddev=1.0, seed=1)
    >>> bool((init((2, 2)) == init((2, 2))).all())
    True
    """

    def __init__(self, mean=0.0, stddev=0.05, seed=None):
        self.mean = mean
        self.stddev = stddev
        super().__init__(seed=seed)

    def __call__(self, shape, dtype=None) -> torch.Tensor:
        return random_normal(shape, mean=self.mean, stddev=self.stddev, dtype=dtype,
                             seed=self.seed)

    def get_config(self) -> dict:
        return {**super().get_config(), "mean": self.mean, "stddev": self.stddev}


class TruncatedNormal(RandomInitializer):
    """Normal distribution with values beyond two standard deviations redrawn.

    Args:
        mean: Mean of the values.
        stddev: Standard deviation before truncation.
        seed: Optional integer seed.

    Example:

    >>> import layerwise as keras
    >>> w = keras.initializers.TruncatedNormal(stddev=1.0, seed=0)((1000,))
    >>> bool(w.abs().max() < 2.0)
    True
    """

    def __init__(self, mean=0.0, stddev=0.05, seed=None):
        self.mean = mean
        self.stddev = stddev
        super().__init__(seed=seed)

    def __call__(self, shape, dtype=None) -> torch.Tensor:
        return truncated_normal(shape, mean=self.mean, stddev=self.stddev, dtype=dtype,
                                seed=self.seed)

    def get_config(self) -> dict:
        return {**super().get_config(), "mean": self.mean, "stddev": self.stddev}


class RandomUniform(RandomInitializer):
    """Uniform distribution in `[minval, maxval)`.

    Args:
        minval: Lower bound.
        maxval: Upper bound.
        seed: Optional integer seed.

    Example:

    >>> import layerwise as keras
    >>> w = keras.initializers.RandomUniform(0.0, 1.0, seed=0)((100,))
    >>> bool((w >= 0).all() and (w < 1).all())
    True
    """

    def __init__(self, minval=-0.05, maxval=0.05, seed=None):
        self.minval = minval
        self.maxval = maxval
        super().__init__(seed=seed)

    def __call__(self, shape, dtype=None) -> torch.Tensor:
        return random_uniform(shape, minval=self.minval, maxval=self.maxval, dtype=dtype,
                              seed=self.seed)

    def get_config(self) -> dict:
        return {**super().get_config(), "minval": self.minval, "maxval": self.maxval}


class VarianceScaling(RandomInitializer):
    """Values whose variance is `scale / fan` (fan chosen by `mode`).

    With `distribution="truncated_normal"` the values come from a normal
    distribution truncated at two standard deviations, with standard
    deviation `sqrt(scale / fan) / 0.8796...` (so the truncated variance is
    `scale / fan`); `"untruncated_normal"` uses `sqrt(scale / fan)`;
    `"uniform"` draws in `[-limit, limit]` with `limit = sqrt(3 * scale / fan)`.

    Args:
        scale: Positive scaling factor.
        mode: `"fan_in"`, `"fan_out"` or `"fan_avg"`.
        distribution: `"truncated_normal"` (`"normal"` is a synonym),
            `"untruncated_normal"` or `"uniform"`.
        seed: Optional integer seed.
        input_axes, output_axes: Optional axes defining the fans (see `compute_fans`).

    Example:

    >>> import layerwise as keras
    >>> init = keras.initializers.VarianceScaling(2.0, "fan_in", "uniform", seed=0)
    >>> w = init((400, 10))
    >>> bool(w.abs().max() <= (3 * 2.0 / 400) ** 0.5)
    True
    """

    def __init__(self, scale=1.0, mode="fan_in", distribution="truncated_normal", seed=None,
                 input_axes=None, output_axes=None):
        if scale <= 0.0:
            raise ValueError(f"Argument `scale` must be positive float. Received: scale={scale}")
        allowed_modes = ("fan_in", "fan_out", "fan_avg")
        if mode not in allowed_modes:
            raise ValueError(f"Invalid `mode` argument: {mode!r}. Please use one of {allowed_modes}")
        distribution = distribution.lower()
        if distribution == "normal":
            distribution = "truncated_normal"
        allowed = ("uniform", "truncated_normal", "untruncated_normal")
        if distribution not in allowed:
            raise ValueError(
                f"Invalid `distribution` argument: {distribution!r}. Please use one of {allowed}"
            )
        self.scale = scale
        self.mode = mode
        self.distribution = distribution
        self.input_axes = input_axes
        self.output_axes = output_axes
        super().__init__(seed=seed)

    def __call__(self, shape, dtype=None) -> torch.Tensor:
        scale = self.scale
        fan_in, fan_out = compute_fans(shape, self.input_axes, self.output_axes)
        if self.mode == "fan_in":
            scale /= max(1.0, fan_in)
        elif self.mode == "fan_out":
            scale /= max(1.0, fan_out)
        else:
            scale /= max(1.0, (fan_in + fan_out) / 2.0)
        if self.distribution == "truncated_normal":
            stddev = math.sqrt(scale) / 0.87962566103423978
            return truncated_normal(shape, mean=0.0, stddev=stddev, dtype=dtype, seed=self.seed)
        if self.distribution == "untruncated_normal":
            return random_normal(shape, mean=0.0, stddev=math.sqrt(scale), dtype=dtype,
                                 seed=self.seed)
        limit = math.sqrt(3.0 * scale)
        return random_uniform(shape, minval=-limit, maxval=limit, dtype=dtype, seed=self.seed)

    def get_config(self) -> dict:
        return {**super().get_config(), "scale": self.scale, "mode": self.mode,
                "distribution": self.distribution, "input_axes": self.input_axes,
                "output_axes": self.output_axes}


class _Preset(VarianceScaling):
    _scale = 1.0
    _mode = "fan_in"
    _distribution = "truncated_normal"

    def __init__(self, seed=None, input_axes=None, output_axes=None):
        super().__init__(scale=self._scale, mode=self._mode, distribution=self._distribution,
                         seed=seed, input_axes=input_axes, output_axes=output_axes)

    def get_config(self) -> dict:
        return {"seed": self._init_seed, "input_axes": self.input_axes,
                "output_axes": self.output_axes}


class GlorotUniform(_Preset):
    """Glorot (Xavier) uniform: in `[-limit, limit]`, `limit = sqrt(6 / (fan_in + fan_out))`.

    Args:
        seed: Optional integer seed.

    Example:

    >>> import layerwise as keras
    >>> w = keras.initializers.GlorotUniform(seed=0)((30, 20))
    >>> bool(w.abs().max() <= (6 / 50) ** 0.5)
    True
    """

    _scale, _mode, _distribution = 1.0, "fan_avg", "uniform"


class GlorotNormal(_Preset):
    """Glorot (Xavier) normal: truncated normal with stddev `sqrt(2 / (fan_in + fan_out))`.

    Example:

    >>> import layerwise as keras
    >>> tuple(keras.initializers.GlorotNormal(seed=0)((3, 4)).shape)
    (3, 4)
    """

    _scale, _mode, _distribution = 1.0, "fan_avg", "truncated_normal"


class LecunNormal(_Preset):
    """LeCun normal: truncated normal with stddev `sqrt(1 / fan_in)`.

    Example:

    >>> import layerwise as keras
    >>> tuple(keras.initializers.LecunNormal(seed=0)((3, 4)).shape)
    (3, 4)
    """

    _scale, _mode, _distribution = 1.0, "fan_in", "truncated_normal"


class LecunUniform(_Preset):
    """LeCun uniform: in `[-limit, limit]`, `limit = sqrt(3 / fan_in)`.

    Example:

    >>> import layerwise as keras
    >>> w = keras.initializers.LecunUniform(seed=0)((12, 4))
    >>> bool(w.abs().max() <= 0.5)
    True
    """

    _scale, _mode, _distribution = 1.0, "fan_in", "uniform"


class HeNormal(_Preset):
    """He normal: truncated normal with stddev `sqrt(2 / fan_in)`.

    Example:

    >>> import layerwise as keras
    >>> tuple(keras.initializers.HeNormal(seed=0)((3, 3, 8, 16)).shape)
    (3, 3, 8, 16)
    """

    _scale, _mode, _distribution = 2.0, "fan_in", "truncated_normal"


class HeUniform(_Preset):
    """He uniform: in `[-limit, limit]`, `limit = sqrt(6 / fan_in)`.

    Example:

    >>> import layerwise as keras
    >>> w = keras.initializers.HeUniform(seed=0)((24, 4))
    >>> bool(w.abs().max() <= 0.5)
    True
    """

    _scale, _mode, _distribution = 2.0, "fan_in", "uniform"


class Orthogonal(RandomInitializer):
    """A random (semi-)orthogonal matrix times `gain`.

    Shapes of rank above 2 are filled as the 2D matrix
    `(prod(shape[:-1]), shape[-1])` and reshaped.

    Args:
        gain: Multiplier of the matrix.
        seed: Optional integer seed.

    Example:

    >>> import torch, layerwise as keras
    >>> w = keras.initializers.Orthogonal(seed=0)((4, 4))
    >>> bool(torch.allclose(w.T @ w, torch.eye(4), atol=1e-5))
    True
    """

    def __init__(self, gain=1.0, seed=None):
        self.gain = gain
        super().__init__(seed=seed)

    def __call__(self, shape, dtype=None) -> torch.Tensor:
        shape = tuple(shape)
        if len(shape) < 2:
            raise ValueError(
                "The tensor to initialize must be at least two-dimensional. "
                f"Received: shape={shape} of rank {len(shape)}."
            )
        num_rows = math.prod(shape[:-1])
        num_cols = shape[-1]
        flat_shape = (max(num_cols, num_rows), min(num_cols, num_rows))
        a = random_normal(flat_shape, dtype=standardize_dtype(dtype), seed=self.seed)
        q, r = torch.linalg.qr(a, mode="reduced")
        d = torch.diag(r)
        q = q * torch.sign(d)
        if num_rows < num_cols:
            q = torch.transpose(q, 0, 1)
        return self.gain * torch.reshape(q, shape)

    def get_config(self) -> dict:
        return {**super().get_config(), "gain": self.gain}
