"""Losses, normalization, encoding and attention ops of `keras.ops.nn`."""

from __future__ import annotations

import torch
import torch.nn.functional as F

from layerwise.backend.config import epsilon as _epsilon
from layerwise.backend.dtypes import convert_to_tensor as _t
from layerwise.backend.dtypes import result_type, to_torch_dtype
from layerwise.ops._symbolic import keras_op


@keras_op("nn")
def one_hot(x, num_classes, axis=-1, dtype=None, sparse=False):
    """One-hot encoding (negative indices give all-zero rows)."""
    if sparse:
        raise ValueError("`sparse=True` is not supported on torch.")
    x = _t(x).long()
    out = F.one_hot(torch.clamp(x, min=0), num_classes)
    out = torch.where((x >= 0)[..., None], out, torch.zeros((), dtype=out.dtype))
    out = out.to(to_torch_dtype(dtype))
    return torch.movedim(out, -1, axis) if axis != -1 else out


@keras_op("nn")
def multi_hot(inputs, num_classes=None, axis=-1, dtype=None, sparse=False, **kwargs):
    """Multi-hot encoding of integer labels (one row per sample for 2-D input)."""
    if num_classes is None:
        num_classes = kwargs.pop("num_tokens", None)
    if num_classes is None:
        raise ValueError("`multi_hot` needs `num_classes`.")
    x = _t(inputs)
    reduce_axis = 1 if x.ndim > 1 else 0
    return torch.amax(one_hot(x.int(), num_classes, axis=axis, dtype=dtype, sparse=sparse),
                      dim=reduce_axis)


def _check_same_shape(target, output):
    if target.shape != output.shape:
        raise ValueError("Arguments `target` and `output` must have the same shape. Received: "
                         f"target.shape={tuple(target.shape)}, output.shape={tuple(output.shape)}")


@keras_op("nn")
def categorical_crossentropy(target, output, from_logits=False, axis=-1):
    """Cross-entropy between one-hot `target` and probabilities (or logits) `output`."""
    target, output = _t(target), _t(output)
    _check_same_shape(target, output)
    if from_logits:
        log_prob = F.log_softmax(output, dim=axis)
    else:
        output = output / torch.sum(output, dim=axis, keepdim=True)
        log_prob = torch.log(torch.clip(output, _epsilon(), 1.0 - _epsilon()))
    return -torch.sum(target * log_prob, dim=axis)


@keras_op("nn")
def sparse_categorical_crossentropy(target, output, from_logits=False, axis=-1):
    """Cross-entropy between integer `target` and probabilities (or logits) `output`."""
    target, output = _t(target).long(), _t(output)
    if target.ndim == output.ndim and target.shape[axis] == 1:
        target = target.squeeze(axis)
    expected = list(output.shape)
    del expected[axis]
    if list(target.shape) != expected:
        raise ValueError("`target` must have the shape of `output` without its class axis. "
                         f"Received target.shape={tuple(target.shape)}, "
                         f"output.shape={tuple(output.shape)}")
    output = torch.movedim(output, axis, -1)
    if from_logits:
        log_prob = F.log_softmax(output, dim=-1)
    else:
        output = output / torch.sum(output, dim=-1, keepdim=True)
        log_prob = torch.log(torch.clip(output, _epsilon(), 1.0 - _epsilon()))
    return -torch.gather(log_prob, -1, target[..., None]).squeeze(-1)


@keras_op("nn")
def binary_crossentropy(target, output, from_logits=False):
    """Element-wise binary cross-entropy."""
    target, output = _t(target), _t(output)
    _check_same_shape(target, output)
    if from_logits:
        return F.binary_cross_entropy_with_logits(output, target, reduction="none")
    output = torch.clip(output, _epsilon(), 1.0 - _epsilon())
    return F.binary_cross_entropy(output, target, reduction="none")


@keras_op("nn")
def moments(x, axes, keepdims=False, synchronized=False):
    """Mean and variance of `x` over `axes`."""
    if synchronized:
        raise NotImplementedError("`synchronized=True` is not supported on torch; reduce across "
                                  "processes with torch.distributed instead.")
    x = _t(x)
    dtype = x.dtype
    if dtype == torch.float16:
        x = x.float()
    axes = tuple(axes) if isinstance(axes, (list, tuple)) else (axes,)
    mean = torch.mean(x, dim=axes, keepdim=True)
    variance = torch.mean(torch.square(x), dim=axes, keepdim=True) - torch.square(mean)
    if not keepdims:
        mean, variance = mean.squeeze(axes), variance.squeeze(axes)
    if dtype == torch.float16:
        limit = torch.finfo(torch.float16).max
        mean, variance = (torch.clip(v, -limit, limit).half() for v in (mean, variance))
    return mean, variance


