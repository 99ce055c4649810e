"""Differential tests: SimpleRNN / LSTM / GRU / RNN(cell) / Bidirectional against Keras 3.

Each case builds the same layer in Keras (torch backend) and in layerwise,
copies Keras' weights with `get_weights` / `set_weights` (same layout) and
compares every output (sequences, states) in each mode: plain, backwards,
masks (right-padded: torch's fused kernel; left-padded / holes: the loop),
initial states, stateful, and Bidirectional merge modes.
"""

from __future__ import annotations

import numpy as np
import pytest
import torch

import layerwise
from layerwise.layers.rnn import fused

pytestmark = pytest.mark.keras

RTOL, ATOL = 1e-5, 1e-6
B, T, F = 3, 6, 4

RIGHT = np.array([[1] * 6, [1] * 4 + [0] * 2, [1] + [0] * 5], bool)
LEFT = RIGHT[:, ::-1].copy()
HOLES = np.array([[1, 0, 1, 1, 0, 1], [1, 1, 1, 1, 1, 1], [0, 1, 0, 1, 1, 0]], bool)
MASKS = {"none": None, "right": RIGHT, "left": LEFT, "holes": HOLES}

LAYERS = {
    "SimpleRNN": dict(units=5),
    "SimpleRNN_relu": dict(units=5, activation="relu"),
    "LSTM": dict(units=5),
    "LSTM_nobias": dict(units=5, use_bias=False),
    "LSTM_hard_sigmoid": dict(units=5, recurrent_activation="hard_sigmoid"),
    "GRU": dict(units=5),
    "GRU_reset_before": dict(units=5, reset_after=False),
    "GRU_relu": dict(units=5, activation="relu"),
}


def _class(name):
    return name.split("_")[0]


def _data(seed=0):
    return np.random.default_rng(seed).normal(size=(B, T, F)).astype("float32")


def _pair(keras, cls, kwargs, x):
    k_layer = getattr(keras.layers, cls)(**kwargs)
    k_layer(torch.from_numpy(x))
    l_layer = getattr(layerwise.layers, cls)(**kwargs)
    l_layer(torch.from_numpy(x))
    l_layer.set_weights(k_layer.get_weights())
    return k_layer, l_layer


def _assert_close(got, want):
    got = got if isinstance(got, (list, tuple)) else [got]
    want = want if isinstance(want, (list, tuple)) else [want]
    assert len(got) == len(want)
    for g, w in zip(got, want):
        np.testing.assert_allclose(g.detach().cpu().numpy(), w.detach().cpu().numpy(),
                                   rtol=RTOL, atol=ATOL)


@pytest.mark.parametrize("name", sorted(LAYERS))
@pytest.mark.parametrize("mask", sorted(MASKS))
@pytest.mark.parametrize("mode", ["last", "sequences_state", "backwards_sequences",
                                  "backwards_last_state"])
def test_outputs_match_keras(keras, name, mask, mode):
    kwargs = dict(LAYERS[name])
    kwargs.update({
        "last": {},
        "sequences_state": dict(return_sequences=True, return_state=True),
        "backwards_sequences": dict(go_backwards=True, return_sequences=True),
        "backwards_last_state": dict(go_backwards=True, return_state=True),
    }[mode])
    x = _data()
    k_layer, l_layer = _pair(keras, _class(name), kwargs, x)
    m = MASKS[mask]
    k_kwargs = {} if m is None else {"mask": torch.from_numpy(m)}
    want = k_layer(torch.from_numpy(x), **k_kwargs)
    got = l_layer(torch.from_numpy(x), **k_kwargs)
    _assert_close(got, want)


@pytest.mark.parametrize("name,mask,expected", [
    ("LSTM", None, "lstm"), ("GRU", RIGHT, "gru"), ("SimpleRNN", None, "rnn_tanh"),
    ("SimpleRNN_relu", RIGHT, "rnn_relu"), ("LSTM", LEFT, None), ("LSTM", HOLES, None),
    ("GRU_reset_before", None, None), ("LSTM_hard_sigmoid", None, None),
])
def test_fused_path_chosen_when_exact(name, mask, expected):
    layer = getattr(layerwise.layers, _class(name))(**LAYERS[name])
    layer(torch.zeros(B, T, F))
    plan = layer._fused_plan(None if mask is None else torch.from_numpy(mask), False)
    assert (plan[0] if plan else None) == expected


def test_fused_path_is_used_and_loop_agrees(monkeypatch):
    layer = layerwise.layers.LSTM(5, return_sequences=True)
    x = torch.from_numpy(_data())
    mask = torch.from_numpy(RIGHT)
    calls = []
    real = fused.run
    monkeypatch.setattr(fused, "run", lambda *a, **k: calls.append(1) or real(*a, **k))
    fast = layer(x, mask=mask)
    assert calls
    monkeypatch.setattr(layer, "_fused_plan", lambda *a: None)
    slow = layer(x, mask=mask)
    _assert_close(fast, slow)


@pytest.mark.parametrize("cls", ["LSTM", "GRU", "SimpleRNN"])
def test_initial_state_matches_keras(keras, cls):
    x = _data()
    k_layer, l_layer = _pair(keras, cls, dict(units=5, return_state=True), x)
    n_states = 2 if cls == "LSTM" else 1
    states = [torch.from_numpy(np.random.default_rng(i).normal(size=(B, 5)).astype("float32"))
              for i in range(n_states)]
    want = k_layer(torch.from_numpy(x), initial_state=states)
    got = l_layer(torch.from_numpy(x), initial_state=states)
    _assert_close(got, want)


