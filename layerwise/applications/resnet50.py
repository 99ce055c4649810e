"""`keras.applications.resnet50`: ResNet50, its `preprocess_input` and `decode_predictions`."""

from layerwise.applications.resnet import ResNet50 as ResNet50
from layerwise.applications.resnet import decode_predictions as decode_predictions
from layerwise.applications.resnet import preprocess_input as preprocess_input
