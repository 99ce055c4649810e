"""Preprocessing layers: behaviour, training-only augmentation, and parity with Keras 3
(deterministic transforms given the same random draws; lookups against Keras' documented
examples, since Keras' own lookup layers need TensorFlow)."""

from __future__ import annotations

import numpy as np
import pytest
import torch

import layerwise

L = layerwise.layers
RTOL, ATOL = 1e-5, 1e-3  # images in [0, 255]


def images(batch=3, h=9, w=11, c=3, seed=0):
    return np.random.RandomState(seed).uniform(0, 255, (batch, h, w, c)).astype("float32")


def np_(x):
    return x.detach().cpu().numpy() if isinstance(x, torch.Tensor) else np.asarray(x)


# ------------------------------------------------------------------ training-only behaviour
RANDOM_LAYERS = [
    lambda: L.RandomFlip(seed=1), lambda: L.RandomRotation(0.2, seed=1),
    lambda: L.RandomZoom(0.3, seed=1), lambda: L.RandomTranslation(0.2, 0.2, seed=1),
    lambda: L.RandomContrast(0.5, seed=1), lambda: L.RandomBrightness(0.3, seed=1),
]


@pytest.mark.parametrize("make", RANDOM_LAYERS)
def test_random_layers_augment_in_training_only(make):
    x = images()
    layer = make()
    np.testing.assert_array_equal(np_(layer(x, training=False)), x)
    changed = any(not np.allclose(np_(layer(x, training=True)), x) for _ in range(5))
    assert changed
    # As Keras 3: a direct call without `training` augments; `predict` does not.
    model = layerwise.Sequential([layerwise.Input(x.shape[1:]), make()])
    np.testing.assert_array_equal(model.predict(x, verbose=0), x)
    assert any(not np.allclose(np_(model(x)), x) for _ in range(5))


def test_augmentation_model_trains_and_is_serializable():
    x = images(batch=8, h=8, w=8)
    y = np.arange(8) % 2
    model = layerwise.Sequential([
        layerwise.Input((8, 8, 3)), L.RandomFlip("horizontal"), L.RandomRotation(0.1),
        L.RandomZoom(0.1), L.RandomTranslation(0.1, 0.1), L.RandomContrast(0.2),
        L.RandomBrightness(0.1), L.RandomCrop(6, 6), L.Rescaling(1 / 255.0),
        L.Flatten(), L.Dense(2, activation="softmax")])
    model.compile(optimizer="adam", loss="sparse_categorical_crossentropy")
    model.fit(x, y, epochs=2, batch_size=4, verbose=0)
    assert model.predict(x, verbose=0).shape == (8, 2)
    for layer in model.layers[:8]:
        config = layer.get_config()
        clone = type(layer).from_config(config)
        assert clone.get_config() == config


def test_seeded_layers_are_reproducible_and_batches_differ():
    x = np.repeat(images(batch=1), 4, axis=0)
    a = np_(L.RandomRotation(0.3, seed=5)(x))
    b = np_(L.RandomRotation(0.3, seed=5)(x))
    np.testing.assert_array_equal(a, b)
    assert not np.allclose(a[0], a[1])  # one angle per image


def test_unbatched_images_and_channels_first():
    x = images(batch=1)[0]
    for layer in (L.RandomRotation(0.2), L.RandomFlip(), L.RandomCrop(5, 5),
                  L.CenterCrop(5, 5), L.Resizing(4, 6)):
        out = layer(x)
        assert out.ndim == 3
    chw = np.ascontiguousarray(images().transpose(0, 3, 1, 2))
    out = L.RandomZoom(0.2, data_format="channels_first")(chw)
    assert tuple(out.shape) == chw.shape
    assert tuple(L.Resizing(4, 5, data_format="channels_first")(chw).shape) == (3, 3, 4, 5)


