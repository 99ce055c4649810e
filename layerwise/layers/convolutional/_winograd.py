"""Inference-only 3x3 convolutions by Winograd's minimal filtering F(2x2, 3x3).

A 3x3, stride-1, undilated, ungrouped float32 CPU `Conv2D` with many channels (VGG's
blocks 3-5, ResNet's deeper 3x3 convolutions) computes each 2x2 block of its output from
a 4x4 tile of its input with 16 multiplications per input/output channel pair instead
of 36 (Lavin & Gray, "Fast Algorithms for Convolutional Neural Networks", 2016): the
tiles and the 3x3 filters are transformed (additions only, and halves for the
filters), multiplied as 16 batched matrix products `(tiles, Cin) @ (Cin, Cout)` (the
bulk of the work, at the machine's GEMM speed), and transformed back. The batch is
processed in chunks whose transformed tiles fit in the last-level cache.

Taken only outside autograd (`predict`, `evaluate`, `torch.no_grad()`, the frozen base
of a fine-tuned network: the same rule as the fused conv + ReLU kernel of
`_fused.py`), never while tracing, exporting or compiling (an exported graph keeps
its plain convolution), and only where it is faster on the machine this was measured
on (2-core AMD EPYC, AVX2, 2 threads, oneDNN's direct convolution as the alternative,
batch 20, ms per call):

| channels in -> out, image | oneDNN | Winograd |
|---|---:|---:|
| 64 -> 64, 150x150 | 202 | 281 |
| 128 -> 128, 75x75 | 222 | 226 |
| 128 -> 256, 37x37 | 93 | 78 |
| 256 -> 256, 37x37 | 181 | 145 |
| 256 -> 512, 18x18 | 104 | 57 |
| 512 -> 512, 18x18 | 194 | 90 |
| 512 -> 512, 9x9 | 54 | 33 |

and at ResNet50's shapes (batch 32): 256 -> 256 at 14x14 47 -> 35 ms, 512 -> 512 at 7x7
50 -> 42, 256 -> 128 at 28x28 99 -> 82, 128 -> 256 at 28x28 91 -> 94 (level); with few
output pixels the filter transform (done per call, the weights may change between calls)
dominates: 512 -> 512 at 9x9, batch 2 (162 pixels) 9.0 -> 11.3 ms. Hence the floors
`MIN_CHANNELS`, `MIN_CHANNEL_PRODUCT` and `MIN_POSITIONS` (output pixels in the batch).
Large images are processed in bands of tile rows, so the transformed tiles of a chunk
never exceed about `_CHUNK_BYTES`.

Numerics: the transforms are exact in exact arithmetic; in float32 the result differs
from a direct convolution by rounding only, as a different summation order would (a
relative error of 1-3e-6 of the output's largest magnitude on the shapes above,
checked against `F.conv2d` in `tests/layers/test_conv_winograd.py`).
`layerwise.config.set_winograd_convolutions(False)` (or `LAYERWISE_WINOGRAD=0`) turns
it off; every convolution then runs oneDNN's direct kernel.
"""

from __future__ import annotations

import torch
import torch.nn.functional as F

from layerwise.backend import settings
from layerwise.layers.convolutional import _fused

MIN_CHANNELS = 128  # both input and output channels at least this
MIN_CHANNEL_PRODUCT = 32_768  # input x output channels at least this (128 -> 256)
MIN_POSITIONS = 1024  # output pixels of the whole batch at least this
_CHUNK_BYTES = 12 * 2**20  # transformed input tiles per chunk (images, or rows of one)

# G of F(2x2, 3x3): the filter transform U = G g G^T, as one (16, 9) matrix on the
# flattened 3x3 filter (kron(G, G)[4a + b, 3i + j] = G[a, i] G[b, j]).
_G = torch.tensor([[1.0, 0.0, 0.0], [0.5, 0.5, 0.5], [0.5, -0.5, 0.5], [0.0, 0.0, 1.0]],
                  dtype=torch.float32)
_KRON_G = torch.kron(_G, _G)


def _pair(value) -> tuple[int, int]:
    return (value, value) if isinstance(value, int) else (int(value[0]), int(value[1]))


