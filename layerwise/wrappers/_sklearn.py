"""scikit-learn, imported when `layerwise.wrappers` is first used (it is optional)."""

from __future__ import annotations

import numpy as np

try:
    # Optional library: only the wrappers need it, and `import layerwise` never loads this.
    import sklearn

    # Optional library (scikit-learn), loaded only when a wrapper is used.
    from sklearn.base import BaseEstimator, ClassifierMixin, RegressorMixin, TransformerMixin
except ImportError:
    sklearn = None

    class BaseEstimator:  # noqa: D101 - stand-ins so the classes can be defined
        pass

    class ClassifierMixin:
        pass

    class RegressorMixin:
        pass

    class TransformerMixin:
        pass


def assert_sklearn_installed(name: str) -> None:
    if sklearn is None:
        raise ImportError(f"{name} needs scikit-learn, which is not installed. Install it with "
                          "`pip install scikit-learn`.")


def validate_data(estimator, *args, **kwargs):
    """`sklearn.utils.validation.validate_data` (>= 1.6) or the older method."""
    try:
        # Optional library (scikit-learn), loaded only when a wrapper is used.
        from sklearn.utils.validation import validate_data as validate
    except ImportError:
        return estimator._validate_data(*args, **kwargs)
    return validate(estimator, *args, **kwargs)


def type_of_target(y) -> str:
    # Optional library (scikit-learn), loaded only when a wrapper is used.
    from sklearn.utils.multiclass import type_of_target as sk_type_of_target

    kind = sk_type_of_target(y)
    if kind == "unknown":
        raise ValueError(f"Unknown label type for data: {y!r}")
    return kind


class TargetReshaper(TransformerMixin, BaseEstimator):
    """Makes 1-D targets 2-D for the model, and back for the predictions."""

    def fit(self, y):
        self.ndim_ = y.ndim
        return self

    def transform(self, y):
        return y.reshape(-1, 1) if y.ndim == 1 else y

    def inverse_transform(self, y):
        # Optional library (scikit-learn), loaded only when a wrapper is used.
        from sklearn.utils.validation import check_is_fitted

        check_is_fitted(self)
        if self.ndim_ == 1 and y.ndim == 2:
            return np.squeeze(y, axis=1)
        return y
