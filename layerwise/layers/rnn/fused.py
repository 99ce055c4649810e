"""torch's fused recurrent kernels (`torch._VF.lstm/gru/rnn_tanh/rnn_relu`) behind Keras weights.

The only place in layerwise that calls `torch._VF`. `fused_kind(cell)` says
whether a cell's math is exactly one of torch's kernels; `torch_weights(cell)`
converts Keras' layout (kernels `(input, gates*units)`, gate order LSTM
`i, f, c, o`, GRU `z, r, h`) to torch's (`weight_ih (gates*units, input)`,
LSTM `i, f, g, o`, GRU `r, z, n`) in one place, once per call (never per
timestep): transposed views of Keras' variables for LSTM and SimpleRNN (no
copy), one gather for GRU's gate reordering; under autograd the conversion is
part of the graph, so gradients reach Keras' variables; without gradients the
views are cached (see `torch_weights` for why the cache cannot go stale).
`run(...)` runs a whole sequence, with right-padded masks as packed sequences.
"""

from __future__ import annotations

import torch
from torch.nn.utils.rnn import pack_padded_sequence, pad_packed_sequence

from layerwise import activations as activations_module
from layerwise.layers.rnn.cells import GRUCell, LSTMCell, SimpleRNNCell


def fused_kind(cell) -> str | None:
    """`"lstm"`, `"gru"`, `"rnn_tanh"`, `"rnn_relu"` when torch's kernel computes exactly
    this cell (built-in class, default activations, GRU `reset_after=True`), else `None`."""
    tanh, sigmoid = activations_module.get("tanh"), activations_module.get("sigmoid")
    kind = type(cell)
    if kind is LSTMCell and cell.activation is tanh and cell.recurrent_activation is sigmoid:
        return "lstm"
    if (kind is GRUCell and cell.reset_after and cell.activation is tanh
            and cell.recurrent_activation is sigmoid):
        return "gru"
    if kind is SimpleRNNCell and cell.activation is tanh:
        return "rnn_tanh"
    if kind is SimpleRNNCell and cell.activation is activations_module.get("relu"):
        return "rnn_relu"
    return None


_GRU_ORDER: dict = {}  # (units, device) -> index of Keras' z, r, h columns in r, z, n order


def _gru_order(w: torch.Tensor, dim: int) -> torch.Tensor:
    """Keras' `z, r, h` gate blocks along `dim` in torch's `r, z, n` order: one gather."""
    units = w.shape[dim] // 3
    key = (units, w.device)
    index = _GRU_ORDER.get(key)
    if index is None:
        index = torch.cat([torch.arange(units, 2 * units), torch.arange(units),
                           torch.arange(2 * units, 3 * units)]).to(w.device)
        _GRU_ORDER[key] = index
    return w.index_select(dim, index)


def _zero_bias(cell, like: torch.Tensor) -> torch.Tensor:
    """torch's second bias (Keras has one): zeros, cached per shape, dtype and device."""
    key = (tuple(like.shape), like.dtype, like.device)
    cached = cell.__dict__.get("_zero_bias")
    if cached is None or cached[0] != key:
        cached = (key, torch.zeros(like.shape, dtype=like.dtype, device=like.device))
        cell.__dict__["_zero_bias"] = cached
    return cached[1]


def _convert(cell, kind: str) -> list[torch.Tensor]:
    kernel, recurrent = cell.kernel, cell.recurrent_kernel
    if kind == "gru":
        params = [_gru_order(kernel, 1).t(), _gru_order(recurrent, 1).t()]
        if cell.bias is not None:
            params += [_gru_order(cell.bias[0], 0), _gru_order(cell.bias[1], 0)]
        return params
    params = [kernel.t(), recurrent.t()]
    if cell.bias is not None:
        params += [cell.bias, _zero_bias(cell, cell.bias)]
    return params


def _identity(t: torch.Tensor) -> tuple:
    # What a cached view depends on: the tensor object and where its values live.
    # `param.data = other` (`.to()`, `.double()`) changes the storage, so the key.
    return (id(t), t.data_ptr(), t.dtype, t.device, tuple(t.shape), t.stride(), t._version)


