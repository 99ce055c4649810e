"""`keras.applications.vgg16`: VGG16, its `preprocess_input` and `decode_predictions`."""

from layerwise.applications.vgg import VGG16 as VGG16
from layerwise.applications.vgg import decode_predictions as decode_predictions
from layerwise.applications.vgg import preprocess_input as preprocess_input
