"""`layerwise.wrappers`: scikit-learn estimators around layerwise models, as in Keras 3.

`SKLearnClassifier`, `SKLearnRegressor` and `SKLearnTransformer` work in
`cross_val_score`, `GridSearchCV` and `Pipeline`. scikit-learn is needed to
use them (not to import layerwise).
"""

from layerwise.wrappers.sklearn_wrapper import SKLearnClassifier as SKLearnClassifier
from layerwise.wrappers.sklearn_wrapper import SKLearnRegressor as SKLearnRegressor
from layerwise.wrappers.sklearn_wrapper import SKLearnTransformer as SKLearnTransformer
