"""Item 6: careless arguments give an error naming the argument, the expected and the
received value; a single `Callback` is accepted as in Keras."""

from __future__ import annotations

import numpy as np
import pytest
import torch

import layerwise as keras

X = np.ones((8, 3), "float32")
Y = np.zeros(8, "int64")


def _model(loss="sparse_categorical_crossentropy", units=2):
    model = keras.Sequential([keras.Input((3,)), keras.layers.Dense(units)])
    model.compile("sgd", loss)
    return model


@pytest.mark.parametrize("call, pattern", [
    (lambda m: m.fit(X, Y, batch_size="32", verbose=0), r"`batch_size`.*batch_size='32'"),
    (lambda m: m.fit(X, Y, batch_size=2.5, verbose=0), r"`batch_size`.*batch_size=2\.5"),
    (lambda m: m.fit(X, Y, batch_size=-1, verbose=0), r"positive integer.*batch_size=-1"),
    (lambda m: m.evaluate(X, Y, batch_size=-4, verbose=0), r"positive.*batch_size=-4"),
    (lambda m: m.predict(X, batch_size=0, verbose=0), r"positive.*batch_size=0"),
    (lambda m: m.fit(X, Y, steps_per_epoch=-3, verbose=0), r"steps_per_epoch=-3"),
    (lambda m: m.fit(X, Y, class_weight={0: 1.0, 7: 2.0}, verbose=0),
     r"`class_weight` keys.*0 to 1.*key 7"),
    (lambda m: m.fit([X, None], Y, verbose=0), r"`x` holds None at `x\[1\]`"),
    (lambda m: m.predict(X.astype(np.complex64), verbose=0), r"`x` has the complex dtype"),
    (lambda m: m.fit(X, Y, epochs="2", verbose=0), r"`epochs`.*epochs='2'"),
    (lambda m: m.fit(X, Y, validation_split=1.5, verbose=0), r"validation_split=1\.5"),
])
def test_bad_arguments_name_the_argument(call, pattern):
    with pytest.raises(ValueError, match=pattern):
        call(_model())


def test_class_weight_must_be_a_dict():
    with pytest.raises(TypeError, match=r"`class_weight` must be a dict.*\[1\.0, 2\.0\]"):
        _model().fit(X, Y, class_weight=[1.0, 2.0], verbose=0)


def test_mse_target_shape_mismatch_is_named():
    with pytest.raises(ValueError, match=r"`y` has shape \(8, 5\).*\(None, 2\)"):
        _model("mse").fit(X, np.ones((8, 5), "float32"), verbose=0)
    _model("mse").fit(X, np.ones((8, 2), "float32"), verbose=0)  # the right shape trains


def test_single_callback_is_accepted():
    seen = []
    callback = keras.callbacks.LambdaCallback(on_epoch_end=lambda epoch, logs: seen.append(epoch))
    _model().fit(X, Y, epochs=2, callbacks=callback, verbose=0)
    assert seen == [0, 1]
    _model().evaluate(X, Y, callbacks=callback, verbose=0)
    with pytest.raises(TypeError, match="index 1"):
        _model().fit(X, Y, callbacks=[callback, "nope"], verbose=0)


def test_layer_and_input_arguments():
    with pytest.raises(ValueError, match=r"Dense layer 'dense\w*'.*0-d input"):
        keras.layers.Dense(2)(torch.tensor(1.0))
    with pytest.raises(ValueError, match=r"`shape`.*non-negative.*\(-1,\)"):
        keras.Input((-1,))
    assert keras.Input((None, 3)).shape[1:] == (None, 3)
