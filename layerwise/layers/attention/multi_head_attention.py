"""`MultiHeadAttention` (Vaswani et al. 2017), Keras 3's weights, masks and results.

The four projections are sublayers named as Keras' `EinsumDense` ones
(`query`, `key`, `value`, `attention_output`) with Keras' kernel shapes:
`(dim, heads, key_dim)` and `(heads, value_dim, output_dim)`.
"""

from __future__ import annotations

import math

import torch

from layerwise import constraints as constraints_module
from layerwise import initializers as initializers_module
from layerwise import regularizers as regularizers_module
from layerwise.backend.keras_tensor import KerasTensor
from layerwise.layers.attention.attention import causal_mask
from layerwise.layers.layer import Layer
from layerwise.layers.masks import get_keras_mask, set_keras_mask
from layerwise.layers.regularization import _SeededMixin
from layerwise.layers.weight_config import set_weight_args


class _Projection(Layer):
    """`einsum(equation, x, kernel) + bias`: one projection of `MultiHeadAttention`."""

    def __init__(self, equation, kernel_shape, bias_shape, init, **kwargs):
        super().__init__(name=kwargs.pop("name"), dtype=kwargs.pop("dtype", None))
        self.equation, self.kernel_shape, self.bias_shape, self.init = (
            equation, kernel_shape, bias_shape, init)

    def build(self, input_shape=None):
        init = self.init
        self.kernel = self.add_weight(
            name="kernel", shape=self.kernel_shape,
            initializer=initializers_module.get(init["kernel_initializer"]),
            regularizer=init["kernel_regularizer"], constraint=init["kernel_constraint"])
        self.bias = None if self.bias_shape is None else self.add_weight(
            name="bias", shape=self.bias_shape,
            initializer=initializers_module.get(init["bias_initializer"]),
            regularizer=init["bias_regularizer"], constraint=init["bias_constraint"])
        self.built = True

    def call(self, inputs):
        out = torch.einsum(self.equation, inputs, self.kernel)
        return out + self.bias if self.bias is not None else out


