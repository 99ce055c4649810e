import copy
import math

from layerwise import initializers, layers
from layerwise.applications import _common, imagenet_utils
from layerwise.applications._efficientnet_v2_blocks import DEFAULT_BLOCKS_ARGS
from layerwise.applications._weights import load_application_weights
from layerwise.backend.config import image_data_format

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


CONV_KERNEL_INITIALIZER = {
    "class_name": "VarianceScaling",
    "config": {
        "scale": 2.0, "mode": "fan_out", "distribution": "truncated_normal",
    },
}

DENSE_KERNEL_INITIALIZER = {
    "class_name": "VarianceScaling",
    "config": {
        "scale": 1.0 / 3.0, "mode": "fan_out", "distribution": "uniform",
    },
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
    bn_axis = 3 if image_data_format() == "channels_last" else 1

    if name is None:
        name = _common.get_uid("block0")

    def apply(inputs):
        # Expansion phase
        filters = input_filters * expand_ratio
        if expand_ratio != 1:
            x = layers.Conv2D(
                filters=filters, kernel_size=1, strides=1,
                kernel_initializer=CONV_KERNEL_INITIALIZER, padding="same",
                data_format=image_data_format(), use_bias=False, name=f"{name}expand_conv",
            )(inputs)
            x = layers.BatchNormalization(
                axis=bn_axis, momentum=bn_momentum, name=f"{name}expand_bn",
            )(x)
            x = layers.Activation(activation, name=f"{name}expand_activation")(
                x
            )
        else:
            x = inputs

        # Depthwise conv
        x = layers.DepthwiseConv2D(
            kernel_size=kernel_size, strides=strides,
            depthwise_initializer=CONV_KERNEL_INITIALIZER, padding="same",
            data_format=image_data_format(), use_bias=False, name=f"{name}dwconv2",
        )(x)
        x = layers.BatchNormalization(
            axis=bn_axis, momentum=bn_momentum, name=f"{name}bn"
        )(x)
        x = layers.Activation(activation, name=f"{name}activation")(x)

        # Squeeze and excite
        if 0 < se_ratio <= 1:
            filters_se = max(1, int(input_filters * se_ratio))
            se = layers.GlobalAveragePooling2D(name=f"{name}se_squeeze")(x)
            if bn_axis == 1:
                se_shape = (filters, 1, 1)
            else:
                se_shape = (1, 1, filters)
            se = layers.Reshape(se_shape, name=f"{name}se_reshape")(se)

            se = layers.Conv2D(
                filters_se, 1, padding="same", activation=activation,
                kernel_initializer=CONV_KERNEL_INITIALIZER, name=f"{name}se_reduce",
            )(se)
            se = layers.Conv2D(
                filters, 1, padding="same", activation="sigmoid",
                kernel_initializer=CONV_KERNEL_INITIALIZER, name=f"{name}se_expand",
            )(se)

            x = layers.multiply([x, se], name=f"{name}se_excite")

        # Output phase
        x = layers.Conv2D(
            filters=output_filters, kernel_size=1, strides=1,
            kernel_initializer=CONV_KERNEL_INITIALIZER, padding="same",
            data_format=image_data_format(), use_bias=False, name=f"{name}project_conv",
        )(x)
        x = layers.BatchNormalization(
            axis=bn_axis, momentum=bn_momentum, name=f"{name}project_bn"
        )(x)

        if strides == 1 and input_filters == output_filters:
            if survival_probability:
                x = layers.Dropout(
                    survival_probability, noise_shape=(None, 1, 1, 1), name=f"{name}drop",
                )(x)
            x = layers.add([x, inputs], name=f"{name}add")

        return x

    return apply


def FusedMBConvBlock(
    input_filters, output_filters, expand_ratio=1, kernel_size=3, strides=1, se_ratio=0.0,
    bn_momentum=0.9, activation="swish", survival_probability=0.8, name=None,
):
    """Fuses the proj conv1x1 and depthwise_conv into a conv2d."""
    bn_axis = 3 if image_data_format() == "channels_last" else 1

    if name is None:
        name = _common.get_uid("block0")

    def apply(inputs):
        filters = input_filters * expand_ratio
        if expand_ratio != 1:
            x = layers.Conv2D(
                filters, kernel_size=kernel_size, strides=strides,
                kernel_initializer=CONV_KERNEL_INITIALIZER, data_format=image_data_format(),
                padding="same", use_bias=False, name=f"{name}expand_conv",
            )(inputs)
            x = layers.BatchNormalization(
                axis=bn_axis, momentum=bn_momentum, name=f"{name}expand_bn"
            )(x)
            x = layers.Activation(
                activation=activation, name=f"{name}expand_activation"
            )(x)
        else:
            x = inputs

        # Squeeze and excite
        if 0 < se_ratio <= 1:
            filters_se = max(1, int(input_filters * se_ratio))
            se = layers.GlobalAveragePooling2D(name=f"{name}se_squeeze")(x)
            if bn_axis == 1:
                se_shape = (filters, 1, 1)
            else:
                se_shape = (1, 1, filters)

            se = layers.Reshape(se_shape, name=f"{name}se_reshape")(se)

            se = layers.Conv2D(
                filters_se, 1, padding="same", activation=activation,
                kernel_initializer=CONV_KERNEL_INITIALIZER, name=f"{name}se_reduce",
            )(se)
            se = layers.Conv2D(
                filters, 1, padding="same", activation="sigmoid",
                kernel_initializer=CONV_KERNEL_INITIALIZER, name=f"{name}se_expand",
            )(se)

            x = layers.multiply([x, se], name=f"{name}se_excite")

        # Output phase:
        x = layers.Conv2D(
            output_filters, kernel_size=1 if expand_ratio != 1 else kernel_size,
            strides=1 if expand_ratio != 1 else strides,
            kernel_initializer=CONV_KERNEL_INITIALIZER, padding="same", use_bias=False,
            name=f"{name}project_conv",
        )(x)
        x = layers.BatchNormalization(
            axis=bn_axis, momentum=bn_momentum, name=f"{name}project_bn"
        )(x)
        if expand_ratio == 1:
            x = layers.Activation(
                activation=activation, name=f"{name}project_activation"
            )(x)

        # Residual:
        if strides == 1 and input_filters == output_filters:
            if survival_probability:
                x = layers.Dropout(
                    survival_probability, noise_shape=(None, 1, 1, 1), name=f"{name}drop",
                )(x)
            x = layers.add([x, inputs], name=f"{name}add")
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

    _common.check_weights(weights, include_top, classes)

    # Determine proper input shape
    input_shape = imagenet_utils.obtain_input_shape(
        input_shape, default_size=default_size, min_size=32, data_format=image_data_format(),
        require_flatten=include_top, weights=weights,
    )

    img_input = _common.image_input(input_tensor, input_shape)

    bn_axis = 3 if image_data_format() == "channels_last" else 1

    x = img_input

    if include_preprocessing:
        # Apply original V1 preprocessing for Bx variants
        # if number of channels allows it
        num_channels = input_shape[bn_axis - 1]
        if name.split("-")[-1].startswith("b") and num_channels == 3:
            x = layers.Rescaling(scale=1.0 / 255)(x)
            mean = [0.485, 0.456, 0.406]
            variance = [0.229**2, 0.224**2, 0.225**2]
            x = layers.Normalization(
                mean=mean, variance=variance, axis=bn_axis,
            )(x)
        else:
            x = layers.Rescaling(scale=1.0 / 128.0, offset=-1)(x)

    # Build stem
    stem_filters = round_filters(
        filters=blocks_args[0]["input_filters"], width_coefficient=width_coefficient,
        min_depth=min_depth, depth_divisor=depth_divisor,
    )
    x = layers.Conv2D(
        filters=stem_filters, kernel_size=3, strides=2,
        kernel_initializer=CONV_KERNEL_INITIALIZER, padding="same", use_bias=False,
        name="stem_conv",
    )(x)
    x = layers.BatchNormalization(
        axis=bn_axis, momentum=bn_momentum, name="stem_bn",
    )(x)
    x = layers.Activation(activation, name="stem_activation")(x)

    # Build blocks
    blocks_args = copy.deepcopy(blocks_args)
    b = 0
    blocks = float(sum(args["num_repeat"] for args in blocks_args))

    for i, args in enumerate(blocks_args):
        if args["num_repeat"] <= 0:
            raise ValueError(
                f"The number of repeats in `EfficientNetV2` must be > 0. "
                f"Received: num_repeat={args['num_repeat']}"
            )

        # Update block input and output filters based on depth multiplier.
        args["input_filters"] = round_filters(
            filters=args["input_filters"], width_coefficient=width_coefficient,
            min_depth=min_depth, depth_divisor=depth_divisor,
        )
        args["output_filters"] = round_filters(
            filters=args["output_filters"], width_coefficient=width_coefficient,
            min_depth=min_depth, depth_divisor=depth_divisor,
        )

        # Determine which conv type to use:
        block = {0: MBConvBlock, 1: FusedMBConvBlock}[args.pop("conv_type")]
        repeats = round_repeats(
            repeats=args.pop("num_repeat"), depth_coefficient=depth_coefficient
        )
        for j in range(repeats):
            # The first block needs to take care of stride and filter size
            # increase.
            if j > 0:
                args["strides"] = 1
                args["input_filters"] = args["output_filters"]

            x = block(
                activation=activation, bn_momentum=bn_momentum,
                survival_probability=drop_connect_rate * b / blocks,
                name=f"block{i + 1}{chr(j + 97)}_", **args,
            )(x)
            b += 1

    # Build top
    top_filters = round_filters(
        filters=1280, width_coefficient=width_coefficient, min_depth=min_depth,
        depth_divisor=depth_divisor,
    )
    x = layers.Conv2D(
        filters=top_filters, kernel_size=1, strides=1,
        kernel_initializer=CONV_KERNEL_INITIALIZER, padding="same",
        data_format=image_data_format(), use_bias=False, name="top_conv",
    )(x)
    x = layers.BatchNormalization(
        axis=bn_axis, momentum=bn_momentum, name="top_bn",
    )(x)
    x = layers.Activation(activation=activation, name="top_activation")(x)

    if include_top:
        x = layers.GlobalAveragePooling2D(name="avg_pool")(x)
        if dropout_rate > 0:
            x = layers.Dropout(dropout_rate, name="top_dropout")(x)
        imagenet_utils.validate_activation(classifier_activation, weights)
        x = layers.Dense(
            classes, activation=classifier_activation,
            kernel_initializer=DENSE_KERNEL_INITIALIZER,
            bias_initializer=initializers.Constant(0.0), name="predictions",
        )(x)
    else:
        x = _common.pool(x, pooling, "avg_pool", "max_pool")

    model = _common.finish(input_tensor, img_input, x, name)

    # Load weights.
    if weights == "imagenet":
        if include_top:
            file_suffix = ".h5"
            file_hash = WEIGHTS_HASHES[weights_name][0]
        else:
            file_suffix = "_notop.h5"
            file_hash = WEIGHTS_HASHES[weights_name][1]
        file_name = name + file_suffix
        weights_path = _common.get_file(
            file_name, BASE_WEIGHTS_PATH + file_name, cache_subdir="models",
            file_hash=file_hash,
        )
        load_application_weights(model, weights_path)
    elif weights is not None:
        load_application_weights(model, weights)

    return model


def EfficientNetV2B0(
    include_top=True, weights="imagenet", input_tensor=None, input_shape=None, pooling=None,
    classes=1000, classifier_activation="softmax", include_preprocessing=True,
    name="efficientnetv2-b0",
):
    return EfficientNetV2(
        width_coefficient=1.0, depth_coefficient=1.0, default_size=224, name=name,
        include_top=include_top, weights=weights, input_tensor=input_tensor,
        input_shape=input_shape, pooling=pooling, classes=classes,
        classifier_activation=classifier_activation,
        include_preprocessing=include_preprocessing, weights_name="b0",
    )


def EfficientNetV2B1(
    include_top=True, weights="imagenet", input_tensor=None, input_shape=None, pooling=None,
    classes=1000, classifier_activation="softmax", include_preprocessing=True,
    name="efficientnetv2-b1",
):
    return EfficientNetV2(
        width_coefficient=1.0, depth_coefficient=1.1, default_size=240, name=name,
        include_top=include_top, weights=weights, input_tensor=input_tensor,
        input_shape=input_shape, pooling=pooling, classes=classes,
        classifier_activation=classifier_activation,
        include_preprocessing=include_preprocessing, weights_name="b1",
    )


def EfficientNetV2B2(
    include_top=True, weights="imagenet", input_tensor=None, input_shape=None, pooling=None,
    classes=1000, classifier_activation="softmax", include_preprocessing=True,
    name="efficientnetv2-b2",
):
    return EfficientNetV2(
        width_coefficient=1.1, depth_coefficient=1.2, default_size=260, name=name,
        include_top=include_top, weights=weights, input_tensor=input_tensor,
        input_shape=input_shape, pooling=pooling, classes=classes,
        classifier_activation=classifier_activation,
        include_preprocessing=include_preprocessing, weights_name="b2",
    )


def EfficientNetV2B3(
    include_top=True, weights="imagenet", input_tensor=None, input_shape=None, pooling=None,
    classes=1000, classifier_activation="softmax", include_preprocessing=True,
    name="efficientnetv2-b3",
):
    return EfficientNetV2(
        width_coefficient=1.2, depth_coefficient=1.4, default_size=300, name=name,
        include_top=include_top, weights=weights, input_tensor=input_tensor,
        input_shape=input_shape, pooling=pooling, classes=classes,
        classifier_activation=classifier_activation,
        include_preprocessing=include_preprocessing, weights_name="b3",
    )


def EfficientNetV2S(
    include_top=True, weights="imagenet", input_tensor=None, input_shape=None, pooling=None,
    classes=1000, classifier_activation="softmax", include_preprocessing=True,
    name="efficientnetv2-s",
):
    return EfficientNetV2(
        width_coefficient=1.0, depth_coefficient=1.0, default_size=384, name=name,
        include_top=include_top, weights=weights, input_tensor=input_tensor,
        input_shape=input_shape, pooling=pooling, classes=classes,
        classifier_activation=classifier_activation,
        include_preprocessing=include_preprocessing, weights_name="-s",
    )


def EfficientNetV2M(
    include_top=True, weights="imagenet", input_tensor=None, input_shape=None, pooling=None,
    classes=1000, classifier_activation="softmax", include_preprocessing=True,
    name="efficientnetv2-m",
):
    return EfficientNetV2(
        width_coefficient=1.0, depth_coefficient=1.0, default_size=480, name=name,
        include_top=include_top, weights=weights, input_tensor=input_tensor,
        input_shape=input_shape, pooling=pooling, classes=classes,
        classifier_activation=classifier_activation,
        include_preprocessing=include_preprocessing, weights_name="-m",
    )


def EfficientNetV2L(
    include_top=True, weights="imagenet", input_tensor=None, input_shape=None, pooling=None,
    classes=1000, classifier_activation="softmax", include_preprocessing=True,
    name="efficientnetv2-l",
):
    return EfficientNetV2(
        width_coefficient=1.0, depth_coefficient=1.0, default_size=480, name=name,
        include_top=include_top, weights=weights, input_tensor=input_tensor,
        input_shape=input_shape, pooling=pooling, classes=classes,
        classifier_activation=classifier_activation,
        include_preprocessing=include_preprocessing, weights_name="-l",
    )


EfficientNetV2B0.__doc__ = BASE_DOCSTRING.format(name="EfficientNetV2B0")
EfficientNetV2B1.__doc__ = BASE_DOCSTRING.format(name="EfficientNetV2B1")
EfficientNetV2B2.__doc__ = BASE_DOCSTRING.format(name="EfficientNetV2B2")
EfficientNetV2B3.__doc__ = BASE_DOCSTRING.format(name="EfficientNetV2B3")
EfficientNetV2S.__doc__ = BASE_DOCSTRING.format(name="EfficientNetV2S")
EfficientNetV2M.__doc__ = BASE_DOCSTRING.format(name="EfficientNetV2M")
EfficientNetV2L.__doc__ = BASE_DOCSTRING.format(name="EfficientNetV2L")


def preprocess_input(x, data_format=None):
    """A placeholder method for backward compatibility."""
    return x


def decode_predictions(preds, top=5):
    """Decodes ImageNet predictions (see `imagenet_utils.decode_predictions`)."""
    return imagenet_utils.decode_predictions(preds, top=top)


