import math

from layerwise import initializers, layers
from layerwise.applications import _common, _mbconv, imagenet_utils
from layerwise.applications._efficientnet_v2_blocks import DEFAULT_BLOCKS_ARGS
from layerwise.applications._mbconv import CONV_KERNEL_INITIALIZER as CONV_KERNEL_INITIALIZER
from layerwise.applications._mbconv import DENSE_KERNEL_INITIALIZER

BASE_WEIGHTS_PATH = "https://storage.googleapis.com/tensorflow/keras-applications/efficientnet_v2/"  # noqa: E501

WEIGHTS_HASHES = {
    "b0": (
        "21ecbf6da12460d5c40bb2f29ceb2188", "893217f2bb855e2983157299931e43ff",
    ),
    "b1": (
        "069f0534ff22adf035c89e2d9547a9dc", "0e80663031ca32d657f9caa404b6ec37",
    ),
    "b2": (
        "424e49f28180edbde1e94797771950a7", "1dfe2e7a5d45b6632553a8961ea609eb",
    ),
    "b3": (
        "1f1fc43bd98a6e4fd8fdfd551e02c7a0", "f6abf7b5849ac99a89b50dd3fd532856",
    ),
    "-s": (
        "e1d88a8495beba45748fedd0cecbe016", "af0682fb74e8c54910f2d4393339c070",
    ),
    "-m": (
        "a3bf6aa3276309f4fc6a34aa114c95cd", "1b8dc055df72dde80d614482840fe342",
    ),
    "-l": (
        "27e6d408b53c7ebc868fefa357689935", "b0b66b5c863aef5b46e8608fe1711615",
    ),
}


BASE_DOCSTRING = """Instantiates the {name} architecture (`keras.applications.{name}`).

Reference: EfficientNetV2: Smaller Models and Faster Training (ICML 2021).
The model rescales its inputs itself (`include_preprocessing=True`, a
`Rescaling` layer): pixels go in as [0, 255] and `preprocess_input` is the
identity; with `include_preprocessing=False` inputs must be in [-1, 1].

Args:
    include_top: Whether to include the classifier on top. Defaults to `True`.
    weights: `None`, `"imagenet"` or the path to a weights file.
    input_tensor: Optional symbolic tensor to use as the image input.
    input_shape: Optional shape tuple (3 channels), with `include_top=False`.
    pooling: With `include_top=False`: `None` (4D output), `"avg"` or `"max"`.
    classes: Number of classes (1000 with imagenet weights and a top).
    classifier_activation: Top activation; only `None` or `"softmax"` with
        pretrained weights.
    include_preprocessing: Whether the model rescales its inputs.
    name: The name of the model.

Returns:
    A `Model`.
"""


def round_filters(filters, width_coefficient, min_depth, depth_divisor):
    """Round number of filters based on depth multiplier."""
    filters *= width_coefficient
    minimum_depth = min_depth or depth_divisor
    new_filters = max(
        minimum_depth, int(filters + depth_divisor / 2) // depth_divisor * depth_divisor,
    )
    return int(new_filters)


def round_repeats(repeats, depth_coefficient):
    """Round number of repeats based on depth multiplier."""
    return int(math.ceil(depth_coefficient * repeats))


def MBConvBlock(
    input_filters, output_filters, expand_ratio=1, kernel_size=3, strides=1, se_ratio=0.0,
    bn_momentum=0.9, activation="swish", survival_probability=0.8, name=None,
):
    """MBConv block: Mobile Inverted Residual Bottleneck."""
    if name is None:
        name = _common.get_uid("block0")

    def apply(inputs):
        # Expansion phase
        filters = input_filters * expand_ratio
        x = inputs
        if expand_ratio != 1:
            x = _mbconv.conv_bn(x, f"{name}expand_", filters, activation=activation,
                                momentum=bn_momentum)
        x = _mbconv.depthwise_bn(x, name, "dwconv2", kernel_size, strides, activation,
                                 momentum=bn_momentum)
        x = _mbconv.squeeze_excite(x, name, input_filters, filters, se_ratio, activation)
        # Output phase
        x = _mbconv.conv_bn(x, f"{name}project_", output_filters, momentum=bn_momentum)
        if strides == 1 and input_filters == output_filters:
            x = _mbconv.residual(x, inputs, name, survival_probability)
        return x

    return apply


def FusedMBConvBlock(
    input_filters, output_filters, expand_ratio=1, kernel_size=3, strides=1, se_ratio=0.0,
    bn_momentum=0.9, activation="swish", survival_probability=0.8, name=None,
):
    """Fuses the proj conv1x1 and depthwise_conv into a conv2d."""
    if name is None:
        name = _common.get_uid("block0")

    def apply(inputs):
        filters = input_filters * expand_ratio
        x = inputs
        if expand_ratio != 1:
            x = _mbconv.conv_bn(x, f"{name}expand_", filters, kernel_size, strides,
                                activation=activation, momentum=bn_momentum)
        x = _mbconv.squeeze_excite(x, name, input_filters, filters, se_ratio, activation)
        # Output phase: the 1x1 projection, or the whole block's convolution without
        # an expansion.
        fused = expand_ratio == 1
        x = _mbconv.conv_bn(
            x, f"{name}project_", output_filters, kernel_size if fused else 1,
            strides if fused else 1, activation=activation if fused else None,
            momentum=bn_momentum,
        )
        if strides == 1 and input_filters == output_filters:
            x = _mbconv.residual(x, inputs, name, survival_probability)
        return x

    return apply


