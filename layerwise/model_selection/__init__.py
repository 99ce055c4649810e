"""`layerwise.model_selection`: K-fold validation for small data sets.

`KFold` and `StratifiedKFold` give the same folds as scikit-learn's;
`cross_validate(build_model, x, y, folds=5)` trains a freshly built model per
fold and returns the per-fold histories and scores with their mean and std.
"""

from layerwise.model_selection.split import KFold as KFold
from layerwise.model_selection.split import StratifiedKFold as StratifiedKFold
from layerwise.model_selection.validation import CrossValidationResult as CrossValidationResult
from layerwise.model_selection.validation import cross_validate as cross_validate
