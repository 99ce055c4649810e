import numpy as np

from layerwise import layers
from layerwise.applications import _common, imagenet_utils
from layerwise.applications._layers import LayerScale, StochasticDepth
from layerwise.applications._operations import AddOperation
from layerwise.backend.config import image_data_format
from layerwise.models.functional import Functional
from layerwise.models.sequential import Sequential

BASE_WEIGHTS_PATH = (
    "https://storage.googleapis.com/tensorflow/keras-applications/convnext/"
)

WEIGHTS_HASHES = {
    "convnext_tiny": (
        "8ae6e78ce2933352b1ef4008e6dd2f17bc40771563877d156bc6426c7cf503ff",
        "d547c096cabd03329d7be5562c5e14798aa39ed24b474157cef5e85ab9e49ef1",
    ),
    "convnext_small": (
        "ce1277d8f1ee5a0ef0e171469089c18f5233860ceaf9b168049cb9263fd7483c",
        "6fc8009faa2f00c1c1dfce59feea9b0745eb260a7dd11bee65c8e20843da6eab",
    ),
    "convnext_base": (
        "52cbb006d3dadd03f6e095a8ca1aca47aecdd75acb4bc74bce1f5c695d0086e6",
        "40a20c5548a5e9202f69735ecc06c990e6b7c9d2de39f0361e27baeb24cb7c45",
    ),
    "convnext_large": (
        "070c5ed9ed289581e477741d3b34beffa920db8cf590899d6d2c67fba2a198a6",
        "96f02b6f0753d4f543261bc9d09bed650f24dd6bc02ddde3066135b63d23a1cd",
    ),
    "convnext_xlarge": (
        "c1f5ccab661354fc3a79a10fa99af82f0fbf10ec65cb894a3ae0815f17a889ee",
        "de3f8a54174130e0cecdc71583354753d557fcf1f4487331558e2a16ba0cfe05",
    ),
}


MODEL_CONFIGS = {
    "tiny": {
        "depths": [3, 3, 9, 3], "projection_dims": [96, 192, 384, 768], "default_size": 224,
    },
    "small": {
        "depths": [3, 3, 27, 3], "projection_dims": [96, 192, 384, 768], "default_size": 224,
    },
    "base": {
        "depths": [3, 3, 27, 3], "projection_dims": [128, 256, 512, 1024], "default_size": 224,
    },
    "large": {
        "depths": [3, 3, 27, 3], "projection_dims": [192, 384, 768, 1536], "default_size": 224,
    },
    "xlarge": {
        "depths": [3, 3, 27, 3], "projection_dims": [256, 512, 1024, 2048],
        "default_size": 224,
    },
}

BASE_DOCSTRING = """Instantiates the {name} architecture.

References:
- [A ConvNet for the 2020s](https://arxiv.org/abs/2201.03545)
(CVPR 2022)

For image classification use cases, see
[this page for detailed examples](
https://keras.io/api/applications/#usage-examples-for-image-classification-models).
For transfer learning use cases, make sure to read the
[guide to transfer learning & fine-tuning](
https://keras.io/guides/transfer_learning/).

The `base`, `large`, and `xlarge` models were first pre-trained on the
ImageNet-21k dataset and then fine-tuned on the ImageNet-1k dataset. The
pre-trained parameters of the models were assembled from the
[official repository](https://github.com/facebookresearch/ConvNeXt). To get a
sense of how these parameters were converted to Keras compatible parameters,
please refer to
[this repository](https://github.com/sayakpaul/keras-convnext-conversion).

Note: Each Keras Application expects a specific kind of input preprocessing.
For ConvNeXt, preprocessing is included in the model using a `Normalization`
layer.  ConvNeXt models expect their inputs to be float or uint8 tensors of
pixels with values in the [0-255] range.

When calling the `summary()` method after instantiating a ConvNeXt model,
prefer setting the `expand_nested` argument `summary()` to `True` to better
investigate the instantiated model.

Args:
    include_top: Whether to include the fully-connected
        layer at the top of the network. Defaults to `True`.
    weights: One of `None` (random initialization),
        `"imagenet"` (pre-training on ImageNet-1k), or the path to the weights
        file to be loaded. Defaults to `"imagenet"`.
    input_tensor: Optional Keras tensor
        (i.e. output of `layers.Input()`)
        to use as image input for the model.
    input_shape: Optional shape tuple, only to be specified
        if `include_top` is `False`.
        It should have exactly 3 inputs channels.
""" + _common.POOLING_TO_NAME_DOC




