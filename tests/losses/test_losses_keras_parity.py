"""Every loss function and class against Keras 3 on the same inputs.

Each case is computed by layerwise and by Keras (torch backend) from the same
NumPy arrays: the function form, then the class form with each reduction,
with and without sample weights. Saturated softmax/sigmoid outputs are checked
separately: layerwise computes them from the logits (finite, exact) and
matches Keras wherever Keras' probability clipping is not active.
"""

from __future__ import annotations

import numpy as np
import pytest
import torch

import layerwise as lw

RTOL, ATOL = 1e-5, 1e-6
REDUCTIONS = ["sum_over_batch_size", "sum", "mean", "mean_with_sample_weight", "none", None]


# ----------------------------------------------------------------------------- data
def _softmax(z, axis=-1):
    e = np.exp(z - z.max(axis=axis, keepdims=True))
    return e / e.sum(axis=axis, keepdims=True)


def _make(kind: str, shape, seed: int = 0):
    """Returns float32 `(y_true, y_pred)` arrays of a given kind."""
    rng = np.random.default_rng(seed)
    f32 = np.float32
    classes = shape[-1]
    if kind == "regression":
        return rng.normal(size=shape).astype(f32), rng.normal(size=shape).astype(f32)
    if kind == "positive":
        return (rng.uniform(0.2, 3.0, size=shape).astype(f32),
                rng.uniform(0.2, 3.0, size=shape).astype(f32))
    if kind == "binary_probs":
        return (rng.integers(0, 2, size=shape).astype(f32),
                rng.uniform(0.02, 0.98, size=shape).astype(f32))
    if kind == "binary_logits":
        return rng.integers(0, 2, size=shape).astype(f32), rng.normal(0, 3, size=shape).astype(f32)
    if kind == "pm1_scores":
        return (rng.choice([-1.0, 1.0], size=shape).astype(f32),
                rng.normal(size=shape).astype(f32))
    if kind == "onehot_probs":
        labels = rng.integers(0, classes, size=shape[:-1])
        return np.eye(classes, dtype=f32)[labels], _softmax(rng.normal(size=shape)).astype(f32)
    if kind == "onehot_logits":
        labels = rng.integers(0, classes, size=shape[:-1])
        return np.eye(classes, dtype=f32)[labels], rng.normal(0, 3, size=shape).astype(f32)
    if kind == "onehot_scores":
        labels = rng.integers(0, classes, size=shape[:-1])
        return np.eye(classes, dtype=f32)[labels], rng.normal(size=shape).astype(f32)
    if kind == "sparse_probs":
        return (rng.integers(0, classes, size=shape[:-1]).astype(np.int64),
                _softmax(rng.normal(size=shape)).astype(f32))
    if kind == "sparse_logits":
        return (rng.integers(0, classes, size=shape[:-1]).astype(np.int64),
                rng.normal(0, 3, size=shape).astype(f32))
    if kind == "distributions":
        return (_softmax(rng.normal(size=shape)).astype(f32),
                _softmax(rng.normal(size=shape)).astype(f32))
    if kind == "counts":
        return (rng.poisson(2.0, size=shape).astype(f32),
                rng.uniform(0.1, 4.0, size=shape).astype(f32))
    if kind == "masks":
        return (rng.integers(0, 2, size=shape).astype(f32),
                rng.uniform(0.0, 1.0, size=shape).astype(f32))
    raise ValueError(kind)


def _ctc_data(seed=0):
    rng = np.random.default_rng(seed)
    labels = rng.integers(1, 5, size=(4, 3)).astype(np.int64)
    labels[1, 2:] = 0
    labels[3, 1:] = 0
    return labels, rng.normal(size=(4, 7, 5)).astype(np.float32)


def _circle_data(seed=0):
    rng = np.random.default_rng(seed)
    emb = rng.normal(size=(8, 4)).astype(np.float32)
    emb /= np.linalg.norm(emb, axis=1, keepdims=True)
    return rng.integers(0, 3, size=(8,)).astype(np.int64), emb


