
from layerwise import layers
from layerwise.applications import _common, imagenet_utils
from layerwise.applications._layers import CustomScaleLayer

BASE_WEIGHT_URL = (
    "https://storage.googleapis.com/tensorflow/"
    "keras-applications/inception_resnet_v2/"
)
WEIGHTS_STEM = "inception_resnet_v2_weights_tf_dim_ordering_tf_kernels"
WEIGHTS_HASHES = ("e693bd0210a403b3192acc6073ad2e96", "d19885ff4a710c122648d3b5c3b684e4")
_S2 = {"strides": 2, "padding": "valid"}
# The branches of each Inception-ResNet block: `(filters, kernel)` per convolution.
_BLOCK_BRANCHES = {
    "block35": (((32, 1),), ((32, 1), (32, 3)), ((32, 1), (48, 3), (64, 3))),
    "block17": (((192, 1),), ((128, 1), (160, [1, 7]), (192, [7, 1]))),
    "block8": (((192, 1),), ((192, 1), (224, [1, 3]), (256, [3, 1]))),
}


def InceptionResNetV2(
    include_top=True, weights="imagenet", input_tensor=None, input_shape=None, pooling=None,
    classes=1000, classifier_activation="softmax", name="inception_resnet_v2",
):
    """Instantiates the Inception-ResNet v2 architecture."""
    img_input = _common.prepare(weights, include_top, classes, input_tensor, input_shape,
                                299, 75)
    x = _stem(img_input)  # 35 x 35 x 192
    # Mixed 5b (Inception-A block): 35 x 35 x 320
    branches = _branches(x, ((96, 1),), ((48, 1), (64, 5)), ((64, 1), (96, 3), (96, 3)))
    branch_pool = layers.AveragePooling2D(3, strides=1, padding="same")(x)
    x = _concatenate(branches + [conv2d_bn(branch_pool, 64, 1)], "mixed_5b")
    for block_idx in range(1, 11):  # 10x block35 (Inception-ResNet-A): 35 x 35 x 320
        x = inception_resnet_block(x, scale=0.17, block_type="block35", block_idx=block_idx)
    # Mixed 6a (Reduction-A block): 17 x 17 x 1088
    branches = _branches(x, ((384, 3, _S2),), ((256, 1), (256, 3), (384, 3, _S2)))
    x = _concatenate(branches + [layers.MaxPooling2D(3, strides=2, padding="valid")(x)],
                     "mixed_6a")
    for block_idx in range(1, 21):  # 20x block17 (Inception-ResNet-B): 17 x 17 x 1088
        x = inception_resnet_block(x, scale=0.1, block_type="block17", block_idx=block_idx)
    # Mixed 7a (Reduction-B block): 8 x 8 x 2080
    branches = _branches(x, ((256, 1), (384, 3, _S2)), ((256, 1), (288, 3, _S2)),
                         ((256, 1), (288, 3), (320, 3, _S2)))
    x = _concatenate(branches + [layers.MaxPooling2D(3, strides=2, padding="valid")(x)],
                     "mixed_7a")
    for block_idx in range(1, 10):  # 10x block8 (Inception-ResNet-C): 8 x 8 x 2080
        x = inception_resnet_block(x, scale=0.2, block_type="block8", block_idx=block_idx)
    x = inception_resnet_block(x, scale=1.0, activation=None, block_type="block8",
                               block_idx=10)
    x = conv2d_bn(x, 1536, 1, name="conv_7b")  # Final convolution block: 8 x 8 x 1536
    x = _common.classifier(x, include_top, pooling, classes, classifier_activation, weights,
                           named_pools=False)
    model = _common.finish(input_tensor, img_input, x, name)
    _common.load_pair(model, weights, include_top, BASE_WEIGHT_URL, WEIGHTS_STEM,
                      WEIGHTS_HASHES)
    return model


def _stem(x):
    """Stem block: 35 x 35 x 192."""
    x = conv2d_bn(x, 32, 3, strides=2, padding="valid")
    x = conv2d_bn(x, 32, 3, padding="valid")
    x = conv2d_bn(x, 64, 3)
    x = layers.MaxPooling2D(3, strides=2)(x)
    x = conv2d_bn(x, 80, 1, padding="valid")
    x = conv2d_bn(x, 192, 3, padding="valid")
    return layers.MaxPooling2D(3, strides=2)(x)


def _branches(x, *specs):
    """One `conv2d_bn` chain on `x` per spec: `(filters, kernel[, kwargs])` per conv."""
    outputs = []
    for spec in specs:
        y = x
        for filters, kernel, *kwargs in spec:
            y = conv2d_bn(y, filters, kernel, **(kwargs[0] if kwargs else {}))
        outputs.append(y)
    return outputs


def _concatenate(branches, name):
    return layers.Concatenate(axis=_common.bn_axis(), name=name)(branches)


def conv2d_bn(
    x, filters, kernel_size, strides=1, padding="same", activation="relu", use_bias=False,
    name=None,
):
    """Utility function to apply conv + BN."""
    x = layers.Conv2D(
        filters, kernel_size, strides=strides, padding=padding, use_bias=use_bias, name=name,
    )(x)
    if not use_bias:
        bn_name = None if name is None else f"{name}_bn"
        x = layers.BatchNormalization(axis=_common.bn_axis(), scale=False, name=bn_name)(x)
    if activation is not None:
        ac_name = None if name is None else f"{name}_ac"
        x = layers.Activation(activation, name=ac_name)(x)
    return x




def inception_resnet_block(x, scale, block_type, block_idx, activation="relu"):
    """Adds an Inception-ResNet block."""
    if block_type not in _BLOCK_BRANCHES:
        raise ValueError(
            "Unknown Inception-ResNet block type. "
            'Expects "block35", "block17" or "block8", '
            f"but got: {block_type}"
        )
    branches = _branches(x, *_BLOCK_BRANCHES[block_type])
    block_name = f"{block_type}_{block_idx}"
    mixed = _concatenate(branches, f"{block_name}_mixed")
    up = conv2d_bn(
        mixed, x.shape[_common.bn_axis()], 1, activation=None, use_bias=True,
        name=f"{block_name}_conv",
    )

    x = CustomScaleLayer(scale)([x, up])
    if activation is not None:
        x = layers.Activation(activation, name=f"{block_name}_ac")(x)
    return x


preprocess_input = _common.preprocess_tf


decode_predictions = imagenet_utils.decode_predictions


