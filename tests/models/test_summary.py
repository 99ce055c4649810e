"""`model.summary()`: the table Keras 3 prints, character for character."""

from __future__ import annotations

import re

import numpy as np
import pytest

import layerwise

# Keras 3.15 on NumPy 2 warns about `__array__(copy=...)` on every conversion.
pytestmark = pytest.mark.filterwarnings(
    "ignore:__array__ implementation:DeprecationWarning")

ANSI = re.compile(r"\x1b\[[0-9;]*m")


def normalize(text: str) -> str:
    """Drops ANSI styling (rich markup) and trailing blanks."""
    text = ANSI.sub("", text)
    return "\n".join(line.rstrip() for line in text.rstrip("\n").splitlines())


def summary_text(model, **kwargs) -> str:
    chunks = []
    model.summary(print_fn=lambda text, **_: chunks.append(text), **kwargs)
    return normalize("".join(chunks))


@pytest.fixture
def columns_80(monkeypatch):
    monkeypatch.setenv("COLUMNS", "80")


MODELS = {
    "mnist": lambda m: [m.Input((784,)), m.layers.Dense(128, activation="relu"),
                        m.layers.Dense(10, activation="softmax")],
    "cifar": lambda m: [m.Input((32, 32, 3)), m.layers.Flatten(),
                        m.layers.Dense(1000, activation="relu"),
                        m.layers.Dense(500, activation="relu"),
                        m.layers.Dense(100, activation="softmax")],
    "reshaping": lambda m: [m.Input((12,)), m.layers.Reshape((3, 4)), m.layers.Permute((2, 1)),
                            m.layers.Flatten(), m.layers.RepeatVector(2),
                            m.layers.Dense(5, use_bias=False), m.layers.Dropout(0.5),
                            m.layers.Activation("relu"),
                            m.layers.ActivityRegularization(0.1), m.layers.Identity()],
    "keras2_input_shape": lambda m: [m.layers.Dense(64, activation="relu", input_shape=(20,)),
                                     m.layers.Dense(1)],
    "unbuilt": lambda m: [m.layers.Dense(3), m.layers.Dense(2)],
    "long_name": lambda m: [m.Input((4,)),
                            m.layers.Dense(3, name="a_rather_long_layer_name_for_the_column")],
}


def build_pair(real, key, **sequential_kwargs):
    real.backend.clear_session(free_memory=False)
    k_model = real.Sequential(MODELS[key](real), **sequential_kwargs)
    layerwise.backend.clear_session(free_memory=False)
    l_model = layerwise.Sequential(MODELS[key](layerwise), **sequential_kwargs)
    return k_model, l_model


@pytest.mark.keras
@pytest.mark.parametrize("name", sorted(MODELS))
def test_summary_matches_keras(keras, columns_80, name):
    k_model, l_model = build_pair(keras, name)
    expected = summary_text(k_model)
    got = summary_text(l_model)
    assert got == expected


@pytest.mark.keras
def test_summary_of_the_classic_models_has_the_expected_counts(keras, columns_80):
    _, mnist = build_pair(keras, "mnist")
    text = summary_text(mnist)
    assert " Total params: 101,770 (397.54 KB)" in text.splitlines()
    _, cifar = build_pair(keras, "cifar")
    text = summary_text(cifar)
    assert " Total params: 3,623,600 (13.82 MB)" in text.splitlines()
    assert "│ flatten (Flatten)" in text and "(None, 3072)" in text


@pytest.mark.keras
@pytest.mark.parametrize("kwargs,columns", [
    ({"show_trainable": True}, 80),
    ({"show_trainable": True}, 200),
    ({"line_length": 60}, 80),
    ({"line_length": 100}, 120),
    ({}, 60),
    ({"positions": [0.5, 0.7, 1.0]}, 80),  # "Output Shape" wraps: headers align at the bottom
], ids=["show_trainable", "show_trainable_wide", "line60", "line100", "narrow_terminal",
        "relative_positions"])
