"""NASNet-A (Mobile and Large), as `keras.applications.nasnet`.

Reference: [Learning Transferable Architectures for Scalable Image Recognition](
https://arxiv.org/abs/1707.07012) (CVPR 2018). Same layers, names, order and weight
files as Keras 3 (whose `NASNetMobile` refuses the torch backend; this one does not).
"""

from __future__ import annotations

from layerwise import layers
from layerwise.applications import _common, imagenet_utils
from layerwise.applications._weights import load_application_weights
from layerwise.backend.config import image_data_format

BASE_WEIGHTS_PATH = "https://storage.googleapis.com/tensorflow/keras-applications/nasnet/"
NASNET_MOBILE_WEIGHT_PATH = f"{BASE_WEIGHTS_PATH}NASNet-mobile.h5"
NASNET_MOBILE_WEIGHT_PATH_NO_TOP = f"{BASE_WEIGHTS_PATH}NASNet-mobile-no-top.h5"
NASNET_LARGE_WEIGHT_PATH = f"{BASE_WEIGHTS_PATH}NASNet-large.h5"
NASNET_LARGE_WEIGHT_PATH_NO_TOP = f"{BASE_WEIGHTS_PATH}NASNet-large-no-top.h5"
_FILES = {  # default_size -> (top file, no-top file): Keras' (fname, origin, md5)
    224: (("nasnet_mobile.h5", NASNET_MOBILE_WEIGHT_PATH, "020fb642bf7360b370c678b08e0adf61"),
          ("nasnet_mobile_no_top.h5", NASNET_MOBILE_WEIGHT_PATH_NO_TOP,
           "1ed92395b5b598bdda52abe5c0dbfd63")),
    331: (("nasnet_large.h5", NASNET_LARGE_WEIGHT_PATH, "11577c9a518f0070763c2b964a382f17"),
          ("nasnet_large_no_top.h5", NASNET_LARGE_WEIGHT_PATH_NO_TOP,
           "d81d89dc07e6e56530c4e77faddd61b5")),
}