# ----------------------------------------------------------------------------- cases
# (function name, class name, kwargs, data kind, shapes)
SHAPES_2D = [(8, 5)]
SHAPES_ALL = [(8, 5), (4, 3, 5)]
CASES = [
    ("mean_squared_error", "MeanSquaredError", {}, "regression", SHAPES_ALL),
    ("mean_absolute_error", "MeanAbsoluteError", {}, "regression", SHAPES_ALL),
    ("mean_absolute_percentage_error", "MeanAbsolutePercentageError", {}, "positive",
     SHAPES_ALL),
    ("mean_absolute_percentage_error", "MeanAbsolutePercentageError", {}, "regression",
     SHAPES_2D),
    ("mean_squared_logarithmic_error", "MeanSquaredLogarithmicError", {}, "positive",
     SHAPES_ALL),
    ("mean_squared_logarithmic_error", "MeanSquaredLogarithmicError", {}, "regression",
     SHAPES_2D),
    ("cosine_similarity", "CosineSimilarity", {}, "regression", SHAPES_ALL),
    ("cosine_similarity", "CosineSimilarity", {"axis": 1}, "regression", [(4, 3, 5)]),
    ("huber", "Huber", {}, "regression", SHAPES_ALL),
    ("huber", "Huber", {"delta": 0.3}, "regression", SHAPES_2D),
    ("log_cosh", "LogCosh", {}, "regression", SHAPES_ALL),
    ("hinge", "Hinge", {}, "binary_logits", SHAPES_ALL),
    ("hinge", "Hinge", {}, "pm1_scores", SHAPES_2D),
    ("squared_hinge", "SquaredHinge", {}, "binary_logits", SHAPES_ALL),
    ("squared_hinge", "SquaredHinge", {}, "pm1_scores", SHAPES_2D),
    ("categorical_hinge", "CategoricalHinge", {}, "onehot_scores", SHAPES_ALL),
    ("kl_divergence", "KLDivergence", {}, "distributions", SHAPES_ALL),
    ("poisson", "Poisson", {}, "counts", SHAPES_ALL),
    ("binary_crossentropy", "BinaryCrossentropy", {}, "binary_probs", SHAPES_ALL),
    ("binary_crossentropy", "BinaryCrossentropy", {"label_smoothing": 0.1}, "binary_probs",
     SHAPES_2D),
    ("binary_crossentropy", "BinaryCrossentropy", {"from_logits": True}, "binary_logits",
     SHAPES_ALL),
    ("binary_crossentropy", "BinaryCrossentropy",
     {"from_logits": True, "label_smoothing": 0.2, "axis": 0}, "binary_logits", SHAPES_2D),
    ("binary_focal_crossentropy", "BinaryFocalCrossentropy", {}, "binary_probs", SHAPES_ALL),
    ("binary_focal_crossentropy", "BinaryFocalCrossentropy",
     {"apply_class_balancing": True, "alpha": 0.4, "gamma": 1.5, "label_smoothing": 0.1},
     "binary_probs", SHAPES_2D),
    ("binary_focal_crossentropy", "BinaryFocalCrossentropy", {"from_logits": True},
     "binary_logits", SHAPES_ALL),
    ("binary_focal_crossentropy", "BinaryFocalCrossentropy",
     {"from_logits": True, "apply_class_balancing": True, "gamma": 3.0}, "binary_logits",
     SHAPES_2D),
    ("categorical_crossentropy", "CategoricalCrossentropy", {}, "onehot_probs", SHAPES_ALL),
    ("categorical_crossentropy", "CategoricalCrossentropy", {"label_smoothing": 0.1},
     "onehot_probs", SHAPES_ALL),
    ("categorical_crossentropy", "CategoricalCrossentropy", {"from_logits": True},
     "onehot_logits", SHAPES_ALL),
    ("categorical_crossentropy", "CategoricalCrossentropy",
     {"from_logits": True, "label_smoothing": 0.2}, "onehot_logits", SHAPES_2D),
    ("categorical_crossentropy", "CategoricalCrossentropy", {"axis": 1}, "onehot_probs",
     [(6, 5, 5)]),
    ("categorical_focal_crossentropy", "CategoricalFocalCrossentropy", {}, "onehot_probs",
     SHAPES_ALL),
    ("categorical_focal_crossentropy", "CategoricalFocalCrossentropy",
     {"alpha": [0.1, 0.2, 0.3, 0.2, 0.2], "gamma": 1.0, "label_smoothing": 0.1},
     "onehot_probs", SHAPES_2D),
    ("categorical_focal_crossentropy", "CategoricalFocalCrossentropy", {"from_logits": True},
     "onehot_logits", SHAPES_ALL),
    ("sparse_categorical_crossentropy", "SparseCategoricalCrossentropy", {}, "sparse_probs",
     SHAPES_ALL),
    ("sparse_categorical_crossentropy", "SparseCategoricalCrossentropy", {"from_logits": True},
     "sparse_logits", SHAPES_ALL),
    ("sparse_categorical_crossentropy", "SparseCategoricalCrossentropy", {"ignore_class": 2},
     "sparse_probs", SHAPES_ALL),
    ("sparse_categorical_crossentropy", "SparseCategoricalCrossentropy",
     {"from_logits": True, "ignore_class": 0}, "sparse_logits", SHAPES_ALL),
    ("categorical_generalized_cross_entropy", "CategoricalGeneralizedCrossEntropy", {"q": 0.7},
     "sparse_probs", SHAPES_2D),
    ("dice", "Dice", {}, "masks", [(4, 3, 3, 1)]),
    ("dice", "Dice", {"axis": (1, 2, 3)}, "masks", [(4, 3, 3, 1)]),
    ("tversky", "Tversky", {"alpha": 0.3, "beta": 0.7}, "masks", [(4, 3, 3, 1)]),
    ("tversky", "Tversky", {"alpha": 0.6, "beta": 0.4, "axis": (1, 2)}, "masks", [(4, 3, 3)]),
]
# Function-only arguments with another name in the class (none today), and the
# classes whose functions take a required argument.
_FN_ONLY = {"categorical_generalized_cross_entropy": {"q": 0.5}}


