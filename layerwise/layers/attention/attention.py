"""`Attention` (Luong dot-product) and `AdditiveAttention` (Bahdanau), Keras 3 semantics."""

from __future__ import annotations

import torch

from layerwise.backend.keras_tensor import KerasTensor
from layerwise.layers.layer import Layer
from layerwise.layers.regularization import _SeededMixin

LARGE = 1.0e9


def causal_mask(q_steps: int, v_steps: int, device=None) -> torch.Tensor:
    """`(1, q_steps, v_steps)` lower-triangular boolean mask (query i sees keys <= i)."""
    rows = torch.arange(q_steps, device=device)[:, None]
    cols = torch.arange(v_steps, device=device)[None, :]
    return (rows >= cols)[None]


class Attention(_SeededMixin, Layer):
    """Dot-product attention layer, a.k.a. Luong-style attention.

    Args:
        use_scale: Learn a scalar to scale the scores.
        score_mode: `"dot"` (query-key products) or `"concat"` (sum of
            `tanh(query + key)`).
        dropout: Fraction of the attention weights to drop in training.
        seed: Seed of the dropout.

    Call arguments:
        inputs: `[query, value]` or `[query, value, key]`, each
            `(batch, steps, dim)`.
        mask: `[query_mask, value_mask]` (set automatically from the inputs'
            Keras masks): masked values get no attention, masked queries output 0.
        return_attention_scores: Also return the `(batch, Tq, Tv)` weights.
        use_causal_mask: Query `i` only attends to values `<= i`.

    Example:

    >>> import torch, layerwise as keras
    >>> q, v = torch.ones(2, 3, 4), torch.ones(2, 5, 4)
    >>> keras.layers.Attention()([q, v]).shape
    torch.Size([2, 3, 4])
    """

    def __init__(self, use_scale=False, score_mode="dot", dropout=0.0, seed=None, **kwargs):
        super().__init__(**kwargs)
        if score_mode not in ("dot", "concat"):
            raise ValueError(
                "Invalid value for argument score_mode. Expected one of {'dot', 'concat'}. "
                f"Received: score_mode={score_mode}"
            )
        self.use_scale = use_scale
        self.score_mode = score_mode
        self.dropout = dropout
        self.seed = seed
        self.supports_masking = True

    def _validate(self, inputs, mask=None) -> None:
        name = type(self).__name__
        if not isinstance(inputs, (list, tuple)) or not 2 <= len(inputs) <= 3:
            raise ValueError(
                f"{name} layer must be called on a list of inputs, namely [query, value] or "
                f"[query, value, key]. Received: inputs={inputs!r}."
            )
        if mask is not None and (not isinstance(mask, (list, tuple)) or not 2 <= len(mask) <= 3):
            raise ValueError(
                f"{name} layer mask must be a list, namely [query_mask, value_mask]. "
                f"Received: mask={mask!r}."
            )

    def build(self, input_shape):
        self._validate(input_shape)
        self.scale = (self.add_weight(name="scale", shape=(), initializer="ones")
                      if self.use_scale else None)
        self.concat_score_weight = None if self.score_mode != "concat" else self.add_weight(
            name="concat_score_weight", shape=(), initializer="ones")
        self.built = True

    def _calculate_scores(self, query, key):
        if self.score_mode == "dot":
            scores = torch.matmul(query, key.transpose(-2, -1))
            return scores * self.scale if self.scale is not None else scores
        summed = query.unsqueeze(-2) + key.unsqueeze(-3)
        if self.scale is not None:
            summed = self.scale * summed
        return self.concat_score_weight * torch.sum(torch.tanh(summed), dim=-1)

    def _apply_scores(self, scores, value, scores_mask=None, training=False):
        if scores_mask is not None:
            if scores_mask.ndim == 2:
                scores_mask = scores_mask.unsqueeze(-2)
            big = 65504.0 if scores.dtype == torch.float16 else LARGE
            scores = torch.where(scores_mask.bool(), scores, scores - big)
        weights = torch.softmax(scores, dim=-1)
        if training and self.dropout > 0:
            keep = self._uniform(weights.shape, weights) >= self.dropout
            weights = weights * keep.to(weights.dtype) / (1.0 - self.dropout)
        return torch.matmul(weights, value), weights

    def call(self, inputs, mask=None, training=False, return_attention_scores=False,
             use_causal_mask=False):
        self._validate(inputs, mask)
        q, v = inputs[0], inputs[1]
        k = inputs[2] if len(inputs) > 2 else v
        q_mask = mask[0] if mask else None
        v_mask = mask[1] if mask else None
        scores = self._calculate_scores(q, k)
        scores_mask = v_mask
        if use_causal_mask:
            causal = causal_mask(scores.shape[-2], scores.shape[-1], scores.device)
            scores_mask = causal if v_mask is None else v_mask.bool().unsqueeze(-2) & causal
        output, weights = self._apply_scores(scores, v, scores_mask, training)
        if q_mask is not None:
            output = torch.where(q_mask.bool().unsqueeze(-1), output,
                                 torch.zeros((), dtype=output.dtype, device=output.device))
        if return_attention_scores:
            return output, weights
        return output

    def compute_mask(self, inputs, mask=None):
        self._validate(inputs, mask)
        if mask is None or mask[0] is None:
            return None
        return mask[0]

    def compute_output_shape(self, input_shape):
        return (*tuple(input_shape[0])[:-1], tuple(input_shape[1])[-1])

    def compute_output_spec(self, inputs, return_attention_scores=False, **kwargs):
        self._validate(inputs)
        query, value = inputs[0], inputs[1]
        key = inputs[2] if len(inputs) > 2 else value
        out = KerasTensor((*query.shape[:-1], value.shape[-1]), dtype=self.torch_dtype)
        if return_attention_scores:
            return [out, KerasTensor((*query.shape[:-1], key.shape[-2]), dtype=self.torch_dtype)]
        return out

    def get_config(self):
        config = super().get_config()
        config.update({"use_scale": self.use_scale, "score_mode": self.score_mode,
                       "dropout": self.dropout, "seed": self.seed})
        return config


class AdditiveAttention(Attention):
    """Additive attention layer, a.k.a. Bahdanau-style attention.

    Scores are `sum(scale * tanh(query + key))` over the features, with a
    learned `scale` vector when `use_scale=True` (default).

    Example:

    >>> import torch, layerwise as keras
    >>> keras.layers.AdditiveAttention()([torch.ones(2, 3, 4), torch.ones(2, 5, 4)]).shape
    torch.Size([2, 3, 4])
    """

    def __init__(self, use_scale=True, dropout=0.0, **kwargs):
        kwargs.pop("score_mode", None)
        super().__init__(use_scale=use_scale, dropout=dropout, **kwargs)

    def build(self, input_shape):
        self._validate(input_shape)
        self.scale = None if not self.use_scale else self.add_weight(
            name="scale", shape=(tuple(input_shape[0])[-1],), initializer="glorot_uniform")
        self.built = True

    def _calculate_scores(self, query, key):
        summed = torch.tanh(query.unsqueeze(-2) + key.unsqueeze(-3))
        if self.scale is not None:
            summed = self.scale * summed
        return torch.sum(summed, dim=-1)

    def get_config(self):
        config = super().get_config()
        del config["score_mode"]
        return config
