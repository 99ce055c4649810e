"""`fit` / `evaluate` / `predict` input pipelines: torch Datasets and DataLoaders, pandas,
tf.data (duck-typed, TensorFlow is optional), PyDatasets and image iterators."""

from __future__ import annotations

import numpy as np
import pytest
import torch

import layerwise
from layerwise.trainers import data_adapters


def regression_data(n=32, features=3, seed=0):
    rng = np.random.RandomState(seed)
    x = rng.normal(size=(n, features)).astype("float32")
    y = (x @ np.arange(1, features + 1, dtype="float32"))[:, None]
    return x, y


def linear_model(features=3):
    model = layerwise.Sequential([layerwise.Input((features,)), layerwise.layers.Dense(1)])
    model.compile(optimizer="sgd", loss="mse")
    return model


# ------------------------------------------------------------------ torch
class PairDataset(torch.utils.data.Dataset):
    def __init__(self, x, y):
        self.x, self.y = x, y

    def __len__(self):
        return len(self.x)

    def __getitem__(self, i):
        return self.x[i], self.y[i]


class StreamDataset(torch.utils.data.IterableDataset):
    def __init__(self, x, y):
        self.x, self.y = x, y

    def __iter__(self):
        return iter(zip(self.x, self.y))


def test_map_style_torch_dataset_is_batched_with_batch_size():
    x, y = regression_data()
    model = linear_model()
    history = model.fit(PairDataset(x, y), batch_size=8, epochs=3, verbose=0)
    assert len(history.history["loss"]) == 3
    assert history.history["loss"][-1] < history.history["loss"][0]
    adapter = data_adapters.get_data_adapter(PairDataset(x, y), batch_size=8)
    assert adapter.steps == 4
    assert model.predict(PairDataset(x, y), batch_size=5, verbose=0).shape == (32, 1)
    assert np.isfinite(model.evaluate(PairDataset(x, y), verbose=0))


def test_iterable_torch_dataset_and_dataloader():
    x, y = regression_data()
    model = linear_model()
    model.fit(StreamDataset(x, y), batch_size=8, epochs=2, verbose=0)
    loader = torch.utils.data.DataLoader(PairDataset(x, y), batch_size=8, shuffle=True)
    history = model.fit(loader, epochs=2, verbose=0,
                        validation_data=torch.utils.data.DataLoader(PairDataset(x, y),
                                                                    batch_size=16))
    assert "val_loss" in history.history
    with pytest.raises(ValueError, match="torch Dataset"):
        model.fit(PairDataset(x, y), y, verbose=0)


def test_torch_tensors_and_tensor_dataset():
    x, y = regression_data()
    model = linear_model()
    model.fit(torch.from_numpy(x), torch.from_numpy(y), batch_size=8, epochs=1, verbose=0)
    ds = torch.utils.data.TensorDataset(torch.from_numpy(x), torch.from_numpy(y))
    model.fit(ds, batch_size=8, epochs=1, verbose=0)


# ------------------------------------------------------------------ pandas
def test_pandas_dataframe_and_series():
    pd = pytest.importorskip("pandas")
    x, y = regression_data(n=40)
    df = pd.DataFrame(x, columns=["a", "b", "c"])
    target = pd.Series(y[:, 0], name="t")
    model = linear_model()
    history = model.fit(df, target, batch_size=8, epochs=2, validation_split=0.25, verbose=0)
    assert len(history.history["val_loss"]) == 2
    assert model.predict(df, verbose=0).shape == (40, 1)
    assert np.isfinite(model.evaluate(df, target, verbose=0))
    # Integer columns and float64 are converted like NumPy arrays.
    model.fit(df.astype("float64"), target.astype("float64"), epochs=1, verbose=0)
    with pytest.raises(ValueError, match="object"):
        model.fit(df.assign(a="text"), target, verbose=0)


def test_pandas_dict_of_series_for_named_inputs():
    pd = pytest.importorskip("pandas")
    x, y = regression_data(n=16, features=2)
    df = pd.DataFrame(x, columns=["u", "v"])
    u, v = layerwise.Input((1,), name="u"), layerwise.Input((1,), name="v")
    out = layerwise.layers.Dense(1)(layerwise.layers.Concatenate()([u, v]))
    model = layerwise.Model({"u": u, "v": v}, out)
    model.compile(optimizer="sgd", loss="mse")
    inputs = {"u": df[["u"]], "v": df[["v"]]}
    model.fit(inputs, y, batch_size=4, epochs=1, verbose=0)
    assert model.predict(inputs, verbose=0).shape == (16, 1)