def test_dict_inputs_transform_images_and_masks():
    x = images(batch=2)
    masks = np.zeros((2, 9, 11, 1), "float32")
    masks[:, :, :3] = 1
    out = L.RandomFlip("horizontal", seed=0)({"images": x, "segmentation_masks": masks,
                                              "labels": np.array([0.0, 1.0])})
    flipped = np_(out["images"])[:, :, ::-1]
    for i in range(2):
        was_flipped = np.allclose(flipped[i], x[i])
        assert np.allclose(np_(out["segmentation_masks"])[i][:, ::-1] if was_flipped
                           else np_(out["segmentation_masks"])[i], masks[i])
    with pytest.raises(NotImplementedError, match="bounding boxes"):
        L.RandomFlip()({"images": x, "bounding_boxes": {}})


def test_argument_errors():
    with pytest.raises(ValueError, match="factor"):
        L.RandomRotation(2.0)
    with pytest.raises(ValueError, match="height_factor"):
        L.RandomZoom(-1.0)
    with pytest.raises(NotImplementedError, match="fill_mode"):
        L.RandomRotation(0.1, fill_mode="mirror2")
    with pytest.raises(ValueError, match="mode"):
        L.RandomFlip("diagonal")
    with pytest.raises(ValueError, match="value_range"):
        L.RandomBrightness(0.1, value_range=5)
    with pytest.raises(ValueError, match="rank 3"):
        L.RandomFlip()(np.zeros((2, 3)))


# ------------------------------------------------------------------ Keras parity
keras_marked = pytest.mark.keras


def kt(keras, x):
    return keras.ops.convert_to_tensor(x)


@pytest.fixture
def keras_without_tf(keras, monkeypatch):
    """Keras' `adapt` methods test `isinstance(data, tf.data.Dataset)`, which imports
    TensorFlow; without it installed, give them a stand-in `tf` module."""
    import types

    try:
        import tensorflow  # noqa: F401

        return keras
    except ImportError:
        pass
    fake = types.SimpleNamespace(data=types.SimpleNamespace(Dataset=type("Dataset", (), {})),
                                 is_tensor=lambda x: False)
    from keras.src.layers.preprocessing import discretization, normalization

    monkeypatch.setattr(normalization, "tf", fake)
    monkeypatch.setattr(discretization, "tf", fake)
    return keras


@keras_marked
@pytest.mark.parametrize("make", [
    lambda m: m.layers.Rescaling(1 / 127.5, offset=-1),
    lambda m: m.layers.Rescaling([0.5, 1.0, 2.0]),
    lambda m: m.layers.Resizing(5, 7),
    lambda m: m.layers.Resizing(20, 13, interpolation="nearest"),
    lambda m: m.layers.Resizing(6, 6, interpolation="bicubic", crop_to_aspect_ratio=True),
    lambda m: m.layers.Resizing(6, 4, pad_to_aspect_ratio=True, fill_value=3.0),
    lambda m: m.layers.Resizing(4, 4, antialias=True),
    lambda m: m.layers.CenterCrop(5, 6),
    lambda m: m.layers.CenterCrop(12, 4),
])
def test_deterministic_image_layers_match_keras(keras, make):
    x = images()
    np.testing.assert_allclose(np_(make(layerwise)(x)), np_(make(keras)(x)), rtol=RTOL,
                               atol=ATOL)


@keras_marked
def test_resizing_keeps_integer_dtype_like_keras(keras):
    x = images().astype("uint8")
    ours, theirs = L.Resizing(4, 5)(torch.from_numpy(x)), keras.layers.Resizing(4, 5)(x)
    assert ours.dtype == torch.uint8 == theirs.dtype
    np.testing.assert_array_equal(np_(ours), np_(theirs))


