"""Normalization layers: `BatchNormalization`, `LayerNormalization`,
`GroupNormalization`, `UnitNormalization`.

The computations use torch's fused kernels (`batch_norm`, `layer_norm`,
`group_norm`) wherever they express Keras' formula: the normalized axis is
moved to position 1 (or last) as a view, so channels-last feature maps reach
the channels_last kernels without a copy.
"""

from __future__ import annotations

import torch
import torch.nn.functional as F

from layerwise import constraints as constraints_module
from layerwise import initializers as initializers_module
from layerwise import regularizers as regularizers_module
from layerwise.layers.layer import Layer


def _normalize_axes(axis, ndim: int, name: str) -> list[int]:
    axes = [axis] if isinstance(axis, int) else list(axis)
    out = []
    for a in axes:
        if not -ndim <= a < ndim:
            raise ValueError(
                f"{name}: axis {a} is out of bounds for an input of rank {ndim}. "
                f"Received: axis={axis}"
            )
        out.append(a % ndim)
    return sorted(out)


class _AffineMixin:
    """gamma / beta arguments shared by the normalization layers, their output shape (the
    input's), and their config: the attributes `_config_keys` (which `Layer.get_config`
    adds), then gamma's and beta's."""

    def compute_output_shape(self, input_shape):
        _normalize_axes(self.axis, len(input_shape), type(self).__name__)
        return tuple(input_shape)

    def get_config(self):
        config = super().get_config()  # type: ignore[misc]
        config.update(self._affine_config())
        return config

    def _init_affine(self, center, scale, beta_initializer, gamma_initializer,
                     beta_regularizer, gamma_regularizer, beta_constraint, gamma_constraint):
        self.center = bool(center)
        self.scale = bool(scale)
        self.beta_initializer = initializers_module.get(beta_initializer)
        self.gamma_initializer = initializers_module.get(gamma_initializer)
        self.beta_regularizer = regularizers_module.get(beta_regularizer)
        self.gamma_regularizer = regularizers_module.get(gamma_regularizer)
        self.beta_constraint = constraints_module.get(beta_constraint)
        self.gamma_constraint = constraints_module.get(gamma_constraint)

    def _build_affine(self, shape):
        self.gamma = self.add_weight(
            name="gamma", shape=shape, initializer=self.gamma_initializer,
            regularizer=self.gamma_regularizer, constraint=self.gamma_constraint,
        ) if self.scale else None
        self.beta = self.add_weight(
            name="beta", shape=shape, initializer=self.beta_initializer,
            regularizer=self.beta_regularizer, constraint=self.beta_constraint,
        ) if self.center else None

    def _affine_config(self) -> dict:
        return {
            "center": self.center,
            "scale": self.scale,
            "beta_initializer": initializers_module.serialize(self.beta_initializer),
            "gamma_initializer": initializers_module.serialize(self.gamma_initializer),
            "beta_regularizer": regularizers_module.serialize(self.beta_regularizer),
            "gamma_regularizer": regularizers_module.serialize(self.gamma_regularizer),
            "beta_constraint": constraints_module.serialize(self.beta_constraint),
            "gamma_constraint": constraints_module.serialize(self.gamma_constraint),
        }


