"""The data pipelines of four keras.io examples, unchanged but for the imports
(`layerwise as keras`, `layerwise.data as tf_data`) and tiny sizes, on synthetic folders
written here: "Image classification from scratch", "Text classification from scratch",
"Structured data classification from scratch" and "Transfer learning & fine-tuning".
Steps that need TensorFlow itself (`tf.strings` in a custom standardization, tfds) are
replaced by their Python equivalent, said at each place; tests/data/test_tf_interop.py
runs the TensorFlow variants when TensorFlow is installed."""

from __future__ import annotations

import re
import string

import numpy as np
import pytest

import layerwise as keras
from layerwise import data as layerwise_data
from layerwise import data as tf_data
from layerwise import layers


@pytest.fixture
def pet_images(tmp_path):
    Image = pytest.importorskip("PIL.Image")
    rng = np.random.RandomState(0)
    for folder in ("Cat", "Dog"):
        (tmp_path / "PetImages" / folder).mkdir(parents=True)
        for i in range(12):
            h, w = rng.randint(20, 40, size=2)
            Image.fromarray(rng.randint(0, 256, (h, w, 3), dtype=np.uint8)).save(
                tmp_path / "PetImages" / folder / f"{i}.jpg")
    return tmp_path / "PetImages"


@pytest.mark.parametrize("variant", [
    "layerwise", pytest.param("tensorflow", marks=pytest.mark.slow)])
def test_image_classification_from_scratch(pet_images, variant):
    # With TensorFlow installed the example's own `from tensorflow import data as tf_data`
    # works too: its AUTOTUNE is accepted by layerwise datasets.
    tf_data = pytest.importorskip("tensorflow").data if variant == "tensorflow" else \
        layerwise_data
    image_size = (24, 24)
    batch_size = 8
    train_ds, val_ds = keras.utils.image_dataset_from_directory(
        pet_images, validation_split=0.2, subset="both", seed=1337, image_size=image_size,
        batch_size=batch_size)
    for images, labels in train_ds.take(1):
        for i in range(4):
            shown = np.array(images[i]).astype("uint8")  # plt.imshow(...)
            title = int(labels[i])  # plt.title(...)
    assert shown.shape == (24, 24, 3) and title in (0, 1)
    data_augmentation_layers = [layers.RandomFlip("horizontal"), layers.RandomRotation(0.1)]

    def data_augmentation(images):
        for layer in data_augmentation_layers:
            images = layer(images)
        return images

    for images, _ in train_ds.take(1):
        augmented_images = data_augmentation(images)
        shown = np.array(augmented_images[0]).astype("uint8")
    train_ds = train_ds.map(lambda img, label: (data_augmentation(img), label),
                            num_parallel_calls=tf_data.AUTOTUNE)
    train_ds = train_ds.prefetch(tf_data.AUTOTUNE)
    val_ds = val_ds.prefetch(tf_data.AUTOTUNE)

    inputs = keras.Input(shape=image_size + (3,))
    x = layers.Rescaling(1.0 / 255)(inputs)
    x = layers.Conv2D(8, 3, strides=2, padding="same")(x)
    x = layers.BatchNormalization()(x)
    x = layers.Activation("relu")(x)
    previous_block_activation = x
    x = layers.SeparableConv2D(8, 3, padding="same")(x)
    x = layers.MaxPooling2D(3, strides=2, padding="same")(x)
    residual = layers.Conv2D(8, 1, strides=2, padding="same")(previous_block_activation)
    x = layers.add([x, residual])
    x = layers.GlobalAveragePooling2D()(x)
    x = layers.Dropout(0.25)(x)
    outputs = layers.Dense(1, activation=None)(x)
    model = keras.Model(inputs, outputs)
    model.compile(optimizer=keras.optimizers.Adam(3e-4),
                  loss=keras.losses.BinaryCrossentropy(from_logits=True),
                  metrics=[keras.metrics.BinaryAccuracy(name="acc")])
    history = model.fit(train_ds, epochs=2, validation_data=val_ds, verbose=0)
    assert set(history.history) == {"acc", "loss", "val_acc", "val_loss"}
    img = keras.utils.load_img(str(pet_images / "Cat" / "3.jpg"), target_size=image_size)
    img_array = keras.utils.img_to_array(img)
    img_array = np.expand_dims(img_array, 0)  # the example: keras.ops.expand_dims
    predictions = model.predict(img_array, verbose=0)
    score = float(1 / (1 + np.exp(-predictions[0][0])))  # keras.ops.sigmoid
    assert 0.0 <= score <= 1.0


@pytest.fixture
def imdb_folders(tmp_path):
    rng = np.random.RandomState(1)
    words = {"pos": ["great", "wonderful", "loved"], "neg": ["awful", "boring", "hated"]}
    for split in ("train", "test"):
        for label, vocab in words.items():
            folder = tmp_path / "aclImdb" / split / label
            folder.mkdir(parents=True)
            for i in range(16):
                text = " ".join(rng.choice(vocab + ["the", "movie", "was"], size=12))
                (folder / f"{i}.txt").write_text(f"The Movie<br />{text}!")
    return tmp_path / "aclImdb"


