
from layerwise import layers
from layerwise.applications import _common, imagenet_utils
from layerwise.backend.config import image_data_format

BASE_WEIGHTS_PATH = "https://storage.googleapis.com/tensorflow/keras-applications/densenet/"
# Blocks per dense block -> (depth, top file hash, no-top file hash).
WEIGHTS = {
    (6, 12, 24, 16): (121, "9d60b8095a5708f2dcce2bca79d332c7",
                      "30ee3e1110167f948a6b9946edeeb738"),
    (6, 12, 32, 32): (169, "d699b8f76981ab1b30698df4c175e90b",
                      "b8c4d4c20dd625c148057b9ff1c1176b"),
    (6, 12, 48, 32): (201, "1ceb130c1ea1b78c3bf6114dbdfd8807",
                      "c13680b51ded0fb44dff2d8f86ac8bb1"),
}


def _bn_relu(x, prefix):
    """`<prefix>bn` (epsilon 1.001e-5) and `<prefix>relu`."""
    x = layers.BatchNormalization(axis=_common.bn_axis(), epsilon=1.001e-5,
                                  name=f"{prefix}bn")(x)
    return layers.Activation("relu", name=f"{prefix}relu")(x)


def dense_block(x, blocks, name):
    """A dense block."""
    for i in range(blocks):
        x = conv_block(x, 32, name=f"{name}_block{i + 1}")
    return x


def transition_block(x, reduction, name):
    """A transition block."""
    x = _bn_relu(x, f"{name}_")
    x = layers.Conv2D(
        int(x.shape[_common.bn_axis()] * reduction), 1, use_bias=False, name=f"{name}_conv",
    )(x)
    return layers.AveragePooling2D(2, strides=2, name=f"{name}_pool")(x)


def conv_block(x, growth_rate, name):
    """A building block for a dense block."""
    x1 = _bn_relu(x, f"{name}_0_")
    x1 = layers.Conv2D(4 * growth_rate, 1, use_bias=False, name=f"{name}_1_conv")(x1)
    x1 = _bn_relu(x1, f"{name}_1_")
    x1 = layers.Conv2D(
        growth_rate, 3, padding="same", use_bias=False, name=f"{name}_2_conv"
    )(x1)
    return layers.Concatenate(axis=_common.bn_axis(), name=f"{name}_concat")([x, x1])


def DenseNet(
    blocks, include_top=True, weights="imagenet", input_tensor=None, input_shape=None,
    pooling=None, classes=1000, classifier_activation="softmax", name="densenet",
):
    """Instantiates the DenseNet architecture."""
    if image_data_format() == "channels_first":
        raise ValueError(
            "DenseNet does not support the `channels_first` image data "
            "format. Switch to `channels_last` by editing your local "
            "config file at ~/.keras/keras.json"
        )
    img_input = _common.prepare(weights, include_top, classes, input_tensor, input_shape,
                                224, 32)
    x = layers.ZeroPadding2D(padding=((3, 3), (3, 3)))(img_input)
    x = layers.Conv2D(64, 7, strides=2, use_bias=False, name="conv1_conv")(x)
    x = _bn_relu(x, "conv1_")
    x = layers.ZeroPadding2D(padding=((1, 1), (1, 1)))(x)
    x = layers.MaxPooling2D(3, strides=2, name="pool1")(x)
    for i, count in enumerate(blocks):
        x = dense_block(x, count, name=f"conv{i + 2}")
        if i < len(blocks) - 1:
            x = transition_block(x, 0.5, name=f"pool{i + 2}")
    x = _bn_relu(x, "")
    x = _common.classifier(x, include_top, pooling, classes, classifier_activation, weights)
    model = _common.finish(input_tensor, img_input, x, name)
    hashes, stem = None, None
    if weights == "imagenet":
        if tuple(blocks) not in WEIGHTS:
            raise ValueError("weights_path undefined")
        depth, *hashes = WEIGHTS[tuple(blocks)]
        stem = f"densenet{depth}_weights_tf_dim_ordering_tf_kernels"
    _common.load_pair(model, weights, include_top, BASE_WEIGHTS_PATH, stem, hashes)
    return model


def _variant(depth, blocks):
    """`DenseNet<depth>`: Keras' signature with the variant's blocks."""
    return _common.variant(
        DenseNet, f"DenseNet{depth}", f"Instantiates the Densenet{depth} architecture." + DOC,
        _common.APPLICATION_ARGS + (("name", f"densenet{depth}"),), blocks=list(blocks))


def preprocess_input(x, data_format=None):
    return imagenet_utils.preprocess_input(
        x, data_format=data_format, mode="torch"
    )


decode_predictions = imagenet_utils.decode_predictions



DOC = """

Reference:
- [Densely Connected Convolutional Networks](
    https://arxiv.org/abs/1608.06993) (CVPR 2017)

Optionally loads weights pre-trained on ImageNet.
Note that the data format convention used by the model is
the one specified in your Keras config at `~/.keras/keras.json`.

Note: each Keras Application expects a specific kind of input preprocessing.
For DenseNet, call `keras.applications.densenet.preprocess_input`
on your inputs before passing them to the model.

Args:
    include_top: whether to include the fully-connected
        layer at the top of the network.
    weights: one of `None` (random initialization),
        `"imagenet"` (pre-training on ImageNet),
        or the path to the weights file to be loaded.
        input_tensor: optional Keras tensor
        (i.e. output of `layers.Input()`)
        to use as image input for the model.
    input_shape: optional shape tuple, only to be specified
        if `include_top` is False (otherwise the input shape
        has to be `(224, 224, 3)` (with `'channels_last'` data format)
        or `(3, 224, 224)` (with `'channels_first'` data format).
        It should have exactly 3 inputs channels,
        and width and height should be no smaller than 32.
        E.g. `(200, 200, 3)` would be one valid value.
""" + _common.POOLING_TO_NAME_DOC

DenseNet121 = _variant(121, (6, 12, 24, 16))
DenseNet169 = _variant(169, (6, 12, 32, 32))
DenseNet201 = _variant(201, (6, 12, 48, 32))
