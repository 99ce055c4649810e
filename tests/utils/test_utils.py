"""`keras.utils`: to_categorical, pad_sequences, normalize, Progbar (against real Keras)."""

from __future__ import annotations

import contextlib
import io
import re

import numpy as np
import pytest
import torch

import layerwise
from layerwise.utils import Progbar, normalize, pad_sequences, to_categorical

# Keras 3.15 on NumPy 2 warns about `__array__(copy=...)` on every conversion.
pytestmark = pytest.mark.filterwarnings(
    "ignore:__array__ implementation:DeprecationWarning")

keras_marked = pytest.mark.keras


@pytest.fixture
def real(request):
    return request.getfixturevalue("keras")


# ---------------------------------------------------------- to_categorical
CATEGORICAL_CASES = [
    ([0, 2, 1], None),
    ([0, 2, 1], 5),
    (np.array([[1], [0], [3]]), None),
    (np.array([[0, 1], [2, 3]]), 4),
    (np.array([3, 1], dtype=np.uint8), None),
    (np.array([1.0, 0.0, 2.0]), 3),
    (np.array(2), 3),
]


@pytest.mark.parametrize("labels,num_classes", CATEGORICAL_CASES)
def test_to_categorical_values(labels, num_classes):
    out = to_categorical(labels, num_classes)
    flat = np.asarray(labels).reshape(-1).astype(int)
    classes = num_classes or flat.max() + 1
    assert out.shape[-1] == classes
    np.testing.assert_array_equal(out.reshape(-1, classes), np.eye(classes)[flat])
    assert out.dtype == np.float64 or out.dtype == np.float32


@keras_marked
@pytest.mark.parametrize("labels,num_classes", CATEGORICAL_CASES)
def test_to_categorical_matches_keras(real, labels, num_classes):
    expected = real.utils.to_categorical(labels, num_classes)
    got = to_categorical(labels, num_classes)
    assert got.shape == expected.shape
    assert got.dtype == expected.dtype
    np.testing.assert_array_equal(got, expected)


def test_to_categorical_paths_and_errors():
    assert layerwise.utils.np_utils.to_categorical is to_categorical
    assert layerwise.utils.to_categorical is to_categorical
    with pytest.raises(ValueError, match=r"\[0, 3\)"):
        to_categorical([0, 3], num_classes=3)
    with pytest.raises(ValueError, match="integer"):
        to_categorical([0.5, 1.0])
    np.testing.assert_array_equal(to_categorical(torch.tensor([1, 0])), [[0, 1], [1, 0]])


def test_to_categorical_round_trips_with_argmax():
    labels = np.random.default_rng(0).integers(0, 10, size=100)
    np.testing.assert_array_equal(to_categorical(labels, 10).argmax(axis=1), labels)


# ----------------------------------------------------------- pad_sequences
SEQUENCES = [[1, 2, 3], [4], [], [5, 6, 7, 8, 9]]
PAD_CASES = [
    {},
    {"maxlen": 3},
    {"maxlen": 3, "padding": "post"},
    {"maxlen": 3, "truncating": "post"},
    {"maxlen": 6, "padding": "post", "truncating": "post", "value": -1},
    {"dtype": "float32", "value": 0.5},
]


@pytest.mark.parametrize("kwargs", PAD_CASES)
def test_pad_sequences_values(kwargs):
    out = pad_sequences(SEQUENCES, **kwargs)
    maxlen = kwargs.get("maxlen", 5)
    assert out.shape == (4, maxlen)
    if maxlen == 3 and kwargs.get("truncating", "pre") == "pre":
        assert list(out[3]) == [7, 8, 9]
    if maxlen == 3 and kwargs.get("padding", "pre") == "pre":
        assert list(out[1]) == [0, 0, 4]


@keras_marked
@pytest.mark.parametrize("kwargs", PAD_CASES)
def test_pad_sequences_matches_keras(real, kwargs):
    expected = real.utils.pad_sequences(SEQUENCES, **kwargs)
    got = pad_sequences(SEQUENCES, **kwargs)
    assert got.dtype == expected.dtype
    np.testing.assert_array_equal(got, expected)


@keras_marked
def test_pad_sequences_of_vectors_and_strings_match_keras(real):
    vectors = [np.ones((2, 3)), np.zeros((4, 3))]
    np.testing.assert_array_equal(pad_sequences(vectors, dtype="float32"),
                                  real.utils.pad_sequences(vectors, dtype="float32"))
    words = [["a", "b"], ["c"]]
    np.testing.assert_array_equal(pad_sequences(words, dtype=object, value="<pad>"),
                                  real.utils.pad_sequences(words, dtype=object, value="<pad>"))


def test_pad_sequences_maxlen_zero():
    # Keras 3.15 crashes here (`s[-0:]` is the whole sequence); layerwise returns no columns.
    assert pad_sequences(SEQUENCES, maxlen=0).shape == (4, 0)


def test_pad_sequences_paths_and_errors():
    assert layerwise.preprocessing.sequence.pad_sequences is pad_sequences
    assert layerwise.utils.pad_sequences is pad_sequences
    with pytest.raises(ValueError, match="padding"):
        pad_sequences([[1]], padding="middle")
    with pytest.raises(ValueError, match="truncating"):
        pad_sequences([[1]], truncating="middle")
    with pytest.raises(ValueError, match="dtype"):
        pad_sequences([[1]], value="x")
    with pytest.raises(ValueError, match="iterable"):
        pad_sequences([1, 2])


