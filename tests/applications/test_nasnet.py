"""NASNetMobile / NASNetLarge against Keras 3: layer names and order, parameter counts,
predictions after Keras' legacy `.h5` and `.weights.h5` files, and the official files.

Keras' `NASNetMobile` refuses the torch backend, so its side is built with Keras'
`NASNet` and the Mobile arguments (what `NASNetMobile` passes on)."""

from __future__ import annotations

import numpy as np
import pytest

import layerwise
from layerwise.applications import _common
from tests.applications._harness import image_batch, keras_predict, randomize, write_legacy_h5

pytestmark = pytest.mark.keras

MOBILE = dict(penultimate_filters=1056, num_blocks=4, stem_block_filters=32,
              skip_reduction=False, filter_multiplier=2, default_size=224, name="nasnet_mobile")


def _keras_model(name, **kwargs):
    if name == "NASNetMobile":
        from keras.src.applications.nasnet import NASNet

        if not kwargs.get("include_top", True) and kwargs.get("input_shape") is None:
            kwargs["input_shape"] = (224, 224, 3)
        return NASNet(kwargs.pop("input_shape", None), **MOBILE, **kwargs)
    import keras

    return getattr(keras.applications, name)(**kwargs)


def _fresh():
    import keras

    keras.backend.clear_session()
    layerwise.backend.clear_session(free_memory=False)


@pytest.mark.slow
@pytest.mark.parametrize("name, kwargs", [
    ("NASNetMobile", dict(include_top=False, input_shape=(32, 32, 3), pooling="avg")),
    ("NASNetLarge", dict(include_top=True, input_shape=(32, 32, 3), classes=3,
                         classifier_activation=None)),
])
def test_nasnet_matches_keras(keras, tmp_path, name, kwargs):
    _fresh()
    k_model = _keras_model(name, weights=None, **kwargs)
    l_model = getattr(layerwise.applications, name)(weights=None, **kwargs)
    assert [layer.name for layer in l_model.layers] == [layer.name for layer in k_model.layers]
    assert l_model.count_params() == k_model.count_params()
    assert l_model.name == k_model.name
    randomize(k_model)
    x = image_batch(kwargs["input_shape"])
    expected = keras_predict(k_model, x)
    legacy, v3 = tmp_path / "w.h5", tmp_path / "w.weights.h5"
    write_legacy_h5(k_model, legacy)
    k_model.save_weights(v3)
    del k_model, l_model
    for path in (legacy, v3):
        _fresh()
        model = getattr(layerwise.applications, name)(weights=str(path), **kwargs)
        got = model.predict(x, verbose=0)
        np.testing.assert_allclose(got, expected, rtol=1e-4, atol=1e-4 * np.abs(expected).max())


class _Requested(Exception):
    pass


@pytest.mark.slow
@pytest.mark.parametrize("name, kwargs", [
    ("NASNetMobile", dict(include_top=True)),
    ("NASNetMobile", dict(include_top=False, input_shape=(32, 32, 3))),
    ("NASNetLarge", dict(include_top=False, input_shape=(32, 32, 3))),
])
def test_same_official_file_as_keras(keras, monkeypatch, name, kwargs):
    from keras.src.utils import file_utils

    def keras_get_file(fname=None, origin=None, cache_subdir="datasets", file_hash=None, **_):
        raise _Requested(fname, origin, file_hash)

    def ours(fname, origin, file_hash=None):
        raise _Requested(fname, origin, file_hash)

    monkeypatch.setattr(file_utils, "get_file", keras_get_file)
    monkeypatch.setattr(_common, "weights_file", ours)
    requested = []
    for build in (lambda: _keras_model(name, weights="imagenet", **kwargs),
                  lambda: getattr(layerwise.applications, name)(weights="imagenet", **kwargs)):
        _fresh()
        with pytest.raises(_Requested) as info:
            build()
        requested.append(info.value.args)
    assert requested[0] == requested[1]


def test_nasnet_argument_errors():
    with pytest.raises(ValueError, match=r"`input_shape` should be \(224, 224, 3\)"):
        layerwise.applications.NASNetMobile(weights="imagenet", input_shape=(96, 96, 3))
    with pytest.raises(ValueError, match="must be static.*input_shape=\\(None, None, 3\\)"):
        layerwise.applications.NASNetLarge(weights="imagenet", include_top=False,
                                           input_shape=(None, None, 3))
    with pytest.raises(ValueError, match="`penultimate_filters` must be a multiple.*1000"):
        layerwise.applications.nasnet.NASNet(weights=None, include_top=False,
                                             input_shape=(32, 32, 3), penultimate_filters=1000)
    with pytest.raises(ValueError, match="only be loaded with NASNetLarge or NASNetMobile"):
        layerwise.applications.nasnet.NASNet(weights="imagenet", include_top=False,
                                             input_shape=(32, 32, 3), default_size=100,
                                             penultimate_filters=96, num_blocks=1,
                                             stem_block_filters=8)
