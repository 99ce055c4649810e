"""MobileNet (Howard et al., 2017), as `keras.applications.mobilenet` (tf-mode preprocessing)."""

from __future__ import annotations

import warnings

from layerwise import layers
from layerwise.applications import _common, imagenet_utils
from layerwise.backend.config import image_data_format

BASE_WEIGHT_PATH = "https://storage.googleapis.com/tensorflow/keras-applications/mobilenet/"
_ALPHA_TEXT = {1.0: "1_0", 0.75: "7_5", 0.50: "5_0", 0.25: "2_5"}
# (filters, strides) of the 13 depthwise-separable blocks.
_BLOCKS = ((64, 1), (128, 2), (128, 1), (256, 2), (256, 1), (512, 2), (512, 1), (512, 1),
           (512, 1), (512, 1), (512, 1), (1024, 2), (1024, 1))


def _default_size(input_shape, sizes=(128, 160, 192, 224)) -> int:
    """The published input size matching a square `input_shape`, else 224."""
    if input_shape is None:
        return 224
    rows, cols = ((input_shape[1], input_shape[2]) if image_data_format() == "channels_first"
                  else (input_shape[0], input_shape[1]))
    return rows if rows == cols and rows in sizes else 224


def _check_imagenet_alpha(weights, alpha, rows, cols, depth_multiplier=1) -> int:
    """Keras' checks of `alpha` / `depth_multiplier` with imagenet weights; the weights' size."""
    if weights != "imagenet":
        return rows
    if depth_multiplier != 1:
        raise ValueError(
            "If imagenet weights are being loaded, depth multiplier must be 1.  "
            f"Received depth_multiplier={depth_multiplier}"
        )
    if alpha not in [0.25, 0.50, 0.75, 1.0]:
        raise ValueError(
            "If imagenet weights are being loaded, alpha can be one of`0.25`, `0.50`, "
            f"`0.75` or `1.0` only.  Received alpha={alpha}"
        )
    if rows != cols or rows not in [128, 160, 192, 224]:
        warnings.warn(
            "`input_shape` is undefined or non-square, or `rows` is not in "
            "[128, 160, 192, 224]. Weights for input shape (224, 224) will be loaded as "
            "the default.", stacklevel=3)
        return 224
    return rows


def MobileNet(input_shape=None, alpha=1.0, depth_multiplier=1, dropout=1e-3, include_top=True,
              weights="imagenet", input_tensor=None, pooling=None, classes=1000,
              classifier_activation="softmax", name=None):
    """Instantiates the MobileNet architecture (`keras.applications.MobileNet`).

    Args:
        input_shape: Optional shape tuple (with `include_top=False`, or the
            default 224x224x3); height and width >= 32.
        alpha: Width multiplier: < 1 thins, > 1 widens every layer
            (0.25, 0.5, 0.75 or 1.0 with imagenet weights).
        depth_multiplier: Depth multiplier of the depthwise convolutions.
        dropout: Dropout rate before the classifier.
        Other arguments: as `VGG16`. `name` defaults to `mobilenet_{alpha}_{rows}`.

    Returns:
        A `Model`.
    """
    default_size = _default_size(input_shape)
    _common.check_weights(weights, include_top, classes)
    input_shape = imagenet_utils.obtain_input_shape(
        input_shape, default_size=default_size, min_size=32, data_format=image_data_format(),
        require_flatten=include_top, weights=weights)
    row_axis, col_axis = (0, 1) if image_data_format() == "channels_last" else (1, 2)
    rows = _check_imagenet_alpha(weights, alpha, input_shape[row_axis], input_shape[col_axis],
                                 depth_multiplier)
    img_input = _common.image_input(input_tensor, input_shape)
    x = _conv_block(img_input, 32, alpha, strides=(2, 2))
    for block_id, (filters, stride) in enumerate(_BLOCKS, start=1):
        x = _depthwise_conv_block(x, filters, alpha, depth_multiplier,
                                  strides=(stride, stride), block_id=block_id)
    if include_top:
        x = layers.GlobalAveragePooling2D(keepdims=True)(x)
        x = layers.Dropout(dropout, name="dropout")(x)
        x = layers.Conv2D(classes, (1, 1), padding="same", name="conv_preds")(x)
        x = layers.Reshape((classes,), name="reshape_2")(x)
        imagenet_utils.validate_activation(classifier_activation, weights)
        x = layers.Activation(activation=classifier_activation, name="predictions")(x)
    else:
        x = _common.pool(x, pooling)
    if name is None:
        name = f"mobilenet_{alpha:0.2f}_{rows}"
    model = _common.finish(input_tensor, img_input, x, name)
    if weights == "imagenet":
        alpha_text = _ALPHA_TEXT[alpha]
        top = f"mobilenet_{alpha_text}_{rows}_tf.h5"
        notop = f"mobilenet_{alpha_text}_{rows}_tf_no_top.h5"
        _common.load(model, weights, (top, BASE_WEIGHT_PATH + top, None),
                     (notop, BASE_WEIGHT_PATH + notop, None), include_top)
    else:
        _common.load(model, weights, None, None, include_top)
    return model


def _conv_block(inputs, filters, alpha, kernel=(3, 3), strides=(1, 1)):
    channel_axis = 1 if image_data_format() == "channels_first" else -1
    x = layers.Conv2D(int(filters * alpha), kernel, padding="same", use_bias=False,
                      strides=strides, name="conv1")(inputs)
    x = layers.BatchNormalization(axis=channel_axis, name="conv1_bn")(x)
    return layers.ReLU(6.0, name="conv1_relu")(x)


def _depthwise_conv_block(inputs, pointwise_conv_filters, alpha, depth_multiplier=1,
                          strides=(1, 1), block_id=1):
    channel_axis = 1 if image_data_format() == "channels_first" else -1
    if strides == (1, 1):
        x = inputs
    else:
        x = layers.ZeroPadding2D(((0, 1), (0, 1)), name=f"conv_pad_{block_id}")(inputs)
    x = layers.DepthwiseConv2D((3, 3), padding="same" if strides == (1, 1) else "valid",
                               depth_multiplier=depth_multiplier, strides=strides,
                               use_bias=False, name=f"conv_dw_{block_id}")(x)
    x = layers.BatchNormalization(axis=channel_axis, name=f"conv_dw_{block_id}_bn")(x)
    x = layers.ReLU(6.0, name=f"conv_dw_{block_id}_relu")(x)
    x = layers.Conv2D(int(pointwise_conv_filters * alpha), (1, 1), padding="same",
                      use_bias=False, strides=(1, 1), name=f"conv_pw_{block_id}")(x)
    x = layers.BatchNormalization(axis=channel_axis, name=f"conv_pw_{block_id}_bn")(x)
    return layers.ReLU(6.0, name=f"conv_pw_{block_id}_relu")(x)


preprocess_input = _common.preprocess_tf


decode_predictions = imagenet_utils.decode_predictions