class MultiHeadAttention(_SeededMixin, Layer):
    """Multi-head attention layer.

    Args:
        num_heads: Number of attention heads.
        key_dim: Size of each head for query and key.
        value_dim: Size of each head for value (default `key_dim`).
        dropout: Dropout of the attention weights.
        use_bias: Whether the projections have biases.
        output_shape: Last dimension of the output (default: the query's).
        kernel_initializer, bias_initializer, *_regularizer, *_constraint: Of
            the projections.
        seed: Seed of the dropout.

    Call arguments:
        query: `(batch, T, dim)`; value: `(batch, S, dim)`; key: optional,
            default `value`.
        attention_mask: Optional boolean `(batch, T, S)`; combined (AND) with
            the query's, value's and key's Keras masks and the causal mask.
        return_attention_scores: Also return `(batch, heads, T, S)` weights.
        use_causal_mask: Position `i` only attends to positions `<= i`.

    Example:

    >>> import torch, layerwise as keras
    >>> mha = keras.layers.MultiHeadAttention(num_heads=2, key_dim=4)
    >>> out, scores = mha(torch.ones(2, 3, 8), torch.ones(2, 5, 8),
    ...                   return_attention_scores=True)
    >>> out.shape, scores.shape
    (torch.Size([2, 3, 8]), torch.Size([2, 2, 3, 5]))
    """

    def __init__(self, num_heads, key_dim, value_dim=None, dropout=0.0, use_bias=True,
                 output_shape=None, attention_axes=None, kernel_initializer="glorot_uniform",
                 bias_initializer="zeros", kernel_regularizer=None, bias_regularizer=None,
                 activity_regularizer=None, kernel_constraint=None, bias_constraint=None,
                 seed=None, **kwargs):
        for key, default in (("use_gate", False), ("sliding_window", None),
                             ("flash_attention", None)):
            if kwargs.pop(key, default) not in (default, False, None):
                raise ValueError(f"MultiHeadAttention: `{key}` is not supported by layerwise.")
        super().__init__(activity_regularizer=activity_regularizer, **kwargs)
        if attention_axes not in (None, 1, (1,), [1], -2, (-2,), [-2]):
            raise ValueError(
                "MultiHeadAttention: layerwise supports attention over the sequence axis only "
                f"(attention_axes=None). Received: attention_axes={attention_axes!r}"
            )
        self.num_heads = num_heads
        self.key_dim = key_dim
        self.value_dim = value_dim if value_dim else key_dim
        self.dropout = dropout
        self.use_bias = use_bias
        if isinstance(output_shape, int):
            output_shape = (output_shape,)
        self._output_shape = tuple(output_shape) if output_shape else None
        self.attention_axes = attention_axes
        set_weight_args(
            self, kernel_initializer=kernel_initializer, bias_initializer=bias_initializer,
            kernel_regularizer=kernel_regularizer, bias_regularizer=bias_regularizer,
            kernel_constraint=kernel_constraint, bias_constraint=bias_constraint)
        self.seed = seed
        self.supports_masking = True
        self._shapes = None

    # ----------------------------------------------------------------- build
    def build(self, query_shape, value_shape=None, key_shape=None):
        if value_shape is None:
            return  # the value's shape is known at the first call (`_build_from`)
        key_shape = value_shape if key_shape is None else key_shape
        if tuple(value_shape)[1:-1] != tuple(key_shape)[1:-1]:
            raise ValueError(
                "All dimensions of `value` and `key`, except the last one, must be equal. "
                f"Received: value_shape={value_shape} and key_shape={key_shape}"
            )
        if len(query_shape) != 3:
            raise ValueError(
                "MultiHeadAttention: layerwise supports `(batch, steps, dim)` inputs. "
                f"Received query_shape={tuple(query_shape)}."
            )
        init = {"kernel_initializer": initializers_module.serialize(self.kernel_initializer),
                "bias_initializer": initializers_module.serialize(self.bias_initializer),
                "kernel_regularizer": self.kernel_regularizer,
                "bias_regularizer": self.bias_regularizer,
                "kernel_constraint": self.kernel_constraint,
                "bias_constraint": self.bias_constraint}
        heads, kd, vd = self.num_heads, self.key_dim, self.value_dim
        bias = self.use_bias

        def proj(name, dim, width):
            layer = _Projection("abc,cde->abde", (dim, heads, width),
                                (heads, width) if bias else None, init, name=name,
                                dtype=self._dtype_name)
            layer._build_device = self._build_device
            layer.build()
            return layer

        self.query_dense = proj("query", query_shape[-1], kd)
        self.key_dense = proj("key", key_shape[-1], kd)
        self.value_dense = proj("value", value_shape[-1], vd)
        out_dim = self._output_shape[-1] if self._output_shape else query_shape[-1]
        self.output_dense = _Projection("abcd,cde->abe", (heads, vd, out_dim),
                                         (out_dim,) if bias else None, init,
                                         name="attention_output", dtype=self._dtype_name)
        self.output_dense._build_device = self._build_device
        self.output_dense.build()
        self._shapes = {"query_shape": list(query_shape), "value_shape": list(value_shape)}
        if key_shape is not value_shape:
            self._shapes["key_shape"] = list(key_shape)
        self.built = True

    def _build_from(self, query, value, key) -> None:
        if self._shapes is None:
            self.build(tuple(query.shape), tuple(value.shape),
                       None if key is None else tuple(key.shape))

    def get_build_config(self):
        return None if self._shapes is None else {"shapes_dict": self._shapes}

    def build_from_config(self, config):
        if config and "shapes_dict" in config:
            shapes = {k: tuple(v) for k, v in config["shapes_dict"].items()}
            self.build(**shapes)
        elif config and "input_shape" in config:
            self.build(tuple(config["input_shape"]), tuple(config["input_shape"]))
        self.built = True

    # ------------------------------------------------------------------ call
    def _attention_mask(self, query, value, query_mask, value_mask, key_mask, attention_mask,
                        use_causal_mask):
        auto = None
        if query_mask is not None:
            auto = query_mask.bool().unsqueeze(-1)
        for mask in (value_mask, key_mask):
            if mask is not None:
                mask = mask.bool().unsqueeze(-2)
                auto = mask if auto is None else auto & mask
        if use_causal_mask:
            mask = causal_mask(query.shape[1], value.shape[1], query.device)
            auto = mask if auto is None else auto & mask
        if attention_mask is not None:
            attention_mask = attention_mask.bool()
        if auto is not None:
            attention_mask = auto if attention_mask is None else attention_mask & auto
        return attention_mask

    def call(self, query, value, key=None, query_mask=None, value_mask=None, key_mask=None,
             attention_mask=None, return_attention_scores=False, training=None,
             use_causal_mask=False):
        self._build_from(query, value, key)
        if key is None:
            key = value
        # As Keras: the query's own mask counts (the argument is ignored), and the
        # inputs' masks are consumed.
        query_mask = get_keras_mask(query)
        for tensor in (query, value, key):
            set_keras_mask(tensor, None)
        mask = self._attention_mask(query, value, query_mask, value_mask, key_mask,
                                    attention_mask, use_causal_mask)
        q = self.query_dense(query) * (1.0 / math.sqrt(float(self.key_dim)))
        k = self.key_dense(key)
        v = self.value_dense(value)
        scores = torch.einsum("aecd,abcd->acbe", k, q)
        if mask is not None:
            while mask.ndim < scores.ndim:
                mask = mask.unsqueeze(-3)
            big = -3e4 if scores.dtype == torch.float16 else -1e9
            scores = torch.where(mask, scores, torch.full((), big, dtype=scores.dtype,
                                                          device=scores.device))
        weights = torch.softmax(scores, dim=-1)
        if mask is not None:
            weights = torch.where(mask, weights, torch.zeros((), dtype=weights.dtype,
                                                             device=weights.device))
        dropped = weights
        if training and self.dropout > 0:
            keep = self._uniform(weights.shape, weights) >= self.dropout
            dropped = weights * keep.to(weights.dtype) / (1.0 - self.dropout)
        output = self.output_dense(torch.einsum("acbe,aecd->abcd", dropped, v))
        if query_mask is not None:
            set_keras_mask(output, query_mask)
        if return_attention_scores:
            return output, weights
        return output

    def compute_output_shape(self, query_shape, value_shape=None, key_shape=None):
        out = self._output_shape if self._output_shape else (tuple(query_shape)[-1],)
        return (*tuple(query_shape)[:-1], *out)

    def compute_output_spec(self, query, value=None, key=None, return_attention_scores=False,
                            **kwargs):
        if value is not None:
            self._build_from(query, value, key)
        out = KerasTensor(self.compute_output_shape(query.shape), dtype=self.torch_dtype)
        if return_attention_scores:
            source = key if key is not None else value
            scores = (query.shape[0], self.num_heads, query.shape[1], source.shape[1])
            return [out, KerasTensor(scores, dtype=self.torch_dtype)]
        return out

    def get_config(self):
        config = super().get_config()
        config.update({
            "num_heads": self.num_heads,
            "key_dim": self.key_dim,
            "value_dim": self.value_dim,
            "dropout": self.dropout,
            "use_bias": self.use_bias,
            "output_shape": self._output_shape,
            "attention_axes": self.attention_axes,
            "kernel_initializer": initializers_module.serialize(self.kernel_initializer),
            "bias_initializer": initializers_module.serialize(self.bias_initializer),
            "kernel_regularizer": regularizers_module.serialize(self.kernel_regularizer),
            "bias_regularizer": regularizers_module.serialize(self.bias_regularizer),
            "activity_regularizer": regularizers_module.serialize(self.activity_regularizer),
            "kernel_constraint": constraints_module.serialize(self.kernel_constraint),
            "bias_constraint": constraints_module.serialize(self.bias_constraint),
            "seed": self.seed,
        })
        return config
