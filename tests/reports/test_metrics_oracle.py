"""Every `layerwise.reports` metric against scikit-learn, the oracle, on random and edge inputs."""

from __future__ import annotations

import warnings

import numpy as np
import pytest

from layerwise import reports as R

S = pytest.importorskip("sklearn.metrics")


def quiet(fn, *args, **kwargs):
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        return fn(*args, **kwargs)


def same(a, b):
    if isinstance(a, (tuple, list)):
        assert len(a) == len(b)
        for x, y in zip(a, b):
            same(x, y)
        return
    if isinstance(a, dict):
        assert a.keys() == b.keys()
        for k in a:
            same(a[k], b[k])
        return
    if a is None or b is None:
        assert a is b
        return
    np.testing.assert_allclose(np.asarray(a, dtype=float), np.asarray(b, dtype=float),
                               rtol=1e-12, atol=1e-12, equal_nan=True)


def label_cases():
    rng = np.random.default_rng(7)
    cases = []
    for seed in range(6):
        r = np.random.default_rng(seed)
        k = int(r.integers(2, 7))
        n = int(r.integers(5, 60))
        cases.append((f"random{seed}", r.integers(0, k, n), r.integers(0, k, n)))
    cases += [
        ("never_predicted", np.array([0, 1, 2, 2, 1, 0]), np.array([0, 0, 2, 2, 0, 0])),
        ("never_true", np.array([0, 0, 1, 1]), np.array([0, 2, 1, 2])),
        ("single_class", np.array([3, 3, 3]), np.array([3, 3, 3])),
        ("perfect", np.arange(5), np.arange(5)),
        ("all_wrong", np.array([0, 1, 0, 1]), np.array([1, 0, 1, 0])),
        ("strings", np.array(["cat", "dog", "cat", "eel"]), np.array(["dog", "dog", "cat", "cat"])),
        ("big", rng.integers(0, 10, 500), rng.integers(0, 10, 500)),
    ]
    return cases


CASES = label_cases()
IDS = [c[0] for c in CASES]


@pytest.mark.parametrize("name,y_true,y_pred", CASES, ids=IDS)
@pytest.mark.parametrize("normalize", [None, "true", "pred", "all"])
def test_confusion_matrix(name, y_true, y_pred, normalize):
    ours = quiet(R.confusion_matrix, y_true, y_pred, normalize=normalize)
    theirs = quiet(S.confusion_matrix, y_true, y_pred, normalize=normalize)
    assert ours.dtype == theirs.dtype
    same(ours, theirs)


@pytest.mark.parametrize("name,y_true,y_pred", CASES[:8], ids=IDS[:8])
def test_confusion_matrix_labels_and_weights(name, y_true, y_pred):
    rng = np.random.default_rng(1)
    w = rng.random(len(y_true))
    labels = np.unique(y_true)[::-1]
    for kw in ({"labels": labels}, {"sample_weight": w}, {"labels": labels[:2], "sample_weight": w},
               {"sample_weight": (w > 0.5).astype(int)}, {"labels": [*labels, 99]}):
        ours = quiet(R.confusion_matrix, y_true, y_pred, **kw)
        theirs = quiet(S.confusion_matrix, y_true, y_pred, **kw)
        assert ours.dtype == theirs.dtype
        same(ours, theirs)


def test_confusion_matrix_accepts_one_hot_and_probability_rows():
    rng = np.random.default_rng(3)
    y = rng.integers(0, 4, 40)
    prob = rng.dirichlet(np.ones(4), 40)
    one_hot = np.eye(4)[y]
    expected = S.confusion_matrix(y, prob.argmax(1))
    same(R.confusion_matrix(one_hot, prob), expected)
    same(R.confusion_matrix(y, prob), expected)
    sigmoid = rng.random((40, 1))
    binary = rng.integers(0, 2, 40)
    same(R.confusion_matrix(binary, sigmoid), S.confusion_matrix(binary, sigmoid[:, 0] > 0.5))


