"""`keras.applications.vgg19`: VGG19, its `preprocess_input` and `decode_predictions`."""

from layerwise.applications.vgg import VGG19 as VGG19
from layerwise.applications.vgg import decode_predictions as decode_predictions
from layerwise.applications.vgg import preprocess_input as preprocess_input
