"""The scikit-learn wrappers pass scikit-learn's estimator checks where Keras 3's do."""

from __future__ import annotations

import unittest

import numpy as np
import pytest

sklearn = pytest.importorskip("sklearn")
from sklearn.utils.estimator_checks import parametrize_with_checks  # noqa: E402

import layerwise as keras  # noqa: E402
from layerwise.wrappers import (  # noqa: E402
    SKLearnClassifier,
    SKLearnRegressor,
    SKLearnTransformer,
)


def dynamic_model(X, y, loss, out_activation_function="softmax", layers=(10,)):
    """Keras' test model: an MLP sized from the data."""
    inputs = keras.Input(shape=(X.shape[1],))
    hidden = inputs
    for size in layers:
        hidden = keras.layers.Dense(size, activation="relu")(hidden)
    outputs = keras.layers.Dense(y.shape[1] if len(y.shape) > 1 else 1,
                                 activation=out_activation_function)(hidden)
    model = keras.Model(inputs, outputs)
    model.compile(loss=loss, optimizer="rmsprop")
    return model


# The same expected failures as Keras 3's own test (keras/src/wrappers/sklearn_test.py).
EXPECTED_FAILED_CHECKS = {
    "SKLearnClassifier": {
        "check_classifiers_regression_target": "not an issue in sklearn>=1.6",
        "check_parameters_default_constructible": "not an issue in sklearn>=1.6",
        "check_classifiers_one_label_sample_weights": "0 sample weight is not ignored",
        "check_classifiers_classes": "with small test cases the estimator returns not all "
                                     "classes sometimes",
        "check_classifier_data_not_an_array": "This test assumes reproducibility in fit.",
        "check_supervised_y_2d": "This test assumes reproducibility in fit.",
        "check_fit_idempotent": "This test assumes reproducibility in fit.",
        "check_classifiers_train": "decision_function can return both probabilities and logits",
    },
    "SKLearnRegressor": {
        "check_parameters_default_constructible": "not an issue in sklearn>=1.6",
    },
    "SKLearnTransformer": {
        "check_parameters_default_constructible": "not an issue in sklearn>=1.6",
    },
}


@pytest.mark.slow
@parametrize_with_checks(
    [SKLearnClassifier(model=dynamic_model, fit_kwargs={"epochs": 5},
                       model_kwargs={"loss": "categorical_crossentropy", "layers": [20, 20, 20]}),
     SKLearnRegressor(model=dynamic_model, model_kwargs={"loss": "mse"}),
     SKLearnTransformer(model=dynamic_model, model_kwargs={"loss": "mse"})],
    expected_failed_checks=lambda est: EXPECTED_FAILED_CHECKS[type(est).__name__])
def test_sklearn_estimator_checks(estimator, check):
    try:
        check(estimator)
    except unittest.SkipTest as skip:
        pytest.skip(str(skip))


def classification_data(n=80):
    from sklearn.datasets import make_classification

    return make_classification(n_samples=n, n_features=8, n_informative=4, n_classes=3,
                               random_state=0)


def test_classifier_fit_predict_and_decision_function():
    X, y = classification_data()
    est = SKLearnClassifier(model=dynamic_model, model_kwargs={"loss": "categorical_crossentropy"},
                            fit_kwargs={"epochs": 3})
    est.fit(X, y)
    assert est.epoch_ == 3
    assert set(est.classes_) == {0, 1, 2}
    scores = est.decision_function(X[:5])
    assert scores.shape == (5, 3)
    np.testing.assert_array_equal(est.predict(X[:5]), est.classes_[scores.argmax(axis=1)])
    np.testing.assert_allclose(scores.sum(axis=1), 1, atol=1e-5)   # softmax outputs


def test_cross_val_score_grid_search_and_pipeline():
    from sklearn.model_selection import GridSearchCV, cross_val_score
    from sklearn.pipeline import make_pipeline
    from sklearn.preprocessing import StandardScaler

    X, y = classification_data(60)
    est = SKLearnClassifier(model=dynamic_model, model_kwargs={"loss": "categorical_crossentropy"},
                            fit_kwargs={"epochs": 2})
    scores = cross_val_score(est, X, y, cv=3)
    assert scores.shape == (3,) and np.all((scores >= 0) & (scores <= 1))
    grid = GridSearchCV(est, {"model_kwargs": [{"loss": "categorical_crossentropy",
                                                "layers": [4]},
                                               {"loss": "categorical_crossentropy",
                                                "layers": [8, 8]}]}, cv=2)
    grid.fit(X, y)
    assert grid.best_params_["model_kwargs"]["layers"] in ([4], [8, 8])
    pipe = make_pipeline(StandardScaler(), SKLearnRegressor(model=dynamic_model,
                                                            model_kwargs={"loss": "mse"}))
    pipe.fit(X, y.astype(float))
    assert pipe.predict(X[:4]).shape == (4,)


def test_transformer_and_model_instance_is_cloned():
    X, y = classification_data(40)
    base = dynamic_model(X, y.reshape(-1, 1), loss="mse", out_activation_function="linear",
                         layers=[6])
    est = SKLearnTransformer(model=base, fit_kwargs={"epochs": 1})
    est.fit(X, y.astype(float))
    assert est.model_ is not base
    assert est.transform(X[:3]).shape == (3, 1)
    warm = SKLearnRegressor(model=base, warm_start=True, fit_kwargs={"epochs": 1})
    warm.fit(X, y.astype(float))
    first = warm.model_
    warm.fit(X, y.astype(float))
    assert warm.model_ is first
    with pytest.raises(RuntimeError, match="compiled"):
        SKLearnRegressor(model=lambda X, y: keras.Sequential(
            [keras.Input((8,)), keras.layers.Dense(1)])).fit(X, y.astype(float))
