"""`DataAdapter`: the one protocol `fit`, `evaluate` and `predict` read data through.

Every input kind (arrays, tensors, DataFrames, generators, iterables, `PyDataset`,
torch `Dataset`/`DataLoader`, `tf.data`) has an adapter with the same interface,
so the trainer never asks what the user passed:

- `steps`: batches per epoch, or `None` when unknown (a generator without `len`);
- `epoch()`: yields the `(x, y, sample_weight)` batches of one epoch, as device tensors;
- `sample_x()`: inputs to build an unbuilt model before the first batch, or `None`
  when they only come with the first batch (the epoch loop then builds from it);
- `on_device(device)`: the adapter producing batches on `device`;
- `check(model, finite)`: one-off checks of the data against the model;
- `exhausted`: `True` once a one-shot generator has run out.
"""

from __future__ import annotations

import torch


class DataAdapter:
    """Base class of the data adapters (see the module docstring)."""

    exhausted = False
    device: torch.device | None = None

    @property
    def steps(self) -> int | None:
        raise NotImplementedError

    def epoch(self):
        raise NotImplementedError

    def sample_x(self):
        """Inputs available before iterating (to build the model), else `None`."""
        return None

    def on_device(self, device: torch.device) -> DataAdapter:
        """This adapter, producing batches on `device` from now on."""
        self.device = device
        return self

    def check(self, model, finite: bool = True) -> None:
        """Checks the whole data against `model` once (arrays only; streams are not read)."""