class BatchNormalization(_AffineMixin, Layer):
    """Normalizes each feature with batch statistics (training) or moving statistics.

    In training mode (`fit`, or `training=True`) the output is
    `gamma * (x - mean(x)) / sqrt(var(x) + epsilon) + beta` with the mean and
    the biased variance of the current batch over all axes but `axis`, and the
    moving statistics are updated in place:
    `moving = moving * momentum + batch_stat * (1 - momentum)`. In inference
    mode (`predict`, `evaluate`, `training=False`) the moving statistics are
    used instead.

    As in Keras, a frozen layer (`trainable=False`, e.g. when fine-tuning a
    pretrained network) always runs in inference mode: it neither uses batch
    statistics nor updates its moving statistics, even inside `fit`.

    Args:
        axis: The features axis (default -1, channels-last; use 1 for
            channels-first feature maps).
        momentum: Momentum of the moving statistics.
        epsilon: Added to the variance to avoid dividing by zero.
        center: Whether to add the learned offset `beta`.
        scale: Whether to multiply by the learned scale `gamma`.
        beta_initializer, gamma_initializer: Initializers of beta and gamma.
        moving_mean_initializer, moving_variance_initializer: Initializers of
            the moving statistics.
        beta_regularizer, gamma_regularizer: Optional weight penalties.
        beta_constraint, gamma_constraint: Optional projections after each step.
        synchronized: Accepted for compatibility (single-process training).

    Weights, in Keras order: `gamma`, `beta` (trainable), `moving_mean`,
    `moving_variance` (non-trainable).

    Example:

    >>> import torch, layerwise as keras
    >>> bn = keras.layers.BatchNormalization()
    >>> _ = torch.manual_seed(0)
    >>> x = torch.randn(32, 8, 8, 3) * 4 + 2
    >>> y = bn(x, training=True)
    >>> round(float(bn.moving_mean[0]), 2)  # 0.99 * 0 + 0.01 * (batch mean ~2)
    0.02
    >>> bn.get_weights()[2].shape
    (3,)
    """

    _config_keys = ("axis", "momentum", "epsilon")

    def __init__(self, axis: int = -1, momentum: float = 0.99, epsilon: float = 1e-3,
                 center: bool = True, scale: bool = True, beta_initializer="zeros",
                 gamma_initializer="ones", moving_mean_initializer="zeros",
                 moving_variance_initializer="ones", beta_regularizer=None,
                 gamma_regularizer=None, beta_constraint=None, gamma_constraint=None,
                 synchronized: bool = False, renorm: bool = False, renorm_clipping=None,
                 renorm_momentum: float = 0.99, **kwargs):
        super().__init__(**kwargs)
        self.supports_masking = True
        if isinstance(axis, (list, tuple)):
            if len(axis) != 1:
                raise ValueError(
                    f"BatchNormalization: `axis` must be a single int. Received: axis={axis}")
            axis = axis[0]
        if renorm:
            raise NotImplementedError(
                "BatchNormalization(renorm=True) (batch renormalization) is not supported "
                "by layerwise."
            )
        self.axis = int(axis)
        self.momentum = float(momentum)
        self.epsilon = float(epsilon)
        self._init_affine(center, scale, beta_initializer, gamma_initializer,
                          beta_regularizer, gamma_regularizer, beta_constraint, gamma_constraint)
        self.moving_mean_initializer = initializers_module.get(moving_mean_initializer)
        self.moving_variance_initializer = initializers_module.get(moving_variance_initializer)
        self.synchronized = bool(synchronized)
        self.renorm = False
        self.renorm_clipping = renorm_clipping
        self.renorm_momentum = renorm_momentum
        self.supports_masking = True

    def build(self, input_shape):
        ndim = len(input_shape)
        axis = _normalize_axes(self.axis, ndim, "BatchNormalization")[0]
        dim = input_shape[axis]
        if dim is None:
            raise ValueError(
                f"BatchNormalization layer '{self.name}': axis {self.axis} of the input must "
                f"have a known size. Received input_shape={tuple(input_shape)}."
            )
        shape = (int(dim),)
        self._build_affine(shape)
        self.moving_mean = self.add_weight(
            name="moving_mean", shape=shape, initializer=self.moving_mean_initializer,
            trainable=False,
        )
        self.moving_variance = self.add_weight(
            name="moving_variance", shape=shape, initializer=self.moving_variance_initializer,
            trainable=False,
        )
        self.built = True

    def _channels_at_1(self, inputs):
        """A view of `inputs` with the features axis at position 1 (free for NHWC data)."""
        axis = self.axis % inputs.ndim
        if axis == 1 or inputs.ndim < 2:
            return inputs, axis
        return inputs.movedim(axis, 1), axis

    def call(self, inputs, training=None, mask=None):
        x, axis = self._channels_at_1(inputs)
        dtype = inputs.dtype
        if dtype in (torch.float16, torch.bfloat16):
            x = x.float()  # statistics in float32, as Keras does
        gamma = None if self.gamma is None else self.gamma.to(x.dtype)
        beta = None if self.beta is None else self.beta.to(x.dtype)
        if training and self.trainable and mask is None:
            outputs = self._train_forward(x, gamma, beta)
        elif training and self.trainable:
            outputs = self._masked_train_forward(x, mask, axis, gamma, beta)
        else:
            outputs = F.batch_norm(x, self.moving_mean.to(x.dtype),
                                   self.moving_variance.to(x.dtype), gamma, beta, False, 0.0,
                                   self.epsilon)
        if axis != 1 and inputs.ndim >= 2:
            outputs = outputs.movedim(1, axis)
        return outputs.to(dtype)

    def _train_forward(self, x, gamma, beta):
        count = x.numel() // max(1, x.shape[1])
        if count > 1:
            # Fused batch norm; its running statistics (started from zero with
            # momentum 1) return the batch mean and the *unbiased* batch variance.
            batch_mean = torch.zeros(x.shape[1], dtype=x.dtype, device=x.device)
            batch_var = torch.zeros(x.shape[1], dtype=x.dtype, device=x.device)
            outputs = F.batch_norm(x, batch_mean, batch_var, gamma, beta, True, 1.0,
                                   self.epsilon)
            batch_var = batch_var * ((count - 1) / count)  # biased variance, as in Keras
        else:
            dims = [d for d in range(x.ndim) if d != 1]
            batch_var, batch_mean = torch.var_mean(x, dim=dims, correction=0)
            outputs = self._apply(x, batch_mean, batch_var, gamma, beta)
            batch_mean, batch_var = batch_mean.detach(), batch_var.detach()
        self._update_moving(batch_mean, batch_var)
        return outputs

    def _masked_train_forward(self, x, mask, axis, gamma, beta):
        weights = mask.to(x.dtype)
        if axis != 1:
            weights = weights.unsqueeze(1)  # the features axis was the last one
        else:
            weights = weights.unsqueeze(-1)
        weights = weights.expand_as(x)
        dims = [d for d in range(x.ndim) if d != 1]
        total = weights.sum(dim=dims) + 1e-7
        mean = (x * weights).sum(dim=dims) / total
        shape = [1] * x.ndim
        shape[1] = -1
        var = (((x - mean.view(shape)) * weights) ** 2).sum(dim=dims) / total
        self._update_moving(mean.detach(), var.detach())
        return self._apply(x, mean, var, gamma, beta)

    def _apply(self, x, mean, var, gamma, beta):
        shape = [1] * x.ndim
        shape[1] = -1
        inv = torch.rsqrt(var + self.epsilon)
        if gamma is not None:
            inv = inv * gamma
        outputs = (x - mean.view(shape)) * inv.view(shape)
        if beta is not None:
            outputs = outputs + beta.view(shape)
        return outputs

    def _update_moving(self, mean, var) -> None:
        with torch.no_grad():
            m = self.momentum
            self.moving_mean.mul_(m).add_(mean.to(self.moving_mean.dtype), alpha=1.0 - m)
            self.moving_variance.mul_(m).add_(var.to(self.moving_variance.dtype), alpha=1.0 - m)

    def get_config(self):
        config = super().get_config()
        config.update({
            "moving_mean_initializer": initializers_module.serialize(
                self.moving_mean_initializer),
            "moving_variance_initializer": initializers_module.serialize(
                self.moving_variance_initializer),
            "synchronized": self.synchronized,
            "renorm": False,
            "renorm_clipping": self.renorm_clipping,
            "renorm_momentum": self.renorm_momentum,
        })
        return config


