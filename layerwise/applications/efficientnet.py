import math

from layerwise import layers
from layerwise.applications import _common, _mbconv, imagenet_utils
from layerwise.applications._mbconv import CONV_KERNEL_INITIALIZER as CONV_KERNEL_INITIALIZER
from layerwise.applications._mbconv import DENSE_KERNEL_INITIALIZER

BASE_WEIGHTS_PATH = "https://storage.googleapis.com/keras-applications/"

WEIGHTS_HASHES = {
    "b0": (
        "902e53a9f72be733fc0bcb005b3ebbac", "50bc09e76180e00e4465e1a485ddc09d",
    ),
    "b1": (
        "1d254153d4ab51201f1646940f018540", "74c4e6b3e1f6a1eea24c589628592432",
    ),
    "b2": (
        "b15cce36ff4dcbd00b6dd88e7857a6ad", "111f8e2ac8aa800a7a99e3239f7bfb39",
    ),
    "b3": (
        "ffd1fdc53d0ce67064dc6a9c7960ede0", "af6d107764bb5b1abb91932881670226",
    ),
    "b4": (
        "18c95ad55216b8f92d7e70b3a046e2fc", "ebc24e6d6c33eaebbd558eafbeedf1ba",
    ),
    "b5": (
        "ace28f2a6363774853a83a0b21b9421a", "38879255a25d3c92d5e44e04ae6cec6f",
    ),
    "b6": (
        "165f6e37dce68623721b423839de8be5", "9ecce42647a20130c1f39a5d4cb75743",
    ),
    "b7": (
        "8c03f828fec3ef71311cd463b6759d99", "cbcfe4450ddf6f3ad90b1b398090fe4a",
    ),
}

# One row per stage: kernel_size, repeats, filters_in, filters_out, expand_ratio, strides.
DEFAULT_BLOCKS_ARGS = [
    dict(zip(("kernel_size", "repeats", "filters_in", "filters_out", "expand_ratio", "strides"),
             row, strict=True), id_skip=True, se_ratio=0.25)
    for row in ((3, 1, 32, 16, 1, 1), (3, 2, 16, 24, 6, 2), (5, 2, 24, 40, 6, 2),
                (3, 3, 40, 80, 6, 2), (5, 3, 80, 112, 6, 1), (5, 4, 112, 192, 6, 2),
                (3, 1, 192, 320, 6, 1))
]

BASE_DOCSTRING = """Instantiates the {name} architecture.

Reference:
- [EfficientNet: Rethinking Model Scaling for Convolutional Neural Networks](
    https://arxiv.org/abs/1905.11946) (ICML 2019)

This function returns a Keras image classification model,
optionally loaded with weights pre-trained on ImageNet.

For image classification use cases, see
[this page for detailed examples](
https://keras.io/api/applications/#usage-examples-for-image-classification-models).

For transfer learning use cases, make sure to read the
[guide to transfer learning & fine-tuning](
https://keras.io/guides/transfer_learning/).

Note: each Keras Application expects a specific kind of input preprocessing.
For EfficientNet, input preprocessing is included as part of the model
(as a `Rescaling` layer), and thus
`keras.applications.efficientnet.preprocess_input` is actually a
pass-through function. EfficientNet models expect their inputs to be float
tensors of pixels with values in the `[0-255]` range.

Args:
    include_top: Whether to include the fully-connected
        layer at the top of the network. Defaults to `True`.
    weights: One of `None` (random initialization),
        `"imagenet"` (pre-training on ImageNet),
        or the path to the weights file to be loaded.
        Defaults to `"imagenet"`.
    input_tensor: Optional Keras tensor
        (i.e. output of `layers.Input()`)
        to use as image input for the model.
    input_shape: Optional shape tuple, only to be specified
        if `include_top` is False.
        It should have exactly 3 inputs channels.
""" + _common.POOLING_TO_NAME_DOC


IMAGENET_STDDEV_RGB = [0.229, 0.224, 0.225]
# Variant suffix -> (width_coefficient, depth_coefficient, default_size, dropout_rate).
VARIANTS = {
    "B0": (1.0, 1.0, 224, 0.2), "B1": (1.0, 1.1, 240, 0.2), "B2": (1.1, 1.2, 260, 0.3),
    "B3": (1.2, 1.4, 300, 0.3), "B4": (1.4, 1.8, 380, 0.4), "B5": (1.6, 2.2, 456, 0.4),
    "B6": (1.8, 2.6, 528, 0.5), "B7": (2.0, 3.1, 600, 0.5),
}


