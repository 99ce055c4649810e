
from layerwise import layers
from layerwise.applications import _common, imagenet_utils
from layerwise.backend.config import image_data_format

WEIGHTS_BASE = "https://storage.googleapis.com/tensorflow/keras-applications/xception/"
WEIGHTS_STEM = "xception_weights_tf_dim_ordering_tf_kernels"
WEIGHTS_HASHES = ("0a58e3b7378bc2990ea3b43d5981f1f6", "b0042744bf5b25fce3cb969f33bebb97")


def Xception(
    include_top=True, weights="imagenet", input_tensor=None, input_shape=None, pooling=None,
    classes=1000, classifier_activation="softmax", name="xception",
):
    """Instantiates the Xception architecture."""
    img_input = _common.prepare(weights, include_top, classes, input_tensor, input_shape,
                                299, 71)
    # Entry flow.
    x = _conv_bn_act(img_input, 32, "block1_conv1", strides=(2, 2))
    x = _conv_bn_act(x, 64, "block1_conv2")
    x = _downsampling_block(x, 2, 128, 128, first_act=False)
    x = _downsampling_block(x, 3, 256, 256)
    x = _downsampling_block(x, 4, 728, 728)
    # Middle flow.
    for i in range(8):
        residual = x
        for j in range(3):
            x = _sepconv_bn(x, 728, f"block{i + 5}_sepconv{j + 1}")
        x = layers.add([x, residual])
    # Exit flow.
    x = _downsampling_block(x, 13, 728, 1024)
    x = _sepconv_bn(x, 1536, "block14_sepconv1", act="after")
    x = _sepconv_bn(x, 2048, "block14_sepconv2", act="after")
    x = _common.classifier(x, include_top, pooling, classes, classifier_activation, weights,
                           named_pools=False)
    model = _common.finish(input_tensor, img_input, x, name)
    _common.load_pair(model, weights, include_top, WEIGHTS_BASE, WEIGHTS_STEM, WEIGHTS_HASHES)
    return model


def _channel_axis() -> int:
    return 1 if image_data_format() == "channels_first" else -1


def _conv_bn_act(x, filters, name, strides=(1, 1)):
    """A 3x3 `name` convolution (valid padding, no bias), `name_bn` and `name_act`."""
    x = layers.Conv2D(filters, (3, 3), strides=strides, use_bias=False, name=name)(x)
    x = layers.BatchNormalization(axis=_channel_axis(), name=f"{name}_bn")(x)
    return layers.Activation("relu", name=f"{name}_act")(x)


def _sepconv_bn(x, filters, name, act="before"):
    """The separable convolution `name` and `name_bn`; the ReLU `name_act` before
    (`act="before"`), after (`"after"`) or not at all (`None`)."""
    if act == "before":
        x = layers.Activation("relu", name=f"{name}_act")(x)
    x = layers.SeparableConv2D(filters, (3, 3), padding="same", use_bias=False, name=name)(x)
    x = layers.BatchNormalization(axis=_channel_axis(), name=f"{name}_bn")(x)
    if act == "after":
        x = layers.Activation("relu", name=f"{name}_act")(x)
    return x


def _downsampling_block(x, block, filters1, filters2, first_act=True):
    """Two separable convolutions and a strided max pooling, added to a strided 1x1
    convolution of the input (blocks 2, 3, 4 and 13)."""
    residual = layers.Conv2D(filters2, (1, 1), strides=(2, 2), padding="same",
                             use_bias=False)(x)
    residual = layers.BatchNormalization(axis=_channel_axis())(residual)
    x = _sepconv_bn(x, filters1, f"block{block}_sepconv1", act="before" if first_act else None)
    x = _sepconv_bn(x, filters2, f"block{block}_sepconv2")
    x = layers.MaxPooling2D((3, 3), strides=(2, 2), padding="same", name=f"block{block}_pool")(x)
    return layers.add([x, residual])


preprocess_input = _common.preprocess_tf


decode_predictions = imagenet_utils.decode_predictions


