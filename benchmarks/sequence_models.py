"""The W6 / W7 text models' hand-written torch peer (the Keras-API model is
`keras_worker.build_text_model`).

W6 is keras.io's bidirectional LSTM on IMDB, W7 the Embedding -> LSTM -> Dense
of "Deep Learning with Python". The torch peer is what a PyTorch user writes:
`nn.Embedding`, `nn.LSTM(batch_first=True, bidirectional=...)` (cuDNN / the
fused CPU kernel), the last timestep's output of each direction, `nn.Linear`,
logits into `binary_cross_entropy_with_logits`.
"""

from __future__ import annotations

import torch
from torch import nn


class TorchText(nn.Module):
    """Embedding -> (Bi)LSTM stack -> Linear, producing logits."""

    def __init__(self, vocabulary, embedding, units, bidirectional):
        super().__init__()
        self.embedding = nn.Embedding(vocabulary, embedding)
        nn.init.uniform_(self.embedding.weight, -0.05, 0.05)  # Keras' "uniform"
        self.lstm = nn.LSTM(embedding, units, num_layers=max(1, bidirectional),
                            batch_first=True, bidirectional=bool(bidirectional))
        self.head = nn.Linear(units * (2 if bidirectional else 1), 1)
        self.bidirectional = bool(bidirectional)

    def forward(self, tokens):
        out, (h, _) = self.lstm(self.embedding(tokens))
        if self.bidirectional:  # final states of both directions of the last layer
            features = torch.cat([h[-2], h[-1]], dim=1)
        else:
            features = h[-1]
        return self.head(features)


def build_torch_text(workload) -> nn.Module:
    vocabulary, _, embedding, units, bidirectional = workload.text
    return TorchText(vocabulary, embedding, units, bidirectional)
