"""`Layer`'s class-level state annotations: declarations only, no effect on nn.Module."""

from __future__ import annotations

import inspect
import typing

import pytest
import torch

import layerwise as keras
from layerwise.layers.layer import Layer


def _own_annotations(cls) -> dict:
    return inspect.get_annotations(cls)


def test_annotations_declare_the_state_and_create_no_class_attribute():
    names = _own_annotations(Layer)
    assert {"name", "built", "_trainable_variables", "_non_trainable_variables",
            "_dtype_name", "_build_input_shape"} <= set(names)
    # An annotation without a value adds nothing to the class: nn.Module's attribute
    # lookup and `add_weight`'s `hasattr(type(self), name)` check see no change.
    assert not set(names) & set(vars(Layer))
    assert not any(hasattr(Layer, n) for n in names)


def test_every_annotated_attribute_is_set_by_init_and_build():
    layer = keras.layers.Dense(3)
    missing = [n for n in _own_annotations(Layer) if n not in vars(layer)]
    assert not missing, f"declared on Layer but not set by __init__: {missing}"
    layer(torch.ones(2, 4))
    assert layer.built and layer._build_input_shape == (None, 4)


def test_type_hints_resolve_at_run_time():
    # The TorchScript ONNX exporter calls `typing.get_type_hints(type(module))`.
    for cls in (Layer, keras.layers.Dense, keras.Sequential, keras.Model):
        hints = typing.get_type_hints(cls)
        assert hints["built"] is bool
        assert "_trainable_variables" in hints


@pytest.mark.filterwarnings("ignore::torch.jit.TracerWarning")
@pytest.mark.filterwarnings("ignore:`torch.jit.trace:DeprecationWarning")
def test_module_registries_state_dict_and_trace_are_unchanged():
    torch.manual_seed(0)
    model = keras.Sequential([keras.Input((4,)), keras.layers.Dense(3),
                              keras.layers.BatchNormalization(), keras.layers.Dense(2)])
    keys = list(model.state_dict())
    assert [k.rsplit(".", 1)[1] for k in keys] == [
        "kernel", "bias", "gamma", "beta", "moving_mean", "moving_variance", "kernel", "bias"]
    assert [n for n, _ in model.named_parameters()] == keys
    assert list(model.named_buffers()) == []
    assert not set(_own_annotations(Layer)) & (set(model._parameters) | set(model._modules))
    x = torch.randn(5, 4)
    traced = torch.jit.trace(model, x, check_trace=False)
    torch.testing.assert_close(traced(x), model(x))
