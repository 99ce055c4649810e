"""Keras 2 path `keras.utils.vis_utils`: `plot_model`, `model_to_dot`."""

from layerwise.utils.model_visualization import model_to_dot as model_to_dot
from layerwise.utils.model_visualization import plot_model as plot_model