def test_confusion_matrix_errors_name_the_argument():
    with pytest.raises(ValueError, match="normalize"):
        R.confusion_matrix([0, 1], [0, 1], normalize="rows")
    with pytest.raises(ValueError, match="same number of samples"):
        R.confusion_matrix([0, 1, 1], [0, 1])
    with pytest.raises(ValueError, match="labels"):
        R.confusion_matrix([0, 1], [0, 1], labels=[5])
    with pytest.raises(ValueError, match="y_pred"):
        R.confusion_matrix([0, 1], np.zeros((2, 2, 2)))


@pytest.mark.parametrize("name,y_true,y_pred", CASES, ids=IDS)
@pytest.mark.parametrize("zero_division", ["warn", 0.0, 1.0, np.nan])
def test_classification_report_text_and_dict(name, y_true, y_pred, zero_division):
    for digits in (2, 4):
        ours = quiet(R.classification_report, y_true, y_pred, digits=digits,
                     zero_division=zero_division)
        theirs = quiet(S.classification_report, y_true, y_pred, digits=digits,
                       zero_division=zero_division)
        assert ours == theirs
    ours = quiet(R.classification_report, y_true, y_pred, output_dict=True,
                 zero_division=zero_division)
    same(ours, quiet(S.classification_report, y_true, y_pred, output_dict=True,
                     zero_division=zero_division))


@pytest.mark.parametrize("name,y_true,y_pred", CASES[:8], ids=IDS[:8])
def test_classification_report_labels_names_weights(name, y_true, y_pred):
    labels = np.unique(np.concatenate([y_true, y_pred]))
    names = [f"class {i}" for i in range(len(labels))]
    w = np.random.default_rng(2).random(len(y_true)) * 3
    for kw in ({"target_names": names}, {"labels": labels[:1]}, {"sample_weight": w},
               {"labels": labels, "target_names": names, "sample_weight": w}):
        assert quiet(R.classification_report, y_true, y_pred, **kw) == \
            quiet(S.classification_report, y_true, y_pred, **kw)
        same(quiet(R.classification_report, y_true, y_pred, output_dict=True, **kw),
             quiet(S.classification_report, y_true, y_pred, output_dict=True, **kw))


def test_classification_report_warns_like_sklearn():
    with pytest.warns(R.UndefinedMetricWarning, match="Precision is ill-defined"):
        R.classification_report([0, 1, 2], [0, 0, 0])
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        R.classification_report([0, 1, 2], [0, 0, 0], zero_division=0.0)
    with pytest.raises(ValueError, match="target_names"):
        R.classification_report([0, 1], [0, 1], target_names=["a"])


@pytest.mark.parametrize("average", [None, "micro", "macro", "weighted"])
@pytest.mark.parametrize("name,y_true,y_pred", CASES, ids=IDS)
def test_precision_recall_fscore_support(name, y_true, y_pred, average):
    ours = quiet(R.precision_recall_fscore_support, y_true, y_pred, average=average)
    theirs = quiet(S.precision_recall_fscore_support, y_true, y_pred, average=average)
    same(ours, theirs)


def binary_cases():
    cases = []
    for seed in range(5):
        r = np.random.default_rng(10 + seed)
        n = int(r.integers(4, 80))
        y = r.integers(0, 2, n)
        y[:2] = [0, 1]
        cases.append((f"random{seed}", y, r.random(n)))
    r = np.random.default_rng(99)
    y = r.integers(0, 2, 60)
    y[:2] = [0, 1]
    cases += [
        ("ties", y, np.round(r.random(60), 1)),
        ("all_tied", np.array([0, 1, 0, 1, 1]), np.full(5, 0.5)),
        ("perfect", np.array([0, 0, 1, 1]), np.array([0.1, 0.2, 0.8, 0.9])),
        ("inverted", np.array([0, 0, 1, 1]), np.array([0.9, 0.8, 0.2, 0.1])),
        ("minus_one", np.array([-1, 1, -1, 1, 1]), np.array([0.3, 0.6, 0.6, 0.2, 0.9])),
        ("logits", np.array([0, 1, 1, 0, 1]), np.array([-3.0, 2.5, 0.0, 0.0, 7.0])),
    ]
    return cases


BINARY = binary_cases()
BIDS = [c[0] for c in BINARY]


