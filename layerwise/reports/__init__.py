"""`layerwise.reports`: how good is the model, and where does it fail?

NumPy in, NumPy out, equal to scikit-learn's functions (which are not needed):
`confusion_matrix`, `classification_report`, `precision_recall_fscore_support`,
`roc_curve`, `auc`, `roc_auc_score`, `precision_recall_curve`,
`average_precision_score`. Plots (matplotlib, imported when first used):
`plot_history`, `plot_confusion_matrix`, `plot_roc`, `plot_predictions`,
`plot_images`. `evaluate_report(model, x, y)` (also `model.evaluate_report`)
gathers everything into an `EvaluationReport` with `.to_html(path)`.
"""

from layerwise.reports._inputs import UndefinedMetricWarning as UndefinedMetricWarning
from layerwise.reports.classification import confusion_matrix as confusion_matrix
from layerwise.reports.classification import (
    precision_recall_fscore_support as precision_recall_fscore_support,
)
from layerwise.reports.image_plots import plot_images as plot_images
from layerwise.reports.image_plots import plot_predictions as plot_predictions
from layerwise.reports.plots import plot_confusion_matrix as plot_confusion_matrix
from layerwise.reports.plots import plot_history as plot_history
from layerwise.reports.plots import plot_roc as plot_roc
from layerwise.reports.ranking import auc as auc
from layerwise.reports.ranking import precision_recall_curve as precision_recall_curve
from layerwise.reports.ranking import roc_curve as roc_curve
from layerwise.reports.report import EvaluationReport as EvaluationReport
from layerwise.reports.report import evaluate_report as evaluate_report
from layerwise.reports.scores import average_precision_score as average_precision_score
from layerwise.reports.scores import roc_auc_score as roc_auc_score
from layerwise.reports.text_report import classification_report as classification_report