@keras_op("nn")
def batch_normalization(x, mean, variance, axis, offset=None, scale=None, epsilon=1e-3):
    """`(x - mean) / sqrt(variance + epsilon) * scale + offset` along `axis`."""
    x, mean, variance = _t(x), _t(mean), _t(variance)
    shape = [1] * x.ndim
    shape[axis] = mean.shape[0]
    mean, variance = mean.reshape(shape), variance.reshape(shape)
    scale = torch.ones_like(variance) if scale is None else _t(scale).reshape(shape)
    offset = torch.zeros_like(mean) if offset is None else _t(offset).reshape(shape)
    return (x - mean) * (torch.rsqrt(variance + epsilon) * scale) + offset


def _normalized_axes(x, axis):
    axes = sorted(a % x.ndim for a in (axis if isinstance(axis, (list, tuple)) else [axis]))
    return axes, axes == list(range(axes[0], axes[-1] + 1)) and axes[-1] == x.ndim - 1


@keras_op("nn")
def layer_normalization(x, gamma=None, beta=None, axis=-1, epsilon=None, **kwargs):
    """Layer normalization over `axis` with optional scale `gamma` and offset `beta`."""
    epsilon = _epsilon() if epsilon is None else epsilon
    x = _t(x)
    original = x.dtype
    x = x.to(to_torch_dtype(result_type(x.dtype, "float32")))
    gamma = None if gamma is None else _t(gamma).to(x.dtype)
    beta = None if beta is None else _t(beta).to(x.dtype)
    axes, trailing = _normalized_axes(x, axis)
    if kwargs.get("rms_scaling"):
        inv = torch.rsqrt(torch.var(x, dim=axes, keepdim=True, correction=0) + epsilon)
        out = x * inv if gamma is None else x * inv * gamma
    elif trailing:
        out = F.layer_norm(x, tuple(x.shape[a] for a in axes), gamma, beta, epsilon)
    else:
        shape = [x.shape[d] if d in axes else 1 for d in range(x.ndim)]
        mean = torch.mean(x, dim=axes, keepdim=True)
        inv = torch.rsqrt(torch.var(x, dim=axes, keepdim=True, correction=0) + epsilon)
        out = (x - mean) * inv
        out = out if gamma is None else out * gamma.reshape(shape)
        out = out if beta is None else out + beta.reshape(shape)
    return out.to(original)


@keras_op("nn")
def rms_normalization(x, scale=None, axis=-1, epsilon=None):
    """Root-mean-square normalization over `axis` with optional `scale`."""
    epsilon = _epsilon() if epsilon is None else epsilon
    x = _t(x)
    original = x.dtype
    x = x.to(to_torch_dtype(result_type(x.dtype, "float32")))
    scale = None if scale is None else _t(scale).to(x.dtype)
    axes, trailing = _normalized_axes(x, axis)
    if trailing:
        out = F.rms_norm(x, tuple(x.shape[a] for a in axes), scale, epsilon)
    else:
        out = x * torch.rsqrt(torch.mean(x.square(), dim=axes, keepdim=True) + epsilon)
        out = out if scale is None else out * scale
    return out.to(original)


@keras_op("nn")
def normalize(x, axis=-1, order=2, epsilon=None):
    """Divides `x` by its `order`-norm along `axis`."""
    if not isinstance(order, int) or order < 1:
        raise ValueError(f"Argument `order` must be an int >= 1. Received: order={order}")
    x = _t(x)
    if x.ndim == 0:
        x = x[None]
    epsilon = _epsilon() if epsilon is None else epsilon
    if order == 2:
        return x * torch.rsqrt(torch.clip(torch.sum(x.square(), dim=axis, keepdim=True),
                                          min=epsilon))
    norm = torch.linalg.vector_norm(x, ord=order, dim=axis, keepdim=True)
    return x / torch.clip(norm, min=epsilon)