def torch_weights(cell, kind: str) -> list[torch.Tensor]:
    """`[weight_ih, weight_hh(, bias_ih, bias_hh)]` in torch's layout for `cell`.

    The one place Keras' layout becomes torch's. While autograd records (training),
    the conversion is part of the graph so gradients reach Keras' variables, and
    is rebuilt each call (the weights change every step anyway; it costs ~15 us
    against milliseconds for the kernel). Without gradients (predict, evaluate)
    the result is cached, and a cached entry can never be stale: LSTM and
    SimpleRNN entries are transposed views that alias the variables' storage
    (any in-place write shows through them, even through `.data`), keyed on the
    variables' identity, storage and version; GRU's gate reordering is a copy,
    so it is not cached (a write through `.data` bumps no version counter).
    """
    sources = [cell.kernel, cell.recurrent_kernel]
    if cell.bias is not None:
        sources.append(cell.bias)
    if kind == "gru" or (torch.is_grad_enabled() and any(s.requires_grad for s in sources)):
        return _convert(cell, kind)
    key = (kind, *(_identity(s) for s in sources))
    cached = cell.__dict__.get("_torch_weights")
    if cached is None or cached[0] != key:
        with torch.no_grad():
            cached = (key, _convert(cell, kind))
        cell.__dict__["_torch_weights"] = cached
    return cached[1]


def right_padded_lengths(mask: torch.Tensor) -> torch.Tensor | None:
    """Per-sample lengths (on the CPU) if `mask` is `True` then `False` along time and no
    sequence is empty, else `None` (the loop then handles it). One host sync."""
    lengths = mask.sum(dim=1)
    steps = torch.arange(mask.shape[1], device=mask.device)
    ok = torch.all(mask == (steps[None, :] < lengths[:, None])) & torch.all(lengths > 0)
    return lengths.cpu() if bool(ok) else None


def _call(kind, x, states, params, has_bias, training, batch_sizes=None):
    """One layer of torch's kernel; `x` batch-first (or packed data with `batch_sizes`)."""
    fn = {"lstm": torch._VF.lstm, "gru": torch._VF.gru,
          "rnn_tanh": torch._VF.rnn_tanh, "rnn_relu": torch._VF.rnn_relu}[kind]
    hx = tuple(s.unsqueeze(0) for s in states) if kind == "lstm" else states[0].unsqueeze(0)
    if batch_sizes is None:
        result = fn(x, hx, params, has_bias, 1, 0.0, training, False, True)
    else:
        result = fn(x, batch_sizes, hx, params, has_bias, 1, 0.0, training, False)
    out, new_states = result[0], [s.squeeze(0) for s in result[1:]]
    return out, new_states


def run(kind: str, cell, x: torch.Tensor, states: list, lengths=None, go_backwards=False,
        zero_output_for_mask=False, training=False):
    """Runs the fused kernel over `x (batch, time, features)` with Keras' semantics.

    Returns `(last_output, outputs, new_states)` exactly as Keras' loop would:
    `outputs` in processing order (reversed time with `go_backwards`), masked
    steps repeating the previous output (or zeros with `zero_output_for_mask`).
    """
    params = torch_weights(cell, kind)
    has_bias = cell.bias is not None
    if lengths is None:
        if go_backwards:
            x = torch.flip(x, dims=(1,))
        out, new_states = _call(kind, x.contiguous(), states, params, has_bias, training)
        # The final `h` is the last output: taking it (not `out[:, -1]`) spares the backward
        # pass a zero-filled gradient of the whole output when only the last one is used.
        return new_states[0], out, new_states
    steps = x.shape[1]
    device = x.device
    dev_lengths = lengths.to(device)
    t = torch.arange(steps, device=device)
    if go_backwards:  # each sequence's valid part, reversed, then right-padded
        index = (dev_lengths[:, None] - 1 - t[None, :]).clamp(min=0)
        x = torch.gather(x, 1, index[:, :, None].expand(-1, -1, x.shape[2]))
    packed = pack_padded_sequence(x, lengths, batch_first=True, enforce_sorted=False)
    order, unorder = packed.sorted_indices, packed.unsorted_indices
    states = [s.index_select(0, order) for s in states]
    out, new_states = _call(kind, packed.data, states, params, has_bias, training,
                            packed.batch_sizes)
    new_states = [s.index_select(0, unorder) for s in new_states]
    out, _ = pad_packed_sequence(
        torch.nn.utils.rnn.PackedSequence(out, packed.batch_sizes, order, unorder),
        batch_first=True, total_length=steps)
    last = new_states[0]
    valid = t[None, :] < dev_lengths[:, None]
    if go_backwards:
        # Keras saw the padding first: zeros (nothing computed yet), then the outputs.
        shift = (t[None, :] - (steps - dev_lengths)[:, None]).clamp(min=0)
        out = torch.gather(out, 1, shift[:, :, None].expand(-1, -1, out.shape[2]))
        valid = t[None, :] >= (steps - dev_lengths)[:, None]
        return last, torch.where(valid[:, :, None], out, torch.zeros((), dtype=out.dtype,
                                                                      device=device)), new_states
    if zero_output_for_mask:
        last = torch.where(valid[:, -1:], last, torch.zeros((), dtype=last.dtype, device=device))
        return last, out, new_states
    return last, torch.where(valid[:, :, None], out, new_states[0][:, None, :]), new_states