def _case_id(case):
    fn, _, kwargs, kind, _ = case
    extra = ",".join(f"{k}={v}" for k, v in kwargs.items())
    return f"{fn}[{kind}{',' + extra if extra else ''}]"


def _expand_cases():
    for case in CASES:
        for shape in case[4]:
            yield pytest.param(case, shape, id=f"{_case_id(case)}-{'x'.join(map(str, shape))}")


def _np(x):
    if isinstance(x, torch.Tensor):
        return x.detach().cpu().numpy()
    return np.asarray(x)


def _assert_close(ours, theirs, what):
    ours, theirs = _np(ours), _np(theirs)
    assert ours.shape == theirs.shape, f"{what}: shape {ours.shape} != Keras {theirs.shape}"
    np.testing.assert_allclose(ours, theirs, rtol=RTOL, atol=ATOL, err_msg=what)


def _sample_weights(loss_shape, masked=False, seed=1):
    """Weights: one per sample for per-sample losses; `(batch, 1)` (broadcast over the
    time axis) for 3D ones, or one per entry when Keras masks the values (Keras cannot
    broadcast weights against a mask)."""
    rng = np.random.default_rng(seed)
    if len(loss_shape) <= 1:
        return rng.uniform(0.0, 2.0, size=loss_shape or (1,)).astype(np.float32)
    size = loss_shape if masked else (loss_shape[0], 1)
    return rng.uniform(0.0, 2.0, size=size).astype(np.float32)


# ----------------------------------------------------------------------------- tests
@pytest.mark.keras
@pytest.mark.parametrize("case,shape", list(_expand_cases()))
def test_function_matches_keras(keras, case, shape):
    fn_name, _, kwargs, kind, _ = case
    y_true, y_pred = _make(kind, shape)
    ours = getattr(lw.losses, fn_name)(torch.from_numpy(y_true), torch.from_numpy(y_pred),
                                       **kwargs)
    theirs = getattr(keras.losses, fn_name)(keras.ops.convert_to_tensor(y_true),
                                            keras.ops.convert_to_tensor(y_pred), **kwargs)
    _assert_close(ours, theirs, fn_name)


@pytest.mark.keras
@pytest.mark.parametrize("case,shape", list(_expand_cases()))
def test_class_matches_keras_for_each_reduction(keras, case, shape):
    _, cls_name, kwargs, kind, _ = case
    y_true, y_pred = _make(kind, shape, seed=3)
    per_sample = getattr(keras.losses, cls_name)(reduction=None, **kwargs)(y_true, y_pred)
    weights = _sample_weights(tuple(per_sample.shape), masked="ignore_class" in kwargs)
    for reduction in REDUCTIONS:
        ours = getattr(lw.losses, cls_name)(reduction=reduction, **kwargs)
        theirs = getattr(keras.losses, cls_name)(reduction=reduction, **kwargs)
        for sw in (None, weights):
            tw = None if sw is None else torch.from_numpy(sw)
            _assert_close(ours(torch.from_numpy(y_true), torch.from_numpy(y_pred), tw),
                          theirs(y_true, y_pred, sample_weight=sw),
                          f"{cls_name}(reduction={reduction!r}) sample_weight={sw is not None}")


@pytest.mark.keras
def test_class_accepts_numpy_lists_and_rank_mismatch(keras):
    y_true = np.array([0.0, 1.0, 1.0, 0.0], dtype=np.float32)
    y_pred = np.array([[0.1], [0.8], [0.6], [0.3]], dtype=np.float32)
    for cls_name in ("BinaryCrossentropy", "MeanSquaredError", "Hinge", "Poisson"):
        ours = getattr(lw.losses, cls_name)()(y_true.tolist(), y_pred)
        theirs = getattr(keras.losses, cls_name)()(y_true, y_pred)
        _assert_close(ours, theirs, cls_name)