@keras_marked
@pytest.mark.parametrize("fill_mode", ["reflect", "wrap", "constant", "nearest"])
@pytest.mark.parametrize("interpolation", ["bilinear", "nearest"])
@pytest.mark.parametrize("data_format", ["channels_last", "channels_first"])
def test_affine_layers_match_keras_given_the_same_draws(keras, fill_mode, interpolation,
                                                        data_format):
    x = images()
    if data_format == "channels_first":
        x = np.ascontiguousarray(x.transpose(0, 3, 1, 2))
    h, w = (9, 11)
    kwargs = dict(fill_mode=fill_mode, interpolation=interpolation, fill_value=17.0,
                  data_format=data_format)
    k_layer = keras.layers.RandomRotation(0.3, seed=3, **kwargs)
    t = k_layer.get_random_transformation(kt(keras, x), training=True)
    ours = L.RandomRotation(0.3, **kwargs).transform_images(
        torch.from_numpy(x), {"angle": t["angle"], "image_height": h, "image_width": w})
    np.testing.assert_allclose(np_(ours), np_(k_layer.transform_images(kt(keras, x), t)),
                               rtol=RTOL, atol=ATOL)

    k_layer = keras.layers.RandomZoom(0.4, (-0.3, 0.2), seed=3, **kwargs)
    t = k_layer.get_random_transformation(kt(keras, x), training=True)
    ours = L.RandomZoom(0.4, (-0.3, 0.2), **kwargs).transform_images(
        torch.from_numpy(x), {"height_zoom": t["height_zoom"], "width_zoom": t["width_zoom"],
                              "image_height": h, "image_width": w})
    np.testing.assert_allclose(np_(ours), np_(k_layer.transform_images(kt(keras, x), t)),
                               rtol=RTOL, atol=ATOL)

    k_layer = keras.layers.RandomTranslation(0.3, 0.4, seed=3, **kwargs)
    t = k_layer.get_random_transformation(kt(keras, x), training=True)
    ours = L.RandomTranslation(0.3, 0.4, **kwargs).transform_images(torch.from_numpy(x), t)
    np.testing.assert_allclose(np_(ours), np_(k_layer.transform_images(kt(keras, x), t)),
                               rtol=RTOL, atol=ATOL)


@keras_marked
def test_color_flip_and_crop_layers_match_keras_given_the_same_draws(keras):
    x = images(batch=4)
    for ours, theirs in ((L.RandomContrast((0.2, 0.6)), keras.layers.RandomContrast((0.2, 0.6),
                                                                                     seed=1)),
                         (L.RandomBrightness(0.4), keras.layers.RandomBrightness(0.4, seed=1)),
                         (L.RandomFlip(), keras.layers.RandomFlip(seed=1)),
                         (L.RandomFlip("vertical"), keras.layers.RandomFlip("vertical", seed=1)),
                         (L.RandomCrop(5, 7), keras.layers.RandomCrop(5, 7, seed=1))):
        t = theirs.get_random_transformation(kt(keras, x), training=True)
        np.testing.assert_allclose(np_(ours.transform_images(torch.from_numpy(x), t)),
                                   np_(theirs.transform_images(kt(keras, x), t)),
                                   rtol=RTOL, atol=ATOL)
    assert L.RandomContrast(0.5).factor == keras.layers.RandomContrast(0.5).factor
    assert L.RandomBrightness(0.5).factor == keras.layers.RandomBrightness(0.5).factor


@keras_marked
@pytest.mark.parametrize("axis, shape", [(-1, (20, 3)), (None, (20, 3)), ((1, 2), (20, 4, 5)),
                                         (1, (20, 4, 5))])
def test_normalization_adapt_matches_keras(keras_without_tf, axis, shape):
    keras = keras_without_tf
    data = np.random.RandomState(0).normal(3, 2, shape)
    ours, theirs = L.Normalization(axis=axis), keras.layers.Normalization(axis=axis)
    ours.adapt(data)
    theirs.adapt(data)
    for a, b in zip(ours.get_weights(), theirs.get_weights()):
        np.testing.assert_allclose(a, b, rtol=1e-5, atol=1e-6)
    np.testing.assert_allclose(np_(ours(data)), np_(theirs(data)), rtol=1e-5, atol=1e-5)
    # Batches: the running merge gives the same statistics.
    batches = [data[i:i + 6].astype("float32") for i in range(0, len(data), 6)]
    ours, theirs = L.Normalization(axis=axis), keras.layers.Normalization(axis=axis)
    ours.adapt(iter(batches))
    theirs.adapt(iter(batches))
    np.testing.assert_allclose(np_(ours(data)), np_(theirs(data)), rtol=1e-4, atol=1e-4)


