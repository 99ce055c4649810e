"""`imagenet_utils` and the per-family `preprocess_input` / `decode_predictions` against Keras,
the Keras 2 and 3 module paths, and the input checks every application shares."""

from __future__ import annotations

import hashlib
import json

import numpy as np
import pytest
import torch

import layerwise as keras
from layerwise.applications import imagenet_utils

pytestmark = pytest.mark.keras

FAMILIES = {  # module -> preprocessing mode in Keras
    "vgg16": "caffe", "vgg19": "caffe", "resnet": "caffe", "resnet50": "caffe",
    "resnet_v2": "tf", "mobilenet": "tf", "mobilenet_v2": "tf", "inception_v3": "tf",
    "inception_resnet_v2": "tf", "xception": "tf", "densenet": "torch", "nasnet": "tf",
    "mobilenet_v3": None, "efficientnet": None, "efficientnet_v2": None, "convnext": None,
}
APPS = ["VGG16", "VGG19", "ResNet50", "ResNet101", "ResNet152", "ResNet50V2", "ResNet101V2",
        "ResNet152V2", "MobileNet", "MobileNetV2", "MobileNetV3Small", "MobileNetV3Large",
        "InceptionV3", "InceptionResNetV2", "Xception", "DenseNet121", "DenseNet169",
        "DenseNet201", "EfficientNetB0", "EfficientNetB1", "EfficientNetB2", "EfficientNetB3",
        "EfficientNetB4", "EfficientNetB5", "EfficientNetB6", "EfficientNetB7",
        "EfficientNetV2B0", "EfficientNetV2B1", "EfficientNetV2B2", "EfficientNetV2B3",
        "EfficientNetV2S", "EfficientNetV2M", "EfficientNetV2L", "ConvNeXtTiny",
        "ConvNeXtSmall", "ConvNeXtBase", "ConvNeXtLarge", "ConvNeXtXLarge", "NASNetMobile",
        "NASNetLarge"]


def _class_index() -> dict:
    return {str(i): [f"n{i:08d}", f"class_{i}"] for i in range(1000)}


@pytest.mark.parametrize("module", sorted(FAMILIES))
def test_module_paths_and_preprocessing_match_keras(keras, module):
    ours = getattr(__import__("layerwise.applications", fromlist=[module]), module)
    theirs = getattr(keras.applications, module)
    for name in dir(theirs):
        if not name.startswith("_"):
            assert hasattr(ours, name), f"layerwise.applications.{module}.{name} is missing"
    x = np.random.default_rng(0).uniform(0, 255, (2, 5, 5, 3)).astype("float32")
    expected = theirs.preprocess_input(x.copy())
    np.testing.assert_allclose(ours.preprocess_input(x), np.asarray(expected), rtol=1e-6,
                               atol=1e-5)
    np.testing.assert_array_equal(x, x.copy())  # ours does not modify its input


def test_every_application_is_exported_at_both_paths(keras):
    for name in APPS:
        assert callable(getattr(keras.applications, name))
        assert callable(getattr(__import__("layerwise").applications, name)), name


@pytest.mark.parametrize("mode", ["caffe", "tf", "torch"])
@pytest.mark.parametrize("data_format", ["channels_last", "channels_first"])
def test_preprocess_input_modes(keras, mode, data_format):
    from keras.src.applications import imagenet_utils as k_utils

    rng = np.random.default_rng(1)
    for shape in ((2, 4, 4, 3), (4, 4, 3)) if data_format == "channels_last" else \
            ((2, 3, 4, 4), (3, 4, 4)):
        x = rng.uniform(0, 255, shape).astype("float32")
        expected = k_utils.preprocess_input(x.copy(), data_format=data_format, mode=mode)
        got = imagenet_utils.preprocess_input(x, data_format=data_format, mode=mode)
        np.testing.assert_allclose(got, expected, rtol=1e-6, atol=1e-5)
        tensor = imagenet_utils.preprocess_input(torch.as_tensor(x), data_format=data_format,
                                                 mode=mode)
        assert isinstance(tensor, torch.Tensor)
        np.testing.assert_allclose(tensor.numpy(), expected, rtol=1e-6, atol=1e-5)
    ints = imagenet_utils.preprocess_input(np.full((1, 2, 2, 3), 255, "uint8"), mode=mode)
    assert ints.dtype == np.float32


def test_preprocess_input_bad_mode():
    with pytest.raises(ValueError, match="mode"):
        imagenet_utils.preprocess_input(np.zeros((1, 2, 2, 3)), mode="bgr")