def round_filters(filters, width_coefficient, divisor=8):
    """Round number of filters based on depth multiplier."""
    filters *= width_coefficient
    new_filters = max(divisor, int(filters + divisor / 2) // divisor * divisor)
    # Make sure that round down does not go down by more than 10%.
    if new_filters < 0.9 * filters:
        new_filters += divisor
    return int(new_filters)


def round_repeats(repeats, depth_coefficient):
    """Round number of repeats based on depth multiplier."""
    return int(math.ceil(depth_coefficient * repeats))


def EfficientNet(
    width_coefficient, depth_coefficient, default_size, dropout_rate=0.2,
    drop_connect_rate=0.2, depth_divisor=8, activation="swish", blocks_args="default",
    name="efficientnet", include_top=True, weights="imagenet", input_tensor=None,
    input_shape=None, pooling=None, classes=1000, classifier_activation="softmax",
    weights_name=None,
):
    """Instantiates the EfficientNet architecture."""
    if blocks_args == "default":
        blocks_args = DEFAULT_BLOCKS_ARGS
    img_input = _common.prepare(weights, include_top, classes, input_tensor, input_shape,
                                default_size, 32)

    def filters(count):
        return round_filters(count, width_coefficient, depth_divisor)

    x = _stem(img_input, weights, filters(32), activation)
    blocks = float(sum(round_repeats(args["repeats"], depth_coefficient)
                       for args in blocks_args))
    stages = _mbconv.stage_blocks(
        "EfficientNet", blocks_args, "repeats", "filters_in", "filters_out", filters,
        lambda repeats: round_repeats(repeats, depth_coefficient))
    for b, (block_name, args) in enumerate(stages):
        x = block(x, activation, drop_connect_rate * b / blocks, name=block_name, **args)
    x = _mbconv.conv_bn(x, "top_", filters(1280), activation=activation)
    x = _common.classifier(x, include_top, pooling, classes, classifier_activation, weights,
                           dropout=dropout_rate, kernel_initializer=DENSE_KERNEL_INITIALIZER)
    model = _common.finish(input_tensor, img_input, x, name)
    _common.load_by_name(model, weights, include_top, BASE_WEIGHTS_PATH, WEIGHTS_HASHES,
                         weights_name)
    return model


def _stem(x, weights, filters, activation):
    """Rescaling, normalization and the strided `stem_` convolution."""
    x = layers.Rescaling(1.0 / 255.0)(x)
    x = layers.Normalization(axis=_common.bn_axis())(x)
    if weights == "imagenet":
        # Note that the normalization layer uses square value of STDDEV as the
        # variance for the layer: result = (input - mean) / sqrt(var)
        # However, the original implementation uses (input - mean) / var to
        # normalize the input, we need to divide another sqrt(var) to match the
        # original implementation.
        # See https://github.com/tensorflow/tensorflow/issues/49930 for more
        # details
        x = layers.Rescaling([1.0 / math.sqrt(stddev) for stddev in IMAGENET_STDDEV_RGB])(x)
    x = layers.ZeroPadding2D(padding=imagenet_utils.correct_pad(x, 3), name="stem_conv_pad")(x)
    return _mbconv.conv_bn(x, "stem_", filters, 3, strides=2, activation=activation,
                           padding="valid")


def block(
    inputs, activation="swish", drop_rate=0.0, name="", filters_in=32, filters_out=16,
    kernel_size=3, strides=1, expand_ratio=1, se_ratio=0.0, id_skip=True,
):
    """An inverted residual block."""
    # Expansion phase
    filters = filters_in * expand_ratio
    x = inputs
    if expand_ratio != 1:
        x = _mbconv.conv_bn(x, f"{name}expand_", filters, activation=activation)
    # Depthwise Convolution
    conv_pad = "same"
    if strides == 2:
        x = layers.ZeroPadding2D(
            padding=imagenet_utils.correct_pad(x, kernel_size), name=f"{name}dwconv_pad",
        )(x)
        conv_pad = "valid"
    x = _mbconv.depthwise_bn(x, name, "dwconv", kernel_size, strides, activation,
                             padding=conv_pad)
    x = _mbconv.squeeze_excite(x, name, filters_in, filters, se_ratio, activation)
    # Output phase
    x = _mbconv.conv_bn(x, f"{name}project_", filters_out)
    if id_skip and strides == 1 and filters_in == filters_out:
        x = _mbconv.residual(x, inputs, name, drop_rate)
    return x


def _variant(suffix):
    """`EfficientNet<suffix>`: Keras' signature with the variant's scaling."""
    width, depth, size, dropout = VARIANTS[suffix]
    return _common.variant(
        EfficientNet, f"EfficientNet{suffix}", BASE_DOCSTRING,
        _common.APPLICATION_ARGS + (("name", f"efficientnet{suffix.lower()}"),),
        width_coefficient=width, depth_coefficient=depth, default_size=size,
        dropout_rate=dropout, weights_name=suffix.lower())


(
    EfficientNetB0, EfficientNetB1, EfficientNetB2, EfficientNetB3,
    EfficientNetB4, EfficientNetB5, EfficientNetB6, EfficientNetB7,
) = (_variant(v) for v in ("B0", "B1", "B2", "B3", "B4", "B5", "B6", "B7"))


preprocess_input = _common.preprocess_identity


decode_predictions = imagenet_utils.decode_predictions