def test_summary_options_match_keras(keras, monkeypatch, kwargs, columns):
    monkeypatch.setenv("COLUMNS", str(columns))
    k_model, l_model = build_pair(keras, "mnist", name="frozen_net")
    k_model.layers[0].trainable = False
    l_model.layers[0].trainable = False
    got = summary_text(l_model, **kwargs)
    assert got == summary_text(k_model, **kwargs)
    assert 'Model: "frozen_net"' in got
    assert " Non-trainable params: 100,480 (392.50 KB)" in got.splitlines()


def test_summary_absolute_positions_are_column_edges(columns_80):
    """Keras 2 semantics (Keras 3 multiplies every position by the line length, which
    squeezes absolute positions into equal columns)."""
    model = layerwise.Sequential([layerwise.Input((3,)), layerwise.layers.Dense(2)])
    header = summary_text(model, positions=[30, 50, 65]).splitlines()[2]
    cells = header.split("┃")[1:-1]
    assert [len(c) for c in cells] == [32, 22, 17]  # 30, 20 and 15 wide, plus padding
    assert cells[0].strip() == "Layer (type)" and cells[2].strip() == "Param #"


@pytest.mark.keras
@pytest.mark.parametrize("optimizer", ["sgd", "adam", "rmsprop"])
def test_summary_after_training_matches_keras(keras, columns_80, optimizer):
    """After `fit`, Keras adds the optimizer's variables to the totals."""
    k_model, l_model = build_pair(keras, "mnist")
    x = np.random.default_rng(0).uniform(size=(8, 784)).astype("float32")
    y = np.arange(8) % 10
    for model in (k_model, l_model):
        model.compile(optimizer=optimizer, loss="sparse_categorical_crossentropy")
        model.fit(x, y, verbose=0)
    assert summary_text(l_model) == summary_text(k_model)


@pytest.mark.keras
def test_nested_summary_matches_keras(keras, columns_80):
    def build(m):
        m.backend.clear_session(free_memory=False)
        inner = m.Sequential([m.Input((8,)), m.layers.Dense(4), m.layers.Dense(3)], name="inner")
        return m.Sequential([m.Input((8,)), inner, m.layers.Dense(2)])

    k_model, l_model = build(keras), build(layerwise)
    assert summary_text(l_model) == summary_text(k_model)
    assert summary_text(l_model, expand_nested=True) == summary_text(k_model,
                                                                     expand_nested=True)


def test_summary_prints_to_stdout(capsys, columns_80):
    model = layerwise.Sequential([layerwise.Input((3,)), layerwise.layers.Dense(2)])
    assert model.summary() is None
    out = capsys.readouterr().out
    assert out.startswith('Model: "sequential"\n┏')
    assert "│ dense (Dense)" in out and "(None, 2)" in out
    assert " Total params: 8 (32.00 B)" in out


def test_summary_exact_text(columns_80):
    model = layerwise.Sequential([layerwise.Input((784,)),
                                  layerwise.layers.Dense(128, activation="relu"),
                                  layerwise.layers.Dense(10, activation="softmax")])
    expected = """\
Model: "sequential"
┏━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━┳━━━━━━━━━━━━━━━━━━━━━━━━┳━━━━━━━━━━━━━━━┓
┃ Layer (type)                    ┃ Output Shape           ┃       Param # ┃
┡━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━╇━━━━━━━━━━━━━━━━━━━━━━━━╇━━━━━━━━━━━━━━━┩
│ dense (Dense)                   │ (None, 128)            │       100,480 │
├─────────────────────────────────┼────────────────────────┼───────────────┤
│ dense_1 (Dense)                 │ (None, 10)             │         1,290 │
└─────────────────────────────────┴────────────────────────┴───────────────┘
 Total params: 101,770 (397.54 KB)
 Trainable params: 101,770 (397.54 KB)
 Non-trainable params: 0 (0.00 B)"""
    assert summary_text(model) == expected


def test_summary_width_follows_the_terminal(monkeypatch):
    model = layerwise.Sequential([layerwise.Input((3,)), layerwise.layers.Dense(2)])
    monkeypatch.setenv("COLUMNS", "200")
    wide = summary_text(model).splitlines()[1]
    monkeypatch.setenv("COLUMNS", "70")
    narrow = summary_text(model).splitlines()[1]
    assert len(wide) == 88 and len(narrow) == 66