def output_size(inputs: torch.Tensor, padding) -> tuple[int, int]:
    """The output height and width of a 3x3 stride-1 convolution of NCHW-shaped `inputs`."""
    pad_h, pad_w = _pair(padding)
    return inputs.shape[2] + 2 * pad_h - 2, inputs.shape[3] + 2 * pad_w - 2


def can_use(inputs: torch.Tensor, weight: torch.Tensor, bias: torch.Tensor | None,
            strides, padding, dilation, groups: int) -> bool:
    """Whether this convolution (torch layout: NCHW-shaped `inputs` in channels-last
    memory, `weight` (Cout, Cin, kh, kw)) takes the Winograd path. The checks run
    cheapest first: most calls (training, small convolutions) end early."""
    if not _fused.plain_eager():
        return False  # before any shape arithmetic, which a trace would record
    channels_out, channels_in = weight.shape[:2]
    if not (inputs.ndim == 4 and tuple(weight.shape[2:]) == (3, 3) and groups == 1
            and tuple(strides) == (1, 1) and tuple(dilation) == (1, 1)
            and min(channels_in, channels_out) >= MIN_CHANNELS
            and channels_in * channels_out >= MIN_CHANNEL_PRODUCT):
        return False
    if _fused.needs_grad(inputs, weight, bias) or not settings.winograd_convolutions():
        return False
    height, width = output_size(inputs, padding)
    return (
        height > 0 and width > 0 and inputs.shape[0] * height * width >= MIN_POSITIONS
        and inputs.device.type == "cpu" and weight.device.type == "cpu"
        and inputs.dtype == weight.dtype == torch.float32
        and (bias is None or bias.dtype == torch.float32)
        and inputs.is_contiguous(memory_format=torch.channels_last)
    )


