"""Shape, joining, splitting and indexing ops of `keras.ops.numpy`."""

from __future__ import annotations

import builtins

import torch

from layerwise.backend.dtypes import convert_to_tensor as _t
from layerwise.backend.dtypes import result_type, to_torch_dtype
from layerwise.ops._factories import define_op
from layerwise.ops._symbolic import keras_op


def _tensors(xs) -> list[torch.Tensor]:
    return [_t(x) for x in xs]


def _joined(xs) -> list[torch.Tensor]:
    """Tensors to join (torch promotes mixed dtypes as Keras on torch does)."""
    return _tensors(xs)


@keras_op("numpy")
def reshape(x, newshape):
    """Gives `x` a new shape (`-1` infers one dimension)."""
    if not isinstance(newshape, (list, tuple)):
        newshape = (newshape,)
    return torch.reshape(_t(x), tuple(-1 if d is None else d for d in newshape))


@keras_op("numpy")
def transpose(x, axes=None):
    """Permutes the axes (reverses them when `axes=None`)."""
    x = _t(x)
    return torch.permute(x, tuple(range(x.ndim))[::-1] if axes is None else tuple(axes))


@keras_op("numpy")
def expand_dims(x, axis):
    """Inserts size-1 axes at `axis` (an int or a tuple)."""
    x = _t(x)
    axes = axis if isinstance(axis, (list, tuple)) else (axis,)
    ndim = x.ndim + len(axes)
    for a in sorted(a % ndim for a in axes):
        x = torch.unsqueeze(x, a)
    return x


@keras_op("numpy")
def squeeze(x, axis=None):
    """Removes size-1 axes (all, or those in `axis`)."""
    x = _t(x)
    if axis is None:
        return torch.squeeze(x)
    axes = tuple(axis) if isinstance(axis, (list, tuple)) else (axis,)
    for a in axes:
        if x.shape[a] != 1:
            raise ValueError(f"Cannot squeeze axis {a} of shape {tuple(x.shape)}: its size is "
                             f"{x.shape[a]}, not 1.")
    return torch.squeeze(x, dim=axes)


@keras_op("numpy")
def ravel(x):
    """Flattens `x` to 1-D."""
    return torch.ravel(_t(x))


@keras_op("numpy")
def broadcast_to(x, shape):
    """Broadcasts `x` to `shape`."""
    return torch.broadcast_to(_t(x), tuple(shape))


@keras_op("numpy")
def moveaxis(x, source, destination):
    """Moves axes to new positions."""
    return torch.moveaxis(_t(x), source, destination)


@keras_op("numpy")
def swapaxes(x, axis1, axis2):
    """Swaps two axes."""
    return torch.swapaxes(_t(x), axis1, axis2)


@keras_op("numpy")
def concatenate(xs, axis=0):
    """Joins tensors along an existing axis (`axis=None` flattens them first)."""
    xs = _joined(xs)
    if axis is None:
        return torch.cat([x.reshape(-1) for x in xs])
    return torch.cat(xs, dim=axis)


@keras_op("numpy")
def stack(x, axis=0):
    """Joins tensors along a new axis."""
    return torch.stack(_joined(x), dim=axis)


@keras_op("numpy")
def hstack(xs):
    """Stacks horizontally (along axis 1, or 0 for 1-D)."""
    return torch.hstack(_joined(xs))


@keras_op("numpy")
def vstack(xs):
    """Stacks vertically (along axis 0)."""
    return torch.vstack(_joined(xs))


@keras_op("numpy")
def dstack(xs):
    """Stacks along the third axis."""
    return torch.dstack(_joined(xs))


@keras_op("numpy")
def append(x1, x2, axis=None):
    """Appends `x2` to `x1` (flattened when `axis=None`)."""
    x1, x2 = _joined([x1, x2])
    if axis is None:
        return torch.cat((x1.flatten(), x2.flatten()))
    return torch.cat((x1, x2), dim=axis)


def _sections(indices_or_sections):
    if isinstance(indices_or_sections, int):
        return indices_or_sections
    return [int(i) for i in _t(indices_or_sections).tolist()]