class LayerNormalization(_AffineMixin, Layer):
    """Normalizes each sample over `axis` (mean 0, variance 1), then scales and shifts.

    Args:
        axis: Int or list of ints: the axes normalized together (default -1).
        epsilon: Added to the variance to avoid dividing by zero.
        center: Whether to add the learned offset `beta`.
        scale: Whether to multiply by the learned scale `gamma`.
        beta_initializer, gamma_initializer: Initializers.
        beta_regularizer, gamma_regularizer: Optional weight penalties.
        beta_constraint, gamma_constraint: Optional projections after each step.

    Example:

    >>> import torch, layerwise as keras
    >>> y = keras.layers.LayerNormalization()(torch.tensor([[1.0, 2.0, 3.0]]))
    >>> [round(float(v), 3) for v in y[0]]
    [-1.224, 0.0, 1.224]
    """

    _config_keys = ("axis", "epsilon", "rms_scaling")

    def __init__(self, axis=-1, epsilon: float = 1e-3, center: bool = True, scale: bool = True,
                 beta_initializer="zeros", gamma_initializer="ones", beta_regularizer=None,
                 gamma_regularizer=None, beta_constraint=None, gamma_constraint=None, **kwargs):
        self.rms_scaling = bool(kwargs.pop("rms_scaling", False))
        super().__init__(**kwargs)
        self.supports_masking = True
        if isinstance(axis, (list, tuple)):
            self.axis = list(axis)
        elif isinstance(axis, int):
            self.axis = axis
        else:
            raise TypeError(
                "Expected an int or a list/tuple of ints for the argument 'axis', but "
                f"received: {axis!r}"
            )
        self.epsilon = float(epsilon)
        self._init_affine(center, scale, beta_initializer, gamma_initializer,
                          beta_regularizer, gamma_regularizer, beta_constraint, gamma_constraint)
        self.supports_masking = True
        self._axes: list[int] = []

    def build(self, input_shape):
        ndim = len(input_shape)
        self._axes = _normalize_axes(self.axis, ndim, "LayerNormalization")
        shape = tuple(int(input_shape[a]) for a in self._axes)
        self._trailing = self._axes == list(range(ndim - len(self._axes), ndim))
        self.gamma = self.add_weight(
            name="gamma", shape=shape, initializer=self.gamma_initializer,
            regularizer=self.gamma_regularizer, constraint=self.gamma_constraint,
        ) if self.scale or self.rms_scaling else None
        self.beta = self.add_weight(
            name="beta", shape=shape, initializer=self.beta_initializer,
            regularizer=self.beta_regularizer, constraint=self.beta_constraint,
        ) if self.center and not self.rms_scaling else None
        self.built = True

    def _broadcast(self, v, ndim):
        if v is None or self._trailing:
            return v
        shape = [1] * ndim
        for a, n in zip(self._axes, v.shape, strict=True):
            shape[a] = n
        return v.reshape(shape)

    def call(self, inputs):
        dtype = inputs.dtype
        x = inputs.float() if dtype in (torch.float16, torch.bfloat16) else inputs
        gamma = None if self.gamma is None else self.gamma.to(x.dtype)
        beta = None if self.beta is None else self.beta.to(x.dtype)
        if self.rms_scaling:
            var = torch.var(x, dim=self._axes, keepdim=True, correction=0)
            outputs = x * torch.rsqrt(var + self.epsilon)
            if gamma is not None:
                outputs = outputs * self._broadcast(gamma, x.ndim)
        elif self._trailing:
            outputs = F.layer_norm(x, tuple(x.shape[a] for a in self._axes), gamma, beta,
                                   self.epsilon)
        else:
            var, mean = torch.var_mean(x, dim=self._axes, keepdim=True, correction=0)
            inv = torch.rsqrt(var + self.epsilon)
            if gamma is not None:
                inv = inv * self._broadcast(gamma, x.ndim)
            outputs = (x - mean) * inv
            if beta is not None:
                outputs = outputs + self._broadcast(beta, x.ndim)
        return outputs.to(dtype)


