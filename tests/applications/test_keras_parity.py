"""Every application matches Keras 3: layer names and order, parameter counts, predictions
after loading Keras' random weights from its legacy `.h5` and its `.weights.h5` files."""

from __future__ import annotations

import numpy as np
import pytest

import layerwise
from tests.applications._harness import (
    build_pair,
    image_batch,
    keras_predict,
    randomize,
    write_legacy_h5,
)

pytestmark = pytest.mark.keras

# (application, kwargs): the smallest inputs Keras allows keep these quick.
FAST = [
    ("VGG16", dict(include_top=False, input_shape=(32, 32, 3))),
    ("MobileNetV2", dict(include_top=True, input_shape=(32, 32, 3), classes=5)),
]
SLOW = [
    ("VGG16", dict(include_top=True, input_shape=(32, 32, 3), classes=7)),
    ("ResNet50", dict(include_top=False, input_shape=(32, 32, 3), pooling="avg")),
    ("EfficientNetB0", dict(include_top=False, input_shape=(32, 32, 3), pooling="max")),
    ("VGG19", dict(include_top=False, input_shape=(32, 32, 3))),
    ("ResNet101", dict(include_top=False, input_shape=(32, 32, 3))),
    ("ResNet152", dict(include_top=True, input_shape=(32, 32, 3), classes=3)),
    ("ResNet50V2", dict(include_top=True, input_shape=(32, 32, 3), classes=3)),
    ("ResNet101V2", dict(include_top=False, input_shape=(32, 32, 3))),
    ("ResNet152V2", dict(include_top=False, input_shape=(32, 32, 3))),
    ("MobileNet", dict(include_top=True, input_shape=(32, 32, 3), classes=4)),
    ("MobileNet", dict(include_top=False, input_shape=(32, 32, 3), alpha=0.5)),
    ("MobileNetV2", dict(include_top=False, input_shape=(33, 33, 3), alpha=1.4)),
    ("MobileNetV3Small", dict(include_top=True, input_shape=(32, 32, 3), classes=4)),
    ("MobileNetV3Large", dict(include_top=False, input_shape=(32, 32, 3), pooling="avg")),
    ("MobileNetV3Large", dict(include_top=False, input_shape=(32, 32, 3), minimalistic=True)),
]
SLOW_MORE = [
    ("InceptionV3", dict(include_top=True, input_shape=(75, 75, 3), classes=3)),
    ("InceptionResNetV2", dict(include_top=False, input_shape=(75, 75, 3))),
    ("Xception", dict(include_top=True, input_shape=(71, 71, 3), classes=3)),
    ("DenseNet121", dict(include_top=True, input_shape=(32, 32, 3), classes=3)),
    ("DenseNet169", dict(include_top=False, input_shape=(32, 32, 3))),
    ("DenseNet201", dict(include_top=False, input_shape=(32, 32, 3))),
    ("EfficientNetB0", dict(include_top=True, input_shape=(32, 32, 3), classes=3)),
    ("EfficientNetB1", dict(include_top=False, input_shape=(32, 32, 3))),
    ("EfficientNetB2", dict(include_top=False, input_shape=(32, 32, 3))),
    ("EfficientNetB3", dict(include_top=False, input_shape=(32, 32, 3))),
    ("EfficientNetB4", dict(include_top=False, input_shape=(32, 32, 3))),
    ("EfficientNetB5", dict(include_top=False, input_shape=(32, 32, 3))),
    ("EfficientNetB6", dict(include_top=False, input_shape=(32, 32, 3))),
    ("EfficientNetB7", dict(include_top=False, input_shape=(32, 32, 3))),
    ("EfficientNetV2B0", dict(include_top=True, input_shape=(32, 32, 3), classes=3)),
    ("EfficientNetV2B1", dict(include_top=False, input_shape=(32, 32, 3))),
    ("EfficientNetV2B2", dict(include_top=False, input_shape=(32, 32, 3))),
    ("EfficientNetV2B3", dict(include_top=False, input_shape=(32, 32, 3))),
    ("EfficientNetV2S", dict(include_top=False, input_shape=(32, 32, 3))),
    ("ConvNeXtTiny", dict(include_top=True, input_shape=(32, 32, 3), classes=3)),
]
CASES = [pytest.param(n, kw, id=f"{n}-{i}") for i, (n, kw) in enumerate(FAST)] + [
    pytest.param(n, kw, id=f"{n}-slow{i}", marks=pytest.mark.slow)
    for i, (n, kw) in enumerate(SLOW + SLOW_MORE)]


def _shape(kwargs):
    return kwargs["input_shape"]


@pytest.mark.parametrize("name, kwargs", CASES)
def test_application_matches_keras(keras, tmp_path, name, kwargs):
    k_model, l_model = build_pair(keras, name, **kwargs)
    assert [layer.name for layer in l_model.layers] == [layer.name for layer in k_model.layers]
    assert l_model.count_params() == k_model.count_params()
    assert l_model.name == k_model.name
    randomize(k_model)
    x = image_batch(_shape(kwargs))
    expected = keras_predict(k_model, x)
    legacy, v3 = tmp_path / "w.h5", tmp_path / "w.weights.h5"
    write_legacy_h5(k_model, legacy)
    k_model.save_weights(v3)
    for path in (legacy, v3):
        layerwise.backend.clear_session(free_memory=False)
        layerwise.applications._common._UIDS.clear()
        model = getattr(layerwise.applications, name)(weights=str(path), **kwargs)
        got = model.predict(x, verbose=0)
        np.testing.assert_allclose(got, expected, rtol=1e-4, atol=1e-4 * np.abs(expected).max())


# The extras beyond the list: the same layer names, order and parameter counts as
# Keras (the weight round trip is the one their families' smaller members go through above).
EXTRAS = ["EfficientNetV2M", "EfficientNetV2L", "ConvNeXtSmall", "ConvNeXtBase",
          "ConvNeXtLarge", "ConvNeXtXLarge"]


@pytest.mark.slow
@pytest.mark.parametrize("name", EXTRAS)
def test_larger_family_members_match_keras_structure(keras, name):
    k_model, l_model = build_pair(keras, name, include_top=True, input_shape=(32, 32, 3),
                                  classes=3)
    assert [layer.name for layer in l_model.layers] == [layer.name for layer in k_model.layers]
    assert l_model.count_params() == k_model.count_params()
    assert l_model.name == k_model.name


def test_vgg16_with_winograd_convolutions_matches_keras(keras, monkeypatch):
    # At 192x192 and batch 8 every 3x3 convolution of blocks 3-5 (9 of the 13) takes
    # the Winograd path in predict (`layers/convolutional/_winograd.py`); the result
    # must stay within float32 rounding of Keras' direct convolutions.
    from layerwise.layers.convolutional import _winograd

    k_model, l_model = build_pair(keras, "VGG16", include_top=False, input_shape=(192, 192, 3))
    randomize(k_model)
    l_model.set_weights(k_model.get_weights())
    x = image_batch((192, 192, 3), n=8)
    calls = []
    real = _winograd.conv2d_3x3
    monkeypatch.setattr(_winograd, "conv2d_3x3", lambda *a, **k: calls.append(1) or real(*a, **k))
    got = l_model.predict(x, verbose=0)
    assert len(calls) == 9
    expected = keras_predict(k_model, x)
    np.testing.assert_allclose(got, expected, rtol=1e-4, atol=1e-4 * np.abs(expected).max())