def ConvNeXtBlock(
    projection_dim, drop_path_rate=0.0, layer_scale_init_value=1e-6, name=None
):
    """ConvNeXt block."""
    if name is None:
        name = f"prestem{str(_common.get_uid('prestem'))}"

    def apply(inputs):
        x = inputs

        x = layers.Conv2D(
            filters=projection_dim, kernel_size=7, padding="same", groups=projection_dim,
            name=f"{name}_depthwise_conv",
        )(x)
        x = layers.LayerNormalization(epsilon=1e-6, name=f"{name}_layernorm")(x)
        x = layers.Dense(4 * projection_dim, name=f"{name}_pointwise_conv_1")(x)
        x = layers.Activation("gelu", name=f"{name}_gelu")(x)
        x = layers.Dense(projection_dim, name=f"{name}_pointwise_conv_2")(x)

        if layer_scale_init_value is not None:
            x = LayerScale(
                layer_scale_init_value, projection_dim, name=f"{name}_layer_scale",
            )(x)
        if drop_path_rate:
            layer = StochasticDepth(
                drop_path_rate, name=f"{name}_stochastic_depth"
            )
        else:
            layer = layers.Activation("linear", name=f"{name}_identity")

        return AddOperation()([inputs, layer(x)])

    return apply


def PreStem(name=None):
    """Normalizes inputs with ImageNet-1k mean and std."""
    if name is None:
        name = f"prestem{_common.get_uid('prestem')}"

    def apply(x):
        x = layers.Normalization(
            mean=[0.485 * 255, 0.456 * 255, 0.406 * 255],
            variance=[
                (0.229 * 255) ** 2, (0.224 * 255) ** 2, (0.225 * 255) ** 2,
            ],
            name=f"{name}_prestem_normalization",
        )(x)
        return x

    return apply


def Head(num_classes=1000, classifier_activation=None, name=None):
    """Implementation of classification head of ConvNeXt."""
    if name is None:
        name = str(_common.get_uid("head"))

    def apply(x):
        x = layers.GlobalAveragePooling2D(name=f"{name}_head_gap")(x)
        x = layers.LayerNormalization(
            epsilon=1e-6, name=f"{name}_head_layernorm"
        )(x)
        x = layers.Dense(
            num_classes, activation=classifier_activation, name=f"{name}_head_dense",
        )(x)
        return x

    return apply


def ConvNeXt(
    depths, projection_dims, drop_path_rate=0.0, layer_scale_init_value=1e-6, default_size=224,
    name="convnext", include_preprocessing=True, include_top=True, weights=None,
    input_tensor=None, input_shape=None, pooling=None, classes=1000,
    classifier_activation="softmax", weights_name=None,
):
    """Instantiates ConvNeXt architecture given specific configuration."""
    if image_data_format() == "channels_first":
        raise ValueError(
            "ConvNeXt does not support the `channels_first` image data "
            "format. Switch to `channels_last` by editing your local "
            "config file at ~/.keras/keras.json"
        )
    img_input, input_shape = _common.prepare_shape(
        weights, include_top, classes, input_tensor, input_shape, default_size, 32)
    inputs = img_input if input_tensor is None else _common.get_source_inputs(input_tensor)[0]
    x = img_input
    if include_preprocessing and input_shape[_common.bn_axis() - 1] == 3:
        x = PreStem(name=name)(x)
    x = _stages(x, name, depths, projection_dims, drop_path_rate, layer_scale_init_value)
    if include_top:
        imagenet_utils.validate_activation(classifier_activation, weights)
        x = Head(num_classes=classes, classifier_activation=classifier_activation, name=name)(x)
    else:
        x = layers.LayerNormalization(epsilon=1e-6)(_common.pool(x, pooling))
    model = Functional(inputs=inputs, outputs=x, name=name)
    if weights == "imagenet":
        _check_pretrained_config(name, weights_name, depths, projection_dims)
    _common.load_by_name(model, weights, include_top, BASE_WEIGHTS_PATH, WEIGHTS_HASHES,
                         weights_name)
    return model


