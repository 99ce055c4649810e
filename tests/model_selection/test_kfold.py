"""K-fold splits equal to scikit-learn's; cross_validate trains a fresh model per fold."""

from __future__ import annotations

import numpy as np
import pytest

import layerwise as keras
from layerwise.model_selection import KFold, StratifiedKFold, cross_validate

sk = pytest.importorskip("sklearn.model_selection")


def folds(splitter, x, y=None):
    return [(tr.tolist(), te.tolist()) for tr, te in splitter.split(x, y)]


@pytest.mark.parametrize("n", [7, 10, 23])
@pytest.mark.parametrize("k", [2, 3, 5])
@pytest.mark.parametrize("shuffle,seed", [(False, None), (True, 0), (True, 42)])
def test_kfold_matches_sklearn(n, k, shuffle, seed):
    x = np.zeros((n, 2))
    assert folds(KFold(k, shuffle=shuffle, random_state=seed), x) == \
        folds(sk.KFold(k, shuffle=shuffle, random_state=seed), x)


@pytest.mark.parametrize("seed", [0, 1, 2])
@pytest.mark.parametrize("shuffle", [False, True])
def test_stratified_kfold_matches_sklearn(seed, shuffle):
    rng = np.random.default_rng(seed)
    y = rng.choice([3, 1, 7], size=40, p=[0.5, 0.3, 0.2])
    x = np.zeros((40, 1))
    state = seed if shuffle else None
    ours = folds(StratifiedKFold(4, shuffle=shuffle, random_state=state), x, y)
    assert ours == folds(sk.StratifiedKFold(4, shuffle=shuffle, random_state=state), x, y)
    one_hot = np.eye(8)[y]
    assert folds(StratifiedKFold(4, shuffle=shuffle, random_state=state), x, one_hot) == ours


def test_split_errors():
    with pytest.raises(ValueError, match="n_splits"):
        KFold(1)
    with pytest.raises(ValueError, match="random_state"):
        KFold(3, random_state=1)
    with pytest.raises(ValueError, match="greater than the number of samples"):
        list(KFold(5).split(np.zeros(3)))
    with pytest.raises(ValueError, match="needs `y`"):
        list(StratifiedKFold(2).split(np.zeros(4)))
    with pytest.warns(UserWarning, match="least populated class"):
        list(StratifiedKFold(3).split(np.zeros(7), [0, 0, 0, 0, 0, 1, 1]))


def build_model():
    model = keras.Sequential([keras.Input((4,)), keras.layers.Dense(3, activation="softmax")])
    model.compile("adam", "sparse_categorical_crossentropy", metrics=["accuracy"])
    return model


def test_cross_validate_fresh_model_per_fold(capsys):
    rng = np.random.default_rng(0)
    x = rng.normal(size=(60, 4)).astype("float32")
    y = (x[:, 0] > 0).astype(int) + (x[:, 1] > 1)
    result = cross_validate(build_model, x, y, folds=3, fit_kwargs={"epochs": 2, "batch_size": 8},
                            return_models=True)
    assert len(result.scores) == len(result.histories) == len(result.models) == 3
    assert len({id(m) for m in result.models}) == 3
    assert all(len(h.history["loss"]) == 2 for h in result.histories)
    for model, (train, test), score in zip(result.models, result.folds, result.scores):
        assert len(train) == 40 and len(test) == 20
        again = model.evaluate(x[test], y[test], verbose=0, return_dict=True)
        assert again["accuracy"] == pytest.approx(score["accuracy"])
    accuracies = [s["accuracy"] for s in result.scores]
    assert result.mean["accuracy"] == pytest.approx(np.mean(accuracies))
    assert result.std["accuracy"] == pytest.approx(np.std(accuracies))
    np.testing.assert_allclose(result["val_accuracy"], accuracies)
    out = capsys.readouterr().out
    assert "Fold 3/3" in out and "Mean over 3 folds" in out
    assert "mean" in str(result) and "accuracy=" in repr(result)


def test_cross_validate_with_a_splitter_and_errors():
    rng = np.random.default_rng(1)
    x = rng.normal(size=(30, 4)).astype("float32")
    y = np.arange(30) % 3
    result = cross_validate(build_model, x, y, folds=StratifiedKFold(3, shuffle=True,
                                                                     random_state=0),
                            fit_kwargs={"epochs": 1}, verbose=0)
    for _, test in result.folds:
        assert set(np.bincount(y[test]).tolist()) <= {3, 4}
    assert result.models is None
    shared = build_model()
    with pytest.raises(ValueError, match="same model twice"):
        cross_validate(lambda: shared, x, y, folds=2, verbose=0)
    with pytest.raises(ValueError, match="compiled"):
        cross_validate(lambda: keras.Sequential([keras.Input((4,)), keras.layers.Dense(3)]),
                       x, y, folds=2, verbose=0)
    with pytest.raises(ValueError, match="folds"):
        cross_validate(build_model, x, y, folds="five")
