"""layerwise layers inside a real `tf.data.Dataset.map` (TensorFlow installed), and no
TensorFlow import otherwise."""

from __future__ import annotations

import subprocess
import sys

import numpy as np
import pytest

import layerwise as keras
from layerwise import layers


def test_pipelines_never_import_tensorflow():
    code = (
        "import sys, numpy as np, layerwise as keras\n"
        "from layerwise.data import Dataset, AUTOTUNE\n"
        "flip = keras.layers.RandomFlip()\n"
        "ds = Dataset.from_tensor_slices(np.zeros((4, 3, 3, 1), 'float32')).batch(2)\n"
        "list(ds.map(flip, num_parallel_calls=AUTOTUNE).prefetch(1))\n"
        "lookup = keras.layers.StringLookup(vocabulary=['a'])\n"
        "lookup(np.array(['a', 'b']))\n"
        "assert 'tensorflow' not in sys.modules, 'tensorflow was imported'\n"
    )
    subprocess.run([sys.executable, "-c", code], check=True)


@pytest.fixture
def tf():
    return pytest.importorskip("tensorflow")


# Importing TensorFlow takes seconds: the TensorFlow tests are slow tests (`make test-all`).


@pytest.mark.slow
def test_image_layers_in_tf_data_map_run_through_py_function(tf):
    images = np.random.RandomState(0).rand(8, 10, 10, 3).astype("float32") * 255
    ds = tf.data.Dataset.from_tensor_slices((images, np.arange(8))).batch(4)
    resize = layers.Resizing(6, 6)
    augmentation = keras.Sequential([layers.RandomFlip("horizontal"),
                                     layers.RandomRotation(0.1)])
    out = ds.map(lambda x, y: (augmentation(resize(x), training=True), y),
                 num_parallel_calls=tf.data.AUTOTUNE)
    assert out.element_spec[0].shape.as_list() == [None, 6, 6, 3]
    assert out.element_spec[0].dtype == tf.float32
    x, _ = next(iter(out))
    expected = resize(images[:4]).numpy()
    assert x.shape == (4, 6, 6, 3)
    assert np.allclose(np.sort(x.numpy().ravel()), np.sort(expected.ravel()), atol=60)
    plain = ds.map(lambda x, y: (resize(x), y))
    np.testing.assert_allclose(next(iter(plain))[0].numpy(), expected, rtol=1e-6)


@pytest.mark.slow
def test_lookup_and_text_layers_in_tf_data_map(tf):
    lookup = layers.StringLookup(vocabulary=["a", "b"])
    ds = tf.data.Dataset.from_tensor_slices(["a", "b", "c"]).batch(3).map(lookup)
    assert ds.element_spec.dtype == tf.int64
    assert next(iter(ds)).numpy().tolist() == [1, 2, 0]
    ints = layers.IntegerLookup(vocabulary=[5, 6])
    out = tf.data.Dataset.from_tensor_slices(np.array([5, 6, 7])).batch(3).map(ints)
    assert next(iter(out)).numpy().tolist() == [1, 2, 0]
    vectorize = layers.TextVectorization(output_sequence_length=4)
    vectorize.adapt(["hello world", "foo"])
    texts = tf.data.Dataset.from_tensor_slices(["hello foo"]).batch(1).map(vectorize)
    assert next(iter(texts)).numpy().tolist() == [[3, 4, 0, 0]]


@pytest.mark.slow
def test_fit_on_a_tf_dataset_mapped_with_layerwise_layers(tf):
    rng = np.random.RandomState(1)
    x = rng.rand(32, 8, 8, 3).astype("float32") * 255
    y = (x.mean(axis=(1, 2, 3)) > 127).astype("float32")
    ds = tf.data.Dataset.from_tensor_slices((x, y)).batch(8)
    ds = ds.map(lambda a, b: (layers.Rescaling(1 / 255.0)(a), b)).prefetch(2)
    model = keras.Sequential([keras.Input((8, 8, 3)), layers.Flatten(),
                              layers.Dense(1, activation="sigmoid")])
    model.compile("adam", "binary_crossentropy", metrics=["accuracy"])
    history = model.fit(ds, epochs=2, verbose=0)
    assert len(history.history["loss"]) == 2