@pytest.mark.keras
@pytest.mark.parametrize("reduction", REDUCTIONS)
def test_ctc_matches_keras(keras, reduction):
    labels, logits = _ctc_data()
    _assert_close(lw.losses.ctc(torch.from_numpy(labels), torch.from_numpy(logits)),
                  keras.losses.ctc(labels, logits), "ctc")
    sw = np.linspace(0.5, 2.0, 4).astype(np.float32)
    ours = lw.losses.CTC(reduction=reduction)(torch.from_numpy(labels), torch.from_numpy(logits),
                                              torch.from_numpy(sw))
    theirs = keras.losses.CTC(reduction=reduction)(labels, logits, sample_weight=sw)
    _assert_close(ours, theirs, f"CTC({reduction})")


@pytest.mark.keras
@pytest.mark.parametrize("reduction", REDUCTIONS)
@pytest.mark.parametrize("kwargs", [{}, {"gamma": 20.0, "margin": 0.2, "remove_diagonal": False}])
def test_circle_matches_keras(keras, reduction, kwargs):
    labels, emb = _circle_data()
    _assert_close(lw.losses.circle(torch.from_numpy(labels), torch.from_numpy(emb), **kwargs),
                  keras.losses.circle(labels, emb, **kwargs), "circle")
    ours = lw.losses.Circle(reduction=reduction, **kwargs)(torch.from_numpy(labels),
                                                          torch.from_numpy(emb))
    theirs = keras.losses.Circle(reduction=reduction, **kwargs)(labels, emb)
    _assert_close(ours, theirs, f"Circle({reduction})")


@pytest.mark.keras
@pytest.mark.parametrize("reduction", REDUCTIONS)
def test_ignore_class_masks_the_mean_like_keras(keras, reduction):
    """`ignore_class` entries leave the mean: it is over the kept entries only."""
    rng = np.random.default_rng(5)
    labels = rng.integers(-1, 4, size=(6, 7)).astype(np.int64)
    logits = rng.normal(size=(6, 7, 4)).astype(np.float32)
    sw = rng.uniform(0.5, 1.5, size=(6, 7)).astype(np.float32)
    for from_logits in (True, False):
        y_pred = logits if from_logits else _softmax(logits).astype(np.float32)
        ours = lw.losses.SparseCategoricalCrossentropy(
            from_logits=from_logits, ignore_class=-1, reduction=reduction)
        theirs = keras.losses.SparseCategoricalCrossentropy(
            from_logits=from_logits, ignore_class=-1, reduction=reduction)
        for weights in (None, sw):
            _assert_close(
                ours(torch.from_numpy(labels), torch.from_numpy(y_pred),
                     None if weights is None else torch.from_numpy(weights)),
                theirs(labels, y_pred, sample_weight=weights), f"{reduction} {from_logits}")


@pytest.mark.keras
def test_prediction_mask_is_honoured_like_keras(keras):
    """A `_keras_mask` on the predictions (set by masking layers) weights the reduction."""
    y_true, y_pred = _make("regression", (4, 6, 3), seed=9)
    mask = np.random.default_rng(2).integers(0, 2, size=(4, 6)).astype(bool)
    ours_pred = torch.from_numpy(y_pred)
    ours_pred._keras_mask = torch.from_numpy(mask)
    theirs_pred = keras.ops.convert_to_tensor(y_pred)
    theirs_pred._keras_mask = keras.ops.convert_to_tensor(mask)
    for reduction in ("sum_over_batch_size", "sum", "mean_with_sample_weight"):
        _assert_close(lw.losses.MeanSquaredError(reduction=reduction)(torch.from_numpy(y_true),
                                                                      ours_pred),
                      keras.losses.MeanSquaredError(reduction=reduction)(y_true, theirs_pred),
                      reduction)


# ------------------------------------------------------------------ saturated outputs
SATURATED_LOGITS = np.array(
    [[60.0, -30.0, 0.0], [-50.0, 50.0, 0.5], [0.3, -0.2, 0.1], [40.0, 39.0, -80.0],
     [-100.0, 0.0, 100.0], [2.0, 1.0, -1.0]], dtype=np.float32)
SATURATED_LABELS = np.array([1, 1, 0, 1, 0, 2])


def _exact_ce(logits, labels):
    z = logits.astype(np.float64)
    log_p = z - np.log(np.exp(z - z.max(-1, keepdims=True)).sum(-1, keepdims=True)) - z.max(
        -1, keepdims=True)
    return -log_p[np.arange(len(labels)), labels]


def _unclipped_rows(probs, eps=1e-7):
    return np.all((probs >= eps) & (probs <= 1 - eps), axis=-1)