# -------------------------------------------------------------- normalize
@pytest.mark.parametrize("order,axis", [(2, -1), (1, -1), (2, 0), (np.inf, 1)])
def test_normalize(order, axis):
    x = np.array([[3.0, 4.0, 0.0], [0.0, 0.0, 0.0], [1.0, -1.0, 2.0]])
    out = normalize(x, axis=axis, order=order)
    norms = np.linalg.norm(out, order, axis=axis)
    zero = np.linalg.norm(x, order, axis=axis) == 0
    np.testing.assert_allclose(norms[~zero], 1.0)
    np.testing.assert_array_equal(norms[zero], 0.0)


# Not axis=0: Keras 3.15 replaces it with -1 (`axis = axis or -1`) and fails to broadcast.
@keras_marked
@pytest.mark.parametrize("order,axis", [(2, -1), (1, -1), (2, 1), (np.inf, -1)])
def test_normalize_matches_keras(real, order, axis):
    x = np.random.default_rng(0).normal(size=(4, 5)).astype("float32")
    x[1] = 0.0
    expected = np.asarray(real.utils.normalize(x, axis=axis, order=order))
    np.testing.assert_allclose(normalize(x, axis=axis, order=order), expected, rtol=1e-6)


def test_normalize_on_the_keras2_path():
    np.testing.assert_allclose(layerwise.utils.np_utils.normalize([[3.0, 4.0]]), [[0.6, 0.8]])


# ----------------------------------------------------------------- Progbar
TIMES = [
    (re.compile(r"\d+(us|ms|s)/step"), "T/step"),
    (re.compile(r"\x1b\[1m\d+s\x1b\[0m"), "\x1b[1mTs\x1b[0m"),
    (re.compile(r" - \d+s - "), " - Ts - "),
    # Redraws pad with spaces when the line got shorter, which depends on the timings.
    (re.compile(r" *\x08+"), "<BS>"),
    (re.compile(r" +(\r|\n|$)"), r"\1"),
]


def mask(text: str) -> str:
    for pattern, replacement in TIMES:
        text = pattern.sub(replacement, text)
    return text


def run_bar(bar_class, target, verbose, dynamic=None, **kwargs):
    buffer = io.StringIO()
    with contextlib.redirect_stdout(buffer):
        bar = bar_class(target, verbose=verbose, interval=0.0, **kwargs)
        if dynamic is not None:
            bar._dynamic_display = dynamic
        for i in range(5):
            bar.update(i + 1, [("loss", 0.5 - 0.01 * i), ("acc", 0.0001 * i)],
                       finalize=(i == 4) if target is None else None)
    return buffer.getvalue()


def test_progbar_verbose_2_prints_one_line():
    out = run_bar(Progbar, 5, 2)
    assert re.fullmatch(r"5/5 - \d+s - \d+(us|ms|s)/step - loss: 0\.4600 - acc: 4\.0000e-04\n",
                        out), out


@keras_marked
@pytest.mark.parametrize("target", [5, 12, None])
def test_progbar_verbose_2_matches_keras(real, target):
    assert mask(run_bar(Progbar, target, 2)) == mask(run_bar(real.utils.Progbar, target, 2))


@keras_marked
@pytest.mark.parametrize("target", [5, None])
def test_progbar_verbose_1_matches_keras_on_a_terminal(real, target):
    """On a terminal (dynamic display) the redraws match Keras' character for character."""
    got = mask(run_bar(Progbar, target, 1, dynamic=True))
    expected = mask(run_bar(real.utils.Progbar, target, 1, dynamic=True))
    assert got.rstrip(" \n") == expected.rstrip(" \n")


def test_progbar_verbose_1_on_a_pipe_writes_lines():
    out = run_bar(Progbar, 5, 1, dynamic=False)
    assert "\x08" not in out and "\r" not in out
    lines = [line for line in out.split("\n") if line]
    assert len(lines) == 5 and "5/5" in lines[-1]


@keras_marked
def test_progbar_stateful_metrics_and_add_match_keras(real):
    def run(bar_class):
        buffer = io.StringIO()
        with contextlib.redirect_stdout(buffer):
            bar = bar_class(3, verbose=2, stateful_metrics=["acc"])
            bar.add(1, [("loss", 1.0), ("acc", 0.5)])
            bar.add(2, [("loss", 3.0), ("acc", 0.25)])
        return buffer.getvalue()

    ours = run(Progbar)
    assert mask(ours) == mask(run(real.utils.Progbar))
    assert "loss: 3.0000" in ours and "acc: 0.2500" in ours


def test_progbar_verbose_0_is_silent():
    assert run_bar(Progbar, 5, 0) == ""


# ------------------------------------------------------------ layer_utils
def test_count_params_counts_each_weight_once():
    from layerwise.utils.layer_utils import count_params

    model = layerwise.Sequential([layerwise.Input((784,)), layerwise.layers.Dense(128),
                                  layerwise.layers.Dense(10)])
    assert count_params(model.weights) == 101770
    assert count_params(model.weights + model.weights[:1]) == 101770
    assert count_params([]) == 0


def test_set_random_seed_is_exported_in_utils():
    layerwise.utils.set_random_seed(5)
    a = (np.random.rand(), torch.rand(1).item())
    layerwise.utils.set_random_seed(5)
    assert (np.random.rand(), torch.rand(1).item()) == a
