"""`layerwise.preprocessing`: data preprocessing utilities (Keras 2 paths included)."""

from layerwise.preprocessing import image as image
from layerwise.preprocessing import sequence as sequence