def python_standardization(input_data):
    # The example's tf.strings.lower / tf.strings.regex_replace, in Python.
    lowercase = np.char.lower(input_data.astype(str))
    stripped_html = np.char.replace(lowercase, "<br />", " ")
    table = str.maketrans("", "", string.punctuation)
    return np.vectorize(lambda s: re.sub(r"\s+", " ", s.translate(table)))(stripped_html)


def tensorflow_standardization(input_data):
    tf = pytest.importorskip("tensorflow")
    lowercase = tf.strings.lower(input_data)
    stripped_html = tf.strings.regex_replace(lowercase, "<br />", " ")
    return tf.strings.regex_replace(stripped_html, f"[{re.escape(string.punctuation)}]", "")


@pytest.mark.parametrize("variant", [
    "python", pytest.param("tensorflow", marks=pytest.mark.slow)])
def test_text_classification_from_scratch(imdb_folders, variant):
    if variant == "tensorflow":
        tf = pytest.importorskip("tensorflow")
        custom_standardization, expand_dims = tensorflow_standardization, tf.expand_dims
    else:
        custom_standardization, expand_dims = python_standardization, np.expand_dims
    batch_size = 8
    raw_train_ds = keras.utils.text_dataset_from_directory(
        imdb_folders / "train", batch_size=batch_size, validation_split=0.2,
        subset="training", seed=1337)
    raw_val_ds = keras.utils.text_dataset_from_directory(
        imdb_folders / "train", batch_size=batch_size, validation_split=0.2,
        subset="validation", seed=1337)
    raw_test_ds = keras.utils.text_dataset_from_directory(imdb_folders / "test",
                                                          batch_size=batch_size)
    assert f"{raw_train_ds.cardinality()}" == "4" and int(raw_val_ds.cardinality()) == 1
    for text_batch, label_batch in raw_train_ds.take(1):
        for i in range(2):
            assert isinstance(text_batch.numpy()[i], bytes)
            assert label_batch.numpy()[i] in (0, 1)

    max_features, embedding_dim, sequence_length = 50, 8, 16
    vectorize_layer = keras.layers.TextVectorization(
        standardize=custom_standardization, max_tokens=max_features, output_mode="int",
        output_sequence_length=sequence_length)
    text_ds = raw_train_ds.map(lambda x, y: x)
    vectorize_layer.adapt(text_ds)
    assert "great" in vectorize_layer.get_vocabulary()

    def vectorize_text(text, label):
        text = expand_dims(text, -1)  # tf.expand_dims in the example
        return vectorize_layer(text), label

    train_ds = raw_train_ds.map(vectorize_text).cache().prefetch(buffer_size=10)
    val_ds = raw_val_ds.map(vectorize_text).cache().prefetch(buffer_size=10)
    test_ds = raw_test_ds.map(vectorize_text).cache().prefetch(buffer_size=10)

    inputs = keras.Input(shape=(None,), dtype="int64")
    x = layers.Embedding(max_features, embedding_dim)(inputs)
    x = layers.Dropout(0.5)(x)
    x = layers.Conv1D(8, 3, padding="valid", activation="relu", strides=2)(x)
    x = layers.GlobalMaxPooling1D()(x)
    x = layers.Dense(8, activation="relu")(x)
    predictions = layers.Dense(1, activation="sigmoid", name="predictions")(x)
    model = keras.Model(inputs, predictions)
    model.compile(loss="binary_crossentropy", optimizer="adam", metrics=["accuracy"])
    model.fit(train_ds, validation_data=val_ds, epochs=2, verbose=0)
    loss, accuracy = model.evaluate(test_ds, verbose=0)

    inputs = keras.Input(shape=(1,), dtype="string")
    indices = vectorize_layer(inputs)
    outputs = model(indices)
    end_to_end_model = keras.Model(inputs, outputs)
    end_to_end_model.compile(loss="binary_crossentropy", optimizer="adam",
                             metrics=["accuracy"])
    end_to_end_loss, end_to_end_accuracy = end_to_end_model.evaluate(raw_test_ds, verbose=0)
    assert end_to_end_accuracy == pytest.approx(accuracy)
    assert end_to_end_loss == pytest.approx(loss, rel=1e-5)


