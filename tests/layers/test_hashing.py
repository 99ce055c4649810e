"""`Hashing`: the same bins as Keras (TensorFlow's FarmHash and SipHash), without TensorFlow.

Keras' own `Hashing` needs TensorFlow, which the test extra does not install; the
expected bins below were computed with TensorFlow 2.21
(`tf.strings.to_hash_bucket_fast(strings, 1000003)` and
`to_hash_bucket_strong(strings, 1000003, [12345, 67890])`), covering every length
branch of FarmHash (0, 1-3, 4-7, 8-16, 17-32, 33-64, > 64 bytes). With TensorFlow
installed, `test_layer_matches_keras_hashing` compares the layer with Keras directly."""

from __future__ import annotations

import numpy as np
import pytest

import layerwise
from layerwise.data import Dataset
from layerwise.layers.preprocessing._string_hash import fingerprint64, siphash24

STRINGS = [b"", b"a", b"ab", b"abc", b"abcd", b"hello", b"12345678", b"Keras layerwise",
           b"x" * 17, b"y" * 32, b"z" * 33, b"The quick brown fox jumps over the lazy dog",
           bytes(range(65)), bytes(range(200)), "日本語".encode()]
TF_FAST = [377723, 291400, 834328, 152962, 267500, 497363, 470335, 781433, 200771, 687547,
           980102, 297958, 559327, 568369, 128250]
TF_STRONG = [450668, 169320, 488660, 553677, 44689, 465426, 625746, 962985, 458445, 831712,
             186176, 926507, 721807, 667652, 445468]


def test_fingerprint64_and_siphash_equal_tensorflows_buckets():
    assert [fingerprint64(s) % 1000003 for s in STRINGS] == TF_FAST
    assert [siphash24((12345, 67890), s) % 1000003 for s in STRINGS] == TF_STRONG


def test_keras_docstring_examples():
    layer = layerwise.layers.Hashing(num_bins=3)
    assert layer([["A"], ["B"], ["C"], ["D"], ["E"]]).tolist() == [[1], [0], [1], [1], [2]]
    masked = layerwise.layers.Hashing(num_bins=3, mask_value="")
    assert masked([["A"], ["B"], [""], ["C"], ["D"]]).tolist() == [[1], [1], [0], [2], [2]]
    salted = layerwise.layers.Hashing(num_bins=3, salt=133)
    assert salted([["A"], ["B"], ["C"], ["D"], ["E"]]).tolist() == [[0], [0], [2], [1], [0]]
    assert str(layer([["A"]]).dtype) == "torch.int64"


def test_integers_floats_and_encodings():
    layer = layerwise.layers.Hashing(num_bins=4)
    ints = layer(np.array([[1, 2], [30, 1]]))
    assert ints[0, 0] == ints[1, 1]  # the same value, the same bin
    assert layer(np.array([[1.7]])).tolist() == layer(np.array([[1]])).tolist()  # truncated
    assert layer(np.array([[1]])).tolist() == layer([["1"]]).tolist()  # via the decimal text
    one_hot = layerwise.layers.Hashing(num_bins=4, output_mode="one_hot")(np.array([[5], [6]]))
    assert one_hot.shape == (2, 4) and one_hot.sum().item() == 2
    counts = layerwise.layers.Hashing(num_bins=4, output_mode="count")(np.array([[5, 5, 6]]))
    assert counts.sum().item() == 3 and counts.max().item() >= 2


def test_in_a_dataset_map_and_a_string_model():
    layer = layerwise.layers.Hashing(num_bins=8, output_mode="multi_hot")
    ds = Dataset.from_tensor_slices(np.array([["a", "b"], ["c", "a"]])).batch(2).map(layer)
    assert next(iter(ds)).shape == (2, 8)
    inputs = layerwise.Input(shape=(1,), dtype="string")
    model = layerwise.Model(inputs, layerwise.layers.Hashing(num_bins=5)(inputs))
    out = model.predict(np.array([["A"], ["E"]]), verbose=0)
    assert out.tolist() == layerwise.layers.Hashing(num_bins=5)([["A"], ["E"]]).tolist()


def test_bad_arguments_name_themselves():
    with pytest.raises(ValueError, match="num_bins"):
        layerwise.layers.Hashing(num_bins=0)
    with pytest.raises(ValueError, match="output_mode"):
        layerwise.layers.Hashing(num_bins=2, output_mode="tf_idf")
    with pytest.raises(ValueError, match="salt"):
        layerwise.layers.Hashing(num_bins=2, salt="pepper")
    with pytest.raises(ValueError, match="sparse"):
        layerwise.layers.Hashing(num_bins=2, output_mode="one_hot", sparse=True)


def test_config_round_trip():
    layer = layerwise.layers.Hashing(num_bins=7, salt=[1, 2], mask_value="x")
    config = layer.get_config()
    again = layerwise.layers.Hashing.from_config(config)
    assert again.get_config() == config
    assert again([["q"], ["x"]]).tolist() == layer([["q"], ["x"]]).tolist()


@pytest.mark.slow
@pytest.mark.parametrize("kwargs", [dict(num_bins=3), dict(num_bins=5, mask_value=""),
                                    dict(num_bins=3, salt=133),
                                    dict(num_bins=4, output_mode="count")])
def test_layer_matches_keras_hashing(kwargs):
    pytest.importorskip("tensorflow")
    keras = pytest.importorskip("keras")
    data = np.array([["A"], ["B"], ["C"], ["D"], ["E"], [""], ["日本"]])
    np.testing.assert_array_equal(layerwise.layers.Hashing(**kwargs)(data).numpy(),
                                  np.asarray(keras.layers.Hashing(**kwargs)(data)))


def test_lookup_oov_buckets_equal_keras():
    # Expected indices computed with Keras 3.15 on TensorFlow 2.21 (same inputs).
    data = np.array([["a"], ["zz"], ["q"], ["hello"], ["b"], ["xyz"], ["k"], ["日本"]])
    cases = [(dict(num_oov_indices=3), [3, 1, 2, 1, 4, 1, 2, 2]),
             (dict(num_oov_indices=4, mask_token=""), [5, 3, 2, 1, 6, 1, 2, 4]),
             (dict(num_oov_indices=5, salt=42), [5, 3, 0, 3, 6, 2, 3, 3]),
             (dict(num_oov_indices=5, salt=[4, 2]), [5, 3, 3, 1, 6, 0, 2, 4])]
    for kwargs, expected in cases:
        layer = layerwise.layers.StringLookup(vocabulary=["a", "b"], **kwargs)
        assert layer(data).numpy().ravel().tolist() == expected, kwargs
    ints = np.array([[1], [2], [77], [1000], [5], [-3]])
    for kwargs, expected in [(dict(), [3, 4, 2, 1, 2, 0]),
                             (dict(oov_method="farmhash"), [3, 4, 0, 2, 1, 0]),
                             (dict(oov_method="farmhash", salt=9), [3, 4, 1, 1, 1, 0])]:
        layer = layerwise.layers.IntegerLookup(vocabulary=[1, 2], num_oov_indices=3, **kwargs)
        assert layer(ints).numpy().ravel().tolist() == expected, kwargs
