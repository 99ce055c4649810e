"""Metric state: device-resident tensors, no host synchronisation, `Metric.to`, reset, custom metrics.

"No host sync" is checked on PyTorch's `meta` device: a meta tensor has a
shape but no data, so any `.item()`, `float(t)`, `bool(t)`, `.cpu()` or
`.numpy()` raises. Every metric must update (and compute its result) there.
"""

from __future__ import annotations

import numpy as np
import pytest
import torch

import layerwise
from layerwise.backend.variables import Variable

try:  # The metric table is shared with the Keras parity tests.
    from .test_metrics_keras_parity import CASES, make_data, make_weights
except ImportError:  # `tests/metrics` collected without an `__init__.py`.
    from test_metrics_keras_parity import CASES, make_data, make_weights

CASE_IDS = [c.id for c in CASES]


def _inputs(kind, weight_kind, integer_weights, device):
    rng = np.random.default_rng(0)
    y_true, y_pred = make_data(kind, rng)
    sw = make_weights(weight_kind, y_true, rng, integer_weights)
    def conv(a):
        return None if a is None else torch.from_numpy(a).to(device)

    return conv(y_true), conv(y_pred), conv(sw)


@pytest.mark.parametrize("make,kind,weight_kinds,integer_weights",
                         [c.values for c in CASES], ids=CASE_IDS)
def test_update_and_result_never_read_the_device(make, kind, weight_kinds, integer_weights):
    metric = make(layerwise)
    for weight_kind in weight_kinds:
        y_true, y_pred, sw = _inputs(kind, weight_kind, integer_weights, "meta")
        metric.update_state(y_true, y_pred, sample_weight=sw)
        metric.update_state(y_true, y_pred, sample_weight=sw)
        result = metric.result()
        assert isinstance(result, torch.Tensor)
        assert result.device.type == "meta"
        assert metric.device.type == "meta"
        for v in metric.variables:
            assert v.device.type == "meta"
        metric.reset_state()


@pytest.mark.parametrize("name", ["Mean", "Sum"])
def test_reducers_never_read_the_device(name):
    metric = getattr(layerwise.metrics, name)()
    values = torch.ones(8, 3, device="meta")
    metric.update_state(values)
    metric.update_state(values, sample_weight=2.0)
    metric.update_state(values, sample_weight=torch.ones(8, device="meta"))
    assert metric.result().device.type == "meta"


def test_unweighted_mean_keeps_the_count_on_the_host():
    m = layerwise.metrics.Mean()
    m.update_state(torch.arange(4.0))
    m.update_state(torch.tensor(2.0), sample_weight=3)  # A loss and its batch size.
    assert isinstance(m.count, float) and m.count == 7.0
    assert float(m.result()) == pytest.approx((0 + 1 + 2 + 3 + 6) / 7)
    m.update_state(torch.ones(2), sample_weight=torch.tensor([1.0, 0.0]))
    assert isinstance(m.count, torch.Tensor)  # Per-sample weights: counted on the device.
    assert float(m.result()) == pytest.approx((12 + 1) / 8)
    m.reset_state()
    assert m.count == 0.0 and float(m.result()) == 0.0


def test_state_follows_the_inputs_device():
    m = layerwise.metrics.AUC(multi_label=True)
    assert m.device.type == "cpu"
    m.update_state(torch.ones(4, 3, device="meta"), torch.rand(4, 3, device="meta"))
    assert m.device.type == "meta"
    assert all(v.device.type == "meta" for v in m.variables)
    assert len(m.variables) == 4 and tuple(m.true_positives.shape) == (200, 3)


def test_to_moves_every_tensor():
    m = layerwise.metrics.AUC(label_weights=[1.0, 2.0], thresholds=[0.3, 0.6])
    p = layerwise.metrics.Precision(thresholds=[0.2, 0.7])
    iou = layerwise.metrics.IoU(num_classes=3, target_class_ids=[1])
    mean = layerwise.metrics.Mean()
    mean.update_state([1.0, 2.0], sample_weight=[1.0, 1.0])  # Count becomes a tensor.
    assert float(mean.to("cpu").result()) == 1.5  # Same device: state kept.
    for metric in (m, p, iou, mean):
        assert metric.to("meta") is metric
        tensors = [v for v in vars(metric).values() if isinstance(v, torch.Tensor)]
        assert tensors and all(t.device.type == "meta" for t in tensors)
        assert all(isinstance(v, Variable) and not v.requires_grad for v in metric.variables)
        assert metric.result().device.type == "meta"