@pytest.mark.parametrize("name,y,score", BINARY, ids=BIDS)
@pytest.mark.parametrize("drop", [True, False])
def test_roc_curve_and_auc(name, y, score, drop):
    ours = R.roc_curve(y, score, drop_intermediate=drop)
    theirs = S.roc_curve(y, score, drop_intermediate=drop)
    same(ours, theirs)
    assert R.auc(ours[0], ours[1]) == pytest.approx(S.auc(theirs[0], theirs[1]), abs=1e-15)
    assert R.roc_auc_score(y, score) == pytest.approx(S.roc_auc_score(y, score), abs=1e-15)
    w = np.random.default_rng(5).random(len(y))
    w[0] = 0
    same(R.roc_curve(y, score, sample_weight=w, drop_intermediate=drop),
         S.roc_curve(y, score, sample_weight=w, drop_intermediate=drop))
    assert R.roc_auc_score(y, score, sample_weight=w) == pytest.approx(
        S.roc_auc_score(y, score, sample_weight=w), abs=1e-15)
    for max_fpr in (0.3, 0.5):
        assert R.roc_auc_score(y, score, max_fpr=max_fpr) == pytest.approx(
            S.roc_auc_score(y, score, max_fpr=max_fpr), abs=1e-15)


@pytest.mark.parametrize("name,y,score", BINARY, ids=BIDS)
@pytest.mark.parametrize("drop", [True, False])
def test_precision_recall_curve_and_average_precision(name, y, score, drop):
    pos = 1
    same(R.precision_recall_curve(y, score, drop_intermediate=drop),
         S.precision_recall_curve(y, score, drop_intermediate=drop))
    assert R.average_precision_score(y, score, pos_label=pos) == pytest.approx(
        S.average_precision_score(y, score, pos_label=pos), abs=1e-15)
    w = np.random.default_rng(6).random(len(y))
    same(R.precision_recall_curve(y, score, sample_weight=w),
         S.precision_recall_curve(y, score, sample_weight=w))
    assert R.average_precision_score(y, score, sample_weight=w) == pytest.approx(
        S.average_precision_score(y, score, sample_weight=w), abs=1e-15)


def test_binary_curves_accept_softmax_and_one_hot():
    r = np.random.default_rng(4)
    y = r.integers(0, 2, 30)
    p = r.dirichlet([1, 1], 30)
    same(R.roc_curve(np.eye(2)[y], p), S.roc_curve(y, p[:, 1]))
    assert R.roc_auc_score(np.eye(2)[y], p) == pytest.approx(S.roc_auc_score(y, p[:, 1]))
    assert R.roc_auc_score(y, p[:, 1:]) == pytest.approx(S.roc_auc_score(y, p[:, 1]))


def test_single_class_is_undefined_like_sklearn():
    y, s = np.ones(4, int), np.array([0.1, 0.4, 0.35, 0.8])
    with pytest.warns(R.UndefinedMetricWarning):
        ours = R.roc_curve(y, s)
    same(ours, quiet(S.roc_curve, y, s))
    with pytest.warns(R.UndefinedMetricWarning):
        assert np.isnan(R.roc_auc_score(y, s))
    same(quiet(R.precision_recall_curve, 1 - y, s), quiet(S.precision_recall_curve, 1 - y, s))
    with pytest.raises(ValueError, match="pos_label"):
        R.roc_curve([1, 2, 2], [0.1, 0.2, 0.3])
    same(R.roc_curve([1, 2, 2], [0.1, 0.2, 0.3], pos_label=2),
         S.roc_curve([1, 2, 2], [0.1, 0.2, 0.3], pos_label=2))


def multiclass_cases():
    cases = []
    for seed in range(5):
        r = np.random.default_rng(20 + seed)
        k = int(r.integers(3, 7))
        n = int(r.integers(k * 3, 90))
        y = np.r_[np.arange(k), r.integers(0, k, n - k)]
        cases.append((f"random{seed}", y, r.dirichlet(np.ones(k), n)))
    r = np.random.default_rng(77)
    y = np.r_[np.arange(4), r.integers(0, 4, 36)]
    cases.append(("ties", y, np.round(r.dirichlet(np.ones(4), 40), 1)))
    p = np.round(r.dirichlet(np.ones(4), 40), 1)
    cases[-1] = ("ties", y, p / p.sum(axis=1, keepdims=True))
    return cases


MULTI = multiclass_cases()
MIDS = [c[0] for c in MULTI]