@keras_op("nn")
def psnr(x1, x2, max_val):
    """Peak signal-to-noise ratio between two images."""
    x1, x2 = _t(x1), _t(x2)
    _check_same_shape(x1, x2)
    max_val = _t(max_val, x1.dtype)
    return 20 * torch.log10(max_val) - 10 * torch.log10(torch.mean((x1 - x2) ** 2))


@keras_op("nn")
def polar(abs_, angle):
    """Complex numbers from magnitudes and angles."""
    abs_, angle = _t(abs_), _t(angle)
    return torch.polar(abs_.float() if not abs_.is_floating_point() else abs_,
                       angle.to(abs_.dtype) if abs_.is_floating_point() else angle.float())


@keras_op("nn")
def dot_product_attention(query, key, value, bias=None, mask=None, scale=None, is_causal=False,
                          flash_attention=None, attn_logits_soft_cap=None):
    """Scaled dot-product attention on `(batch, seq, heads, dim)` tensors (Keras layout)."""
    query, key, value = _t(query), _t(key), _t(value)
    dtype = to_torch_dtype(result_type(query.dtype, key.dtype, value.dtype))
    query, key, value = query.to(dtype), key.to(dtype), value.to(dtype)
    if query.ndim != 4:
        raise ValueError("`dot_product_attention` expects 4-D (batch, seq, heads, dim) inputs. "
                         f"Received query.shape={tuple(query.shape)}")
    q, k, v = (t.transpose(1, 2) for t in (query, key, value))
    scale = q.shape[-1] ** -0.5 if scale is None else scale
    logits = torch.matmul(q, k.transpose(-1, -2)) * scale
    if attn_logits_soft_cap is not None:
        logits = torch.tanh(logits / attn_logits_soft_cap) * attn_logits_soft_cap
    if bias is not None:
        logits = logits + _t(bias)
    large_negative = torch.finfo(logits.dtype).min * 0.7
    if mask is not None:
        logits = torch.where(_t(mask).bool(), logits, torch.tensor(large_negative,
                                                                  dtype=logits.dtype))
    if is_causal:
        causal = torch.ones(logits.shape[-2:], dtype=torch.bool).tril()
        logits = torch.where(causal, logits, torch.tensor(large_negative, dtype=logits.dtype))
    probs = torch.softmax(logits, dim=-1)
    return torch.matmul(probs, v).transpose(1, 2)


@keras_op("nn")
def ctc_loss(target, output, target_length, output_length, mask_index=0):
    """CTC loss per sample; `output` are logits `(batch, time, classes)`."""
    target, output = _t(target), _t(output)
    output = output.to(to_torch_dtype(result_type(output.dtype, "float32")))
    log_probs = F.log_softmax(output.transpose(0, 1), dim=-1)
    return F.ctc_loss(log_probs, target, _t(output_length), _t(target_length),
                      blank=mask_index, reduction="none")


@keras_op("nn")
def ctc_decode(inputs, sequence_lengths, strategy="greedy", beam_width=100, top_paths=1,
               merge_repeated=True, mask_index=0):
    """Greedy CTC decoding: `(decoded (1, batch, time), scores (batch, 1))`."""
    if strategy != "greedy":
        raise NotImplementedError("layerwise implements `strategy='greedy'` only; beam search "
                                  f"is not available. Received: strategy={strategy!r}")
    inputs = _t(inputs)
    inputs = inputs.to(to_torch_dtype(result_type(inputs.dtype)))
    lengths = _t(sequence_lengths).int()
    batch, time, classes = inputs.shape
    mask_index = classes - 1 if mask_index is None else mask_index
    indices = torch.argmax(inputs, dim=-1).int()
    scores = torch.max(inputs, dim=-1).values
    beyond = torch.arange(time)[None, :] >= lengths[:, None]
    indices = torch.where(beyond, mask_index, indices)
    scores = torch.where(beyond, torch.zeros((), dtype=scores.dtype), scores)
    if merge_repeated:
        repeat = F.pad(indices[:, 1:] == indices[:, :-1], (1, 0))
        indices = torch.where(repeat, mask_index, indices)
    invalid = indices == mask_index
    indices = torch.where(invalid, -1, indices)
    order = torch.where(invalid, time, torch.arange(time).expand(batch, time))
    indices = torch.take_along_dim(indices, torch.argsort(order, dim=-1, stable=True), dim=-1)
    return indices[None], -torch.sum(scores, dim=1)[:, None]
