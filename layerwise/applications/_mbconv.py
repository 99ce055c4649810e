"""The pieces of the EfficientNet and EfficientNetV2 blocks (Keras writes them out in each).

Every helper names its layers as Keras does, from a prefix such as `"block1a_"`:
`<prefix>conv`, `<prefix>bn`, `<prefix>activation`, `<prefix>se_squeeze` ...
"""

from __future__ import annotations

import copy

from layerwise import layers
from layerwise.applications import _common

CONV_KERNEL_INITIALIZER = {
    "class_name": "VarianceScaling",
    "config": {"scale": 2.0, "mode": "fan_out", "distribution": "truncated_normal"},
}

DENSE_KERNEL_INITIALIZER = {
    "class_name": "VarianceScaling",
    "config": {"scale": 1.0 / 3.0, "mode": "fan_out", "distribution": "uniform"},
}


def conv_bn(x, prefix: str, filters: int, kernel_size=1, strides=1, activation=None,
            momentum: float = 0.99, padding: str = "same"):
    """`<prefix>conv` (no bias) + `<prefix>bn`, then `<prefix>activation` if `activation`."""
    x = layers.Conv2D(
        filters, kernel_size, strides=strides, padding=padding, use_bias=False,
        kernel_initializer=CONV_KERNEL_INITIALIZER, name=f"{prefix}conv",
    )(x)
    x = layers.BatchNormalization(axis=_common.bn_axis(), momentum=momentum, name=f"{prefix}bn")(x)
    if activation is not None:
        x = layers.Activation(activation, name=f"{prefix}activation")(x)
    return x


def depthwise_bn(x, prefix: str, conv_name: str, kernel_size, strides, activation,
                 momentum: float = 0.99, padding: str = "same"):
    """The depthwise convolution `<prefix><conv_name>` + `<prefix>bn` + `<prefix>activation`."""
    x = layers.DepthwiseConv2D(
        kernel_size, strides=strides, padding=padding, use_bias=False,
        depthwise_initializer=CONV_KERNEL_INITIALIZER, name=f"{prefix}{conv_name}",
    )(x)
    x = layers.BatchNormalization(axis=_common.bn_axis(), momentum=momentum, name=f"{prefix}bn")(x)
    return layers.Activation(activation, name=f"{prefix}activation")(x)


def squeeze_excite(x, prefix: str, filters_in: int, filters: int, se_ratio: float, activation):
    """The squeeze-and-excitation phase (nothing unless `0 < se_ratio <= 1`)."""
    if not 0 < se_ratio <= 1:
        return x
    filters_se = max(1, int(filters_in * se_ratio))
    se = layers.GlobalAveragePooling2D(name=f"{prefix}se_squeeze")(x)
    se_shape = (filters, 1, 1) if _common.bn_axis() == 1 else (1, 1, filters)
    se = layers.Reshape(se_shape, name=f"{prefix}se_reshape")(se)
    for size, act, part in ((filters_se, activation, "reduce"), (filters, "sigmoid", "expand")):
        se = layers.Conv2D(
            size, 1, padding="same", activation=act,
            kernel_initializer=CONV_KERNEL_INITIALIZER, name=f"{prefix}se_{part}",
        )(se)
    return layers.multiply([x, se], name=f"{prefix}se_excite")


def residual(x, inputs, prefix: str, drop_rate: float):
    """`<prefix>drop` (stochastic depth, when `drop_rate > 0`) and the `<prefix>add` skip."""
    if drop_rate > 0:
        x = layers.Dropout(drop_rate, noise_shape=(None, 1, 1, 1), name=f"{prefix}drop")(x)
    return layers.add([x, inputs], name=f"{prefix}add")


def stage_blocks(family: str, blocks_args: list[dict], repeats_key: str, in_key: str,
                 out_key: str, round_filters, round_repeats):
    """Yields `(name, args)` for every block of a stage table, as Keras' build loop does.

    Filters are rounded by `round_filters`, a stage's block count by `round_repeats`. The
    first block of a stage keeps its strides and filters; the next ones use strides 1 and
    the stage's output filters as input. Names are `block1a_`, `block1b_`, ...
    """
    for i, stage in enumerate(copy.deepcopy(blocks_args)):
        if stage[repeats_key] <= 0:
            raise ValueError(
                f"The number of repeats in `{family}` must be > 0. "
                f"Received: {repeats_key}={stage[repeats_key]}"
            )
        stage[in_key] = round_filters(stage[in_key])
        stage[out_key] = round_filters(stage[out_key])
        for j in range(round_repeats(stage.pop(repeats_key))):
            if j > 0:
                stage["strides"] = 1
                stage[in_key] = stage[out_key]
            yield f"block{i + 1}{chr(j + 97)}_", dict(stage)
