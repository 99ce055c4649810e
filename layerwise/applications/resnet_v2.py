"""`keras.applications.resnet_v2`: ResNet50V2/101V2/152V2 (tf-mode preprocessing)."""

from __future__ import annotations

from layerwise.applications import imagenet_utils
from layerwise.applications.resnet import ResNet50V2 as ResNet50V2
from layerwise.applications.resnet import ResNet101V2 as ResNet101V2
from layerwise.applications.resnet import ResNet152V2 as ResNet152V2


def preprocess_input(x, data_format=None):
    """Tf-mode preprocessing: pixels scaled to [-1, 1]."""
    return imagenet_utils.preprocess_input(x, data_format=data_format, mode="tf")


def decode_predictions(preds, top=5):
    """Decodes ImageNet predictions (see `imagenet_utils.decode_predictions`)."""
    return imagenet_utils.decode_predictions(preds, top=top)