@keras_marked
def test_normalization_given_statistics_and_invert_match_keras(keras):
    x = images(batch=2, h=3, w=4)
    for kwargs in (dict(mean=[1.0, 2.0, 3.0], variance=[4.0, 1.0, 0.25]),
                   dict(mean=5.0, variance=2.0, invert=True)):
        np.testing.assert_allclose(np_(L.Normalization(**kwargs)(x)),
                                   np_(keras.layers.Normalization(**kwargs)(x)), rtol=1e-6)


def test_normalization_in_a_model_and_errors():
    x = np.random.RandomState(0).normal(5, 3, (64, 4)).astype("float32")
    norm = L.Normalization()
    norm.adapt(x)
    model = layerwise.Sequential([layerwise.Input((4,)), norm, L.Dense(1)])
    model.compile(optimizer="sgd", loss="mse")
    model.fit(x, x[:, :1], epochs=1, verbose=0)
    assert [w.name for w in norm.weights] == ["mean", "variance", "count"]
    assert all(not w.trainable for w in norm.weights)
    np.testing.assert_allclose(np_(norm(x)).mean(0), 0, atol=1e-5)
    with pytest.raises(ValueError, match="both `mean` and `variance`"):
        L.Normalization(mean=1.0)
    with pytest.raises(ValueError, match="adapt"):
        L.Normalization().call(torch.zeros(2, 2))


@keras_marked
@pytest.mark.parametrize("output_mode", ["int", "one_hot", "multi_hot", "count"])
def test_discretization_matches_keras(keras_without_tf, output_mode):
    keras = keras_without_tf
    data = np.random.RandomState(0).normal(size=(50, 2)).astype("float32")
    x = np.array([[-1.0, 0.0], [0.5, 2.0]], dtype="float32")
    ours = L.Discretization(bin_boundaries=[-0.5, 0.0, 1.0], output_mode=output_mode)
    theirs = keras.layers.Discretization(bin_boundaries=[-0.5, 0.0, 1.0],
                                         output_mode=output_mode)
    np.testing.assert_array_equal(np_(ours(x)), np_(theirs(x)))
    ours, theirs = L.Discretization(num_bins=5), keras.layers.Discretization(num_bins=5)
    ours.adapt(data)
    theirs.adapt(data)
    np.testing.assert_allclose(ours.bin_boundaries, theirs.bin_boundaries, rtol=1e-6)
    assert np_(ours(data)).dtype == np.int32


@keras_marked
@pytest.mark.parametrize("output_mode", ["one_hot", "multi_hot", "count"])
@pytest.mark.parametrize("inputs", [[3, 2, 0, 1], [[0, 1], [0, 0], [1, 2], [3, 1]], [[2], [1]]])
def test_category_encoding_matches_keras(keras, output_mode, inputs):
    x = np.array(inputs)
    ours = L.CategoryEncoding(num_tokens=4, output_mode=output_mode)(x)
    theirs = keras.layers.CategoryEncoding(num_tokens=4, output_mode=output_mode)(x)
    np.testing.assert_array_equal(np_(ours), np_(theirs))
    if output_mode == "count" and x.ndim == 2:
        weights = np.random.RandomState(0).uniform(size=x.shape).astype("float32")
        np.testing.assert_allclose(
            np_(L.CategoryEncoding(4, "count")(x, count_weights=weights)),
            np_(keras.layers.CategoryEncoding(4, "count")(x, count_weights=weights)),
            rtol=1e-6)


def test_category_encoding_errors():
    with pytest.raises(ValueError, match="num_tokens"):
        L.CategoryEncoding(3)(np.array([0, 3]))
    with pytest.raises(ValueError, match="count_weights"):
        L.CategoryEncoding(3, "multi_hot")(np.array([0]), count_weights=np.ones(1))


