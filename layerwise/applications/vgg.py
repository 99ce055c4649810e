"""VGG16 and VGG19 (Simonyan & Zisserman, ICLR 2015), as in `keras.applications.vgg16/19`."""

from __future__ import annotations

from layerwise import layers
from layerwise.applications import _common, imagenet_utils
from layerwise.backend.config import image_data_format

_BASE = "https://storage.googleapis.com/tensorflow/keras-applications/"
_FILES = {
    "vgg16": (
        ("vgg16_weights_tf_dim_ordering_tf_kernels.h5",
         _BASE + "vgg16/vgg16_weights_tf_dim_ordering_tf_kernels.h5",
         "64373286793e3c8b2b4e3219cbf3544b"),
        ("vgg16_weights_tf_dim_ordering_tf_kernels_notop.h5",
         _BASE + "vgg16/vgg16_weights_tf_dim_ordering_tf_kernels_notop.h5",
         "6d6bbae143d832006294945121d1f1fc"),
    ),
    "vgg19": (
        ("vgg19_weights_tf_dim_ordering_tf_kernels.h5",
         _BASE + "vgg19/vgg19_weights_tf_dim_ordering_tf_kernels.h5",
         "cbe5617147190e668d6c5d5026f83318"),
        ("vgg19_weights_tf_dim_ordering_tf_kernels_notop.h5",
         _BASE + "vgg19/vgg19_weights_tf_dim_ordering_tf_kernels_notop.h5",
         "253f8cb515780f3b799900260a226db6"),
    ),
}


def _vgg(convs_per_block, include_top, weights, input_tensor, input_shape, pooling, classes,
         classifier_activation, name):
    _common.check_weights(weights, include_top, classes)
    input_shape = imagenet_utils.obtain_input_shape(
        input_shape, default_size=224, min_size=32, data_format=image_data_format(),
        require_flatten=include_top, weights=weights)
    img_input = _common.image_input(input_tensor, input_shape)
    x = img_input
    for block, (filters, convs) in enumerate(zip((64, 128, 256, 512, 512), convs_per_block,
                                                 strict=True), start=1):
        for i in range(1, convs + 1):
            x = layers.Conv2D(filters, (3, 3), activation="relu", padding="same",
                              name=f"block{block}_conv{i}")(x)
        x = layers.MaxPooling2D((2, 2), strides=(2, 2), name=f"block{block}_pool")(x)
    if include_top:
        x = layers.Flatten(name="flatten")(x)
        x = layers.Dense(4096, activation="relu", name="fc1")(x)
        x = layers.Dense(4096, activation="relu", name="fc2")(x)
        imagenet_utils.validate_activation(classifier_activation, weights)
        x = layers.Dense(classes, activation=classifier_activation, name="predictions")(x)
    else:
        x = _common.pool(x, pooling)
    model = _common.finish(input_tensor, img_input, x, name)
    top, notop = _FILES["vgg16" if sum(convs_per_block) == 13 else "vgg19"]
    _common.load(model, weights, top, notop, include_top)
    return model


def VGG16(include_top=True, weights="imagenet", input_tensor=None, input_shape=None,
          pooling=None, classes=1000, classifier_activation="softmax", name="vgg16"):
    """Instantiates the VGG16 model (`keras.applications.VGG16`).

    Args:
        include_top: Whether to include the 3 fully-connected layers at the top.
        weights: `None` (random initialization), `"imagenet"` (pre-trained on
            ImageNet) or the path to a weights file.
        input_tensor: Optional symbolic tensor to use as the image input.
        input_shape: Optional shape tuple, only with `include_top=False`
            (otherwise `(224, 224, 3)`); 3 channels, height and width >= 32.
        pooling: With `include_top=False`: `None` (4D output of the last block),
            `"avg"` or `"max"` (global pooling, 2D output).
        classes: Number of classes, with `include_top=True` and no `"imagenet"` weights.
        classifier_activation: Activation of the top layer (`None` for logits);
            only `None` or `"softmax"` with pretrained weights.
        name: The name of the model.

    Returns:
        A `Model`. Inputs go through `vgg16.preprocess_input` (caffe mode) first.

    Example:

    >>> import layerwise as keras
    >>> base = keras.applications.VGG16(weights=None, include_top=False,
    ...                                 input_shape=(150, 150, 3))
    >>> base.count_params()
    14714688
    """
    return _vgg((2, 2, 3, 3, 3), include_top, weights, input_tensor, input_shape, pooling,
                classes, classifier_activation, name)


def VGG19(include_top=True, weights="imagenet", input_tensor=None, input_shape=None,
          pooling=None, classes=1000, classifier_activation="softmax", name="vgg19"):
    """Instantiates the VGG19 model (`keras.applications.VGG19`); arguments as `VGG16`."""
    return _vgg((2, 2, 4, 4, 4), include_top, weights, input_tensor, input_shape, pooling,
                classes, classifier_activation, name)


def preprocess_input(x, data_format=None):
    """Caffe-mode preprocessing: RGB to BGR, ImageNet mean subtracted, no scaling."""
    return imagenet_utils.preprocess_input(x, data_format=data_format, mode="caffe")


decode_predictions = imagenet_utils.decode_predictions