@pytest.mark.parametrize("cls", ["LSTM", "GRU"])
def test_stateful_matches_keras_and_resets(keras, cls):
    x = _data()
    k_layer = getattr(keras.layers, cls)(5, stateful=True)
    k_layer.build((B, T, F))
    l_layer = getattr(layerwise.layers, cls)(5, stateful=True)
    l_layer.build((B, T, F))
    l_layer.built = True
    l_layer.set_weights(k_layer.get_weights())
    for _ in range(2):
        _assert_close(l_layer(torch.from_numpy(x)), k_layer(torch.from_numpy(x)))
    k_layer.reset_states()
    l_layer.reset_states()
    _assert_close(l_layer(torch.from_numpy(x)), k_layer(torch.from_numpy(x)))
    with pytest.raises(ValueError, match="stateful with batch size 3"):
        l_layer(torch.zeros(2, T, F))


class MinimalCell(layerwise.layers.Layer):
    def __init__(self, units, **kwargs):
        super().__init__(**kwargs)
        self.units = units
        self.state_size = units

    def build(self, input_shape):
        self.kernel = self.add_weight(shape=(input_shape[-1], self.units), name="kernel")
        self.recurrent_kernel = self.add_weight(shape=(self.units, self.units),
                                                name="recurrent_kernel")

    def call(self, inputs, states):
        h = torch.matmul(inputs, self.kernel) + torch.matmul(states[0], self.recurrent_kernel)
        return h, [h]


def test_custom_and_stacked_cells_match_keras(keras):
    class KerasMinimalCell(keras.layers.Layer):
        def __init__(self, units, **kwargs):
            super().__init__(**kwargs)
            self.units = units
            self.state_size = units

        def build(self, input_shape):
            self.kernel = self.add_weight(shape=(input_shape[-1], self.units), name="kernel")
            self.recurrent_kernel = self.add_weight(shape=(self.units, self.units),
                                                    name="recurrent_kernel")

        def call(self, inputs, states):
            h = keras.ops.matmul(inputs, self.kernel) + keras.ops.matmul(states[0],
                                                                         self.recurrent_kernel)
            return h, [h]

    x = torch.from_numpy(_data())
    mask = torch.from_numpy(HOLES)
    k_layer = keras.layers.RNN([KerasMinimalCell(3), keras.layers.LSTMCell(4),
                                keras.layers.GRUCell(2)], return_sequences=True)
    l_layer = layerwise.layers.RNN([MinimalCell(3), layerwise.layers.LSTMCell(4),
                                    layerwise.layers.GRUCell(2)], return_sequences=True)
    want = k_layer(x, mask=mask)
    l_layer(x)
    l_layer.set_weights(k_layer.get_weights())
    _assert_close(l_layer(x, mask=mask), want)


@pytest.mark.parametrize("merge_mode", ["concat", "sum", "ave", "mul", None])
@pytest.mark.parametrize("mask", ["none", "right"])
@pytest.mark.parametrize("return_sequences", [True, False])
def test_bidirectional_matches_keras(keras, merge_mode, mask, return_sequences):
    x = _data()
    kwargs = dict(return_sequences=return_sequences, return_state=True)
    k_layer = keras.layers.Bidirectional(keras.layers.LSTM(5, **kwargs), merge_mode=merge_mode)
    l_layer = layerwise.layers.Bidirectional(layerwise.layers.LSTM(5, **kwargs),
                                             merge_mode=merge_mode)
    m = MASKS[mask]
    k_kwargs = {} if m is None else {"mask": torch.from_numpy(m)}
    want = k_layer(torch.from_numpy(x), **k_kwargs)
    l_layer(torch.from_numpy(x))
    l_layer.set_weights(k_layer.get_weights())
    _assert_close(l_layer(torch.from_numpy(x), **k_kwargs), want)


def test_bidirectional_separate_backward_layer(keras):
    x = _data()
    k_layer = keras.layers.Bidirectional(
        keras.layers.LSTM(4, return_sequences=True),
        backward_layer=keras.layers.GRU(4, return_sequences=True, go_backwards=True))
    l_layer = layerwise.layers.Bidirectional(
        layerwise.layers.LSTM(4, return_sequences=True),
        backward_layer=layerwise.layers.GRU(4, return_sequences=True, go_backwards=True))
    want = k_layer(torch.from_numpy(x), mask=torch.from_numpy(LEFT))
    l_layer(torch.from_numpy(x))
    l_layer.set_weights(k_layer.get_weights())
    _assert_close(l_layer(torch.from_numpy(x), mask=torch.from_numpy(LEFT)), want)
    with pytest.raises(ValueError, match="opposite `go_backwards`"):
        layerwise.layers.Bidirectional(layerwise.layers.LSTM(4),
                                       backward_layer=layerwise.layers.LSTM(4))


def test_time_distributed_matches_keras(keras):
    x = _data()
    k_layer = keras.layers.TimeDistributed(keras.layers.Dense(3, activation="tanh"))
    l_layer = layerwise.layers.TimeDistributed(layerwise.layers.Dense(3, activation="tanh"))
    want = k_layer(torch.from_numpy(x))
    l_layer(torch.from_numpy(x))
    l_layer.set_weights(k_layer.get_weights())
    _assert_close(l_layer(torch.from_numpy(x)), want)