@keras_op("numpy")
def split(x, indices_or_sections, axis=0):
    """Splits into equal sections, or at the given indices."""
    x = _t(x)
    sections = _sections(indices_or_sections)
    if isinstance(sections, int) and x.shape[axis] % sections != 0:
        raise ValueError(f"Cannot split axis {axis} of size {x.shape[axis]} into {sections} "
                         "equal sections; pass split indices or use `array_split`.")
    return list(torch.tensor_split(x, sections, dim=axis))


@keras_op("numpy")
def array_split(x, indices_or_sections, axis=0):
    """Splits into nearly equal sections."""
    return list(torch.tensor_split(_t(x), _sections(indices_or_sections), dim=axis))


@keras_op("numpy")
def hsplit(x, indices_or_sections):
    """Splits along axis 1 (0 for 1-D)."""
    return list(torch.hsplit(_t(x), _sections(indices_or_sections)))


@keras_op("numpy")
def vsplit(x, indices_or_sections):
    """Splits along axis 0."""
    return list(torch.vsplit(_t(x), _sections(indices_or_sections)))


@keras_op("numpy")
def dsplit(x, indices_or_sections):
    """Splits along axis 2."""
    return list(torch.dsplit(_t(x), _sections(indices_or_sections)))


@keras_op("numpy")
def tile(x, repeats):
    """Repeats the whole tensor `repeats` times per axis."""
    if isinstance(repeats, torch.Tensor):
        repeats = tuple(int(r) for r in repeats.tolist())
    if isinstance(repeats, int):
        repeats = (repeats,)
    return torch.tile(_t(x), tuple(repeats))


@keras_op("numpy")
def repeat(x, repeats, axis=None):
    """Repeats each element `repeats` times (flattened when `axis=None`)."""
    x = _t(x)
    if not isinstance(repeats, int):
        repeats = _t(repeats).long()
    return torch.repeat_interleave(x, repeats, dim=axis)


@keras_op("numpy")
def flip(x, axis=None):
    """Reverses the order of elements along `axis` (all axes by default)."""
    x = _t(x)
    axes = tuple(range(x.ndim)) if axis is None else (
        tuple(axis) if isinstance(axis, (list, tuple)) else (axis,))
    return torch.flip(x, dims=axes)


@keras_op("numpy")
def fliplr(x):
    """Flips along axis 1."""
    return torch.fliplr(_t(x))


@keras_op("numpy")
def flipud(x):
    """Flips along axis 0."""
    return torch.flipud(_t(x))


@keras_op("numpy")
def rot90(array, k=1, axes=(0, 1)):
    """Rotates by 90 degrees `k` times in the plane `axes`."""
    array = _t(array)
    if array.ndim < 2:
        raise ValueError(f"`rot90` needs at least 2 dimensions. Received ndim={array.ndim}.")
    return torch.rot90(array, k=k, dims=tuple(axes))


@keras_op("numpy")
def roll(x, shift, axis=None):
    """Rolls elements along `axis` (flattened when `None`)."""
    x = _t(x)
    if axis is None:
        return torch.roll(x.flatten(), shift).reshape(x.shape)
    return torch.roll(x, shift, dims=axis)


@keras_op("numpy")
def pad(x, pad_width, mode="constant", constant_values=None):
    """Pads with `mode` in `"constant"`, `"edge"`, `"reflect"`, `"symmetric"`, ..."""
    x = _t(x)
    if constant_values is not None and mode != "constant":
        raise ValueError(f"`constant_values` needs mode='constant'. Received: mode={mode!r}")
    if isinstance(pad_width, int):
        pad_width = ((pad_width, pad_width),)
    elif isinstance(pad_width[0], int):
        pad_width = (tuple(pad_width),)
    widths = [(int(w[0]), int(w[-1])) for w in pad_width]
    if len(widths) > 1 and len(widths) != x.ndim:
        raise ValueError(f"`pad_width` must have one entry per axis of x ({x.ndim}). "
                         f"Received: pad_width={pad_width}")
    # One pair pads the last axis only, as Keras 3 does on torch (NumPy pads every axis).
    widths = [(0, 0)] * (x.ndim - len(widths)) + widths
    if mode == "constant":
        flat = [v for w in reversed(widths) for v in w]
        return torch.nn.functional.pad(x, flat, value=constant_values or 0)
    torch_mode = {"edge": "replicate", "replicate": "replicate", "reflect": "reflect",
                  "wrap": "circular", "circular": "circular", "symmetric": "symmetric"}.get(mode)
    if torch_mode is None:
        raise ValueError(f"Unsupported padding mode {mode!r}. Expected 'constant', 'edge', "
                         "'reflect', 'symmetric' or 'wrap'.")
    for axis, (before, after) in enumerate(widths):
        if before or after:
            x = _pad_axis(x, axis, before, after, torch_mode)
    return x


