"""`SKLearnClassifier`, `SKLearnRegressor`, `SKLearnTransformer` (Keras 3's wrappers)."""

from __future__ import annotations

import copy

import numpy as np

from layerwise.models.model import Model
from layerwise.saving.json_model import model_from_json
from layerwise.wrappers._sklearn import (
    BaseEstimator,
    ClassifierMixin,
    RegressorMixin,
    TargetReshaper,
    TransformerMixin,
    assert_sklearn_installed,
    type_of_target,
    validate_data,
)


def clone_model(model: Model) -> Model:
    """A new model with `model`'s architecture and compile arguments, fresh weights."""
    clone = model_from_json(model.to_json())
    config = model.get_compile_config()
    if config:
        clone.compile_from_config(config)
    return clone


def _check_model(model) -> None:
    if not getattr(model, "compiled", False) or not model.loss or not model.optimizer:
        raise RuntimeError("The model given to the wrapper must be compiled, with a loss and an "
                           "optimizer: call `model.compile(optimizer=..., loss=...)`.")


class SKLBase(BaseEstimator):
    """Base of the scikit-learn wrappers.

    Args:
        model: A compiled `Model` (cloned before each fit, unless `warm_start`),
            or a callable `model(X=..., y=..., **model_kwargs)` returning one.
        warm_start: Keep training the previously fitted model on `fit`.
        model_kwargs: Keyword arguments of `model` when it is a callable.
        fit_kwargs: Keyword arguments of `model.fit` (those given to `fit`
            take precedence). As in Keras, `fit` and `predict` keep the
            default verbosity (`"auto"`: a progress bar); `verbose=0` here
            quiets `fit`.

    Attributes:
        model_: The fitted model.
        history_: The `History` returned by `model.fit`.
    """

    def __init__(self, model, warm_start: bool = False, model_kwargs=None, fit_kwargs=None):
        assert_sklearn_installed(type(self).__name__)
        self.model = model
        self.warm_start = warm_start
        self.model_kwargs = model_kwargs
        self.fit_kwargs = fit_kwargs

    def _more_tags(self):
        return {"non_deterministic": True}

    def __sklearn_tags__(self):
        tags = super().__sklearn_tags__()
        tags.non_deterministic = True
        return tags

    def __sklearn_clone__(self):
        model = self.model if callable(self.model) and not isinstance(self.model, Model) \
            else copy.deepcopy(self.model)
        return type(self)(model=model, warm_start=self.warm_start,
                          model_kwargs=self.model_kwargs, fit_kwargs=self.fit_kwargs)

    @property
    def epoch_(self) -> int:
        """The number of epochs of the last fit."""
        history = getattr(self, "history_", None)
        return len(getattr(history, "epoch", []) or [])

    def _get_model(self, X, y):
        if self.warm_start and hasattr(self, "model_"):
            return self.model_
        if isinstance(self.model, Model):
            return clone_model(self.model)
        return self.model(X=X, y=y, **(self.model_kwargs or {}))

    def fit(self, X, y, **kwargs):
        """Fits the model on `X` `(n_samples, n_features)` and `y`; returns `self`.

        Keyword arguments go to `model.fit` (over `fit_kwargs`).
        """
        X, y = validate_data(self, X, y)
        y = self._process_target(y, reset=True)
        model = self._get_model(X, y)
        _check_model(model)
        fit_kwargs = {**(self.fit_kwargs or {}), **kwargs}
        self.history_ = model.fit(X, y, **fit_kwargs)
        self.model_ = model
        return self

    def predict(self, X):
        """Predictions for `X` (class labels for the classifier)."""
        # Optional library (scikit-learn), loaded only when a wrapper is used.
        from sklearn.utils.validation import check_is_fitted

        check_is_fitted(self)
        X = validate_data(self, X, reset=False)
        return self._reverse_process_target(self.model_.predict(X))

    def _process_target(self, y, reset=False):
        type_of_target(y)
        if reset:
            self._target_encoder = TargetReshaper().fit(y)
        return self._target_encoder.transform(y)

    def _reverse_process_target(self, y):
        return self._target_encoder.inverse_transform(y)


