"""`layerwise.applications`: pretrained models and their input preprocessing."""

from layerwise.applications import imagenet_utils as imagenet_utils
