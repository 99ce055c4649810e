"""The trainer's and the optimizer's class-level state annotations."""

from __future__ import annotations

import inspect
import types
import typing

import numpy as np

import layerwise as keras
from layerwise.optimizers.optimizer import Optimizer
from layerwise.trainers import train_state
from layerwise.trainers.trainer import Trainer
from layerwise.trainers.trainer_state import TrainerState


def test_trainer_state_declares_exactly_what_init_state_sets():
    holder = types.SimpleNamespace()
    train_state.init_state(holder)
    assert set(inspect.get_annotations(TrainerState)) == set(vars(holder))
    assert issubclass(Trainer, TrainerState)


def test_trainer_annotations_create_no_class_attribute():
    names = inspect.get_annotations(TrainerState)
    assert not set(names) & set(vars(TrainerState))
    # `metrics` and `_output_names` are declared for the checker only (TYPE_CHECKING).
    assert set(vars(TrainerState)) <= {"__module__", "__qualname__", "__doc__",
                                       "__annotations__", "__dict__", "__weakref__",
                                       "__static_attributes__", "__firstlineno__"}


def test_model_state_matches_the_annotations_after_fit():
    model = keras.Sequential([keras.Input((3,)), keras.layers.Dense(1)])
    hints = typing.get_type_hints(type(model))  # resolves (ONNX exporter calls it)
    for name in inspect.get_annotations(TrainerState):
        assert name in hints and name in vars(model), name
    assert model.compiled is False and model.optimizer is None
    model.compile(optimizer="sgd", loss="mse")
    model.fit(np.ones((4, 3), "float32"), np.ones((4, 1), "float32"), epochs=1, verbose=0)
    assert isinstance(model.optimizer, Optimizer)
    assert isinstance(model._trainable_params, list) and len(model._trainable_params) == 2
    assert model.history is not None and model.epoch_loop is None


def test_optimizer_annotations_are_set_by_init_and_create_no_class_attribute():
    names = inspect.get_annotations(Optimizer)
    assert {"_iterations", "_variables", "_learning_rate", "built"} <= set(names)
    assert not set(names) & set(vars(Optimizer))
    opt = keras.optimizers.Adam(learning_rate=0.01)
    missing = [n for n in names if n not in vars(opt)]
    assert not missing, f"declared on Optimizer but not set by __init__: {missing}"
    typing.get_type_hints(Optimizer)