class GroupNormalization(_AffineMixin, Layer):
    """Normalizes each sample over groups of channels (and all other non-batch axes).

    The channels along `axis` are split into `groups` consecutive groups;
    each group of each sample is normalized by its own mean and variance.
    `groups=1` is layer normalization over all features, `groups=-1` (one
    group per channel) instance normalization.

    Args:
        groups: Number of groups (must divide the channels), or -1.
        axis: The channels axis (default -1).
        epsilon: Added to the variance to avoid dividing by zero.
        center: Whether to add the learned offset `beta`.
        scale: Whether to multiply by the learned scale `gamma`.
        beta_initializer, gamma_initializer: Initializers.
        beta_regularizer, gamma_regularizer: Optional weight penalties.
        beta_constraint, gamma_constraint: Optional projections after each step.

    Example:

    >>> import torch, layerwise as keras
    >>> keras.layers.GroupNormalization(groups=4)(torch.randn(2, 8, 8, 16)).shape
    torch.Size([2, 8, 8, 16])
    """

    _config_keys = ("groups", "axis", "epsilon")

    def __init__(self, groups: int = 32, axis: int = -1, epsilon: float = 1e-3,
                 center: bool = True, scale: bool = True, beta_initializer="zeros",
                 gamma_initializer="ones", beta_regularizer=None, gamma_regularizer=None,
                 beta_constraint=None, gamma_constraint=None, **kwargs):
        if not isinstance(groups, int) or (groups <= 0 and groups != -1):
            raise ValueError(
                "Received an invalid value for argument `groups`, expected a positive "
                f"integer (or `-1` for instance normalization). Received: groups={groups}"
            )
        super().__init__(**kwargs)
        self.supports_masking = True
        self.groups = groups
        self.axis = int(axis)
        self.epsilon = float(epsilon)
        self._init_affine(center, scale, beta_initializer, gamma_initializer,
                          beta_regularizer, gamma_regularizer, beta_constraint, gamma_constraint)
        self.supports_masking = True

    def build(self, input_shape):
        axis = _normalize_axes(self.axis, len(input_shape), "GroupNormalization")[0]
        dim = input_shape[axis]
        if dim is None:
            raise ValueError(
                f"Axis {self.axis} of input tensor should have a defined dimension but the "
                f"layer received an input with shape {tuple(input_shape)}."
            )
        if self.groups == -1:
            self.groups = int(dim)
        if dim < self.groups:
            raise ValueError(
                f"Number of groups ({self.groups}) cannot be more than the number of "
                f"channels ({dim})."
            )
        if dim % self.groups:
            raise ValueError(
                f"Number of groups ({self.groups}) must be a multiple of the number of "
                f"channels ({dim})."
            )
        self._build_affine((int(dim),))
        self.built = True

    def call(self, inputs):
        dtype = inputs.dtype
        axis = self.axis % inputs.ndim
        x = inputs if axis == 1 else inputs.movedim(axis, 1)
        if dtype in (torch.float16, torch.bfloat16):
            x = x.float()
        gamma = None if self.gamma is None else self.gamma.to(x.dtype)
        beta = None if self.beta is None else self.beta.to(x.dtype)
        outputs = F.group_norm(x, self.groups, gamma, beta, self.epsilon)
        if axis != 1:
            outputs = outputs.movedim(1, axis)
        return outputs.to(dtype)