class _PoorScore:
    """Tags a classifier or regressor `poor_score` (in its `_tags_group` of sklearn's tags)."""

    _tags_group: str  # "classifier_tags" or "regressor_tags"

    def _more_tags(self):
        return {"poor_score": True}

    def __sklearn_tags__(self):
        tags = super().__sklearn_tags__()
        getattr(tags, self._tags_group).poor_score = True
        return tags


class SKLearnClassifier(_PoorScore, ClassifierMixin, SKLBase):
    """A scikit-learn classifier around a layerwise model (targets one-hot encoded).

    Args: as `SKLBase` (`model`, `warm_start`, `model_kwargs`, `fit_kwargs`).

    Attributes:
        model_: The fitted model.
        history_: The `History` of the fit.
        classes_: The class labels seen in `fit`.

    Example:

    ```python
    def dynamic_model(X, y, loss, layers=[10]):
        inputs = keras.Input(shape=(X.shape[1],))
        hidden = inputs
        for size in layers:
            hidden = keras.layers.Dense(size, activation="relu")(hidden)
        outputs = keras.layers.Dense(y.shape[1], activation="softmax")(hidden)
        model = keras.Model(inputs, outputs)
        model.compile(loss=loss, optimizer="rmsprop")
        return model

    est = SKLearnClassifier(model=dynamic_model,
                            model_kwargs={"loss": "categorical_crossentropy", "layers": [20]})
    est.fit(X, y, epochs=5)
    ```
    """

    _tags_group = "classifier_tags"

    def decision_function(self, X):
        """The model's raw outputs for `X`."""
        # Optional library (scikit-learn), loaded only when a wrapper is used.
        from sklearn.utils.validation import check_is_fitted

        check_is_fitted(self)
        X = validate_data(self, X, reset=False)
        return self.model_.predict(X)

    def _process_target(self, y, reset=False):
        # Optional library (scikit-learn), loaded only when a wrapper is used.
        import sklearn.pipeline

        # Optional library (scikit-learn), loaded only when a wrapper is used.
        import sklearn.preprocessing

        target_type = type_of_target(y)
        if target_type not in ("binary", "multiclass"):
            raise ValueError(f"Only binary and multiclass target types are supported. Target "
                             f"type: {target_type}")
        if reset:
            self._target_encoder = sklearn.pipeline.make_pipeline(
                TargetReshaper(), sklearn.preprocessing.OneHotEncoder(sparse_output=False)).fit(y)
            self.classes_ = np.unique(y)
            if len(self.classes_) == 1:
                raise ValueError("Classifier can't train when only one class is present.")
        return self._target_encoder.transform(y)


class SKLearnRegressor(_PoorScore, RegressorMixin, SKLBase):
    """A scikit-learn regressor around a layerwise model.

    Args: as `SKLBase` (`model`, `warm_start`, `model_kwargs`, `fit_kwargs`).
    """

    _tags_group = "regressor_tags"


class SKLearnTransformer(TransformerMixin, SKLBase):
    """A scikit-learn transformer whose `transform` is the model's `predict` (e.g. embeddings).

    Args: as `SKLBase` (`model`, `warm_start`, `model_kwargs`, `fit_kwargs`).
    """

    def transform(self, X):
        """The model's outputs for `X`."""
        # Optional library (scikit-learn), loaded only when a wrapper is used.
        from sklearn.utils.validation import check_is_fitted

        check_is_fitted(self)
        X = validate_data(self, X, reset=False)
        return self.model_.predict(X)

    def _more_tags(self):
        return {"preserves_dtype": []}

    def __sklearn_tags__(self):
        tags = super().__sklearn_tags__()
        tags.transformer_tags.preserves_dtype = []
        return tags