@pytest.mark.keras
def test_pandas_training_matches_keras(keras):
    pd = pytest.importorskip("pandas")
    x, y = regression_data(n=24)
    df, target = pd.DataFrame(x), pd.Series(y[:, 0])
    k_model = keras.Sequential([keras.Input((3,)), keras.layers.Dense(1)])
    l_model = linear_model()
    l_model.set_weights(k_model.get_weights())
    k_model.compile(optimizer="sgd", loss="mse")
    k_model.fit(df, target, batch_size=8, epochs=2, shuffle=False, verbose=0)
    l_model.fit(df, target, batch_size=8, epochs=2, shuffle=False, verbose=0)
    for a, b in zip(k_model.get_weights(), l_model.get_weights()):
        np.testing.assert_allclose(b, a, rtol=1e-5, atol=1e-6)


# ------------------------------------------------------------------ tf.data
class FakeDatasetV2:
    """Duck-types the parts of `tf.data.Dataset` layerwise uses (no TensorFlow needed)."""

    def __init__(self, batches, cardinality=None):
        self.batches = batches
        self._cardinality = len(batches) if cardinality is None else cardinality

    def as_numpy_iterator(self):
        return iter(self.batches)

    def cardinality(self):
        return self._cardinality


FakeDatasetV2.__name__ = "DatasetV2"
FakeDatasetV2.__module__ = "tensorflow.python.data.ops.dataset_ops"


def test_tf_data_dataset_is_read_as_numpy_batches():
    x, y = regression_data()
    batches = [(x[i:i + 8], y[i:i + 8]) for i in range(0, 32, 8)]
    ds = FakeDatasetV2(batches)
    assert data_adapters.is_tf_dataset(ds)
    adapter = data_adapters.get_data_adapter(ds)
    assert adapter.steps == 4
    model = linear_model()
    history = model.fit(ds, epochs=2, verbose=0, validation_data=FakeDatasetV2(batches[:1]))
    assert len(history.history["loss"]) == 2
    endless = FakeDatasetV2(batches, cardinality=-1)
    assert data_adapters.get_data_adapter(endless).steps is None
    model.fit(endless, steps_per_epoch=2, epochs=1, verbose=0)


def test_real_tf_data_when_installed():
    tf = pytest.importorskip("tensorflow")
    x, y = regression_data()
    ds = tf.data.Dataset.from_tensor_slices((x, y)).batch(8)
    model = linear_model()
    model.fit(ds, epochs=1, verbose=0)
    assert model.predict(ds, verbose=0).shape == (32, 1)


# ------------------------------------------------------------------ images
def test_image_iterators_feed_fit_evaluate_predict():
    from layerwise.preprocessing.image import ImageDataGenerator

    x = np.random.RandomState(0).randint(0, 255, (12, 8, 8, 3)).astype("float32")
    y = np.arange(12) % 3
    model = layerwise.Sequential([layerwise.Input((8, 8, 3)), layerwise.layers.Flatten(),
                                  layerwise.layers.Dense(3, activation="softmax")])
    model.compile(optimizer="adam", loss="sparse_categorical_crossentropy",
                  metrics=["accuracy"])
    gen = ImageDataGenerator(rescale=1 / 255.0, horizontal_flip=True, validation_split=0.25)
    train = gen.flow(x, y, batch_size=4, subset="training", seed=0)
    val = gen.flow(x, y, batch_size=4, subset="validation", seed=0)
    history = model.fit(train, validation_data=val, epochs=2, verbose=0)
    assert set(history.history) == {"accuracy", "loss", "val_accuracy", "val_loss"}
    assert len(model.evaluate(val, verbose=0)) == 2
    assert model.predict(gen.flow(x, batch_size=5, shuffle=False), verbose=0).shape == (12, 3)


def test_validation_split_with_a_generator_is_a_clear_error():
    x, y = regression_data()
    model = linear_model()
    with pytest.raises(ValueError, match="validation_split"):
        model.fit(PairDataset(x, y), validation_split=0.2, verbose=0)