@pytest.mark.keras
@pytest.mark.parametrize("sparse", [False, True])
def test_saturated_softmax_crossentropy_is_stable(keras, sparse):
    logits = torch.from_numpy(SATURATED_LOGITS).requires_grad_(True)
    probs = lw.activations.softmax(logits)
    onehot = np.eye(3, dtype=np.float32)[SATURATED_LABELS]
    y_true = SATURATED_LABELS if sparse else onehot
    fn_name = "sparse_categorical_crossentropy" if sparse else "categorical_crossentropy"
    ours = getattr(lw.losses, fn_name)(torch.as_tensor(y_true), probs)
    keras_probs = keras.activations.softmax(keras.ops.convert_to_tensor(SATURATED_LOGITS))
    keras_clipped = _np(getattr(keras.losses, fn_name)(y_true, keras_probs))
    keras_logits = _np(getattr(keras.losses, fn_name)(y_true, SATURATED_LOGITS,
                                                      from_logits=True))
    values = _np(ours)
    assert np.all(np.isfinite(values))
    # Exact (the value computed from the logits, as Keras' TensorFlow backend gives).
    np.testing.assert_allclose(values, _exact_ce(SATURATED_LOGITS, SATURATED_LABELS), rtol=1e-5)
    np.testing.assert_allclose(values, keras_logits, rtol=RTOL, atol=ATOL)
    # Keras' torch backend clips probabilities to [1e-7, 1 - 1e-7]: same value where the
    # clip is inactive, and never more than the exact value where it caps the loss.
    keep = _unclipped_rows(_np(keras_probs))
    assert keep.any() and not keep.all()
    np.testing.assert_allclose(values[keep], keras_clipped[keep], rtol=RTOL, atol=ATOL)
    assert np.all(values[~keep] >= keras_clipped[~keep] - ATOL)
    # The gradient stays finite and non-zero for the saturated wrong predictions.
    ours.sum().backward()
    assert torch.isfinite(logits.grad).all()
    assert float(logits.grad[1].abs().sum()) > 0.0 or float(logits.grad[0].abs().sum()) > 0.0


@pytest.mark.keras
@pytest.mark.parametrize("label_smoothing", [0.0, 0.1])
def test_saturated_sigmoid_binary_crossentropy_is_stable(keras, label_smoothing):
    logits_np = np.array([[40.0, -40.0, 0.5], [-90.0, 17.0, -3.0]], dtype=np.float32)
    y_true = np.array([[0.0, 0.0, 1.0], [1.0, 1.0, 0.0]], dtype=np.float32)
    logits = torch.from_numpy(logits_np).requires_grad_(True)
    ours = lw.losses.binary_crossentropy(torch.from_numpy(y_true), lw.activations.sigmoid(logits),
                                         label_smoothing=label_smoothing)
    keras_probs = keras.activations.sigmoid(keras.ops.convert_to_tensor(logits_np))
    keras_clipped = _np(keras.losses.binary_crossentropy(y_true, keras_probs,
                                                         label_smoothing=label_smoothing))
    keras_logits = _np(keras.losses.binary_crossentropy(y_true, logits_np, from_logits=True,
                                                        label_smoothing=label_smoothing))
    values = _np(ours)
    assert np.all(np.isfinite(values))
    np.testing.assert_allclose(values, keras_logits, rtol=RTOL, atol=ATOL)
    assert np.all(values >= keras_clipped - ATOL)
    ours.sum().backward()
    assert torch.isfinite(logits.grad).all()
    # The confidently wrong entries (40 for a 0, -90 for a 1) still get a full gradient.
    assert float(logits.grad[0, 0]) > 0.1 and float(logits.grad[1, 0]) < -0.1
    # Entries away from saturation agree with Keras' clipped formula element by element.
    mild = np.array([[0.5], [-3.0]], dtype=np.float32)
    t = np.array([[1.0], [0.0]], dtype=np.float32)
    _assert_close(lw.losses.binary_crossentropy(torch.from_numpy(t),
                                                lw.activations.sigmoid(torch.from_numpy(mild))),
                  keras.losses.binary_crossentropy(t, keras.activations.sigmoid(
                      keras.ops.convert_to_tensor(mild))), "mild")


def _exact_binary_focal(y, z, gamma, alpha=None):
    y, z = y.astype(np.float64), z.astype(np.float64)
    p = 1 / (1 + np.exp(-z))
    bce = np.maximum(z, 0) - z * y + np.log1p(np.exp(-np.abs(z)))
    p_t = y * p + (1 - y) * (1 - p)
    out = (1 - p_t) ** gamma * bce
    if alpha is not None:
        out = (y * alpha + (1 - y) * (1 - alpha)) * out
    return out.mean(-1)


