"""ResNet50/101/152 (He et al., CVPR 2015) and their V2 variants, as `keras.applications.resnet`.

The V1 networks expect `resnet.preprocess_input` (caffe mode), the V2 ones
`resnet_v2.preprocess_input` (tf mode).
"""

from __future__ import annotations

from layerwise import layers
from layerwise.applications import _common, imagenet_utils

BASE_WEIGHTS_PATH = "https://storage.googleapis.com/tensorflow/keras-applications/resnet/"
WEIGHTS_HASHES = {
    "resnet50": ("2cb95161c43110f7111970584f804107", "4d473c1dd8becc155b73f8504c6f6626"),
    "resnet101": ("f1aeb4b969a6efcfb50fad2f0c20cfc5", "88cf7a10940856eca736dc7b7e228a21"),
    "resnet152": ("100835be76be38e30d865e96f2aaae62", "ee4c566cf9a93f14d82f913c2dc6dd0c"),
    "resnet50v2": ("3ef43a0b657b3be2300d5770ece849e0", "fac2f116257151a9d068a22e544a4917"),
    "resnet101v2": ("6343647c601c52e1368623803854d971", "c0ed64b8031c3730f411d2eb4eea35b5"),
    "resnet152v2": ("a49b44d1979771252814e80f8ec446f9", "ed17cf2e0169df9d443503ef94b23b33"),
}


def _files(weights_name: str):
    top_hash, notop_hash = WEIGHTS_HASHES[weights_name]
    top = f"{weights_name}_weights_tf_dim_ordering_tf_kernels.h5"
    notop = f"{weights_name}_weights_tf_dim_ordering_tf_kernels_notop.h5"
    return ((top, BASE_WEIGHTS_PATH + top, top_hash),
            (notop, BASE_WEIGHTS_PATH + notop, notop_hash))


def ResNet(stack_fn, preact, use_bias, include_top=True, weights="imagenet", input_tensor=None,
           input_shape=None, pooling=None, classes=1000, classifier_activation="softmax",
           name="resnet", weights_name=None):
    """Builds a ResNet from `stack_fn(x)` (the residual stages), as Keras' `ResNet`.

    Args:
        stack_fn: Function building the stacked residual blocks on a tensor.
        preact: Whether to use pre-activation (V2: BN + ReLU before each conv).
        use_bias: Whether the stem convolution has a bias.
        weights_name: Key of the published ImageNet files (e.g. `"resnet50"`).
        Other arguments: as `VGG16`.

    Returns:
        A `Model`.
    """
    img_input = _common.prepare(weights, include_top, classes, input_tensor, input_shape,
                                default_size=224, min_size=32)
    bn_axis = _common.bn_axis()
    x = layers.ZeroPadding2D(padding=((3, 3), (3, 3)), name="conv1_pad")(img_input)
    x = layers.Conv2D(64, 7, strides=2, use_bias=use_bias, name="conv1_conv")(x)
    if not preact:
        x = layers.BatchNormalization(axis=bn_axis, epsilon=1.001e-5, name="conv1_bn")(x)
        x = layers.Activation("relu", name="conv1_relu")(x)
    x = layers.ZeroPadding2D(padding=((1, 1), (1, 1)), name="pool1_pad")(x)
    x = layers.MaxPooling2D(3, strides=2, name="pool1_pool")(x)
    x = stack_fn(x)
    if preact:
        x = layers.BatchNormalization(axis=bn_axis, epsilon=1.001e-5, name="post_bn")(x)
        x = layers.Activation("relu", name="post_relu")(x)
    x = _common.classifier(x, include_top, pooling, classes, classifier_activation, weights)
    model = _common.finish(input_tensor, img_input, x, name)
    if weights_name in WEIGHTS_HASHES:
        _common.load(model, weights, *_files(weights_name), include_top)
    elif weights is not None and weights != "imagenet":
        _common.load(model, weights, None, None, include_top)
    return model


def residual_block_v1(x, filters, kernel_size=3, stride=1, conv_shortcut=True, name=None):
    """A bottleneck residual block (V1: post-activation)."""
    bn_axis = _common.bn_axis()
    if conv_shortcut:
        shortcut = layers.Conv2D(4 * filters, 1, strides=stride, name=f"{name}_0_conv")(x)
        shortcut = layers.BatchNormalization(axis=bn_axis, epsilon=1.001e-5,
                                             name=f"{name}_0_bn")(shortcut)
    else:
        shortcut = x
    x = layers.Conv2D(filters, 1, strides=stride, name=f"{name}_1_conv")(x)
    x = layers.BatchNormalization(axis=bn_axis, epsilon=1.001e-5, name=f"{name}_1_bn")(x)
    x = layers.Activation("relu", name=f"{name}_1_relu")(x)
    x = layers.Conv2D(filters, kernel_size, padding="same", name=f"{name}_2_conv")(x)
    x = layers.BatchNormalization(axis=bn_axis, epsilon=1.001e-5, name=f"{name}_2_bn")(x)
    x = layers.Activation("relu", name=f"{name}_2_relu")(x)
    x = layers.Conv2D(4 * filters, 1, name=f"{name}_3_conv")(x)
    x = layers.BatchNormalization(axis=bn_axis, epsilon=1.001e-5, name=f"{name}_3_bn")(x)
    x = layers.Add(name=f"{name}_add")([shortcut, x])
    return layers.Activation("relu", name=f"{name}_out")(x)


