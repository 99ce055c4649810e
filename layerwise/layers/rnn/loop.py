"""The timestep loop of `RNN`, with Keras 3's masking rules (any cell, any mask)."""

from __future__ import annotations

import torch


def _expand(mask_t: torch.Tensor, like: torch.Tensor) -> torch.Tensor:
    while mask_t.ndim < like.ndim:
        mask_t = mask_t.unsqueeze(-1)
    return mask_t


def flatten(states) -> list:
    """The tensors of a (possibly nested, for stacked cells) list of states."""
    if isinstance(states, (list, tuple)):
        return [leaf for s in states for leaf in flatten(s)]
    return [states]


def pack_like(structure, flat: list):
    """`flat` tensors in the nesting of `structure` (inverse of `flatten`)."""
    flat = list(flat)

    def build(node):
        if isinstance(node, (list, tuple)):
            return [build(n) for n in node]
        return flat.pop(0)

    return build(structure)


def rnn_loop(step, inputs: torch.Tensor, states: list, mask=None, go_backwards=False,
             zero_output_for_mask=False, return_sequences=True):
    """Runs `step(input_t, states) -> (output, new_states)` over axis 1 of `inputs`.

    Masked steps (`mask[:, t]` False) keep the previous states and repeat the
    previous output (zeros before the first step, or always zeros with
    `zero_output_for_mask`), as Keras' `backend.rnn` does.

    Returns:
        `(last_output, outputs or None, final_states)`; `outputs` is stacked on
        axis 1, in processing order (reversed with `go_backwards`).
    """
    steps = list(torch.unbind(inputs, dim=1))
    step_masks = list(torch.unbind(mask.bool(), dim=1)) if mask is not None else None
    if go_backwards:
        steps.reverse()
        if step_masks is not None:
            step_masks.reverse()
    outputs, output, prev_output = [], None, None
    for t, x_t in enumerate(steps):
        output, new_states = step(x_t, states)
        if step_masks is not None:
            m = step_masks[t]
            if prev_output is None or zero_output_for_mask:
                prev_output = torch.zeros_like(output)
            output = torch.where(_expand(m, output), output, prev_output)
            new_states = pack_like(new_states, [
                torch.where(_expand(m, new), new, old)
                for new, old in zip(flatten(new_states), flatten(states))])
            prev_output = output
        states = new_states
        if return_sequences:
            outputs.append(output)
    stacked = torch.stack(outputs, dim=1) if return_sequences else None
    return output, stacked, states
