"""`Sequential` on a built model builds at once, as Keras 3 does (the transfer-learning
recipe: `model.add(conv_base)`, freeze, count the trainable weights, `summary()`)."""

from __future__ import annotations

import numpy as np
import pytest

import layerwise


def _conv_base(K):
    """A small VGG-like convolutional base (two blocks), built on a concrete input."""
    L = K.layers
    x = K.Input((16, 16, 3))
    h = L.Conv2D(4, 3, padding="same", activation="relu", name="block1_conv1")(x)
    h = L.Conv2D(4, 3, padding="same", activation="relu", name="block1_conv2")(h)
    h = L.MaxPooling2D(name="block1_pool")(h)
    h = L.Conv2D(8, 3, padding="same", activation="relu", name="block2_conv1")(h)
    h = L.Conv2D(8, 3, padding="same", activation="relu", name="block2_conv2")(h)
    h = L.MaxPooling2D(name="block2_pool")(h)
    return K.Model(x, h, name="vgg_like")


def _counts(K, style, freeze):
    base = _conv_base(K)
    if freeze == "all":
        base.trainable = False
    elif freeze == "until_block2":
        base.trainable = True
        trainable = False
        for layer in base.layers:
            if layer.name == "block2_conv1":
                trainable = True
            layer.trainable = trainable
    head = [K.layers.Flatten(name="flatten"), K.layers.Dense(16, activation="relu", name="fc"),
            K.layers.Dense(1, activation="sigmoid", name="out")]
    if style == "add":
        model = K.Sequential(name="stack")
        model.add(base)
        for layer in head:
            model.add(layer)
    else:
        model = K.Sequential([base, *head], name="stack")
    lines = []
    model.summary(print_fn=lambda line, *args, _lines=lines, **kwargs: _lines.append(line))
    return model, (model.built, len(model.weights), len(model.trainable_weights),
                   len(model.non_trainable_weights), model.count_params())


@pytest.mark.parametrize("freeze", ["none", "all", "until_block2"])
@pytest.mark.parametrize("style", ["add", "list"])
def test_counts_before_fit_match_keras(keras, style, freeze):
    _, expected = _counts(keras, style, freeze)
    _, got = _counts(layerwise, style, freeze)
    assert got == expected


def test_summary_before_fit_matches_keras(keras):
    texts = []
    for K in (keras, layerwise):
        model, _ = _counts(K, "add", "all")
        lines = []
        model.summary(print_fn=lambda line, *args, _lines=lines, **kwargs: _lines.append(line))
        texts.append("\n".join(lines))
    assert "(None, 1)" in texts[1] and "out (Dense)" in texts[1]
    assert texts[1] == texts[0]


def test_trains_only_the_unfrozen_part():
    model, _ = _counts(layerwise, "add", "all")
    model.compile("sgd", "binary_crossentropy")
    frozen = [w.numpy().copy() for w in model.layers[0].weights]
    head = [w.numpy().copy() for w in model.layers[-1].weights]
    rng = np.random.default_rng(0)
    model.fit(rng.random((8, 16, 16, 3)), rng.integers(0, 2, (8, 1)), epochs=1, verbose=0)
    assert all(np.array_equal(a, w.numpy()) for a, w in zip(frozen, model.layers[0].weights))
    assert not all(np.array_equal(a, w.numpy()) for a, w in zip(head, model.layers[-1].weights))


def test_single_built_model_waits_for_the_next_layer_as_keras(keras):
    states = []
    for K in (keras, layerwise):
        model = K.Sequential()
        model.add(_conv_base(K))
        states.append(model.built)
    assert states[1] == states[0]
