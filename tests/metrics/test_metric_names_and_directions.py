"""Every metric class Keras 3 also has gets Keras' default name (the snake-case class
name, made unique) and Keras' direction (`"up"` / `"down"`, read by `EarlyStopping` and
`ModelCheckpoint` with `mode="auto"`), also when `name=None` is passed."""

from __future__ import annotations

import inspect
import re

import pytest

import layerwise

pytestmark = pytest.mark.keras

THRESHOLD_ARGUMENT = {"SensitivityAtSpecificity": "specificity",
                      "SpecificityAtSensitivity": "sensitivity",
                      "PrecisionAtRecall": "recall", "RecallAtPrecision": "precision"}


def _arguments(name, K):
    if name in THRESHOLD_ARGUMENT:
        return {THRESHOLD_ARGUMENT[name]: 0.5}
    if name in ("IoU", "OneHotIoU"):
        return {"num_classes": 2, "target_class_ids": [0]}
    if name in ("MeanIoU", "OneHotMeanIoU"):
        return {"num_classes": 2}
    if name == "MeanMetricWrapper":
        return {"fn": K.metrics.mean_squared_error}
    return {}


def _classes(keras):
    return sorted(n for n in dir(layerwise.metrics)
                  if inspect.isclass(getattr(layerwise.metrics, n))
                  and issubclass(getattr(layerwise.metrics, n), layerwise.metrics.Metric)
                  and inspect.isclass(getattr(keras.metrics, n, None)))


def _stem(name):
    return re.sub(r"_\d+$", "", name)


@pytest.mark.parametrize("explicit_none", [False, True])
def test_default_names_and_directions_match_keras(keras, explicit_none):
    names = _classes(keras)
    assert len(names) > 40
    extra = {"name": None} if explicit_none else {}
    different = []
    for name in names:
        theirs = getattr(keras.metrics, name)(**_arguments(name, keras), **extra)
        ours = getattr(layerwise.metrics, name)(**_arguments(name, layerwise), **extra)
        seen = (_stem(ours.name), getattr(ours, "_direction", None))
        expected = (_stem(theirs.name), getattr(theirs, "_direction", None))
        if seen != expected:
            different.append((name, seen, expected))
    assert different == []


def test_a_wrapped_loss_is_a_down_metric_and_a_plain_function_has_no_direction():
    wrapped = layerwise.metrics.MeanMetricWrapper(layerwise.losses.MeanSquaredError())
    assert wrapped._direction == "down"
    assert layerwise.metrics.MeanMetricWrapper(layerwise.losses.huber)._direction == "down"
    plain = layerwise.metrics.MeanMetricWrapper(lambda y_true, y_pred: y_pred)
    assert getattr(plain, "_direction", None) is None
    assert _stem(plain.name) == "mean_metric_wrapper"