def test_decode_predictions_downloads_index_and_matches_keras(keras, app_env, http_server,
                                                              monkeypatch):
    from keras.src.applications import imagenet_utils as k_utils

    data = json.dumps(_class_index()).encode()
    http_server.files["imagenet_class_index.json"] = data
    monkeypatch.setattr(imagenet_utils, "CLASS_INDEX_PATH",
                        http_server.url("imagenet_class_index.json"))
    monkeypatch.setattr(imagenet_utils, "CLASS_INDEX_HASH", hashlib.md5(data).hexdigest())
    monkeypatch.setattr(k_utils, "CLASS_INDEX", _class_index())
    preds = np.random.default_rng(0).uniform(size=(3, 1000)).astype("float32")
    from layerwise.applications.imagenet_utils import decode_predictions, preprocess_input

    assert callable(preprocess_input)
    got = decode_predictions(preds, top=4)
    assert got == k_utils.decode_predictions(preds, top=4)
    assert (app_env / "home" / "models" / "imagenet_class_index.json").is_file()
    assert keras_equal_tensor(decode_predictions(torch.as_tensor(preds), top=2), got)
    assert len(http_server.requests) == 1
    with pytest.raises(ValueError, match=r"\(samples, 1000\)"):
        decode_predictions(preds[:, :10])


def keras_equal_tensor(short, long) -> bool:
    return all(a == b[:2] for a, b in zip(short, long, strict=True))


def test_decode_predictions_rejects_a_wrong_index_file(app_env, http_server, monkeypatch):
    http_server.files["imagenet_class_index.json"] = b"{}"
    monkeypatch.setattr(imagenet_utils, "CLASS_INDEX_PATH",
                        http_server.url("imagenet_class_index.json"))
    with pytest.raises(ValueError, match="hash|md5"):
        imagenet_utils.decode_predictions(np.zeros((1, 1000)))


# ------------------------------------------------------------------ bad input
def test_include_top_with_imagenet_requires_default_shape():
    with pytest.raises(ValueError, match=r"`input_shape` should be \(224, 224, 3\)"):
        keras.applications.VGG16(weights="imagenet", include_top=True,
                                 input_shape=(150, 150, 3))


def test_include_top_needs_a_static_shape():
    with pytest.raises(ValueError, match="static `input_shape`"):
        keras.applications.ResNet50(weights=None, include_top=True, input_shape=(None, 64, 3))


@pytest.mark.parametrize("name", ["VGG16", "ResNet50", "MobileNetV2", "EfficientNetB0",
                                  "InceptionV3", "Xception", "DenseNet121", "ConvNeXtTiny"])
def test_classes_with_imagenet_must_be_1000(name):
    with pytest.raises(ValueError, match=r"`classes` should be 1000.*classes=10"):
        getattr(keras.applications, name)(weights="imagenet", include_top=True, classes=10)


@pytest.mark.parametrize("name, size", [("VGG16", 31), ("InceptionV3", 74), ("Xception", 70)])
def test_input_smaller_than_minimum(name, size):
    with pytest.raises(ValueError, match="Input size must be at least"):
        getattr(keras.applications, name)(weights=None, include_top=False,
                                          input_shape=(size, size, 3))


def test_weights_must_be_none_imagenet_or_a_file(tmp_path):
    with pytest.raises(ValueError, match="`weights` argument.*weights=imagenet21k"):
        keras.applications.VGG16(weights="imagenet21k")
    with pytest.raises(ValueError, match="`weights` argument"):
        keras.applications.ResNet50(weights=str(tmp_path / "missing.h5"))


def test_imagenet_needs_three_channels():
    with pytest.raises(ValueError, match="3 channels"):
        keras.applications.VGG16(weights="imagenet", include_top=False,
                                 input_shape=(64, 64, 1))


def test_pretrained_top_only_softmax_or_none():
    with pytest.raises(ValueError, match="classifier_activation"):
        imagenet_utils.validate_activation("relu", "imagenet")
    imagenet_utils.validate_activation(None, "imagenet")
    imagenet_utils.validate_activation("softmax", "imagenet")


def test_input_tensor_must_be_symbolic():
    with pytest.raises(ValueError, match="input_tensor"):
        keras.applications.VGG16(weights=None, include_top=False,
                                 input_tensor=np.zeros((1, 32, 32, 3)))


def test_input_tensor_is_used():
    inp = keras.Input((48, 48, 3), name="images")
    model = keras.applications.VGG16(weights=None, include_top=False, input_tensor=inp)
    assert model.input is inp and model.output_shape == (None, 1, 1, 512)