def _pad_axis(x, axis, before, after, mode):
    n = x.shape[axis]
    if mode == "replicate":
        idx = [0] * before + list(range(n)) + [n - 1] * after
    elif mode == "circular":
        idx = [(i - before) % n for i in range(n + before + after)]
    else:
        period = 2 * n - 2 if mode == "reflect" else 2 * n
        idx = []
        for i in range(-before, n + after):
            j = i % period if period else 0
            if mode == "reflect":
                j = j if j < n else period - j
            else:
                j = j if j < n else period - 1 - j
            idx.append(j)
    return torch.index_select(x, axis, torch.tensor(idx, dtype=torch.long))


def _indexed(x, indices, axis):
    """`x` and int64 `indices` as tensors; `x` flattened (`axis` 0) when `axis` is `None`."""
    x = _t(x)
    indices = _t(indices).long()
    if axis is None:
        x, axis = x.reshape(-1), 0
    return x, indices, axis


@keras_op("numpy")
def take(x, indices, axis=None):
    """Takes elements along `axis` (from the flattened tensor when `None`)."""
    x, indices, axis = _indexed(x, indices, axis)
    axis = axis % x.ndim
    indices = torch.where(indices < 0, indices + x.shape[axis], indices)
    out = torch.index_select(x, axis, indices.reshape(-1))
    return out.reshape(x.shape[:axis] + indices.shape + x.shape[axis + 1:])


@keras_op("numpy")
def take_along_axis(x, indices, axis=None):
    """Takes values at `indices` along `axis` (as `np.take_along_axis`)."""
    x, indices, axis = _indexed(x, indices, axis)
    indices = torch.where(indices < 0, indices + x.shape[axis], indices)
    shape = list(torch.broadcast_shapes(
        tuple(1 if i == axis % x.ndim else s for i, s in enumerate(x.shape)),
        tuple(1 if i == axis % x.ndim else s for i, s in enumerate(indices.shape))))
    x_shape, i_shape = list(shape), list(shape)
    x_shape[axis], i_shape[axis] = x.shape[axis], indices.shape[axis]
    return torch.take_along_dim(x.expand(x_shape), indices.expand(i_shape), dim=axis)


def _key(key):
    """Decodes a saved index (`{"class_name": "__slice__", ...}`) and converts tensors."""
    if isinstance(key, dict) and key.get("class_name") == "__slice__":
        c = key["config"]
        return slice(c.get("start"), c.get("stop"), c.get("step"))
    if isinstance(key, dict) and key.get("class_name") == "__ellipsis__":
        return Ellipsis
    if isinstance(key, (list, tuple)):
        return tuple(_key(k) for k in key)
    if isinstance(key, torch.Tensor) or key is None or isinstance(key, (int, slice)):
        return key
    if key is Ellipsis:
        return key
    return _t(key)


@keras_op("numpy")
def get_item(x, key):
    """`x[key]`: integers, slices, `None`, `...`, index and boolean tensors."""
    return _t(x)[_key(key)]


@keras_op("numpy")
def where(condition, x1=None, x2=None):
    """`x1` where `condition` else `x2`; with one argument, the indices of true elements."""
    condition = _t(condition).bool()
    if x1 is None and x2 is None:
        return torch.stack(torch.where(condition), dim=0)
    if x1 is None or x2 is None:
        raise ValueError("`where` needs both `x1` and `x2`, or neither.")
    return torch.where(condition, _t(x1), _t(x2))