@pytest.mark.keras
@pytest.mark.parametrize("from_logits", [False, True])
def test_saturated_binary_focal_is_stable(keras, from_logits):
    logits_np = np.array([[30.0, -25.0, 0.5, 2.0], [-60.0, 45.0, -1.0, 0.0]], dtype=np.float32)
    y_true = np.array([[0.0, 1.0, 1.0, 0.0], [1.0, 0.0, 0.0, 1.0]], dtype=np.float32)
    kwargs = {"gamma": 2.0, "apply_class_balancing": True, "alpha": 0.3}
    y_pred = (torch.from_numpy(logits_np) if from_logits
              else lw.activations.sigmoid(torch.from_numpy(logits_np)))
    values = _np(lw.losses.binary_focal_crossentropy(torch.from_numpy(y_true), y_pred,
                                                     from_logits=from_logits, **kwargs))
    assert np.all(np.isfinite(values))
    np.testing.assert_allclose(values, _exact_binary_focal(y_true, logits_np, 2.0, 0.3),
                               rtol=1e-5, atol=ATOL)
    # Keras (which clips the probabilities) agrees on the unsaturated entries.
    mild_cols = [2, 3]
    keras_pred = logits_np if from_logits else keras.activations.sigmoid(
        keras.ops.convert_to_tensor(logits_np))
    keras_values = _np(keras.losses.binary_focal_crossentropy(
        y_true[:, mild_cols], keras.ops.take(keras_pred, mild_cols, axis=1),
        from_logits=from_logits, **kwargs))
    ours_mild = _np(lw.losses.binary_focal_crossentropy(
        torch.from_numpy(y_true[:, mild_cols]),
        torch.from_numpy(logits_np[:, mild_cols]) if from_logits
        else lw.activations.sigmoid(torch.from_numpy(logits_np[:, mild_cols])),
        from_logits=from_logits, **kwargs))
    np.testing.assert_allclose(ours_mild, keras_values, rtol=RTOL, atol=ATOL)


@pytest.mark.keras
@pytest.mark.parametrize("from_logits", [False, True])
def test_saturated_categorical_focal_is_stable(keras, from_logits):
    logits = torch.from_numpy(SATURATED_LOGITS)
    onehot = np.eye(3, dtype=np.float32)[SATURATED_LABELS]
    y_pred = logits if from_logits else lw.activations.softmax(logits)
    values = _np(lw.losses.categorical_focal_crossentropy(torch.from_numpy(onehot), y_pred,
                                                          from_logits=from_logits))
    assert np.all(np.isfinite(values))
    keras_pred = SATURATED_LOGITS if from_logits else keras.activations.softmax(
        keras.ops.convert_to_tensor(SATURATED_LOGITS))
    keras_values = _np(keras.losses.categorical_focal_crossentropy(onehot, keras_pred,
                                                                   from_logits=from_logits))
    probs = _softmax(SATURATED_LOGITS.astype(np.float64))
    keep = _unclipped_rows(probs)
    np.testing.assert_allclose(values[keep], keras_values[keep], rtol=RTOL, atol=ATOL)
    # Where Keras clips, the true-class term uses the exact log-probability.
    p_true = probs[np.arange(6), SATURATED_LABELS]
    exact = 0.25 * np.clip(1 - p_true, 1e-7, 1) ** 2 * _exact_ce(SATURATED_LOGITS,
                                                                 SATURATED_LABELS)
    np.testing.assert_allclose(values[~keep], exact[~keep], rtol=1e-4, atol=ATOL)


@pytest.mark.keras
def test_logits_are_used_only_for_the_matching_activation(keras):
    """A sigmoid output given to a categorical loss (or a softmax over another axis)
    is treated as plain probabilities, exactly as Keras treats it."""
    rng = np.random.default_rng(4)
    z = rng.normal(0, 3, size=(6, 4)).astype(np.float32)
    onehot = np.eye(4, dtype=np.float32)[rng.integers(0, 4, size=6)]
    sig = lw.activations.sigmoid(torch.from_numpy(z))
    keras_sig = keras.activations.sigmoid(keras.ops.convert_to_tensor(z))
    _assert_close(lw.losses.categorical_crossentropy(torch.from_numpy(onehot), sig),
                  keras.losses.categorical_crossentropy(onehot, keras_sig), "sigmoid+cce")
    soft = lw.activations.softmax(torch.from_numpy(z))
    keras_soft = keras.activations.softmax(keras.ops.convert_to_tensor(z))
    _assert_close(lw.losses.binary_crossentropy(torch.from_numpy(onehot), soft),
                  keras.losses.binary_crossentropy(onehot, keras_soft), "softmax+bce")
    z3 = rng.normal(size=(2, 4, 4)).astype(np.float32)
    t3 = np.eye(4, dtype=np.float32)[rng.integers(0, 4, size=(2, 4))]
    soft0 = lw.activations.softmax(torch.from_numpy(z3), axis=1)
    keras_soft0 = keras.activations.softmax(keras.ops.convert_to_tensor(z3), axis=1)
    _assert_close(lw.losses.categorical_crossentropy(torch.from_numpy(t3), soft0),
                  keras.losses.categorical_crossentropy(t3, keras_soft0), "softmax(axis=1)")


