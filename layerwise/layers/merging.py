"""Merging layers: `Add`, `Subtract`, `Multiply`, `Average`, `Maximum`, `Minimum`,
`Concatenate`, `Dot`, and their functional forms (`layers.add([...])`, ...)."""

from __future__ import annotations

import functools

import torch
import torch.nn.functional as F

from layerwise.layers.layer import Layer


def _broadcast_shapes(shapes, layer_name):
    """Keras' elementwise-merge shape rule (broadcasting, `None` for unknown sizes)."""
    rank = max(len(s) for s in shapes)
    out = []
    for i in range(1, rank + 1):
        dims = {s[-i] for s in shapes if len(s) >= i}
        known = {d for d in dims if d is not None and d != 1}
        if len(known) > 1:
            raise ValueError(
                f"Inputs of layer '{layer_name}' have incompatible shapes "
                f"{[tuple(s) for s in shapes]}: they must be equal or broadcastable."
            )
        if known:
            out.append(known.pop())
        elif None in dims:
            out.append(None)
        else:
            out.append(1)
    return tuple(reversed(out))


class _Merge(Layer):
    """Base of the elementwise merges: a list of tensors in, one tensor out."""

    def _check_list(self, inputs):
        if not isinstance(inputs, (list, tuple)) or len(inputs) < 2:
            raise ValueError(
                f"Layer '{self.name}' ({type(self).__name__}) must be called on a list of at "
                f"least 2 inputs. Received: {inputs!r}"
            )

    def build(self, input_shape):
        self._check_list(input_shape)
        self.compute_output_shape(input_shape)
        self.built = True

    def _check_input_compatibility(self, inputs):
        self._check_list(inputs)
        self.compute_output_shape([tuple(t.shape) for t in inputs])

    def compute_output_shape(self, input_shape):
        self._check_list(input_shape)
        batch = input_shape[0][0]
        shapes = [tuple(s)[1:] for s in input_shape]
        return (batch, *_broadcast_shapes(shapes, self.name))

    def call(self, inputs):
        return functools.reduce(self._merge, inputs)

    def compute_mask(self, inputs, mask=None):
        """Keras: the OR of the input masks, `None` when any input has none."""
        if mask is None or any(m is None for m in mask):
            return None
        return functools.reduce(torch.logical_or, [m.bool() for m in mask])


class Add(_Merge):
    """Adds a list of inputs elementwise.

    Example:

    >>> import torch, layerwise as keras
    >>> keras.layers.Add()([torch.ones(2, 3), torch.ones(2, 3)])
    tensor([[2., 2., 2.],
            [2., 2., 2.]])
    """

    @staticmethod
    def _merge(a, b):
        return a + b


class Subtract(_Merge):
    """Subtracts the second input from the first (exactly two inputs)."""

    def _check_list(self, inputs):
        if not isinstance(inputs, (list, tuple)) or len(inputs) != 2:
            raise ValueError(
                f"Layer '{self.name}' (Subtract) must be called on a list of exactly 2 inputs."
            )

    @staticmethod
    def _merge(a, b):
        return a - b


class Multiply(_Merge):
    """Multiplies a list of inputs elementwise."""

    @staticmethod
    def _merge(a, b):
        return a * b


class Maximum(_Merge):
    """Elementwise maximum of a list of inputs."""

    @staticmethod
    def _merge(a, b):
        return torch.maximum(a, b)


class Minimum(_Merge):
    """Elementwise minimum of a list of inputs."""

    @staticmethod
    def _merge(a, b):
        return torch.minimum(a, b)


class Average(_Merge):
    """Elementwise average of a list of inputs."""

    def call(self, inputs):
        return functools.reduce(lambda a, b: a + b, inputs) / len(inputs)


class _ShapeChecked(Layer):
    """Base of `Concatenate` and `Dot`: `_check_shapes` validates the list of input shapes
    when the layer is built and when it is called on symbolic inputs."""

    def build(self, input_shape):
        self._check_shapes(input_shape)
        self.built = True

    def _check_input_compatibility(self, inputs):
        self._check_shapes([tuple(t.shape) for t in inputs])