@pytest.mark.parametrize("name,y,prob", MULTI, ids=MIDS)
@pytest.mark.parametrize("average", ["micro", "macro", "weighted", None])
def test_roc_auc_score_one_vs_rest(name, y, prob, average):
    theirs = S.roc_auc_score(y, prob, multi_class="ovr", average=average)
    same(R.roc_auc_score(y, prob, average=average), theirs)
    same(R.roc_auc_score(np.eye(prob.shape[1])[y], prob, average=average), theirs)
    w = np.random.default_rng(8).random(len(y))
    same(R.roc_auc_score(y, prob, average=average, sample_weight=w),
         S.roc_auc_score(y, prob, multi_class="ovr", average=average, sample_weight=w))


@pytest.mark.parametrize("name,y,prob", MULTI, ids=MIDS)
@pytest.mark.parametrize("average", ["macro", "weighted"])
def test_roc_auc_score_one_vs_one(name, y, prob, average):
    theirs = S.roc_auc_score(y, prob, multi_class="ovo", average=average)
    same(R.roc_auc_score(y, prob, multi_class="ovo", average=average), theirs)
    same(R.roc_auc_score(np.eye(prob.shape[1])[y], prob, multi_class="ovo", average=average),
         theirs)


def test_one_vs_one_refuses_what_sklearn_refuses():
    y, prob = MULTI[0][1], MULTI[0][2]
    with pytest.raises(ValueError, match="sample_weight"):
        R.roc_auc_score(y, prob, multi_class="ovo", sample_weight=np.ones(len(y)))
    with pytest.raises(ValueError, match="average"):
        R.roc_auc_score(y, prob, multi_class="ovo", average="micro")
    with pytest.raises(ValueError, match="multi_class"):
        R.roc_auc_score(y, prob, multi_class="pairs")


@pytest.mark.parametrize("name,y,prob", MULTI, ids=MIDS)
@pytest.mark.parametrize("average", ["micro", "macro", "weighted", None])
def test_average_precision_multiclass(name, y, prob, average):
    same(R.average_precision_score(y, prob, average=average),
         S.average_precision_score(y, prob, average=average))


def test_multiclass_with_a_class_absent_from_y_true():
    r = np.random.default_rng(0)
    y = r.integers(0, 3, 30)            # class 3 never appears
    prob = r.dirichlet(np.ones(4), 30)
    with pytest.raises(ValueError, match="labels="):
        R.roc_auc_score(y, prob)
    ours = quiet(R.roc_auc_score, y, prob, labels=range(4), average=None)
    same(ours, quiet(S.roc_auc_score, y, prob, multi_class="ovr", labels=range(4), average=None))
    assert np.isnan(ours[3])
    with pytest.raises(ValueError, match="sum up to 1"):
        R.roc_auc_score(y, prob * 2, labels=range(4))


def test_multilabel_indicator():
    r = np.random.default_rng(1)
    y = r.integers(0, 2, (40, 3))
    y[:2] = [[1, 1, 1], [0, 0, 0]]
    s = r.random((40, 3))
    for average in ("micro", "macro", "weighted", None):
        same(R.roc_auc_score(y, s, average=average), S.roc_auc_score(y, s, average=average))
        same(R.average_precision_score(y, s, average=average),
             S.average_precision_score(y, s, average=average))


def test_auc_monotonic_and_errors():
    r = np.random.default_rng(2)
    x = np.sort(r.random(20))
    y = r.random(20)
    assert R.auc(x, y) == pytest.approx(S.auc(x, y), abs=1e-15)
    assert R.auc(x[::-1], y[::-1]) == pytest.approx(S.auc(x[::-1], y[::-1]), abs=1e-15)
    with pytest.raises(ValueError, match="neither increasing nor decreasing"):
        R.auc([0, 1, 0.5], [0, 1, 1])
    with pytest.raises(ValueError, match="2 points"):
        R.auc([0], [1])


def test_torch_tensors_are_accepted():
    torch = pytest.importorskip("torch")
    y = torch.tensor([0, 1, 2, 2, 1])
    p = torch.softmax(torch.randn(5, 3), dim=1)
    same(R.confusion_matrix(y, p), S.confusion_matrix(y.numpy(), p.numpy().argmax(1)))
