
from layerwise import layers
from layerwise.applications import _common, imagenet_utils
from layerwise.backend.config import image_data_format

WEIGHTS_BASE = "https://storage.googleapis.com/tensorflow/keras-applications/inception_v3/"
WEIGHTS_STEM = "inception_v3_weights_tf_dim_ordering_tf_kernels"
WEIGHTS_HASHES = ("9a0d58056eeedaa3f26cb7ebd46da564", "bcbd6486424b2319ff4ef7d526e38f63")


def InceptionV3(
    include_top=True, weights="imagenet", input_tensor=None, input_shape=None, pooling=None,
    classes=1000, classifier_activation="softmax", name="inception_v3",
):
    """Instantiates the Inception v3 architecture."""
    img_input = _common.prepare(weights, include_top, classes, input_tensor, input_shape,
                                299, 75)
    x = conv2d_bn(img_input, 32, 3, 3, strides=(2, 2), padding="valid")
    x = conv2d_bn(x, 32, 3, 3, padding="valid")
    x = conv2d_bn(x, 64, 3, 3)
    x = layers.MaxPooling2D((3, 3), strides=(2, 2))(x)
    x = conv2d_bn(x, 80, 1, 1, padding="valid")
    x = conv2d_bn(x, 192, 3, 3, padding="valid")
    x = layers.MaxPooling2D((3, 3), strides=(2, 2))(x)
    # mixed 0, 1, 2: 35 x 35 x 256 / 288 / 288
    for i, pool_filters in enumerate((32, 64, 64)):
        x = _block_35(x, pool_filters, f"mixed{i}")
    x = _reduction_a(x)  # mixed 3: 17 x 17 x 768
    # mixed 4, 5, 6, 7: 17 x 17 x 768
    for i, filters in enumerate((128, 160, 160, 192)):
        x = _block_17(x, filters, f"mixed{4 + i}")
    x = _reduction_b(x)  # mixed 8: 8 x 8 x 1280
    # mixed 9, 10: 8 x 8 x 2048
    for i in range(2):
        x = _block_8(x, i)
    x = _common.classifier(x, include_top, pooling, classes, classifier_activation, weights,
                           named_pools=False)
    model = _common.finish(input_tensor, img_input, x, name)
    _common.load_pair(model, weights, include_top, WEIGHTS_BASE, WEIGHTS_STEM, WEIGHTS_HASHES)
    return model


def _channel_axis() -> int:
    return 1 if image_data_format() == "channels_first" else 3


def _avg_pool_branch(x, filters):
    """3x3 average pooling (stride 1) and a 1x1 `conv2d_bn`."""
    branch_pool = layers.AveragePooling2D((3, 3), strides=(1, 1), padding="same")(x)
    return conv2d_bn(branch_pool, filters, 1, 1)


def _chain(x, convs):
    """`conv2d_bn` applied in turn for each `(filters, rows, cols)` of `convs`."""
    for filters, rows, cols in convs:
        x = conv2d_bn(x, filters, rows, cols)
    return x


def _block_35(x, pool_filters, name):
    """Mixed 0-2: 1x1, 5x5 and double 3x3 branches and average pooling."""
    branch1x1 = conv2d_bn(x, 64, 1, 1)
    branch5x5 = _chain(x, ((48, 1, 1), (64, 5, 5)))
    branch3x3dbl = _chain(x, ((64, 1, 1), (96, 3, 3), (96, 3, 3)))
    branch_pool = _avg_pool_branch(x, pool_filters)
    return layers.concatenate(
        [branch1x1, branch5x5, branch3x3dbl, branch_pool], axis=_channel_axis(), name=name,
    )


def _reduction_a(x):
    """Mixed 3: strided 3x3 and double 3x3 branches and max pooling."""
    branch3x3 = conv2d_bn(x, 384, 3, 3, strides=(2, 2), padding="valid")
    branch3x3dbl = _chain(x, ((64, 1, 1), (96, 3, 3)))
    branch3x3dbl = conv2d_bn(branch3x3dbl, 96, 3, 3, strides=(2, 2), padding="valid")
    branch_pool = layers.MaxPooling2D((3, 3), strides=(2, 2))(x)
    return layers.concatenate(
        [branch3x3, branch3x3dbl, branch_pool], axis=_channel_axis(), name="mixed3"
    )


def _block_17(x, filters, name):
    """Mixed 4-7: 1x1, factorized 7x7 and double 7x7 branches and average pooling."""
    branch1x1 = conv2d_bn(x, 192, 1, 1)
    branch7x7 = _chain(x, ((filters, 1, 1), (filters, 1, 7), (192, 7, 1)))
    branch7x7dbl = _chain(x, ((filters, 1, 1), (filters, 7, 1), (filters, 1, 7),
                              (filters, 7, 1), (192, 1, 7)))
    branch_pool = _avg_pool_branch(x, 192)
    return layers.concatenate(
        [branch1x1, branch7x7, branch7x7dbl, branch_pool], axis=_channel_axis(), name=name,
    )


def _reduction_b(x):
    """Mixed 8: strided 3x3 and 7x7x3 branches and max pooling."""
    branch3x3 = conv2d_bn(x, 192, 1, 1)
    branch3x3 = conv2d_bn(branch3x3, 320, 3, 3, strides=(2, 2), padding="valid")
    branch7x7x3 = _chain(x, ((192, 1, 1), (192, 1, 7), (192, 7, 1)))
    branch7x7x3 = conv2d_bn(branch7x7x3, 192, 3, 3, strides=(2, 2), padding="valid")
    branch_pool = layers.MaxPooling2D((3, 3), strides=(2, 2))(x)
    return layers.concatenate(
        [branch3x3, branch7x7x3, branch_pool], axis=_channel_axis(), name="mixed8"
    )


def _split_1x3_3x1(x, name=None):
    """Parallel 1x3 and 3x1 `conv2d_bn` (384 filters each), concatenated."""
    left = conv2d_bn(x, 384, 1, 3)
    right = conv2d_bn(x, 384, 3, 1)
    return layers.concatenate([left, right], axis=_channel_axis(), name=name)


def _block_8(x, i):
    """Mixed 9-10: 1x1, split 3x3 and split double 3x3 branches and average pooling."""
    branch1x1 = conv2d_bn(x, 320, 1, 1)
    branch3x3 = _split_1x3_3x1(conv2d_bn(x, 384, 1, 1), name=f"mixed9_{i}")
    branch3x3dbl = _split_1x3_3x1(_chain(x, ((448, 1, 1), (384, 3, 3))))
    branch_pool = _avg_pool_branch(x, 192)
    return layers.concatenate(
        [branch1x1, branch3x3, branch3x3dbl, branch_pool], axis=_channel_axis(),
        name=f"mixed{9 + i}",
    )


def conv2d_bn(
    x, filters, num_row, num_col, padding="same", strides=(1, 1), name=None
):
    """Utility function to apply conv + BN."""
    bn_name, conv_name = (f"{name}_bn", f"{name}_conv") if name is not None else (None, None)
    x = layers.Conv2D(
        filters, (num_row, num_col), strides=strides, padding=padding, use_bias=False,
        name=conv_name,
    )(x)
    x = layers.BatchNormalization(axis=_channel_axis(), scale=False, name=bn_name)(x)
    x = layers.Activation("relu", name=name)(x)
    return x


preprocess_input = _common.preprocess_tf


decode_predictions = imagenet_utils.decode_predictions