def stack_residual_blocks_v1(x, filters, blocks, stride1=2, name=None):
    """A stage of `blocks` V1 residual blocks; the first one downsamples by `stride1`."""
    x = residual_block_v1(x, filters, stride=stride1, name=f"{name}_block1")
    for i in range(2, blocks + 1):
        x = residual_block_v1(x, filters, conv_shortcut=False, name=f"{name}_block{i}")
    return x


def residual_block_v2(x, filters, kernel_size=3, stride=1, conv_shortcut=False, name=None):
    """A bottleneck residual block (V2: pre-activation)."""
    bn_axis = _common.bn_axis()
    preact = layers.BatchNormalization(axis=bn_axis, epsilon=1.001e-5,
                                       name=f"{name}_preact_bn")(x)
    preact = layers.Activation("relu", name=f"{name}_preact_relu")(preact)
    if conv_shortcut:
        shortcut = layers.Conv2D(4 * filters, 1, strides=stride, name=f"{name}_0_conv")(preact)
    else:
        shortcut = layers.MaxPooling2D(1, strides=stride)(x) if stride > 1 else x
    x = layers.Conv2D(filters, 1, strides=1, use_bias=False, name=f"{name}_1_conv")(preact)
    x = layers.BatchNormalization(axis=bn_axis, epsilon=1.001e-5, name=f"{name}_1_bn")(x)
    x = layers.Activation("relu", name=f"{name}_1_relu")(x)
    x = layers.ZeroPadding2D(padding=((1, 1), (1, 1)), name=f"{name}_2_pad")(x)
    x = layers.Conv2D(filters, kernel_size, strides=stride, use_bias=False,
                      name=f"{name}_2_conv")(x)
    x = layers.BatchNormalization(axis=bn_axis, epsilon=1.001e-5, name=f"{name}_2_bn")(x)
    x = layers.Activation("relu", name=f"{name}_2_relu")(x)
    x = layers.Conv2D(4 * filters, 1, name=f"{name}_3_conv")(x)
    return layers.Add(name=f"{name}_out")([shortcut, x])


def stack_residual_blocks_v2(x, filters, blocks, stride1=2, name=None):
    """A stage of `blocks` V2 residual blocks; the last one downsamples by `stride1`."""
    x = residual_block_v2(x, filters, conv_shortcut=True, name=f"{name}_block1")
    for i in range(2, blocks):
        x = residual_block_v2(x, filters, name=f"{name}_block{i}")
    return residual_block_v2(x, filters, stride=stride1, name=f"{name}_block{blocks}")


def _v1_stages(depths):
    def stack_fn(x):
        x = stack_residual_blocks_v1(x, 64, depths[0], stride1=1, name="conv2")
        x = stack_residual_blocks_v1(x, 128, depths[1], name="conv3")
        x = stack_residual_blocks_v1(x, 256, depths[2], name="conv4")
        return stack_residual_blocks_v1(x, 512, depths[3], name="conv5")
    return stack_fn


def _v2_stages(depths):
    def stack_fn(x):
        x = stack_residual_blocks_v2(x, 64, depths[0], name="conv2")
        x = stack_residual_blocks_v2(x, 128, depths[1], name="conv3")
        x = stack_residual_blocks_v2(x, 256, depths[2], name="conv4")
        return stack_residual_blocks_v2(x, 512, depths[3], stride1=1, name="conv5")
    return stack_fn


def _app(depths, v2: bool, default_name: str):
    def app(include_top=True, weights="imagenet", input_tensor=None, input_shape=None,
            pooling=None, classes=1000, classifier_activation="softmax", name=default_name):
        stack_fn = _v2_stages(depths) if v2 else _v1_stages(depths)
        return ResNet(stack_fn, preact=v2, use_bias=True, name=name,
                      weights_name=default_name, include_top=include_top, weights=weights,
                      input_tensor=input_tensor, input_shape=input_shape, pooling=pooling,
                      classes=classes, classifier_activation=classifier_activation)

    app.__name__ = app.__qualname__ = {"resnet50": "ResNet50", "resnet101": "ResNet101",
                                       "resnet152": "ResNet152", "resnet50v2": "ResNet50V2",
                                       "resnet101v2": "ResNet101V2",
                                       "resnet152v2": "ResNet152V2"}[default_name]
    app.__doc__ = (
        f"Instantiates the {app.__name__} architecture (`keras.applications.{app.__name__}`).\n\n"
        "    Args: as `VGG16` (`include_top`, `weights`, `input_tensor`, `input_shape`,\n"
        "        `pooling`, `classes`, `classifier_activation`, `name`); the default\n"
        "        input is 224x224x3, the smallest 32x32.\n\n"
        "    Returns:\n        A `Model`.\n")
    return app


ResNet50 = _app((3, 4, 6, 3), False, "resnet50")
ResNet101 = _app((3, 4, 23, 3), False, "resnet101")
ResNet152 = _app((3, 8, 36, 3), False, "resnet152")
ResNet50V2 = _app((3, 4, 6, 3), True, "resnet50v2")
ResNet101V2 = _app((3, 4, 23, 3), True, "resnet101v2")
ResNet152V2 = _app((3, 8, 36, 3), True, "resnet152v2")


def preprocess_input(x, data_format=None):
    """Caffe-mode preprocessing: RGB to BGR, ImageNet mean subtracted, no scaling."""
    return imagenet_utils.preprocess_input(x, data_format=data_format, mode="caffe")


decode_predictions = imagenet_utils.decode_predictions