def EfficientNetV2(
    width_coefficient, depth_coefficient, default_size, dropout_rate=0.2,
    drop_connect_rate=0.2, depth_divisor=8, min_depth=8, bn_momentum=0.9, activation="swish",
    blocks_args="default", name="efficientnetv2", include_top=True, weights="imagenet",
    input_tensor=None, input_shape=None, pooling=None, classes=1000,
    classifier_activation="softmax", include_preprocessing=True, weights_name=None,
):
    """Instantiates the EfficientNetV2 architecture using given scaling (see Keras' docstring of `EfficientNetV2`)."""
    if blocks_args == "default":
        blocks_args = DEFAULT_BLOCKS_ARGS[name]
    img_input, input_shape = _common.prepare_shape(
        weights, include_top, classes, input_tensor, input_shape, default_size, 32)

    def filters(count):
        return round_filters(count, width_coefficient, min_depth, depth_divisor)

    x = img_input
    if include_preprocessing:
        x = _preprocessing(x, name, input_shape[_common.bn_axis() - 1])
    x = _mbconv.conv_bn(x, "stem_", filters(blocks_args[0]["input_filters"]), 3, strides=2,
                        activation=activation, momentum=bn_momentum)
    blocks = float(sum(args["num_repeat"] for args in blocks_args))
    stages = _mbconv.stage_blocks(
        "EfficientNetV2", blocks_args, "num_repeat", "input_filters", "output_filters",
        filters, lambda repeats: round_repeats(repeats, depth_coefficient))
    for b, (block_name, args) in enumerate(stages):
        # Determine which conv type to use:
        block = {0: MBConvBlock, 1: FusedMBConvBlock}[args.pop("conv_type")]
        x = block(activation=activation, bn_momentum=bn_momentum,
                  survival_probability=drop_connect_rate * b / blocks, name=block_name,
                  **args)(x)
    x = _mbconv.conv_bn(x, "top_", filters(1280), activation=activation,
                        momentum=bn_momentum)
    x = _common.classifier(x, include_top, pooling, classes, classifier_activation, weights,
                           dropout=dropout_rate, kernel_initializer=DENSE_KERNEL_INITIALIZER,
                           bias_initializer=initializers.Constant(0.0))
    model = _common.finish(input_tensor, img_input, x, name)
    _common.load_by_name(model, weights, include_top, BASE_WEIGHTS_PATH, WEIGHTS_HASHES,
                         weights_name)
    return model


def _preprocessing(x, name, num_channels):
    """V1's preprocessing for the Bx variants with 3 channels, else scaling to [-1, 1]."""
    if name.split("-")[-1].startswith("b") and num_channels == 3:
        x = layers.Rescaling(scale=1.0 / 255)(x)
        mean = [0.485, 0.456, 0.406]
        variance = [0.229**2, 0.224**2, 0.225**2]
        return layers.Normalization(mean=mean, variance=variance, axis=_common.bn_axis())(x)
    return layers.Rescaling(scale=1.0 / 128.0, offset=-1)(x)


# Variant suffix -> (width_coefficient, depth_coefficient, default_size).
VARIANTS = {
    "B0": (1.0, 1.0, 224), "B1": (1.0, 1.1, 240), "B2": (1.1, 1.2, 260),
    "B3": (1.2, 1.4, 300), "S": (1.0, 1.0, 384), "M": (1.0, 1.0, 480), "L": (1.0, 1.0, 480),
}


def _variant(suffix):
    """`EfficientNetV2<suffix>`: Keras' signature with the variant's scaling."""
    width, depth, size = VARIANTS[suffix]
    return _common.variant(
        EfficientNetV2, f"EfficientNetV2{suffix}", BASE_DOCSTRING,
        _common.APPLICATION_ARGS + (("include_preprocessing", True),
                                    ("name", f"efficientnetv2-{suffix.lower()}")),
        width_coefficient=width, depth_coefficient=depth, default_size=size,
        weights_name=suffix.lower() if suffix.startswith("B") else "-" + suffix.lower())


(
    EfficientNetV2B0, EfficientNetV2B1, EfficientNetV2B2, EfficientNetV2B3,
    EfficientNetV2S, EfficientNetV2M, EfficientNetV2L,
) = (_variant(v) for v in ("B0", "B1", "B2", "B3", "S", "M", "L"))


preprocess_input = _common.preprocess_identity


decode_predictions = imagenet_utils.decode_predictions