def test_structured_data_classification_from_scratch():
    pd = pytest.importorskip("pandas")
    rng = np.random.RandomState(2)
    n = 60
    dataframe = pd.DataFrame({
        "age": rng.randint(30, 70, n), "sex": rng.randint(0, 2, n),
        "thalach": rng.randint(90, 200, n).astype("float64"),
        "thal": rng.choice(["fixed", "normal", "reversible"], n)})
    dataframe["target"] = ((dataframe["age"] > 50) ^ (dataframe["thal"] == "normal")).astype(int)
    val_dataframe = dataframe.sample(frac=0.2, random_state=1337)
    train_dataframe = dataframe.drop(val_dataframe.index)

    def dataframe_to_dataset(dataframe):
        dataframe = dataframe.copy()
        labels = dataframe.pop("target")
        ds = tf_data.Dataset.from_tensor_slices((dict(dataframe), labels))
        ds = ds.shuffle(buffer_size=len(dataframe))
        return ds

    train_ds = dataframe_to_dataset(train_dataframe)
    val_ds = dataframe_to_dataset(val_dataframe)
    for x, y in train_ds.take(1):
        assert set(x) == {"age", "sex", "thalach", "thal"} and int(y) in (0, 1)
    train_ds = train_ds.batch(16)
    val_ds = val_ds.batch(16)

    def encode_numerical_feature(feature, name, dataset):
        normalizer = layers.Normalization()
        feature_ds = dataset.map(lambda x, y: x[name])
        feature_ds = feature_ds.map(lambda x: np.expand_dims(x, -1))  # keras.ops.expand_dims
        normalizer.adapt(feature_ds)
        return normalizer(feature)

    def encode_categorical_feature(feature, name, dataset, is_string):
        lookup_class = layers.StringLookup if is_string else layers.IntegerLookup
        lookup = lookup_class(output_mode="one_hot")
        feature_ds = dataset.map(lambda x, y: x[name])
        feature_ds = feature_ds.map(lambda x: np.expand_dims(x, -1))
        lookup.adapt(feature_ds)
        return lookup(feature)

    sex = keras.Input(shape=(1,), name="sex", dtype="int64")
    thal = keras.Input(shape=(1,), name="thal", dtype="string")
    age = keras.Input(shape=(1,), name="age")
    thalach = keras.Input(shape=(1,), name="thalach")
    all_inputs = [sex, thal, age, thalach]
    all_features = layers.concatenate([
        encode_categorical_feature(sex, "sex", train_ds, False),
        encode_categorical_feature(thal, "thal", train_ds, True),
        encode_numerical_feature(age, "age", train_ds),
        encode_numerical_feature(thalach, "thalach", train_ds)])
    x = layers.Dense(16, activation="relu")(all_features)
    x = layers.Dropout(0.5)(x)
    output = layers.Dense(1, activation="sigmoid")(x)
    model = keras.Model(all_inputs, output)
    model.compile("adam", "binary_crossentropy", metrics=["accuracy"])
    history = model.fit(train_ds, epochs=3, validation_data=val_ds, verbose=0)
    assert len(history.history["val_accuracy"]) == 3
    sample = {"age": 60, "sex": 1, "thalach": 150.0, "thal": "fixed"}
    input_dict = {name: np.asarray([value]) for name, value in sample.items()}
    predictions = model.predict(input_dict, verbose=0)  # the example: keras.ops.convert_to_tensor
    assert predictions.shape == (1, 1) and 0 <= predictions[0][0] <= 1


def test_transfer_learning_pipeline(pet_images):
    # The example loads cats_vs_dogs with tfds (unbatched images of varied sizes); here
    # the same kind of dataset comes from a folder with `batch_size=None`.
    train_ds, validation_ds = keras.utils.image_dataset_from_directory(
        pet_images, validation_split=0.25, subset="both", seed=3, batch_size=None,
        image_size=(30, 30), verbose=False)
    resize_fn = keras.layers.Resizing(20, 20)
    train_ds = train_ds.map(lambda x, y: (resize_fn(x), y))
    validation_ds = validation_ds.map(lambda x, y: (resize_fn(x), y))
    augmentation_layers = [layers.RandomFlip("horizontal"), layers.RandomRotation(0.1)]

    def data_augmentation(x):
        for layer in augmentation_layers:
            x = layer(x)
        return x

    train_ds = train_ds.map(lambda x, y: (data_augmentation(x), y))
    batch_size = 8
    train_ds = train_ds.batch(batch_size).prefetch(tf_data.AUTOTUNE).cache()
    validation_ds = validation_ds.batch(batch_size).prefetch(tf_data.AUTOTUNE).cache()
    for images, labels in train_ds.take(1):
        assert images.shape == (8, 20, 20, 3) and labels.shape == (8,)
    base_model = keras.Sequential([keras.Input((20, 20, 3)), layers.Conv2D(4, 3),
                                   layers.BatchNormalization()])
    base_model.trainable = False
    inputs = keras.Input(shape=(20, 20, 3))
    scale_layer = keras.layers.Rescaling(scale=1 / 127.5, offset=-1)
    x = scale_layer(inputs)
    x = base_model(x, training=False)
    x = keras.layers.GlobalAveragePooling2D()(x)
    x = keras.layers.Dropout(0.2)(x)
    outputs = keras.layers.Dense(1)(x)
    model = keras.Model(inputs, outputs)
    model.compile(optimizer=keras.optimizers.Adam(),
                  loss=keras.losses.BinaryCrossentropy(from_logits=True),
                  metrics=[keras.metrics.BinaryAccuracy()])
    frozen = [w.copy() for w in base_model.get_weights()]
    model.fit(train_ds, epochs=2, validation_data=validation_ds, verbose=0)
    for before, after in zip(frozen, base_model.get_weights()):
        np.testing.assert_array_equal(before, after)
