"""`cross_validate`: train a fresh model per fold, collect histories and held-out scores."""

from __future__ import annotations

import numbers
import weakref

import numpy as np
import torch

from layerwise.model_selection.split import KFold, _num_samples


def _take(data, index):
    """Rows `index` of an array, or of each array in a list / tuple / dict."""
    if data is None:
        return None
    if isinstance(data, dict):
        return {k: _take(v, index) for k, v in data.items()}
    if isinstance(data, (list, tuple)) and data and hasattr(data[0], "shape"):
        return type(data)(_take(v, index) for v in data)
    if hasattr(data, "detach") and hasattr(data, "index_select"):
        return data.index_select(0, torch.as_tensor(index, device=data.device))
    return np.asarray(data)[index]


class CrossValidationResult:
    """What `cross_validate` returns.

    Attributes:
        scores: One dict per fold: `model.evaluate` on the held-out fold
            (`{"loss": ..., "accuracy": ...}`).
        histories: The `History` of each fold's `fit`.
        folds: `(train_indices, test_indices)` of each fold.
        models: The trained models (only with `return_models=True`).
        mean: The mean of each score over the folds.
        std: The standard deviation (population, as `np.std`) over the folds.
    """

    def __init__(self, scores, histories, folds, models=None):
        self.scores, self.histories, self.folds = scores, histories, folds
        self.models = models
        names = list(scores[0]) if scores else []
        self.mean = {k: float(np.mean([s[k] for s in scores])) for k in names}
        self.std = {k: float(np.std([s[k] for s in scores])) for k in names}

    def __getitem__(self, key):
        """`result["val_accuracy"]` etc.: the per-fold values of a score (dict-like access)."""
        key = key[len("val_"):] if key.startswith("val_") and key not in self.mean else key
        if key not in self.mean:
            raise KeyError(f"No score named {key!r}; the scores are {list(self.mean)}.")
        return np.array([s[key] for s in self.scores])

    def to_dict(self) -> dict:
        """Scores, mean, std and histories as plain Python types."""
        return {"scores": self.scores, "mean": self.mean, "std": self.std,
                "histories": [dict(getattr(h, "history", h) or {}) for h in self.histories]}

    def __str__(self) -> str:
        names = list(self.mean)
        lines = ["fold  " + "  ".join(f"{n:>12}" for n in names)]
        for i, s in enumerate(self.scores):
            lines.append(f"{i + 1:>4}  " + "  ".join(f"{s[n]:>12.4f}" for n in names))
        lines.append("mean  " + "  ".join(f"{self.mean[n]:>12.4f}" for n in names))
        lines.append(" std  " + "  ".join(f"{self.std[n]:>12.4f}" for n in names))
        return "\n".join(lines)

    def __repr__(self) -> str:
        shown = ", ".join(f"{k}={v:.4f}±{self.std[k]:.4f}" for k, v in self.mean.items())
        return f"<CrossValidationResult folds={len(self.scores)} {shown}>"


def cross_validate(build_model, x, y, folds=5, fit_kwargs=None, evaluate_kwargs=None,
                   return_models: bool = False, verbose: int = 1) -> CrossValidationResult:
    """K-fold validation: each fold trains a freshly built model on the other folds.

    Args:
        build_model: A function with no arguments returning a new compiled model.
        x: Inputs (an array, or a list / dict of arrays).
        y: Targets (rows aligned with `x`).
        folds: The number of folds (consecutive `KFold`), or a splitter with
            `split(x, y)`, e.g. `StratifiedKFold(5, shuffle=True, random_state=0)`.
        fit_kwargs: Arguments of each `fit` (`epochs`, `batch_size`, ...;
            `verbose` defaults to 0).
        evaluate_kwargs: Arguments of each held-out `evaluate`.
        return_models: Keep the trained models in `result.models`.
        verbose: 1 prints one line per fold, 0 nothing.

    Returns:
        A `CrossValidationResult` (`scores`, `histories`, `mean`, `std`).

    Example:

    ```python
    def build_model():
        model = keras.Sequential([keras.Input((13,)), keras.layers.Dense(64, "relu"),
                                  keras.layers.Dense(1)])
        model.compile("rmsprop", "mse", metrics=["mae"])
        return model

    result = cross_validate(build_model, x, y, folds=4, fit_kwargs={"epochs": 100})
    print(result.mean["mae"], result.std["mae"])
    ```
    """
    if not callable(build_model):
        raise ValueError("`build_model` must be a function returning a new compiled model, "
                         f"received {type(build_model).__name__}.")
    if isinstance(folds, numbers.Integral):
        splitter = KFold(int(folds))
    elif hasattr(folds, "split") and not isinstance(folds, (str, bytes)):
        splitter = folds
    else:
        raise ValueError(f"`folds` must be a number of folds or a splitter such as "
                         f"`StratifiedKFold(5)`, received {folds!r}.")
    fit_kwargs = {"verbose": 0, **(fit_kwargs or {})}
    evaluate_kwargs = {"verbose": 0, **(evaluate_kwargs or {})}
    n = _num_samples(x)
    if y is not None and _num_samples(y) != n:
        raise ValueError(f"`x` has {n} samples but `y` has {_num_samples(y)}.")
    splits = list(splitter.split(x, y))
    scores, histories, models, seen = [], [], [], weakref.WeakSet()
    for i, (train, test) in enumerate(splits):
        model = build_model()
        if not getattr(model, "compiled", False):
            raise ValueError("`build_model` must return a compiled model: call "
                             "`model.compile(...)` inside it.")
        if model in seen:
            raise ValueError("`build_model` returned the same model twice: build a new one on "
                             "each call so every fold starts from fresh weights.")
        histories.append(model.fit(_take(x, train), _take(y, train), **fit_kwargs))
        score = model.evaluate(_take(x, test), _take(y, test), return_dict=True,
                               **evaluate_kwargs)
        scores.append({k: float(v) for k, v in score.items()})
        seen.add(model)
        if return_models:
            models.append(model)
        if verbose:
            shown = " - ".join(f"{k}: {v:.4f}" for k, v in scores[-1].items())
            print(f"Fold {i + 1}/{len(splits)}: {len(train)} train, {len(test)} held out - {shown}")
    result = CrossValidationResult(scores, histories, splits, models if return_models else None)
    if verbose:
        shown = " - ".join(f"{k}: {v:.4f} ± {result.std[k]:.4f}" for k, v in result.mean.items())
        print(f"Mean over {len(splits)} folds - {shown}")
    return result