def conv2d_3x3(inputs: torch.Tensor, weight: torch.Tensor, bias: torch.Tensor | None,
               padding, relu: bool = False) -> torch.Tensor:
    """`conv2d(inputs, weight, bias, padding=padding)` (then ReLU when `relu`) by F(2x2, 3x3).

    Args:
        inputs: NCHW-shaped float32 tensor in channels-last memory.
        weight: `(Cout, Cin, 3, 3)` float32 (any strides).
        bias: `(Cout,)` or `None`.
        padding: int or pair, the zeros added on each side (as `F.conv2d`'s `padding`).
        relu: apply ReLU to the result.

    Returns:
        The NCHW-shaped result in channels-last memory, as `F.conv2d` gives it.
    """
    images = inputs.permute(0, 2, 3, 1)  # NHWC, contiguous
    batch, height, width, channels_in = images.shape
    pad_h, pad_w = _pair(padding)
    out_h, out_w = output_size(inputs, padding)
    tiles_h, tiles_w = (out_h + 1) // 2, (out_w + 1) // 2
    filters = _filter_transform(weight)  # (16, Cin, Cout)
    blocks = images.new_empty((batch, 2 * tiles_h, 2 * tiles_w, filters.shape[2]))
    pads = (0, 0, pad_w, 2 * tiles_w + 2 - width - pad_w, pad_h, 2 * tiles_h + 2 - height - pad_h)
    row_bytes = 16 * tiles_w * channels_in * images.element_size()  # one row of tiles
    per_chunk = _CHUNK_BYTES // (row_bytes * tiles_h)
    if per_chunk >= 1:  # chunks of whole images
        for start in range(0, batch, per_chunk):
            _convolve_band(F.pad(images[start:start + per_chunk], pads), filters,
                           blocks[start:start + per_chunk])
    else:  # a large image: bands of tile rows, one image at a time
        band = max(1, _CHUNK_BYTES // row_bytes)
        for index in range(batch):
            padded = F.pad(images[index:index + 1], pads)
            for row in range(0, tiles_h, band):
                end = min(row + band, tiles_h)
                _convolve_band(padded[:, 2 * row:2 * end + 2], filters,
                               blocks[index:index + 1, 2 * row:2 * end])
    result = blocks[:, :out_h, :out_w]
    if bias is not None or result.shape != blocks.shape:
        result = torch.add(result, 0.0 if bias is None else bias)  # contiguous, bias added
    if relu:
        result.relu_()
    return result.permute(0, 3, 1, 2)


def _convolve_band(padded: torch.Tensor, filters: torch.Tensor, blocks: torch.Tensor) -> None:
    """Writes the 2x2 output blocks of the tiles of NHWC `padded` (2 T + 2 rows, 2 U + 2
    columns) into the contiguous NHWC `blocks` (2 T rows, 2 U columns)."""
    count, tiles_h, tiles_w = blocks.shape[0], blocks.shape[1] // 2, blocks.shape[2] // 2
    tiles = _input_transform(padded, tiles_h, tiles_w)
    products = torch.bmm(tiles.view(16, -1, padded.shape[3]), filters)
    _output_transform(products.view(4, 4, count, tiles_h, tiles_w, filters.shape[2]), blocks)


def _filter_transform(weight: torch.Tensor) -> torch.Tensor:
    """U = G g G^T of every filter: `(16, Cin, Cout)` from torch's `(Cout, Cin, 3, 3)`."""
    channels_out, channels_in = weight.shape[:2]
    flat = weight.permute(2, 3, 1, 0).reshape(9, channels_in * channels_out)
    return torch.mm(_KRON_G, flat).view(16, channels_in, channels_out)


def _input_transform(padded: torch.Tensor, tiles_h: int, tiles_w: int) -> torch.Tensor:
    """V = B^T d B of every overlapping 4x4 tile (stride 2) of NHWC `padded`, as
    `(4, 4, N, tiles_h, tiles_w, C)`; B^T = [[1,0,-1,0],[0,1,1,0],[0,-1,1,0],[0,1,0,-1]]
    applied along the rows, then along the columns."""
    count, _, padded_w, channels = padded.shape
    even, odd = padded[:, 0::2], padded[:, 1::2]  # rows 2t and 2t+1, tiles_h + 1 of each
    rows = padded.new_empty((4, count, tiles_h, padded_w, channels))
    _b_transpose(even, odd, rows, axis=1)
    tiles = padded.new_empty((4, 4, count, tiles_h, tiles_w, channels))
    _b_transpose(rows[:, :, :, 0::2], rows[:, :, :, 1::2], tiles.transpose(0, 1), axis=3)
    return tiles


def _b_transpose(even: torch.Tensor, odd: torch.Tensor, out: torch.Tensor, axis: int) -> None:
    """out[k] = (B^T d)[k] along `axis` of the tiles, d0..d3 = even[t], odd[t],
    even[t + 1], odd[t + 1]: out = (d0 - d2, d1 + d2, d2 - d1, d1 - d3)."""
    size = even.shape[axis] - 1
    d0, d2 = even.narrow(axis, 0, size), even.narrow(axis, 1, size)
    d1, d3 = odd.narrow(axis, 0, size), odd.narrow(axis, 1, size)
    torch.sub(d0, d2, out=out[0])
    torch.add(d1, d2, out=out[1])
    torch.sub(d2, d1, out=out[2])
    torch.sub(d1, d3, out=out[3])


def _output_transform(products: torch.Tensor, blocks: torch.Tensor) -> None:
    """Y = A^T M A of every tile, A^T = [[1, 1, 1, 0], [0, 1, -1, -1]], written as the
    2x2 output block of its tile into NHWC `blocks` (N, 2 tiles_h, 2 tiles_w, Cout)."""
    count, height, width, channels = blocks.shape
    rows = blocks.new_empty((2, 4, count, height // 2, width // 2, channels))
    _a_transpose(products, rows)
    grid = blocks.view(count, height // 2, 2, width // 2, 2, channels)
    for row in range(2):
        _a_transpose(rows[row], grid[:, :, row].movedim(3, 0))


def _a_transpose(m: torch.Tensor, out: torch.Tensor) -> None:
    """out = (m0 + m1 + m2, m1 - m2 - m3) along the first axis."""
    torch.add(m[0], m[1], out=out[0]).add_(m[2])
    torch.sub(m[1], m[2], out=out[1]).sub_(m[3])
