"""`keras.applications.resnet_v2`: ResNet50V2/101V2/152V2 (tf-mode preprocessing)."""

from __future__ import annotations

from layerwise.applications import _common, imagenet_utils
from layerwise.applications.resnet import ResNet50V2 as ResNet50V2
from layerwise.applications.resnet import ResNet101V2 as ResNet101V2
from layerwise.applications.resnet import ResNet152V2 as ResNet152V2

preprocess_input = _common.preprocess_tf


decode_predictions = imagenet_utils.decode_predictions