# ------------------------------------------------------------------ lookups (Keras docs)
def test_string_lookup_documented_examples():
    vocab = ["a", "b", "c", "d"]
    data = [["a", "c", "d"], ["d", "z", "b"]]
    layer = L.StringLookup(vocabulary=vocab)
    np.testing.assert_array_equal(np_(layer(data)), [[1, 3, 4], [4, 0, 2]])
    assert layer.get_vocabulary() == ["[UNK]", "a", "b", "c", "d"]
    layer = L.StringLookup()
    layer.adapt(np.array([["a", "c", "d"], ["d", "z", "b"]]))
    assert layer.get_vocabulary() == ["[UNK]", "d", "z", "c", "b", "a"]
    layer = L.StringLookup(vocabulary=vocab, num_oov_indices=2)
    out = np_(layer(data))
    assert out[0].tolist() == [2, 4, 5] and out[1, 0] == 5 and out[1, 1] in (0, 1)
    layer = L.StringLookup(vocabulary=vocab, output_mode="one_hot")
    np.testing.assert_array_equal(np_(layer(np.array(["a", "b", "c", "d", "z"]))),
                                  np.eye(5)[[1, 2, 3, 4, 0]])
    layer = L.StringLookup(vocabulary=vocab, output_mode="multi_hot")
    np.testing.assert_array_equal(np_(layer([["a", "c", "d", "d"], ["d", "z", "b", "z"]])),
                                  [[0, 1, 0, 1, 1], [1, 0, 1, 0, 1]])
    layer = L.StringLookup(vocabulary=vocab, output_mode="count")
    np.testing.assert_array_equal(np_(layer([["a", "c", "d", "d"], ["d", "z", "b", "z"]])),
                                  [[0, 1, 0, 1, 2], [2, 0, 1, 0, 1]])
    layer = L.StringLookup(output_mode="tf_idf", vocabulary=vocab,
                           idf_weights=[0.25, 0.75, 0.6, 0.4])
    np.testing.assert_allclose(np_(layer([["a", "c", "d", "d"], ["d", "z", "b", "z"]])),
                               [[0.0, 0.25, 0.0, 0.6, 0.8], [1.0, 0.0, 0.75, 0.0, 0.4]])
    layer = L.StringLookup(vocabulary=vocab, invert=True)
    assert layer(np.array([[1, 3, 4], [4, 0, 2]])) == [["a", "c", "d"], ["d", "[UNK]", "b"]]
    layer = L.StringLookup(vocabulary=vocab, mask_token="")
    np.testing.assert_array_equal(np_(layer(np.array(["", "a", "z"]))), [0, 2, 1])
    assert layer.get_vocabulary()[:2] == ["", "[UNK]"]


def test_string_lookup_adapt_tf_idf_and_max_tokens():
    layer = L.StringLookup(output_mode="tf_idf")
    layer.adapt([["a", "b", "b"], ["b", "c", "c"]])
    assert layer.get_vocabulary() == ["[UNK]", "b", "c", "a"]
    idf = np.log(1 + 2 / (1 + np.array([2, 1, 1])))
    np.testing.assert_allclose(layer.idf_weights, np.r_[idf.mean(), idf], rtol=1e-6)
    layer = L.StringLookup(max_tokens=3)
    layer.adapt(np.array(["x", "y", "y", "z", "z", "z"]))
    assert layer.get_vocabulary() == ["[UNK]", "z", "y"]
    with pytest.raises(ValueError, match="num_oov_indices=0"):
        L.StringLookup(vocabulary=["a"], num_oov_indices=0)(["b"])
    with pytest.raises(ValueError, match="repeated"):
        L.StringLookup(vocabulary=["a", "a"])
    with pytest.raises(RuntimeError, match="vocabulary"):
        L.StringLookup(output_mode="multi_hot")(["a"])