def test_dense_softmax_output_trains_from_saturation():
    """End to end: a saturated softmax layer still gets a useful gradient."""
    layer = lw.layers.Dense(3, activation="softmax")
    x = torch.tensor([[50.0, -50.0]])
    out = layer(x)
    with torch.no_grad():
        layer.kernel.copy_(torch.tensor([[2.0, -2.0, 0.0], [-2.0, 2.0, 0.0]]))
    out = layer(x)
    loss = lw.losses.CategoricalCrossentropy()(torch.tensor([[0.0, 1.0, 0.0]]), out)
    assert float(loss.detach()) > 150.0  # -log(softmax) of a logit gap of 200, not capped at 16.1.
    loss.backward()
    assert torch.isfinite(layer.kernel.grad).all() and float(layer.kernel.grad.abs().sum()) > 0


# ------------------------------------------------------------------ names and configs
KERAS2_ALIASES = {
    "logcosh": "log_cosh", "kullback_leibler_divergence": "kl_divergence",
    "cosine_proximity": "cosine_similarity", "huber_loss": "huber",
}


@pytest.mark.keras
def test_every_keras_name_resolves_to_the_same_loss(keras):
    from keras.src.losses import ALL_OBJECTS_DICT

    for name, obj in ALL_OBJECTS_DICT.items():
        if name in ("Loss", "LossFunctionWrapper"):
            assert getattr(lw.losses, name).__name__ == name
            continue
        ours = lw.losses.get(name)
        theirs = keras.losses.get(name)
        if isinstance(obj, type):
            assert type(ours).__name__ == type(theirs).__name__, name
        else:
            assert callable(ours) and ours.__name__ == obj.__name__, name
    for alias in ("mse", "MSE", "mae", "MAE", "mape", "MAPE", "msle", "MSLE", "kld", "KLD",
                  "bce", "BCE"):
        assert lw.losses.get(alias) is getattr(lw.losses, alias)


@pytest.mark.keras
def test_keras2_aliases_resolve_although_keras3_rejects_them(keras):
    for alias, name in KERAS2_ALIASES.items():
        assert lw.losses.get(alias) is getattr(lw.losses, name)
        assert getattr(lw.losses, alias) is getattr(lw.losses, name)
        with pytest.raises(ValueError):
            keras.losses.get(alias)


def test_unknown_name_suggests_close_matches():
    with pytest.raises(ValueError, match="Did you mean"):
        lw.losses.get("mean_squared_eror")


CONFIG_CASES = [
    ("MeanSquaredError", {"reduction": "sum"}),
    ("Huber", {"delta": 0.5, "name": "h"}),
    ("CosineSimilarity", {"axis": 0}),
    ("BinaryCrossentropy", {"from_logits": True, "label_smoothing": 0.1, "axis": -1}),
    ("BinaryFocalCrossentropy", {"apply_class_balancing": True, "alpha": 0.4, "gamma": 1.5}),
    ("CategoricalCrossentropy", {"label_smoothing": 0.2, "reduction": "none"}),
    ("CategoricalFocalCrossentropy", {"alpha": 0.5, "gamma": 3.0, "from_logits": True}),
    ("SparseCategoricalCrossentropy", {"from_logits": True, "ignore_class": 3}),
    ("KLDivergence", {}), ("Poisson", {"reduction": "mean_with_sample_weight"}),
    ("Hinge", {}), ("SquaredHinge", {}), ("CategoricalHinge", {}), ("LogCosh", {}),
    ("MeanAbsoluteError", {}), ("MeanAbsolutePercentageError", {}),
    ("MeanSquaredLogarithmicError", {}), ("Dice", {"axis": (1, 2)}),
    ("Tversky", {"alpha": 0.2, "beta": 0.8}), ("CTC", {}), ("Circle", {"gamma": 10.0}),
    ("CategoricalGeneralizedCrossEntropy", {"q": 0.3}),
]