def _downsampling_layers(name, projection_dims):
    """The stem and the three downsampling blocks (`Sequential` models, as in Keras)."""
    stem = Sequential(
        [
            layers.Conv2D(
                projection_dims[0], kernel_size=4, strides=4, name=f"{name}_stem_conv",
            ),
            layers.LayerNormalization(epsilon=1e-6, name=f"{name}_stem_layernorm"),
        ],
        name=f"{name}_stem",
    )
    downsample_layers = [stem]
    for i in range(3):
        downsample_layers.append(Sequential(
            [
                layers.LayerNormalization(
                    epsilon=1e-6, name=f"{name}_downsampling_layernorm_{i}",
                ),
                layers.Conv2D(
                    projection_dims[i + 1], kernel_size=2, strides=2,
                    name=f"{name}_downsampling_conv_{i}",
                ),
            ],
            name=f"{name}_downsampling_block_{i}",
        ))
    return downsample_layers


def _stages(x, name, depths, projection_dims, drop_path_rate, layer_scale_init_value):
    """Each downsampling block followed by its stage of `ConvNeXtBlock`s."""
    # Stochastic depth schedule.
    # This is referred from the original ConvNeXt codebase:
    # https://github.com/facebookresearch/ConvNeXt/blob/main/models/convnext.py#L86
    depth_drop_rates = [float(x) for x in np.linspace(0.0, drop_path_rate, sum(depths))]
    cur = 0
    for i, downsample in enumerate(_downsampling_layers(name, projection_dims)):
        x = downsample(x)
        for j in range(depths[i]):
            x = ConvNeXtBlock(
                projection_dim=projection_dims[i], drop_path_rate=depth_drop_rates[cur + j],
                layer_scale_init_value=layer_scale_init_value,
                name=name + f"_stage_{i}_block_{j}",
            )(x)
        cur += depths[i]
    return x


def _check_pretrained_config(name, weights_name, depths, projection_dims):
    """With imagenet weights, the architecture and the name must match the variant."""
    expected_config = MODEL_CONFIGS[weights_name.split("convnext_")[-1]]
    if (
        depths != expected_config["depths"]
        or projection_dims != expected_config["projection_dims"]
    ):
        raise ValueError(
            f"Architecture configuration does not match {weights_name} "
            f"variant. When using pre-trained weights, the model "
            f"architecture must match the pre-trained configuration "
            f"exactly. Expected depths: {expected_config['depths']}, "
            f"got: {depths}. Expected projection_dims: "
            f"{expected_config['projection_dims']}, got: {projection_dims}."
        )
    if weights_name not in name:
        raise ValueError(
            f'Model name "{name}" does not match weights variant '
            f'"{weights_name}". When using imagenet weights, model name '
            f'must contain the weights variant (e.g., "convnext_'
            f'{weights_name.split("convnext_")[-1]}").'
        )


## Instantiating variants ##


def _variant(size):
    """`ConvNeXt<Size>`: Keras' signature with the variant's `MODEL_CONFIGS[size]`."""
    config = MODEL_CONFIGS[size]
    args = _common.APPLICATION_ARGS
    return _common.variant(
        ConvNeXt, "ConvNeXt" + {"xlarge": "XLarge"}.get(size, size.capitalize()),
        BASE_DOCSTRING,
        args[:1] + (("include_preprocessing", True),) + args[1:] + (("name", f"convnext_{size}"),),
        weights_name=f"convnext_{size}", depths=config["depths"],
        projection_dims=config["projection_dims"], drop_path_rate=0.0,
        layer_scale_init_value=1e-6, default_size=config["default_size"])


(
    ConvNeXtTiny, ConvNeXtSmall, ConvNeXtBase, ConvNeXtLarge, ConvNeXtXLarge,
) = (_variant(v) for v in ("tiny", "small", "base", "large", "xlarge"))


preprocess_input = _common.preprocess_identity


decode_predictions = imagenet_utils.decode_predictions


