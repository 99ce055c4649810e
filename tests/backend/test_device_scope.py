"""`layerwise.device(...)` (Keras' `keras.device`) and `backend.set_device`: where
`compile()` places a model. The GPU is mocked only for the move itself."""

from __future__ import annotations

import threading

import pytest
import torch

import layerwise as keras
from layerwise.backend import device as device_module


def _model():
    return keras.Sequential([keras.Input((3,)), keras.layers.Dense(2)])


def test_scopes_nest_accept_keras_names_and_restore():
    outside = device_module.default_device()
    with keras.device("GPU:1") as target:
        assert target == torch.device("cuda", 1)
        assert device_module.default_device() == torch.device("cuda", 1)
        with keras.device("cpu"):
            assert device_module.default_device() == torch.device("cpu")
        assert device_module.default_device() == torch.device("cuda", 1)
    assert device_module.default_device() == outside


def test_a_scope_is_private_to_its_thread():
    seen = []
    with keras.device("cuda:3"):
        thread = threading.Thread(target=lambda: seen.append(device_module.default_device()))
        thread.start()
        thread.join()
    assert seen == [device_module.default_device()]


@pytest.mark.parametrize("bad", [3, None, "tpu:0", "cuda:x"])
def test_bad_device_names_are_refused(bad):
    with pytest.raises(ValueError, match="device_name"):
        with keras.device(bad):
            pass


def test_set_device_and_config_set_device_share_one_switch():
    try:
        keras.backend.set_device("gpu:2")
        assert device_module.default_device() == torch.device("cuda", 2)
        with keras.device("cpu"):  # a scope wins over the switch
            assert device_module.default_device() == torch.device("cpu")
        keras.config.set_device(None)
        assert device_module.default_device().type in ("cpu", "cuda")
        assert device_module.default_device() != torch.device("cuda", 2)
    finally:
        keras.config.set_device(None)


def test_compile_inside_a_gpu_scope_moves_the_model(monkeypatch):
    model = _model()
    moved = []
    monkeypatch.setattr(type(model), "to", lambda self, target: moved.append(target) or self)
    with keras.device("gpu:0"):
        model.compile(optimizer="sgd", loss="mse")
    assert moved == [torch.device("cuda", 0)]


def test_compile_inside_a_cpu_scope_keeps_the_model_on_the_cpu(monkeypatch):
    monkeypatch.setattr(torch.cuda, "is_available", lambda: True)  # a GPU machine
    model = _model()
    moved = []
    monkeypatch.setattr(type(model), "to", lambda self, target: moved.append(target) or self)
    with keras.device("cpu"):
        model.compile(optimizer="sgd", loss="mse")
    assert moved == []
    assert model.layers[0].kernel.device.type == "cpu"


def test_batches_go_to_cuda_through_pinned_memory_without_a_sync(monkeypatch):
    from layerwise.trainers import data_adapters

    calls = []
    monkeypatch.setattr(torch.Tensor, "pin_memory",
                        lambda self: calls.append("pin") or self)
    monkeypatch.setattr(torch.Tensor, "to",
                        lambda self, *a, **k: calls.append((a, k)) or self)
    data_adapters.to_tensor(torch.ones(2), torch.device("cuda"))
    assert calls == ["pin", ((torch.device("cuda"),), {"non_blocking": True})]
    calls.clear()
    data_adapters.to_tensor(torch.ones(2), torch.device("meta"))  # other devices: plain copy
    assert calls == [((torch.device("meta"),), {})]
