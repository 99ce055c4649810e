"""`keras.ops.math`: segment reductions, top-k, FFTs, STFT, `logsumexp`, `erf`, ..."""

from __future__ import annotations

import torch

from layerwise.backend.dtypes import convert_to_tensor as _t
from layerwise.backend.dtypes import result_type, to_torch_dtype
from layerwise.ops._symbolic import keras_op


def _segment(data, segment_ids, num_segments, reduce: str, fill: float):
    data, ids = _t(data), _t(segment_ids).long()
    if num_segments is None:
        num_segments = int(ids.max()) + 1 if ids.numel() else 0
    ids = torch.where((ids >= 0) & (ids < num_segments), ids, num_segments)
    index = ids.reshape(-1, *([1] * (data.ndim - 1))).expand(data.shape)
    out = torch.full((num_segments + 1, *data.shape[1:]), fill, dtype=torch.float32)
    out = out.scatter_reduce(0, index, data.float(), reduce)
    return out[:-1].to(data.dtype)


@keras_op("math")
def segment_sum(data, segment_ids, num_segments=None, sorted=False):  # noqa: A002
    """Sum of `data` rows per segment id."""
    return _segment(data, segment_ids, num_segments, "sum", 0.0)


@keras_op("math")
def segment_max(data, segment_ids, num_segments=None, sorted=False):  # noqa: A002
    """Maximum of `data` rows per segment id (-inf for empty segments)."""
    return _segment(data, segment_ids, num_segments, "amax", float("-inf"))


@keras_op("math")
def segment_min(data, segment_ids, num_segments=None, sorted=False):  # noqa: A002
    """Minimum of `data` rows per segment id (+inf for empty segments)."""
    return _segment(data, segment_ids, num_segments, "amin", float("inf"))


@keras_op("math")
def segment_prod(data, segment_ids, num_segments=None, sorted=False):  # noqa: A002
    """Product of `data` rows per segment id."""
    return _segment(data, segment_ids, num_segments, "prod", 1.0)


@keras_op("math")
def top_k(x, k, sorted=True):  # noqa: A002
    """The `k` largest values along the last axis and their indices (int64 on torch)."""
    values, indices = torch.topk(_t(x), k, sorted=sorted)
    return values, indices


@keras_op("math")
def in_top_k(targets, predictions, k):
    """Whether each target is among the top `k` predictions."""
    targets = _t(targets).long()[:, None]
    predictions = _t(predictions)
    kth = torch.topk(predictions, k).values[:, -1:]
    return torch.any(torch.take_along_dim(predictions, targets, dim=-1) >= kth, dim=-1)


@keras_op("math")
def logsumexp(x, axis=None, keepdims=False):
    """`log(sum(exp(x)))` along `axis`, computed stably."""
    x = _t(x)
    axis = tuple(range(x.ndim)) if axis is None else axis
    return torch.logsumexp(x, dim=axis, keepdim=keepdims)


@keras_op("math")
def cdist(x, y):
    """Euclidean distances between the rows of `x` and `y`."""
    x, y = _t(x), _t(y)
    if x.ndim < 2 or y.ndim < 2 or x.shape[-1] != y.shape[-1]:
        raise ValueError("`cdist` needs inputs of rank >= 2 with the same last dimension. "
                         f"Received shapes {tuple(x.shape)} and {tuple(y.shape)}.")
    diff = x.unsqueeze(-2) - y.unsqueeze(-3)
    return torch.sqrt(torch.sum(diff * diff, dim=-1))


@keras_op("math")
def extract_sequences(x, sequence_length, sequence_stride):
    """Frames of `sequence_length` along the last axis, every `sequence_stride`."""
    return _t(x).unfold(-1, sequence_length, sequence_stride)


def _complex(x) -> torch.Tensor:
    if not isinstance(x, (tuple, list)) or len(x) != 2:
        raise ValueError(f"`x` must be a tuple (real, imag) of two tensors. Received: {x!r}")
    real, imag = _t(x[0]), _t(x[1])
    if real.shape != imag.shape or not (real.is_floating_point() and imag.is_floating_point()):
        raise ValueError("The real and imaginary parts must be float tensors of one shape. "
                         f"Received shapes {tuple(real.shape)} and {tuple(imag.shape)}.")
    return torch.complex(real, imag)


def _parts(z: torch.Tensor):
    return z.real, z.imag