def test_integer_lookup_documented_examples(tmp_path):
    vocab = [12, 36, 1138, 42]
    data = np.array([[12, 1138, 42], [42, 1000, 36]])
    layer = L.IntegerLookup(vocabulary=vocab)
    np.testing.assert_array_equal(np_(layer(data)), [[1, 3, 4], [4, 0, 2]])
    layer = L.IntegerLookup()
    layer.adapt(data)
    assert layer.get_vocabulary() == [-1, 42, 1138, 1000, 36, 12]
    layer = L.IntegerLookup(vocabulary=vocab, num_oov_indices=2)
    np.testing.assert_array_equal(np_(layer(data)), [[2, 4, 5], [5, 0, 3]])
    layer = L.IntegerLookup(vocabulary=vocab, mask_token=0)
    np.testing.assert_array_equal(np_(layer(np.array([[12, 0, 7]]))), [[2, 0, 1]])
    layer = L.IntegerLookup(vocabulary=vocab, invert=True)
    np.testing.assert_array_equal(np_(layer(np.array([[1, 3, 4], [4, 0, 2]]))),
                                  [[12, 1138, 42], [42, -1, 36]])
    path = tmp_path / "vocab.txt"
    path.write_text("12\n36\n1138\n42\n")
    np.testing.assert_array_equal(np_(L.IntegerLookup(vocabulary=str(path))(data)),
                                  [[1, 3, 4], [4, 0, 2]])


def test_text_vectorization_int_and_bag_of_words():
    data = ["The Brain is wider than the sky", "For put them side by side",
            "The one the other will contain", "With ease and You beside"]
    layer = L.TextVectorization(max_tokens=8, output_mode="int", output_sequence_length=4)
    layer.adapt(data)
    vocab = layer.get_vocabulary()
    assert vocab[:3] == ["", "[UNK]", "the"] and len(vocab) == 8
    out = np_(layer(["The Brain is deeper than the sea", "for if they are held blue to blue"]))
    assert out.shape == (2, 4) and out[0, 0] == 2
    layer = L.TextVectorization(output_mode="multi_hot")
    layer.adapt(["foo bar", "bar baz", "baz bada boom"])
    assert layer.get_vocabulary() == ["[UNK]", "baz", "bar", "foo", "boom", "bada"]
    np.testing.assert_array_equal(np_(layer(["foo qux bar", "qux baz"])),
                                  [[1, 0, 1, 1, 0, 0], [1, 1, 0, 0, 0, 0]])
    layer = L.TextVectorization(max_tokens=5, output_mode="count", pad_to_max_tokens=True,
                                vocabulary=["earth", "wind", "and", "fire"])
    np.testing.assert_array_equal(np_(layer(["earth wind and and fire fire fire"])),
                                  [[0, 1, 1, 2, 3]])


def test_text_vectorization_standardize_split_and_ngrams():
    layer = L.TextVectorization(ngrams=2, standardize="lower", split="whitespace")
    layer.adapt(["A b, c"])
    assert set(layer.get_vocabulary()) == {"", "[UNK]", "a", "b,", "c", "a b,", "b, c"}
    layer = L.TextVectorization(split="character", standardize=None)
    layer.adapt(["abca"])
    assert layer.get_vocabulary() == ["", "[UNK]", "a", "c", "b"]
    np.testing.assert_array_equal(np_(layer(["cab", "a"])), [[3, 2, 4], [2, 0, 0]])
    layer = L.TextVectorization(standardize=lambda x: np.char.upper(x.astype(str)),
                                split=lambda x: [s.split("-") for s in x])
    layer.adapt(["a-b-b"])
    assert layer.get_vocabulary() == ["", "[UNK]", "B", "A"]
    # ASCII-only lowercasing and punctuation stripping, as TensorFlow's string ops.
    layer = L.TextVectorization()
    layer.adapt(["ÉTÉ Été! hello."])
    assert set(layer.get_vocabulary()[2:]) == {"Été", "hello"} | {"ÉtÉ"}


def test_text_vectorization_in_an_input_pipeline():
    texts = np.array(["good movie", "bad movie", "great film", "awful film"] * 4)
    labels = np.array([1, 0, 1, 0] * 4, dtype="float32")
    vectorize = L.TextVectorization(output_mode="tf_idf")
    vectorize.adapt(texts)
    x = np_(vectorize(texts))
    model = layerwise.Sequential([layerwise.Input((x.shape[1],)),
                                  L.Dense(1, activation="sigmoid")])
    model.compile(optimizer="adam", loss="binary_crossentropy")
    model.fit(x, labels, epochs=2, verbose=0)
    assert vectorize.get_config()["output_mode"] == "tf_idf"
