"""Differential tests: every metric against real Keras 3 (torch backend).

Each case builds the metric in both libraries with the same arguments, feeds
the same random data in two accumulated batches (without weights, with
per-sample weights and, where it applies, per-element weights), and compares
`result()` after each batch, then after `reset_state()`. Metric functions,
configs, registry names and the logs of `compile(metrics=[...])` are compared
as well.
"""

from __future__ import annotations

import zlib

import numpy as np
import pytest
import torch

import layerwise

pytestmark = [
    pytest.mark.keras,
    pytest.mark.filterwarnings("ignore::DeprecationWarning:keras.*"),
    # Adjusted R2 after `reset_state` (no samples) warns, in both libraries.
    pytest.mark.filterwarnings("ignore:More independent predictors:UserWarning"),
]

RTOL, ATOL = 1e-5, 1e-6
N, C = 24, 5


# --------------------------------------------------------------------------- data
def _softmax(z):
    e = np.exp(z - z.max(axis=-1, keepdims=True))
    return e / e.sum(axis=-1, keepdims=True)


def make_data(kind: str, rng: np.random.Generator, n: int = N):
    """`(y_true, y_pred)` NumPy arrays of the given kind."""
    f32 = "float32"
    if kind == "binary":
        return (rng.integers(0, 2, (n, 1)).astype(f32), rng.uniform(size=(n, 1)).astype(f32))
    if kind == "binary_flat":
        return rng.integers(0, 2, (n,)).astype(f32), rng.uniform(size=(n,)).astype(f32)
    if kind == "binary_logits":
        return rng.integers(0, 2, (n, 1)).astype(f32), rng.normal(size=(n, 1)).astype(f32) * 2
    if kind == "multilabel":
        return rng.integers(0, 2, (n, C)).astype(f32), rng.uniform(size=(n, C)).astype(f32)
    if kind == "multilabel_logits":
        return rng.integers(0, 2, (n, C)).astype(f32), rng.normal(size=(n, C)).astype(f32) * 2
    if kind == "categorical":
        labels = rng.integers(0, C, (n,))
        return (np.eye(C, dtype=f32)[labels],
                _softmax(rng.normal(size=(n, C)) * 2).astype(f32))
    if kind == "categorical_logits":
        labels = rng.integers(0, C, (n,))
        return np.eye(C, dtype=f32)[labels], rng.normal(size=(n, C)).astype(f32) * 2
    if kind == "sparse":
        return (rng.integers(0, C, (n,)).astype(f32),
                _softmax(rng.normal(size=(n, C)) * 2).astype(f32))
    if kind == "sparse_col":
        return (rng.integers(0, C, (n, 1)).astype(f32),
                _softmax(rng.normal(size=(n, C)) * 2).astype(f32))
    if kind == "sparse_logits":
        return rng.integers(0, C, (n,)).astype(f32), rng.normal(size=(n, C)).astype(f32) * 2
    if kind == "sorted_ids":
        probs = rng.normal(size=(n, C))
        return (rng.integers(0, C, (n,)).astype(f32),
                np.argsort(-probs, axis=-1).astype(f32))
    if kind == "int_labels":
        return (rng.integers(0, 3, (n, 1)).astype(f32), rng.integers(0, 3, (n, 1)).astype(f32))
    if kind == "regression":
        return rng.normal(size=(n, 3)).astype(f32), rng.normal(size=(n, 3)).astype(f32)
    if kind == "positive":
        return (rng.uniform(0.0, 3.0, (n, 3)).astype(f32),
                rng.uniform(0.1, 3.0, (n, 3)).astype(f32))
    if kind == "hinge":
        return rng.integers(0, 2, (n, C)).astype(f32), rng.normal(size=(n, C)).astype(f32)
    if kind == "hinge_pm1":
        return (rng.choice([-1.0, 1.0], (n, C)).astype(f32),
                rng.normal(size=(n, C)).astype(f32))
    if kind == "segmentation":
        return (rng.integers(0, C, (n,)).astype("int32"),
                rng.integers(-1, C + 1, (n,)).astype("int32"))
    if kind == "segmentation_2d":
        return (rng.integers(0, C, (n // 4, 4)).astype("int32"),
                rng.integers(0, C, (n // 4, 4)).astype("int32"))
    if kind == "onehot_seg":
        labels = rng.integers(0, C, (n,))
        return np.eye(C, dtype=f32)[labels], rng.uniform(size=(n, C)).astype(f32)
    raise ValueError(kind)


def make_weights(kind: str | None, y_true, rng, integer=False):
    if kind is None:
        return None
    n = y_true.shape[0]
    shape = (n,) if kind == "sample" else y_true.shape
    if integer:
        return rng.integers(0, 3, shape).astype("int32")
    w = rng.uniform(0.0, 2.0, shape).astype("float32")
    w[rng.uniform(size=shape) < 0.15] = 0.0
    return w


def to_numpy(keras, x):
    return np.asarray(keras.ops.convert_to_numpy(x), dtype=np.float64)


def ours_numpy(x):
    assert isinstance(x, torch.Tensor), f"result() must be a tensor, got {type(x)}"
    return x.detach().cpu().double().numpy()


def assert_same(ours, theirs, msg=""):
    np.testing.assert_allclose(ours, theirs, rtol=RTOL, atol=ATOL, equal_nan=True, err_msg=msg)


# -------------------------------------------------------------------- the table
S, E = "sample", "element"


def case(make, kind, weights=(None, S), integer_weights=False, id=None):
    return pytest.param(make, kind, weights, integer_weights, id=id)


CASES = [
    # Accuracy
    case(lambda m: m.metrics.Accuracy(), "int_labels", id="Accuracy"),
    case(lambda m: m.metrics.BinaryAccuracy(), "binary", id="BinaryAccuracy"),
    case(lambda m: m.metrics.BinaryAccuracy(threshold=0.7), "multilabel", (None, S, E),
         id="BinaryAccuracy-multilabel"),
    case(lambda m: m.metrics.CategoricalAccuracy(), "categorical", id="CategoricalAccuracy"),
    case(lambda m: m.metrics.SparseCategoricalAccuracy(), "sparse",
         id="SparseCategoricalAccuracy"),
    case(lambda m: m.metrics.SparseCategoricalAccuracy(), "sparse_col",
         id="SparseCategoricalAccuracy-col"),
    case(lambda m: m.metrics.TopKCategoricalAccuracy(k=2), "categorical",
         id="TopKCategoricalAccuracy"),
    case(lambda m: m.metrics.SparseTopKCategoricalAccuracy(k=2), "sparse",
         id="SparseTopKCategoricalAccuracy"),
    case(lambda m: m.metrics.SparseTopKCategoricalAccuracy(k=3, from_sorted_ids=True),
         "sorted_ids", id="SparseTopKCategoricalAccuracy-sorted_ids"),
    # AUC
    case(lambda m: m.metrics.AUC(), "binary", id="AUC-ROC"),
    case(lambda m: m.metrics.AUC(), "binary_flat", id="AUC-ROC-flat"),
    case(lambda m: m.metrics.AUC(curve="PR"), "binary", id="AUC-PR"),
    case(lambda m: m.metrics.AUC(summation_method="minoring"), "binary", id="AUC-minoring"),
    case(lambda m: m.metrics.AUC(curve="PR", summation_method="majoring"), "binary",
         id="AUC-PR-majoring"),
    case(lambda m: m.metrics.AUC(curve="PRGAIN"), "binary", id="AUC-PRGAIN"),
    case(lambda m: m.metrics.AUC(num_thresholds=37), "multilabel", (None, S, E),
         id="AUC-flattened"),
    case(lambda m: m.metrics.AUC(multi_label=True), "multilabel", (None, S, E),
         id="AUC-multilabel"),
    case(lambda m: m.metrics.AUC(multi_label=True, curve="PR", num_labels=C), "multilabel",
         (None, S, E), id="AUC-multilabel-PR"),
    case(lambda m: m.metrics.AUC(thresholds=[0.1, 0.35, 0.5, 0.9]), "binary",
         id="AUC-explicit-thresholds"),
    case(lambda m: m.metrics.AUC(thresholds=[0.25, 0.5, 0.75], curve="PR"), "binary",
         id="AUC-explicit-even-thresholds"),
    case(lambda m: m.metrics.AUC(thresholds=[0.2, 0.5, 0.7], multi_label=True,
                                 curve="PR"), "multilabel", (None, S, E),
         id="AUC-explicit-thresholds-multilabel"),
    case(lambda m: m.metrics.AUC(label_weights=[0.5, 1.0, 2.0, 0.0, 1.5]), "multilabel",
         id="AUC-label_weights-flattened"),
    case(lambda m: m.metrics.AUC(multi_label=True, label_weights=[0.5, 1.0, 2.0, 0.0, 1.5]),
         "multilabel", id="AUC-label_weights-multilabel"),
    case(lambda m: m.metrics.AUC(from_logits=True), "binary_logits", id="AUC-from_logits"),
    # Precision / Recall
    case(lambda m: m.metrics.Precision(), "binary", id="Precision"),
    case(lambda m: m.metrics.Precision(thresholds=[0.2, 0.5, 0.8]), "multilabel", (None, S, E),
         id="Precision-thresholds"),
    case(lambda m: m.metrics.Precision(thresholds=[0.0, 0.25, 0.5, 0.75, 1.0]), "multilabel",
         id="Precision-even-thresholds"),
    case(lambda m: m.metrics.Precision(top_k=2), "multilabel", id="Precision-top_k"),
    case(lambda m: m.metrics.Precision(class_id=1), "multilabel", id="Precision-class_id"),
    case(lambda m: m.metrics.Precision(top_k=2, class_id=3), "multilabel",
         id="Precision-top_k-class_id"),
    case(lambda m: m.metrics.Recall(), "binary", id="Recall"),
    case(lambda m: m.metrics.Recall(thresholds=[0.3, 0.6]), "multilabel", (None, S, E),
         id="Recall-thresholds"),
    case(lambda m: m.metrics.Recall(top_k=3), "multilabel", id="Recall-top_k"),
    case(lambda m: m.metrics.Recall(class_id=2), "multilabel", id="Recall-class_id"),
    # Counts
    case(lambda m: m.metrics.TruePositives(), "binary", id="TruePositives"),
    case(lambda m: m.metrics.TrueNegatives(thresholds=[0.25, 0.75]), "multilabel",
         id="TrueNegatives"),
    case(lambda m: m.metrics.FalsePositives(), "binary_flat", id="FalsePositives"),
    case(lambda m: m.metrics.FalseNegatives(thresholds=[0.0, 0.5, 1.0]), "multilabel",
         (None, S, E), id="FalseNegatives"),
    # *At* metrics
    case(lambda m: m.metrics.PrecisionAtRecall(0.6), "binary", id="PrecisionAtRecall"),
    case(lambda m: m.metrics.RecallAtPrecision(0.7, num_thresholds=50), "binary",
         id="RecallAtPrecision"),
    case(lambda m: m.metrics.SensitivityAtSpecificity(0.5), "binary",
         id="SensitivityAtSpecificity"),
    case(lambda m: m.metrics.SpecificityAtSensitivity(0.4, class_id=2), "multilabel",
         id="SpecificityAtSensitivity-class_id"),
    case(lambda m: m.metrics.SensitivityAtSpecificity(0.3, num_thresholds=1), "binary",
         id="SensitivityAtSpecificity-1-threshold"),
    # F-scores
    case(lambda m: m.metrics.F1Score(), "categorical", id="F1Score"),
    case(lambda m: m.metrics.F1Score(average="micro", threshold=0.5), "multilabel",
         id="F1Score-micro"),
    case(lambda m: m.metrics.F1Score(average="macro", threshold=0.4), "multilabel",
         id="F1Score-macro"),
    case(lambda m: m.metrics.F1Score(average="weighted"), "categorical", id="F1Score-weighted"),
    case(lambda m: m.metrics.FBetaScore(beta=2.0, average="weighted", threshold=0.4),
         "multilabel", id="FBetaScore"),
    # IoU
    case(lambda m: m.metrics.MeanIoU(num_classes=C), "segmentation", integer_weights=True,
         id="MeanIoU"),
    case(lambda m: m.metrics.MeanIoU(num_classes=C, ignore_class=1), "segmentation_2d",
         (None, E), integer_weights=True, id="MeanIoU-ignore_class"),
    case(lambda m: m.metrics.IoU(num_classes=C, target_class_ids=[0, 2]), "segmentation",
         integer_weights=True, id="IoU"),
    case(lambda m: m.metrics.BinaryIoU(threshold=0.4), "binary_flat", integer_weights=True,
         id="BinaryIoU"),
    case(lambda m: m.metrics.OneHotIoU(num_classes=C, target_class_ids=[1, 3]), "onehot_seg",
         integer_weights=True, id="OneHotIoU"),
    case(lambda m: m.metrics.OneHotMeanIoU(num_classes=C), "onehot_seg", integer_weights=True,
         id="OneHotMeanIoU"),
    # Regression
    case(lambda m: m.metrics.MeanSquaredError(), "regression",
         id="MeanSquaredError"),
    case(lambda m: m.metrics.RootMeanSquaredError(), "regression", (None, S, E),
         id="RootMeanSquaredError"),
    case(lambda m: m.metrics.MeanAbsoluteError(), "regression", id="MeanAbsoluteError"),
    case(lambda m: m.metrics.MeanAbsolutePercentageError(), "regression",
         id="MeanAbsolutePercentageError"),
    case(lambda m: m.metrics.MeanSquaredLogarithmicError(), "positive",
         id="MeanSquaredLogarithmicError"),
    case(lambda m: m.metrics.CosineSimilarity(), "regression", id="CosineSimilarity"),
    case(lambda m: m.metrics.LogCoshError(), "regression", id="LogCoshError"),
    case(lambda m: m.metrics.R2Score(), "regression", id="R2Score"),
    case(lambda m: m.metrics.R2Score(class_aggregation="variance_weighted_average"),
         "regression", (None, S, E), id="R2Score-variance_weighted"),
    case(lambda m: m.metrics.R2Score(class_aggregation=None, num_regressors=2), "regression",
         id="R2Score-raw-adjusted"),
    case(lambda m: m.metrics.PearsonCorrelation(), "regression", id="PearsonCorrelation"),
    case(lambda m: m.metrics.ConcordanceCorrelation(), "regression",
         id="ConcordanceCorrelation"),
    # Hinge
    case(lambda m: m.metrics.Hinge(), "hinge", id="Hinge"),
    case(lambda m: m.metrics.Hinge(), "hinge_pm1", id="Hinge-pm1"),
    case(lambda m: m.metrics.SquaredHinge(), "hinge", id="SquaredHinge"),
    case(lambda m: m.metrics.CategoricalHinge(), "categorical", id="CategoricalHinge"),
    # Probabilistic
    case(lambda m: m.metrics.KLDivergence(), "categorical", id="KLDivergence"),
    case(lambda m: m.metrics.Poisson(), "positive", id="Poisson"),
    case(lambda m: m.metrics.BinaryCrossentropy(), "multilabel",
         id="BinaryCrossentropy"),
    case(lambda m: m.metrics.BinaryCrossentropy(from_logits=True, label_smoothing=0.1),
         "multilabel_logits", id="BinaryCrossentropy-logits"),
    case(lambda m: m.metrics.CategoricalCrossentropy(), "categorical",
         id="CategoricalCrossentropy"),
    case(lambda m: m.metrics.CategoricalCrossentropy(from_logits=True, label_smoothing=0.2),
         "categorical_logits", id="CategoricalCrossentropy-logits"),
    case(lambda m: m.metrics.SparseCategoricalCrossentropy(), "sparse",
         id="SparseCategoricalCrossentropy"),
    case(lambda m: m.metrics.SparseCategoricalCrossentropy(from_logits=True), "sparse_logits",
         id="SparseCategoricalCrossentropy-logits"),
    case(lambda m: m.metrics.SparseCategoricalCrossentropy(ignore_class=0), "sparse",
         id="SparseCategoricalCrossentropy-ignore_class"),
    # Wrapper
    case(lambda m: m.metrics.MeanMetricWrapper(m.metrics.mean_absolute_error, name="w"),
         "regression", id="MeanMetricWrapper"),
    case(lambda m: m.metrics.MeanMetricWrapper(m.metrics.binary_accuracy, threshold=0.4),
         "multilabel", (None, S, E), id="MeanMetricWrapper-elementwise"),
]


@pytest.mark.parametrize("make,kind,weight_kinds,integer_weights", CASES)
def test_stateful_metric_matches_keras(keras, make, kind, weight_kinds, integer_weights):
    for weight_kind in weight_kinds:
        rng = np.random.default_rng(zlib.crc32(f"{kind}/{weight_kind}".encode()))
        ours, theirs = make(layerwise), make(keras)
        for step in range(2):
            y_true, y_pred = make_data(kind, rng)
            sw = make_weights(weight_kind, y_true, rng, integer_weights)
            ours.update_state(torch.from_numpy(y_true), torch.from_numpy(y_pred),
                              None if sw is None else torch.from_numpy(sw))
            theirs.update_state(y_true, y_pred, sample_weight=sw)
            assert_same(ours_numpy(ours.result()), to_numpy(keras, theirs.result()),
                        f"weights={weight_kind} step={step}")
        ours.reset_state()
        theirs.reset_state()
        assert_same(ours_numpy(ours.result()), to_numpy(keras, theirs.result()),
                    f"weights={weight_kind} after reset_state")


@pytest.mark.parametrize("weights", [None, "python", "vector", "matrix"])
@pytest.mark.parametrize("name", ["Mean", "Sum"])
def test_mean_and_sum_match_keras(keras, name, weights):
    rng = np.random.default_rng(7)
    ours, theirs = getattr(layerwise.metrics, name)(), getattr(keras.metrics, name)()
    for n in (6, 3):
        values = rng.normal(size=(n, 4)).astype("float32")
        sw = {None: None, "python": 2.5, "vector": rng.uniform(size=(n,)).astype("float32"),
              "matrix": rng.uniform(size=(n, 4)).astype("float32")}[weights]
        ours.update_state(torch.from_numpy(values),
                          sample_weight=torch.from_numpy(sw) if isinstance(sw, np.ndarray)
                          else sw)
        theirs.update_state(values, sample_weight=sw)
        assert_same(ours_numpy(ours.result()), to_numpy(keras, theirs.result()))
    ours.reset_state()
    theirs.reset_state()
    assert_same(ours_numpy(ours.result()), to_numpy(keras, theirs.result()))


def test_call_and_python_inputs_match_keras(keras):
    """`metric(y_true, y_pred)` updates and returns the result; plain lists work."""
    ours, theirs = layerwise.metrics.AUC(num_thresholds=3), keras.metrics.AUC(num_thresholds=3)
    args = ([0, 0, 1, 1], [0, 0.5, 0.3, 0.9])
    assert_same(ours_numpy(ours(*args)), to_numpy(keras, theirs(*args)))
    ours = layerwise.metrics.Mean()
    theirs = keras.metrics.Mean()
    assert_same(ours_numpy(ours([1.0, 3.0, 5.0, 7.0])), to_numpy(keras, theirs([1.0, 3.0, 5.0, 7.0])))


# ------------------------------------------------------------------ functions
FUNCTION_CASES = [
    ("accuracy", "int_labels", {}),
    ("binary_accuracy", "multilabel", {"threshold": 0.3}),
    ("binary_accuracy", "binary", {}),
    ("categorical_accuracy", "categorical", {}),
    ("sparse_categorical_accuracy", "sparse", {}),
    ("sparse_categorical_accuracy", "sparse_col", {}),
    ("top_k_categorical_accuracy", "categorical", {"k": 2}),
    ("sparse_top_k_categorical_accuracy", "sparse", {"k": 3}),
    ("mean_squared_error", "regression", {}),
    ("mean_absolute_error", "regression", {}),
    ("mean_absolute_percentage_error", "regression", {}),
    ("mean_squared_logarithmic_error", "positive", {}),
    ("log_cosh", "regression", {}),
    ("hinge", "hinge", {}),
    ("squared_hinge", "hinge_pm1", {}),
    ("categorical_hinge", "categorical", {}),
    ("kl_divergence", "categorical", {}),
    ("poisson", "positive", {}),
    ("binary_crossentropy", "multilabel", {}),
    ("binary_crossentropy", "multilabel_logits", {"from_logits": True, "label_smoothing": 0.1}),
    ("categorical_crossentropy", "categorical", {"label_smoothing": 0.1}),
    ("sparse_categorical_crossentropy", "sparse_logits", {"from_logits": True}),
    ("pearson_correlation", "regression", {}),
    ("concordance_correlation", "regression", {}),
    # Loss functions that Keras re-exports from `keras.metrics`.
    ("huber", "regression", {"delta": 0.7}),
    ("binary_focal_crossentropy", "multilabel", {"apply_class_balancing": True}),
    ("categorical_focal_crossentropy", "categorical", {}),
]


@pytest.mark.parametrize("name,kind,kwargs", FUNCTION_CASES,
                         ids=[f"{c[0]}-{c[1]}" for c in FUNCTION_CASES])
def test_metric_function_matches_keras(keras, name, kind, kwargs):
    y_true, y_pred = make_data(kind, np.random.default_rng(3))
    ours = getattr(layerwise.metrics, name)(torch.from_numpy(y_true), torch.from_numpy(y_pred),
                                            **kwargs)
    if name == "accuracy":  # Not exported by Keras, but `keras.metrics.Accuracy`'s function.
        from keras.src.metrics.accuracy_metrics import accuracy as keras_fn
    else:
        keras_fn = getattr(keras.metrics, name)
    theirs = keras_fn(y_true, y_pred, **kwargs)
    theirs = to_numpy(keras, theirs)
    assert tuple(ours.shape) == theirs.shape
    assert_same(ours_numpy(ours), theirs)


def test_cosine_similarity_function_matches_keras_metric(keras):
    from keras.src.metrics.regression_metrics import cosine_similarity as k_cos

    from layerwise.metrics.regression_metrics import cosine_similarity

    y_true, y_pred = make_data("regression", np.random.default_rng(4))
    assert_same(ours_numpy(cosine_similarity(torch.from_numpy(y_true), torch.from_numpy(y_pred))),
                to_numpy(keras, k_cos(y_true, y_pred)))


# -------------------------------------------------------------------- configs
CONFIG_CASES = [c for c in CASES if c.id not in ("MeanMetricWrapper",)]


def _plain(config):
    out = {}
    for k, v in config.items():
        if hasattr(v, "tolist"):
            v = v.tolist()
        if isinstance(v, tuple):
            v = list(v)
        out[k] = v
    return out


@pytest.mark.parametrize("make,kind,weight_kinds,integer_weights", CONFIG_CASES)
def test_config_matches_keras_and_round_trips(keras, make, kind, weight_kinds, integer_weights):
    keras.backend.clear_session(free_memory=False)
    layerwise.backend.clear_session(free_memory=False)
    ours, theirs = make(layerwise), make(keras)
    config = ours.get_config()
    assert _plain(config) == _plain(theirs.get_config())
    rebuilt = type(ours).from_config(config)
    assert rebuilt.get_config() == config
    # The Keras config builds an equal layerwise metric.
    assert type(ours).from_config(_plain(theirs.get_config())).get_config() == config
    # Through the registry.
    again = layerwise.metrics.deserialize(layerwise.metrics.serialize(ours))
    assert type(again) is type(ours) and again.get_config() == config


def test_mean_metric_wrapper_config_round_trip(keras):
    ours = layerwise.metrics.MeanMetricWrapper(layerwise.metrics.mean_squared_error, name="w")
    theirs = keras.metrics.MeanMetricWrapper(keras.metrics.mean_squared_error, name="w")
    assert ours.get_config() == theirs.get_config()
    rebuilt = layerwise.metrics.MeanMetricWrapper.from_config(ours.get_config())
    assert rebuilt._fn is layerwise.metrics.mean_squared_error


def test_default_names_match_keras(keras):
    keras.backend.clear_session(free_memory=False)
    layerwise.backend.clear_session(free_memory=False)
    for make in (lambda m: m.metrics.AUC(), lambda m: m.metrics.AUC(),
                 lambda m: m.metrics.Precision(), lambda m: m.metrics.TruePositives(),
                 lambda m: m.metrics.MeanIoU(3), lambda m: m.metrics.Mean(),
                 lambda m: m.metrics.MeanMetricWrapper(m.metrics.hinge),
                 lambda m: m.metrics.LogCoshError(), lambda m: m.metrics.F1Score()):
        assert make(layerwise).name == make(keras).name


# ------------------------------------------------------------------- registry
REGISTRY_NAMES = [
    "mse", "MSE", "mae", "MAE", "mape", "MAPE", "msle", "MSLE", "bce", "BCE", "AUC", "auc",
    "Precision", "precision", "recall", "accuracy", "binary_accuracy", "categorical_accuracy",
    "sparse_categorical_accuracy", "top_k_categorical_accuracy",
    "sparse_top_k_categorical_accuracy", "mean_squared_error", "root_mean_squared_error",
    "mean_absolute_percentage_error", "cosine_similarity", "log_cosh_error", "r2_score",
    "hinge", "squared_hinge", "categorical_hinge", "kl_divergence", "poisson",
    "binary_crossentropy", "categorical_crossentropy", "sparse_categorical_crossentropy",
    "true_positives", "false_negatives", "f1_score", "f_beta_score", "FBetaScore",
    "pearson_correlation", "Sum", "mean",
]


@pytest.mark.parametrize("name", REGISTRY_NAMES)
def test_get_resolves_like_keras(keras, name):
    keras.backend.clear_session(free_memory=False)
    layerwise.backend.clear_session(free_memory=False)
    ours, theirs = layerwise.metrics.get(name), keras.metrics.get(name)
    assert type(ours).__name__ == type(theirs).__name__
    assert ours.name == theirs.name


def test_every_keras_metric_class_exists():
    import keras as real_keras

    names = {n for n in dir(real_keras.metrics) if not n.startswith("_")}
    missing = sorted(n for n in names if not hasattr(layerwise.metrics, n))
    assert missing == []


# ---------------------------------------------------------- compile and logs
def _model(mod, units, activation):
    return mod.Sequential([mod.Input((6,)), mod.layers.Dense(units, activation=activation)])


COMPILE_CASES = [
    ("binary", 1, "sigmoid", "binary_crossentropy",
     ["AUC", "acc", "mse", "mae", "binary_accuracy", "precision", "Recall", "bce",
      "binary_crossentropy", "TruePositives", "msle", "hinge"]),
    ("categorical", 6, "softmax", "categorical_crossentropy",
     ["accuracy", "top_k_categorical_accuracy", "AUC", "categorical_crossentropy",
      "categorical_hinge", "kl_divergence", "mape", "cosine_similarity", "log_cosh_error"]),
    ("sparse", 6, "softmax", "sparse_categorical_crossentropy",
     ["accuracy", "sparse_top_k_categorical_accuracy", "sparse_categorical_crossentropy",
      "acc"]),
]


@pytest.mark.parametrize("task,units,activation,loss,metrics", COMPILE_CASES,
                         ids=[c[0] for c in COMPILE_CASES])
def test_compile_metric_names_and_values_match_keras(keras, task, units, activation, loss,
                                                     metrics):
    rng = np.random.default_rng(11)
    x = rng.normal(size=(40, 6)).astype("float32")
    if task == "binary":
        y = rng.integers(0, 2, (40, 1)).astype("float32")
    elif task == "categorical":
        y = np.eye(units, dtype="float32")[rng.integers(0, units, (40,))]
    else:
        y = rng.integers(0, units, (40,)).astype("float32")
    sw = rng.uniform(size=(40,)).astype("float32")

    keras.backend.clear_session(free_memory=False)
    keras.utils.set_random_seed(0)
    k_model = _model(keras, units, activation)
    layerwise.backend.clear_session(free_memory=False)
    l_model = _model(layerwise, units, activation)
    l_model.set_weights(k_model.get_weights())
    for model, mod in ((k_model, keras), (l_model, layerwise)):
        weighted = (["acc", mod.metrics.SparseCategoricalCrossentropy(name="wsce")]
                    if task == "sparse" else ["mse", mod.metrics.AUC(name="wauc")])
        model.compile(optimizer="sgd", loss=loss, metrics=list(metrics),
                      weighted_metrics=weighted)

    k_eval = k_model.evaluate(x, y, sample_weight=sw, batch_size=16, verbose=0,
                              return_dict=True)
    l_eval = l_model.evaluate(x, y, sample_weight=sw, batch_size=16, verbose=0,
                              return_dict=True)
    assert sorted(l_eval) == sorted(k_eval)
    for key in k_eval:
        np.testing.assert_allclose(l_eval[key], k_eval[key], rtol=1e-4, atol=1e-5, err_msg=key)

    k_hist = k_model.fit(x, y, batch_size=16, epochs=1, validation_split=0.25, verbose=0)
    l_hist = l_model.fit(x, y, batch_size=16, epochs=1, validation_split=0.25, verbose=0)
    assert sorted(l_hist.history) == sorted(k_hist.history)