class Concatenate(_ShapeChecked):
    """Concatenates a list of inputs along `axis` (default: the last).

    Example:

    >>> import torch, layerwise as keras
    >>> keras.layers.Concatenate()([torch.ones(2, 3), torch.zeros(2, 1)]).shape
    torch.Size([2, 4])
    """

    _config_keys = ("axis",)

    def __init__(self, axis=-1, **kwargs):
        super().__init__(**kwargs)
        self.axis = axis

    def _check_shapes(self, shapes):
        if not isinstance(shapes, (list, tuple)) or len(shapes) < 1 or not isinstance(
            shapes[0], (list, tuple)
        ):
            raise ValueError(
                f"Layer '{self.name}' (Concatenate) must be called on a list of inputs. "
                f"Received: {shapes!r}"
            )
        ranks = {len(s) for s in shapes}
        if len(ranks) > 1:
            raise ValueError(
                f"Layer '{self.name}' (Concatenate) needs inputs of the same rank. Received "
                f"shapes {[tuple(s) for s in shapes]}."
            )
        rank = ranks.pop()
        axis = self.axis % rank
        for i in range(rank):
            if i == axis:
                continue
            dims = {s[i] for s in shapes if s[i] is not None}
            if len(dims) > 1:
                raise ValueError(
                    f"Layer '{self.name}' (Concatenate) requires inputs with matching shapes "
                    f"except for the concatenation axis {self.axis}. Received: input_shape="
                    f"{[tuple(s) for s in shapes]}"
                )
        return axis

    def compute_output_shape(self, input_shape):
        axis = self._check_shapes(input_shape)
        out = list(input_shape[0])
        sizes = [s[axis] for s in input_shape]
        out[axis] = None if any(d is None for d in sizes) else sum(sizes)
        for i in range(len(out)):
            if i != axis and out[i] is None:
                out[i] = next((s[i] for s in input_shape if s[i] is not None), None)
        return tuple(out)

    def call(self, inputs):
        return torch.cat(list(inputs), dim=self.axis)

    def compute_mask(self, inputs, mask=None):
        """Keras: masks (all-True for unmasked inputs) concatenated, then ORed over the
        last axis."""
        if mask is None or all(m is None for m in mask):
            return None
        full = []
        for x, m in zip(inputs, mask):
            if m is None:
                m = torch.ones(x.shape, dtype=torch.bool, device=x.device)
            elif m.ndim < x.ndim:
                m = m.bool().unsqueeze(-1).expand(x.shape)
            full.append(m.bool())
        return torch.any(torch.cat(full, dim=self.axis), dim=-1)


class Dot(_ShapeChecked):
    """Dot product of two samples-wise tensors along `axes` (optionally cosine, `normalize`).

    Example:

    >>> import torch, layerwise as keras
    >>> keras.layers.Dot(axes=1)([torch.ones(2, 3), torch.ones(2, 3)])
    tensor([[3.],
            [3.]])
    """

    def __init__(self, axes, normalize=False, **kwargs):
        super().__init__(**kwargs)
        if isinstance(axes, int):
            axes = (axes, axes)
        if not (isinstance(axes, (list, tuple)) and len(axes) == 2):
            raise ValueError(
                f"Dot: `axes` must be an integer or a pair of integers. Received: axes={axes!r}"
            )
        self.axes = tuple(int(a) for a in axes)
        self.normalize = normalize

    def _axes_for(self, shape_a, shape_b):
        return [a % len(s) for a, s in zip(self.axes, (shape_a, shape_b))]

    def _check_shapes(self, shapes):
        if not isinstance(shapes, (list, tuple)) or len(shapes) != 2:
            raise ValueError(f"Layer '{self.name}' (Dot) must be called on a list of 2 inputs.")
        a, b = shapes
        ax_a, ax_b = self._axes_for(a, b)
        if a[ax_a] is not None and b[ax_b] is not None and a[ax_a] != b[ax_b]:
            raise ValueError(
                f"Layer '{self.name}' (Dot): incompatible input shapes {tuple(a)} and {tuple(b)}: "
                f"dimension {a[ax_a]} (axis {ax_a}) != {b[ax_b]} (axis {ax_b})."
            )
        return ax_a, ax_b

    def compute_output_shape(self, input_shape):
        a, b = (list(s) for s in input_shape)
        ax_a, ax_b = self._check_shapes(input_shape)
        a.pop(ax_a)
        b.pop(ax_b)
        b.pop(0)
        out = a + b
        return tuple(out) if len(out) > 1 else (out[0], 1)

    def call(self, inputs):
        a, b = inputs
        ax_a, ax_b = self._axes_for(a.shape, b.shape)
        if self.normalize:
            a = F.normalize(a, p=2.0, dim=ax_a, eps=1e-12)
            b = F.normalize(b, p=2.0, dim=ax_b, eps=1e-12)
        out = torch.stack([torch.tensordot(x, y, dims=([ax_a - 1], [ax_b - 1]))
                           for x, y in zip(a, b)]) if a.ndim > 2 or b.ndim > 2 else torch.sum(
            a * b, dim=ax_a)
        if out.ndim == 1:
            out = out.unsqueeze(-1)
        return out

    def get_config(self):
        config = super().get_config()
        config.update({"axes": list(self.axes), "normalize": self.normalize})
        return config


def _functional_form(cls: type[_Merge]):
    """`layers.add(inputs, **kwargs)` and the like: `cls(**kwargs)(inputs)`."""

    def merge(inputs, **kwargs):
        return cls(**kwargs)(inputs)

    merge.__name__ = merge.__qualname__ = cls.__name__.lower()
    merge.__doc__ = f"Functional form of `{cls.__name__}`."
    return merge


add = _functional_form(Add)
subtract = _functional_form(Subtract)
multiply = _functional_form(Multiply)
average = _functional_form(Average)
maximum = _functional_form(Maximum)
minimum = _functional_form(Minimum)


def concatenate(inputs, axis=-1, **kwargs):
    """Functional form of `Concatenate`."""
    return Concatenate(axis=axis, **kwargs)(inputs)


def dot(inputs, axes=-1, normalize=False, **kwargs):
    """Functional form of `Dot`."""
    return Dot(axes=axes, normalize=normalize, **kwargs)(inputs)
