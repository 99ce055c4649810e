"""Every preprocessing layer inside `Dataset.map` (serial and parallel), equal to calling it
on the same batch directly, and `adapt` on datasets equal to `adapt` on arrays."""

from __future__ import annotations

import numpy as np
import pytest

from layerwise import layers
from layerwise.data import AUTOTUNE, Dataset

IMAGES = np.random.RandomState(0).rand(8, 12, 12, 3).astype("float32") * 255
DETERMINISTIC_IMAGE_LAYERS = [
    lambda: layers.Rescaling(1 / 255.0), lambda: layers.Resizing(6, 8),
    lambda: layers.CenterCrop(5, 5)]
RANDOM_IMAGE_LAYERS = [
    lambda: layers.RandomFlip(seed=1), lambda: layers.RandomRotation(0.2, seed=1),
    lambda: layers.RandomZoom(0.2, seed=1), lambda: layers.RandomTranslation(0.1, 0.1, seed=1),
    lambda: layers.RandomContrast(0.3, seed=1), lambda: layers.RandomBrightness(0.2, seed=1),
    lambda: layers.RandomCrop(6, 6, seed=1)]


@pytest.mark.parametrize("make", DETERMINISTIC_IMAGE_LAYERS + RANDOM_IMAGE_LAYERS)
@pytest.mark.parametrize("parallel", [None, AUTOTUNE])
def test_image_layers_in_map_equal_a_direct_call(make, parallel):
    ds = Dataset.from_tensor_slices((IMAGES, np.arange(8))).batch(4)
    mapped = list(ds.map(lambda x, y: (make()(x), y), num_parallel_calls=parallel))
    for (x, _), start in zip(mapped, (0, 4)):
        expected = make()(IMAGES[start:start + 4]).numpy()  # a fresh layer: same seed, draws
        np.testing.assert_allclose(np.asarray(x), expected, rtol=1e-5, atol=1e-4)
        assert np.mean(x, axis=0).shape == expected.shape[1:]


def feature_dataset(values, batch=4):
    return Dataset.from_tensor_slices(({"f": values}, np.zeros(len(values)))).batch(batch)


@pytest.mark.parametrize("make, values", [
    (lambda: layers.Normalization(), np.random.RandomState(1).rand(12, 3).astype("float32")),
    (lambda: layers.Normalization(axis=None), np.arange(12.0, dtype="float32")),
    (lambda: layers.Discretization(num_bins=4), np.random.RandomState(2).rand(12, 1)),
    (lambda: layers.StringLookup(), np.array(list("abcabcaabdde")).reshape(12, 1)),
    (lambda: layers.StringLookup(output_mode="one_hot"), np.array(list("abcabcaabdde"))),
    (lambda: layers.IntegerLookup(), np.array([3, 1, 4, 1, 5, 9, 2, 6, 5, 3, 5, 8])),
    (lambda: layers.TextVectorization(output_sequence_length=3),
     np.array(["the cat", "a dog", "the dog sat", "cat", "a", "the"] * 2)),
    (lambda: layers.TextVectorization(output_mode="tf_idf"),
     np.array(["the cat", "a dog", "the dog sat", "cat", "a", "the"] * 2)),
])
def test_adapt_on_a_mapped_dataset_equals_adapt_on_the_array(make, values):
    from_dataset, from_array = make(), make()
    from_dataset.adapt(feature_dataset(values).map(lambda x, y: x["f"]))
    from_array.adapt(values)
    data = values[:4]
    np.testing.assert_allclose(np.asarray(from_dataset(data)), np.asarray(from_array(data)),
                               rtol=1e-5)
    mapped = feature_dataset(values).map(lambda x, y: (from_dataset(x["f"]), y),
                                         num_parallel_calls=2)
    first, _ = next(iter(mapped))
    np.testing.assert_allclose(np.asarray(first), np.asarray(from_array(data)), rtol=1e-5)


@pytest.mark.parametrize("make", [
    lambda: layers.CategoryEncoding(num_tokens=6, output_mode="multi_hot"),
    lambda: layers.Hashing(num_bins=5), lambda: layers.Hashing(num_bins=5, output_mode="count")])
def test_stateless_encoders_in_map(make):
    values = np.array([[1, 2], [3, 3], [0, 5], [4, 1]])
    out = next(iter(Dataset.from_tensor_slices(values).batch(4).map(make())))
    np.testing.assert_array_equal(np.asarray(out), make()(values).numpy())