class UnitNormalization(Layer):
    """Scales each sample to unit L2 norm over `axis`: `x / ||x||`.

    Args:
        axis: Int or list of ints (default -1).

    Example:

    >>> import torch, layerwise as keras
    >>> keras.layers.UnitNormalization()(torch.tensor([[3.0, 4.0]]))
    tensor([[0.6000, 0.8000]])
    """

    def __init__(self, axis=-1, **kwargs):
        super().__init__(**kwargs)
        self.supports_masking = True
        if isinstance(axis, (list, tuple)):
            self.axis = list(axis)
        elif isinstance(axis, int):
            self.axis = axis
        else:
            raise TypeError(
                "Invalid value for `axis` argument: expected an int or a list/tuple of ints. "
                f"Received: axis={axis}"
            )
        self.supports_masking = True
        self.built = True

    def call(self, inputs):
        axes = _normalize_axes(self.axis, inputs.ndim, "UnitNormalization")
        square_sum = torch.sum(inputs * inputs, dim=axes, keepdim=True)
        inv_norm = torch.clamp(torch.rsqrt(square_sum), max=1e12)  # Keras: epsilon 1e-12
        return inputs * inv_norm

    def compute_output_shape(self, input_shape):
        _normalize_axes(self.axis, len(input_shape), "UnitNormalization")
        return tuple(input_shape)

    def get_config(self):
        config = super().get_config()
        config["axis"] = self.axis
        return config
