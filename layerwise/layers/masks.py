"""Keras masks: a boolean tensor riding on a tensor as its `_keras_mask` attribute.

As in Keras 3, a layer whose `call` has a `mask` argument receives the mask of
its first input (or `<name>_mask` for each further tensor argument `<name>`),
and a layer with `supports_masking` sets `compute_mask(inputs, previous_mask)`
on its outputs. Masks are computed when real tensors flow (eager calls,
`Sequential` and functional models alike); losses and metrics read the mask of
the predictions.
"""

from __future__ import annotations

import inspect

import torch

from layerwise.backend.structure import leaves


def get_keras_mask(x):
    """The mask attached to `x`, or `None`."""
    return getattr(x, "_keras_mask", None) if isinstance(x, torch.Tensor) else None


def set_keras_mask(x, mask) -> None:
    """Attaches `mask` to the tensor `x` (nothing for `None` or non-tensors)."""
    if isinstance(x, torch.Tensor):
        if mask is None:
            if "_keras_mask" in x.__dict__:
                del x._keras_mask
        else:
            x._keras_mask = mask


def _structure_mask(x):
    if isinstance(x, (list, tuple)):
        masks = [get_keras_mask(v) for v in x]
        return None if all(m is None for m in masks) else masks
    if isinstance(x, dict):
        masks = {k: get_keras_mask(v) for k, v in x.items()}
        return None if all(m is None for m in masks.values()) else masks
    return get_keras_mask(x)


def _call_parameters(layer) -> list[str]:
    cls = type(layer)
    names = cls.__dict__.get("_cached_call_params")
    if names is None:
        names = list(inspect.signature(cls.call).parameters)[1:]  # drop `self`
        cls._cached_call_params = names
    return names


def _is_tensor_argument(value) -> bool:
    if isinstance(value, torch.Tensor):
        return True
    if isinstance(value, (list, tuple, dict)) and len(value) > 0:
        flat = leaves(value)
        return all(v is None or isinstance(v, torch.Tensor) for v in flat) and any(
            isinstance(v, torch.Tensor) for v in flat)
    return False


def populate_masks(layer, args: tuple, kwargs: dict):
    """Fills mask call arguments from the inputs' attached masks, by Keras 3's rule:
    with one tensor argument, `mask`; with several, `<name>_mask` for each `<name>`
    (so `LSTM()(x, initial_state=s)` gets no automatic mask, as in Keras).

    Returns:
        The previous mask for `compute_mask`: the `mask` argument if given, else
        the mask of the first input (read before the call, which may consume it).
    """
    params = _call_parameters(layer)
    named = dict(zip(params, args))
    named.update(kwargs)
    tensors = {k: v for k, v in named.items() if _is_tensor_argument(v)}
    if len(tensors) == 1:
        if "mask" in params and named.get("mask") is None:
            mask = _structure_mask(next(iter(tensors.values())))
            if mask is not None:
                kwargs["mask"] = mask
    elif len(tensors) > 1:
        for name, value in tensors.items():
            key = f"{name}_mask"
            if key in params and named.get(key) is None:
                mask = _structure_mask(value)
                if mask is not None:
                    kwargs[key] = mask
    if kwargs.get("mask") is not None:
        return kwargs["mask"]
    return _structure_mask(args[0])


def set_mask_metadata(layer, inputs, outputs, previous_mask) -> None:
    """Sets `layer.compute_mask(inputs, previous_mask)` on outputs that carry no mask."""
    flat = leaves(outputs)
    if flat and all(get_keras_mask(x) is not None for x in flat if isinstance(x, torch.Tensor)):
        return
    output_masks = layer.compute_mask(inputs, previous_mask)
    if output_masks is None:
        return
    masks = leaves(output_masks) if isinstance(output_masks, (list, tuple)) else [output_masks]
    for tensor, mask in zip(flat, masks):
        if mask is not None and get_keras_mask(tensor) is None:
            set_keras_mask(tensor, mask)




def has_mask(x) -> bool:
    """Whether any tensor of the structure `x` carries a mask."""
    return any(get_keras_mask(v) is not None for v in leaves(x))