@keras_op("math")
def fft(x):
    """FFT of a `(real, imag)` pair along the last axis."""
    return _parts(torch.fft.fft(_complex(x)))


@keras_op("math")
def fft2(x):
    """2-D FFT of a `(real, imag)` pair over the last two axes."""
    return _parts(torch.fft.fft2(_complex(x)))


@keras_op("math")
def ifft2(x):
    """Inverse 2-D FFT of a `(real, imag)` pair."""
    return _parts(torch.fft.ifft2(_complex(x)))


@keras_op("math")
def rfft(x, fft_length=None):
    """Real FFT along the last axis, as a `(real, imag)` pair."""
    return _parts(torch.fft.rfft(_t(x), n=fft_length, dim=-1))


@keras_op("math")
def irfft(x, fft_length=None):
    """Inverse real FFT of a `(real, imag)` pair."""
    return torch.fft.irfft(_complex(x), n=fft_length, dim=-1)


def _window(window, length: int, dtype) -> torch.Tensor:
    if window is None:
        return torch.ones(length, dtype=dtype)
    if isinstance(window, str):
        if window not in ("hann", "hamming"):
            raise ValueError(f"`window` must be 'hann', 'hamming', a tensor or None. "
                             f"Received: window={window!r}")
        maker = torch.hann_window if window == "hann" else torch.hamming_window
        return maker(length, periodic=True, dtype=dtype)
    win = _t(window, dtype)
    if win.shape != (length,):
        raise ValueError(f"`window` must have shape ({length},). Received {tuple(win.shape)}.")
    return win


@keras_op("math")
def stft(x, sequence_length, sequence_stride, fft_length, window="hann", center=True):
    """Short-time Fourier transform along the last axis, as a `(real, imag)` pair."""
    x = _t(x)
    if x.dtype not in (torch.float32, torch.float64):
        raise TypeError(f"`stft` expects float32 or float64 input. Received dtype {x.dtype}.")
    if fft_length < sequence_length:
        raise ValueError("`fft_length` must be >= `sequence_length`. Received: "
                         f"fft_length={fft_length}, sequence_length={sequence_length}")
    win = _window(window, sequence_length, x.dtype)
    batch_shape = x.shape[:-1]
    z = torch.stft(x.reshape(-1, x.shape[-1]), n_fft=fft_length, hop_length=sequence_stride,
                   win_length=sequence_length, window=win, center=center, return_complex=True)
    z = z.reshape(*batch_shape, *z.shape[-2:]).swapaxes(-2, -1)
    return z.real, z.imag


@keras_op("math")
def istft(x, sequence_length, sequence_stride, fft_length, length=None, window="hann",
          center=True):
    """Inverse short-time Fourier transform of a `(real, imag)` pair."""
    z = _complex(x)
    win = _window(window, sequence_length, z.real.dtype)
    if sequence_length != fft_length or not center:
        raise NotImplementedError("layerwise's `istft` needs `sequence_length == fft_length` "
                                  "and `center=True` (torch.istft's constraints).")
    batch_shape = z.shape[:-2]
    flat = z.reshape(-1, *z.shape[-2:]).swapaxes(-2, -1)
    out = torch.istft(flat, n_fft=fft_length, hop_length=sequence_stride,
                      win_length=sequence_length, window=win, center=center, length=length)
    return out.reshape(*batch_shape, out.shape[-1])


@keras_op("math")
def rsqrt(x):
    """`1 / sqrt(x)`."""
    return torch.rsqrt(_t(x))


@keras_op("math")
def erf(x):
    """Gauss error function."""
    return torch.erf(_t(x))


@keras_op("math")
def erfc(x):
    """Complementary error function, `1 - erf(x)`."""
    return torch.erfc(_t(x))


@keras_op("math")
def erfinv(x):
    """Inverse error function."""
    return torch.erfinv(_t(x))


@keras_op("math")
def logdet(x):
    """Log-determinant of a (batch of) positive definite matrix."""
    return torch.logdet(_t(x))


@keras_op("math")
def view_as_complex(x):
    """A complex tensor from a real tensor whose last axis is (real, imag)."""
    x = _t(x)
    return torch.view_as_complex(x.to(to_torch_dtype(result_type(x.dtype))).contiguous())


@keras_op("math")
def view_as_real(x):
    """A real tensor with a last axis (real, imag) from a complex tensor."""
    return torch.view_as_real(_t(x))