def NASNet(
    input_shape=None, penultimate_filters=4032, num_blocks=6, stem_block_filters=96,
    skip_reduction=True, filter_multiplier=2, include_top=True, weights="imagenet",
    input_tensor=None, pooling=None, classes=1000, default_size=None,
    classifier_activation="softmax", name="NASNet",
):
    """Instantiates a NASNet model (Keras' `keras.applications.nasnet.NASNet`).

    Args:
        input_shape: `(height, width, 3)`, at least 32x32; with `include_top=True` and
            ImageNet weights, `(default_size, default_size, 3)`.
        penultimate_filters: Filters of the penultimate layer, a multiple of
            `24 * filter_multiplier ** 2`.
        num_blocks: Repeated normal cells per stage.
        stem_block_filters: Filters of the stem convolution.
        skip_reduction: Whether the reduction cells' inputs skip to the next stage.
        filter_multiplier: Filter growth per stage.
        include_top: Whether to include the classifier.
        weights: `None`, `"imagenet"` (Mobile and Large only) or a weights file path.
        input_tensor: Optional symbolic image tensor to build the model on.
        pooling: `None`, `"avg"` or `"max"` when `include_top=False`.
        classes: Number of classes of the classifier.
        default_size: Default image side (224: Mobile, 331: Large, the default).
        classifier_activation: The top layer's activation (`None` or `"softmax"`
            with pretrained weights).
        name: The model's name.

    Returns:
        A `Model`.
    """
    if image_data_format() == "channels_first":
        raise ValueError(
            "NASNet does not support the `channels_first` image data format. Switch to "
            "`channels_last` with `layerwise.backend.set_image_data_format`."
        )
    _common.check_weights(weights, include_top, classes)
    if isinstance(input_shape, tuple) and None in input_shape and weights == "imagenet":
        raise ValueError(
            "When specifying the input shape of a NASNet and loading `ImageNet` weights, "
            "the input_shape argument must be static (no None entries). Got: "
            f"`input_shape={input_shape}`."
        )
    default_size = 331 if default_size is None else default_size
    input_shape = imagenet_utils.obtain_input_shape(
        input_shape, default_size=default_size, min_size=32, data_format=image_data_format(),
        require_flatten=include_top, weights=weights)
    img_input = _common.image_input(input_tensor, input_shape)
    if penultimate_filters % (24 * (filter_multiplier**2)) != 0:
        raise ValueError(
            "For NASNet-A models, the `penultimate_filters` must be a multiple of "
            f"24 * (`filter_multiplier` ** 2). Current value: {penultimate_filters}"
        )
    filters = penultimate_filters // 24
    x = layers.Conv2D(stem_block_filters, (3, 3), strides=(2, 2), padding="valid",
                      use_bias=False, name="stem_conv1", kernel_initializer="he_normal",
                      )(img_input)
    x = _bn(x, "stem_bn1")
    p = None
    x, p = _reduction_a_cell(x, p, filters // (filter_multiplier**2), block_id="stem_1")
    x, p = _reduction_a_cell(x, p, filters // filter_multiplier, block_id="stem_2")
    for stage in range(3):
        if stage:
            x, p0 = _reduction_a_cell(x, p, filters * filter_multiplier**stage,
                                      block_id=f"reduce_{stage * num_blocks}")
            p = p0 if not skip_reduction else p
        for i in range(num_blocks):
            x, p = _normal_a_cell(x, p, filters * filter_multiplier**stage,
                                  block_id=f"{stage * num_blocks + i + (stage > 0)}")
    x = layers.Activation("relu")(x)
    if include_top:
        x = layers.GlobalAveragePooling2D()(x)
        imagenet_utils.validate_activation(classifier_activation, weights)
        x = layers.Dense(classes, activation=classifier_activation, name="predictions")(x)
    else:
        x = _common.pool(x, pooling)
    model = _common.finish(input_tensor, img_input, x, name)
    if weights == "imagenet":
        if default_size not in _FILES:
            raise ValueError("ImageNet weights can only be loaded with NASNetLarge or "
                             "NASNetMobile")
        fname, origin, file_hash = _FILES[default_size][0 if include_top else 1]
        load_application_weights(model, _common.get_file(
            fname, origin, cache_subdir="models", file_hash=file_hash))
    elif weights is not None:
        load_application_weights(model, weights)
    return model


def NASNetMobile(
    input_shape=None, include_top=True, weights="imagenet", input_tensor=None, pooling=None,
    classes=1000, classifier_activation="softmax", name="nasnet_mobile",
):
    """Instantiates NASNetMobile: a Mobile NASNet model in ImageNet mode (224x224 by default).

    See `NASNet` for the arguments; ImageNet weights need `input_shape=(224, 224, 3)`
    with `include_top=True`.
    """
    if not include_top and input_shape is None:
        input_shape = (224, 224, 3)
    return NASNet(
        input_shape, penultimate_filters=1056, num_blocks=4, stem_block_filters=32,
        skip_reduction=False, filter_multiplier=2, include_top=include_top, weights=weights,
        input_tensor=input_tensor, pooling=pooling, classes=classes, default_size=224,
        classifier_activation=classifier_activation, name=name,
    )


def NASNetLarge(
    input_shape=None, include_top=True, weights="imagenet", input_tensor=None, pooling=None,
    classes=1000, classifier_activation="softmax", name="nasnet_large",
):
    """Instantiates NASNetLarge: a NASNet model in ImageNet mode (331x331 by default).

    See `NASNet` for the arguments; ImageNet weights need `input_shape=(331, 331, 3)`
    with `include_top=True`.
    """
    return NASNet(
        input_shape, penultimate_filters=4032, num_blocks=6, stem_block_filters=96,
        skip_reduction=True, filter_multiplier=2, include_top=include_top, weights=weights,
        input_tensor=input_tensor, pooling=pooling, classes=classes, default_size=331,
        classifier_activation=classifier_activation, name=name,
    )


def _bn(x, name):
    return layers.BatchNormalization(axis=-1, momentum=0.9997, epsilon=1e-3, name=name)(x)


def _conv1x1(x, filters, name, relu_name=None):
    """ReLU, 1x1 convolution without bias, BatchNormalization (its name set apart)."""
    x = layers.Activation("relu", name=relu_name)(x)
    return layers.Conv2D(filters, (1, 1), strides=(1, 1), padding="same", use_bias=False,
                         name=name, kernel_initializer="he_normal")(x)


def _separable_conv_block(ip, filters, kernel_size=(3, 3), strides=(1, 1), block_id=None):
    """Two blocks of ReLU - SeparableConv2D - BatchNormalization."""
    x = layers.Activation("relu")(ip)
    if strides == (2, 2):
        x = layers.ZeroPadding2D(padding=imagenet_utils.correct_pad(x, kernel_size),
                                 name=f"separable_conv_1_pad_{block_id}")(x)
        conv_pad = "valid"
    else:
        conv_pad = "same"
    x = layers.SeparableConv2D(filters, kernel_size, strides=strides,
                               name=f"separable_conv_1_{block_id}", padding=conv_pad,
                               use_bias=False)(x)
    x = _bn(x, f"separable_conv_1_bn_{block_id}")
    x = layers.Activation("relu")(x)
    x = layers.SeparableConv2D(filters, kernel_size, name=f"separable_conv_2_{block_id}",
                               padding="same", use_bias=False)(x)
    return _bn(x, f"separable_conv_2_bn_{block_id}")


def _adjust_block(p, ip, filters, block_id=None):
    """Makes the previous path `p` match `ip`'s spatial size and `filters`."""
    if p is None:
        return ip
    if p.shape[-2] != ip.shape[-2]:
        p = layers.Activation("relu", name=f"adjust_relu_1_{block_id}")(p)
        p1 = layers.AveragePooling2D((1, 1), strides=(2, 2), padding="valid",
                                     name=f"adjust_avg_pool_1_{block_id}")(p)
        p1 = layers.Conv2D(filters // 2, (1, 1), padding="same", use_bias=False,
                           name=f"adjust_conv_1_{block_id}", kernel_initializer="he_normal",
                           )(p1)
        p2 = layers.ZeroPadding2D(padding=((0, 1), (0, 1)))(p)
        p2 = layers.Cropping2D(cropping=((1, 0), (1, 0)))(p2)
        p2 = layers.AveragePooling2D((1, 1), strides=(2, 2), padding="valid",
                                     name=f"adjust_avg_pool_2_{block_id}")(p2)
        p2 = layers.Conv2D(filters // 2, (1, 1), padding="same", use_bias=False,
                           name=f"adjust_conv_2_{block_id}", kernel_initializer="he_normal",
                           )(p2)
        p = layers.concatenate([p1, p2], axis=-1)
        return _bn(p, f"adjust_bn_{block_id}")
    if p.shape[-1] != filters:
        p = _conv1x1(p, filters, f"adjust_conv_projection_{block_id}")
        return _bn(p, f"adjust_bn_{block_id}")
    return p


def _avg3(x, strides, name):
    return layers.AveragePooling2D((3, 3), strides=strides,
                                   padding="same" if strides == (1, 1) else "valid",
                                   name=name)(x)


def _normal_a_cell(ip, p, filters, block_id=None):
    """A Normal cell of NASNet-A (Fig. 4 of the paper); returns `(x, ip)`."""
    p = _adjust_block(p, ip, filters, block_id)
    h = _bn(_conv1x1(ip, filters, f"normal_conv_1_{block_id}"), f"normal_bn_1_{block_id}")
    x1_1 = _separable_conv_block(h, filters, kernel_size=(5, 5),
                                 block_id=f"normal_left1_{block_id}")
    x1_2 = _separable_conv_block(p, filters, block_id=f"normal_right1_{block_id}")
    x1 = layers.add([x1_1, x1_2], name=f"normal_add_1_{block_id}")
    x2_1 = _separable_conv_block(p, filters, (5, 5), block_id=f"normal_left2_{block_id}")
    x2_2 = _separable_conv_block(p, filters, (3, 3), block_id=f"normal_right2_{block_id}")
    x2 = layers.add([x2_1, x2_2], name=f"normal_add_2_{block_id}")
    x3 = _avg3(h, (1, 1), f"normal_left3_{block_id}")
    x3 = layers.add([x3, p], name=f"normal_add_3_{block_id}")
    x4_1 = _avg3(p, (1, 1), f"normal_left4_{block_id}")
    x4_2 = _avg3(p, (1, 1), f"normal_right4_{block_id}")
    x4 = layers.add([x4_1, x4_2], name=f"normal_add_4_{block_id}")
    x5 = _separable_conv_block(h, filters, block_id=f"normal_left5_{block_id}")
    x5 = layers.add([x5, h], name=f"normal_add_5_{block_id}")
    x = layers.concatenate([p, x1, x2, x3, x4, x5], axis=-1,
                           name=f"normal_concat_{block_id}")
    return x, ip


def _reduction_a_cell(ip, p, filters, block_id=None):
    """A Reduction cell of NASNet-A (Fig. 4 of the paper); returns `(x, ip)`."""
    p = _adjust_block(p, ip, filters, block_id)
    h = _bn(_conv1x1(ip, filters, f"reduction_conv_1_{block_id}"),
            f"reduction_bn_1_{block_id}")
    h3 = layers.ZeroPadding2D(padding=imagenet_utils.correct_pad(h, 3),
                              name=f"reduction_pad_1_{block_id}")(h)
    x1_1 = _separable_conv_block(h, filters, (5, 5), strides=(2, 2),
                                 block_id=f"reduction_left1_{block_id}")
    x1_2 = _separable_conv_block(p, filters, (7, 7), strides=(2, 2),
                                 block_id=f"reduction_right1_{block_id}")
    x1 = layers.add([x1_1, x1_2], name=f"reduction_add_1_{block_id}")
    x2_1 = layers.MaxPooling2D((3, 3), strides=(2, 2), padding="valid",
                               name=f"reduction_left2_{block_id}")(h3)
    x2_2 = _separable_conv_block(p, filters, (7, 7), strides=(2, 2),
                                 block_id=f"reduction_right2_{block_id}")
    x2 = layers.add([x2_1, x2_2], name=f"reduction_add_2_{block_id}")
    x3_1 = _avg3(h3, (2, 2), f"reduction_left3_{block_id}")
    x3_2 = _separable_conv_block(p, filters, (5, 5), strides=(2, 2),
                                 block_id=f"reduction_right3_{block_id}")
    x3 = layers.add([x3_1, x3_2], name=f"reduction_add3_{block_id}")
    x4 = _avg3(x1, (1, 1), f"reduction_left4_{block_id}")
    x4 = layers.add([x2, x4])
    x5_1 = _separable_conv_block(x1, filters, (3, 3), block_id=f"reduction_left4_{block_id}")
    x5_2 = layers.MaxPooling2D((3, 3), strides=(2, 2), padding="valid",
                               name=f"reduction_right5_{block_id}")(h3)
    x5 = layers.add([x5_1, x5_2], name=f"reduction_add4_{block_id}")
    x = layers.concatenate([x2, x3, x4, x5], axis=-1, name=f"reduction_concat_{block_id}")
    return x, ip


def preprocess_input(x, data_format=None):
    """Scales pixels to [-1, 1] (mode `"tf"`, see `imagenet_utils.preprocess_input`)."""
    return imagenet_utils.preprocess_input(x, data_format=data_format, mode="tf")


def decode_predictions(preds, top=5):
    """Decodes ImageNet predictions (see `imagenet_utils.decode_predictions`)."""
    return imagenet_utils.decode_predictions(preds, top=top)