@keras_op("numpy")
def select(condlist, choicelist, default=0):
    """Picks from `choicelist` where the matching condition is first true."""
    out = _t(default)
    for cond, value in reversed(list(zip(condlist, choicelist))):
        out = torch.where(_t(cond), _t(value), out)
    return out


@keras_op("numpy")
def nonzero(x):
    """Indices of the non-zero elements: an int32 tensor `(ndim, count)`."""
    return torch.nonzero(_t(x)).T.int()


@keras_op("numpy")
def unravel_index(indices, shape):
    """Converts flat indices into coordinate tuples for `shape`."""
    indices = _t(indices)
    dtype = to_torch_dtype(result_type(indices.dtype))
    return tuple(i.to(dtype) for i in torch.unravel_index(indices, tuple(shape)))


@keras_op("numpy")
def diagonal(x, offset=0, axis1=0, axis2=1):
    """The diagonal(s) of `x`."""
    return torch.diagonal(_t(x), offset=offset, dim1=axis1, dim2=axis2)


def _k_op(name: str, fn, doc: str):
    """Defines `name(x, k=0)`: `fn(x, k)`, `k` the diagonal (0 the main one, > 0 above)."""

    def op(x, k=0):
        return fn(_t(x), k)

    return define_op("numpy", name, doc, op)


diag = _k_op("diag", torch.diag,
             "Extracts a diagonal (2-D input) or builds a diagonal matrix (1-D input).")
diagflat = _k_op("diagflat", torch.diagflat,
                 "A 2-D tensor with the flattened input on diagonal `k`.")
tril = _k_op("tril", torch.tril, "Lower triangle.")
triu = _k_op("triu", torch.triu, "Upper triangle.")


@keras_op("numpy")
def trace(x, offset=0, axis1=0, axis2=1):
    """Sum along a diagonal."""
    x = _t(x)
    dtype = str(x.dtype).replace("torch.", "")
    dtype = "int32" if dtype in ("bool", "int8", "int16", "uint8") else dtype
    return torch.sum(torch.diagonal(x, offset, axis1, axis2), dim=-1,
                     dtype=to_torch_dtype(dtype))


@keras_op("numpy")
def diff(a, n=1, axis=-1):
    """`n`-th discrete difference along `axis`."""
    return torch.diff(_t(a), n=n, dim=axis)


@keras_op("numpy", call_params=("*x",))
def meshgrid(*x, indexing="xy"):
    """Coordinate matrices from coordinate vectors."""
    return list(torch.meshgrid(*_tensors(x), indexing=indexing))


@keras_op("numpy")
def copy(x):
    """A copy of `x`."""
    return torch.clone(_t(x))


@keras_op("numpy")
def view(x, dtype=None):
    """Reinterprets the bytes of `x` as `dtype`."""
    return _t(x).view(to_torch_dtype(dtype))


@keras_op("numpy")
def isin(x1, x2, assume_unique=False, invert=False):
    """Whether each element of `x1` is in `x2`."""
    x1, x2 = _t(x1), _t(x2)
    if x1.dtype == torch.bool:
        x1 = x1.to(x2.dtype if x2.dtype != torch.bool else torch.int32)
    if x2.dtype == torch.bool:
        x2 = x2.to(x1.dtype)
    return torch.isin(x1, x2, assume_unique=assume_unique, invert=invert)


def ndim(x) -> int:
    """Number of dimensions (a Python int; also on symbolic tensors)."""
    return len(x.shape) if hasattr(x, "shape") else _t(x).ndim


def size(x):
    """Number of elements (an int64 tensor, as Keras on torch)."""
    shape = x.shape if hasattr(x, "shape") else _t(x).shape
    if builtins.any(d is None for d in shape):
        raise ValueError(f"`size` of a symbolic tensor with unknown dimensions {tuple(shape)}.")
    return torch.prod(torch.tensor(tuple(shape), dtype=torch.int64))
