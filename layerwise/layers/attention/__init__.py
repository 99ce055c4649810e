"""Attention layers: `Attention`, `AdditiveAttention`, `MultiHeadAttention`."""

from layerwise.layers.attention.attention import AdditiveAttention as AdditiveAttention
from layerwise.layers.attention.attention import Attention as Attention
from layerwise.layers.attention.multi_head_attention import (
    MultiHeadAttention as MultiHeadAttention,
)
