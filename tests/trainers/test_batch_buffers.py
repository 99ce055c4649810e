"""Shuffled batches of large arrays are gathered into reused memory, never overwriting a
batch that anyone still holds."""

from __future__ import annotations

import numpy as np
import torch

import layerwise
from layerwise.trainers import batch_buffers, data_adapters
from layerwise.trainers.batch_buffers import GatherBuffers

ROWS = 8
FEATURES = batch_buffers.MIN_BYTES // (4 * ROWS)  # a full batch is exactly MIN_BYTES


def id_rows(n: int) -> torch.Tensor:
    """`n` rows whose every entry is the row number: a gathered row names its source."""
    return torch.arange(n, dtype=torch.float32)[:, None].expand(n, FEATURES).contiguous()


def test_wanted_only_for_large_cpu_batches():
    assert GatherBuffers.wanted(id_rows(4 * ROWS), ROWS)
    assert not GatherBuffers.wanted(id_rows(4 * ROWS), ROWS // 2)
    assert not GatherBuffers.wanted(torch.zeros(100, 3), 32)


def test_gathers_into_two_alternating_buffers_when_released():
    source = id_rows(4 * ROWS)
    buffers = GatherBuffers(source, ROWS)
    pointers = []
    for start in range(0, 4 * ROWS, ROWS):
        index = torch.arange(start, start + ROWS).flip(0)
        batch = buffers.gather(index)
        torch.testing.assert_close(batch, source.index_select(0, index))
        pointers.append(batch.data_ptr())
        del batch
    assert pointers[0] == pointers[2] and pointers[1] == pointers[3]
    assert pointers[0] != pointers[1]


def test_partial_batch_gets_fresh_memory():
    source = id_rows(2 * ROWS)
    buffers = GatherBuffers(source, ROWS)
    full = buffers.gather(torch.arange(ROWS)).data_ptr()
    part = buffers.gather(torch.arange(3))
    assert part.shape[0] == 3 and part.data_ptr() != full
    torch.testing.assert_close(part, source[:3])


def _assert_intact(batch, index):
    expected = index.to(torch.float32)[:, None].expand(-1, FEATURES)
    torch.testing.assert_close(batch, expected)


def test_batch_held_by_a_python_reference_is_not_overwritten():
    source = id_rows(6 * ROWS)
    buffers = GatherBuffers(source, ROWS)
    kept = [(buffers.gather(torch.arange(i, i + ROWS)), torch.arange(i, i + ROWS))
            for i in range(0, 6 * ROWS, ROWS)]
    for batch, index in kept:
        _assert_intact(batch, index)


def test_batch_saved_by_autograd_or_viewed_is_not_overwritten():
    source = id_rows(4 * ROWS)
    buffers = GatherBuffers(source, ROWS)
    weight = torch.ones(FEATURES, 1, requires_grad=True)
    first = torch.arange(ROWS)
    # Only the graph holds the first batch (a view of it, saved for backward) ...
    loss = (buffers.gather(first)[1:] @ weight).sum()
    # ... and only a view of the second survives.
    view = buffers.gather(first + ROWS)[2:5]
    buffers.gather(first + 2 * ROWS)  # both slots are taken: fresh memory each time
    buffers.gather(first + 3 * ROWS)
    loss.backward()
    torch.testing.assert_close(weight.grad[:, 0], first[1:].sum().float().expand(FEATURES))
    _assert_intact(view, (first + ROWS)[2:5])


def test_adapter_epoch_yields_every_row_once_through_the_buffers():
    n = 5 * ROWS + 3
    adapter = data_adapters.ArrayDataAdapter(id_rows(n), torch.arange(n), batch_size=ROWS,
                                             shuffle=True)
    for _ in range(3):
        seen = []
        for xb, yb, _ in adapter.epoch():
            torch.testing.assert_close(xb[:, 0], yb.float())
            seen.extend(yb.tolist())
        assert sorted(seen) == list(range(n))
    assert adapter._x_buffers is not None


class KeepInputs(layerwise.layers.Layer):
    """Keeps every batch it sees, as a layer caching activations would."""

    def __init__(self, **kwargs):
        super().__init__(**kwargs)
        self.seen = []

    def call(self, inputs):
        self.seen.append(inputs)
        return inputs[:, :1]


def test_fit_never_overwrites_a_batch_a_layer_kept():
    n = 4 * ROWS
    x = id_rows(n).numpy()
    keep = KeepInputs()
    model = layerwise.Sequential([layerwise.Input((FEATURES,)), keep,
                                  layerwise.layers.Dense(1)])
    model.compile(optimizer="rmsprop", loss="mse")
    model.fit(x, np.zeros((n, 1), "float32"), batch_size=ROWS, epochs=2, verbose=0)
    batches = [b for b in keep.seen if b.shape[0] == ROWS]  # not the build-time call
    assert len(batches) == 8
    for epoch in (batches[:4], batches[4:]):
        rows = torch.cat([batch[:, 0] for batch in epoch])
        assert sorted(rows.tolist()) == list(range(n))  # no batch was overwritten
        for batch in epoch:
            assert bool((batch == batch[:, :1]).all())