@pytest.mark.keras
@pytest.mark.parametrize("cls_name,kwargs", CONFIG_CASES, ids=[c[0] for c in CONFIG_CASES])
def test_config_round_trips_and_interoperates_with_keras(keras, cls_name, kwargs):
    ours = getattr(lw.losses, cls_name)(**kwargs)
    theirs = getattr(keras.losses, cls_name)(**kwargs)
    config = ours.get_config()
    # Keras' keys are a subset of ours (Keras drops Huber's delta and others' axis).
    for key, value in theirs.get_config().items():
        assert config[key] == value, (cls_name, key)
    again = type(ours).from_config(config)
    assert again.get_config() == config
    serialized = lw.losses.serialize(ours)
    assert serialized["module"] == "keras.losses"
    assert serialized["class_name"] == cls_name and serialized["registered_name"] is None
    assert lw.losses.deserialize(serialized).get_config() == config
    assert lw.losses.get(serialized).get_config() == config
    # Keras reads our dict, and we read Keras' dict.
    from_keras = lw.losses.deserialize(keras.losses.serialize(theirs))
    assert type(from_keras).__name__ == cls_name
    from keras.src.losses import ALL_OBJECTS_DICT

    if cls_name in ALL_OBJECTS_DICT:  # Keras 3.15 does not register this one.
        assert type(keras.losses.deserialize(serialized)).__name__ == cls_name


@pytest.mark.keras
def test_functions_serialize_to_names(keras):
    assert lw.losses.serialize(lw.losses.mse) == "mean_squared_error"
    assert lw.losses.deserialize("mean_squared_error") is lw.losses.mean_squared_error
    keras_form = keras.losses.serialize(keras.losses.mean_squared_error)
    assert lw.losses.deserialize(keras_form) is lw.losses.mean_squared_error
    wrapper = lw.losses.LossFunctionWrapper(lw.losses.huber, delta=0.3, name="w")
    again = lw.losses.LossFunctionWrapper.from_config(wrapper.get_config())
    assert again.fn is lw.losses.huber and again.get_config() == wrapper.get_config()


def test_metrics_imports_keep_working():
    from layerwise.losses.losses import (  # noqa: F401
        binary_crossentropy,
        categorical_crossentropy,
        mean_absolute_error,
        mean_squared_error,
        sparse_categorical_crossentropy,
    )


def test_invalid_reduction_is_refused():
    with pytest.raises(ValueError, match="reduction"):
        lw.losses.MeanSquaredError(reduction="average")
    assert lw.losses.MeanSquaredError(reduction="auto").reduction == "sum_over_batch_size"


@pytest.mark.keras
def test_input_conversion_matches_keras(keras):
    """Functions keep a NumPy array's dtype; `Loss` objects compute in their dtype."""
    y_true, y_pred = _make("regression", (4, 3))
    t64, p64 = y_true.astype(np.float64), y_pred.astype(np.float64)
    for fn_name in ("mean_squared_error", "huber", "log_cosh", "kl_divergence"):
        ours = getattr(lw.losses, fn_name)(t64, p64)
        theirs = getattr(keras.losses, fn_name)(t64, p64)
        assert ours.dtype == theirs.dtype == torch.float64
        _assert_close(ours, theirs, fn_name)
        ours = getattr(lw.losses, fn_name)(t64.tolist(), p64.tolist())
        assert ours.dtype == getattr(keras.losses, fn_name)(t64.tolist(), p64.tolist()).dtype
    for dtype in (None, "float64"):
        for reduction in ("sum", "sum_over_batch_size", None):
            ours = lw.losses.MeanSquaredError(dtype=dtype, reduction=reduction)(t64, p64)
            theirs = keras.losses.MeanSquaredError(dtype=dtype, reduction=reduction)(t64, p64)
            # Keras 3.15 returns float32 from the reductions that divide even for float64
            # losses (its `divide_no_nan` type promotion); layerwise keeps the loss dtype.
            assert ours.dtype == (torch.float64 if dtype else torch.float32)
            _assert_close(ours, theirs.to(ours.dtype), f"MeanSquaredError({dtype}, {reduction})")


def test_logits_follow_rank_and_dtype_changes():
    """The class squeezes `(batch, steps, 1)` predictions and casts them to its dtype:
    sigmoid logits follow, so the saturated value stays exact."""
    logits = torch.tensor([[[40.0], [-3.0]], [[0.5], [-60.0]]])
    y_true = torch.tensor([[0.0, 1.0], [1.0, 1.0]])
    exact = torch.nn.functional.binary_cross_entropy_with_logits(
        logits.squeeze(-1).double(), y_true.double(), reduction="none").mean(-1)
    for dtype in (None, "float64"):
        loss = lw.losses.BinaryCrossentropy(reduction=None, dtype=dtype)
        values = loss(y_true, lw.activations.sigmoid(logits))
        torch.testing.assert_close(values.double(), exact, rtol=1e-6, atol=1e-6)