def test_updates_do_not_track_gradients():
    y_pred = torch.rand(6, 3, requires_grad=True)
    y_true = torch.randint(0, 2, (6, 3)).float()
    sw = torch.rand(6, requires_grad=True)
    for metric in (layerwise.metrics.AUC(), layerwise.metrics.BinaryAccuracy(),
                   layerwise.metrics.Precision(top_k=2), layerwise.metrics.F1Score(),
                   layerwise.metrics.RootMeanSquaredError(), layerwise.metrics.R2Score(),
                   layerwise.metrics.BinaryCrossentropy()):
        with torch.enable_grad():
            metric.update_state(y_true, y_pred, sample_weight=sw)
            result = metric.result()
        assert not result.requires_grad and result.grad_fn is None
        assert all(not v.requires_grad and v.grad_fn is None for v in metric.variables)
    assert y_pred.grad is None


def test_reset_state_zeroes_in_place():
    m = layerwise.metrics.TruePositives(thresholds=[0.1, 0.9])
    acc = m.accumulator
    m.update_state([1, 1, 0], [0.5, 0.95, 0.7])
    assert m.result().tolist() == [2.0, 1.0]
    m.reset_state()
    assert m.accumulator is acc and acc.tolist() == [0.0, 0.0]


def test_variables_are_named_like_keras(keras):
    ours, theirs = layerwise.metrics.Precision(), keras.metrics.Precision()
    assert [v.name for v in ours.variables] == [v.name for v in theirs.variables]
    ours, theirs = layerwise.metrics.AUC(), keras.metrics.AUC()
    assert [v.name for v in ours.variables] == [v.name for v in theirs.variables]


def test_keras_style_custom_metric():
    class BinaryTruePositives(layerwise.metrics.Metric):
        def __init__(self, name="binary_true_positives", **kwargs):
            super().__init__(name=name, **kwargs)
            self.true_positives = self.add_variable(shape=(), initializer="zeros",
                                                    name="true_positives")

        def update_state(self, y_true, y_pred, sample_weight=None):
            y_true = torch.as_tensor(y_true).bool()
            y_pred = torch.as_tensor(y_pred).bool()
            values = torch.logical_and(y_true, y_pred).float()
            if sample_weight is not None:
                values = values * torch.as_tensor(sample_weight)
            self.true_positives.assign_add(torch.sum(values))

        def result(self):
            return self.true_positives.clone()

    m = BinaryTruePositives()
    m.update_state([0, 1, 1, 1], [1, 0, 1, 1])
    assert float(m.result()) == 2.0
    m.reset_state()
    assert float(m.result()) == 0.0
    assert [v.name for v in m.variables] == ["true_positives"]
    m.to("meta")
    assert m.true_positives.device.type == "meta" and m.variables[0] is m.true_positives


def test_fit_keeps_metric_state_in_tensors():
    rng = np.random.default_rng(0)
    x = rng.normal(size=(32, 4)).astype("float32")
    y = rng.integers(0, 2, (32, 1)).astype("float32")
    model = layerwise.Sequential([layerwise.Input((4,)),
                                  layerwise.layers.Dense(1, activation="sigmoid")])
    model.compile(optimizer="sgd", loss="binary_crossentropy",
                  metrics=["AUC", "acc", "mse", layerwise.metrics.Precision(thresholds=0.3)])
    history = model.fit(x, y, batch_size=8, epochs=1, verbose=0)
    assert set(history.history) == {"AUC", "acc", "mse", "precision", "loss"}
    loss_tracker, compile_metrics = model.metrics  # Keras 3: the compiled metrics' container
    for metric in [loss_tracker, *compile_metrics.metrics]:
        for v in metric.variables:
            assert isinstance(v, torch.Tensor) and v.device == metric.device
        assert isinstance(metric.result(), torch.Tensor)


def test_keras_3_names_resolve():
    for name in ("mse", "MSE", "mae", "mape", "msle", "bce", "AUC", "auc", "log_cosh",
                 "top_k_categorical_accuracy", "sparse_top_k_categorical_accuracy",
                 "RootMeanSquaredError", "r2_score", "f1_score", "hinge"):
        assert layerwise.metrics.get(name) is not None
    with pytest.raises(ValueError, match="Unknown metric"):
        layerwise.metrics.get("not_a_metric")
