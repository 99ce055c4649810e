# ruff: noqa: UP032, B007  (the guide's code, kept as written)
"""The keras.io guide "Customizing what happens in `fit()` with PyTorch", unchanged but for
the import (the guide's classes are defined in functions taking the library as `keras`),
compared with real Keras 3 on the same data and initial weights."""

from __future__ import annotations

import numpy as np
import pytest
import torch

import layerwise as lw

pytestmark = pytest.mark.filterwarnings(
    "ignore:__array__ implementation:DeprecationWarning")

RNG = np.random.default_rng(7)
X = RNG.random((64, 32)).astype("float32")
Y = RNG.random((64, 1)).astype("float32")
SW = RNG.random((64, 1)).astype("float32")


def first_simple_example(keras):
    class CustomModel(keras.Model):
        def train_step(self, data):
            # Unpack the data. Its structure depends on your model and
            # on what you pass to `fit()`.
            x, y = data

            # Call torch.nn.Module.zero_grad() to clear the leftover gradients
            # for the weights from the previous train step.
            self.zero_grad()

            # Compute loss
            y_pred = self(x, training=True)  # Forward pass
            loss = self.compute_loss(y=y, y_pred=y_pred)

            # Call torch.Tensor.backward() on the loss to compute gradients
            # for the weights.
            loss.backward()

            trainable_weights = [v for v in self.trainable_weights]
            gradients = [v.value.grad for v in trainable_weights]

            # Update weights
            with torch.no_grad():
                self.optimizer.apply(gradients, trainable_weights)

            # Update metrics (includes the metric that tracks the loss)
            for metric in self.metrics:
                if metric.name == "loss":
                    metric.update_state(loss)
                else:
                    metric.update_state(y, y_pred)

            # Return a dict mapping metric names to current value
            # Note that it will include the loss (tracked in self.metrics).
            return {m.name: m.result() for m in self.metrics}

    # Construct and compile an instance of CustomModel
    inputs = keras.Input(shape=(32,))
    outputs = keras.layers.Dense(1)(inputs)
    model = CustomModel(inputs, outputs)
    model.compile(optimizer="adam", loss="mse", metrics=["mae"])
    return model


def lower_level_example(keras):
    class CustomModel(keras.Model):
        def __init__(self, *args, **kwargs):
            super().__init__(*args, **kwargs)
            self.loss_tracker = keras.metrics.Mean(name="loss")
            self.mae_metric = keras.metrics.MeanAbsoluteError(name="mae")
            self.loss_fn = keras.losses.MeanSquaredError()

        def train_step(self, data):
            x, y = data

            # Call torch.nn.Module.zero_grad() to clear the leftover gradients
            # for the weights from the previous train step.
            self.zero_grad()

            # Compute loss
            y_pred = self(x, training=True)  # Forward pass
            loss = self.loss_fn(y, y_pred)

            # Call torch.Tensor.backward() on the loss to compute gradients
            # for the weights.
            loss.backward()

            trainable_weights = [v for v in self.trainable_weights]
            gradients = [v.value.grad for v in trainable_weights]

            # Update weights
            with torch.no_grad():
                self.optimizer.apply(gradients, trainable_weights)

            # Compute our own metrics
            self.loss_tracker.update_state(loss)
            self.mae_metric.update_state(y, y_pred)
            return {
                "loss": self.loss_tracker.result(),
                "mae": self.mae_metric.result(),
            }

        @property
        def metrics(self):
            # We list our `Metric` objects here so that `reset_states()` can be
            # called automatically at the start of each epoch
            # or at the start of `evaluate()`.
            return [self.loss_tracker, self.mae_metric]

    # Construct an instance of CustomModel
    inputs = keras.Input(shape=(32,))
    outputs = keras.layers.Dense(1)(inputs)
    model = CustomModel(inputs, outputs)

    # We don't pass a loss or metrics here.
    model.compile(optimizer="adam")
    return model


def sample_weight_example(keras):
    class CustomModel(keras.Model):
        def train_step(self, data):
            # Unpack the data. Its structure depends on your model and
            # on what you pass to `fit()`.
            if len(data) == 3:
                x, y, sample_weight = data
            else:
                sample_weight = None
                x, y = data

            # Call torch.nn.Module.zero_grad() to clear the leftover gradients
            # for the weights from the previous train step.
            self.zero_grad()

            # Compute loss
            y_pred = self(x, training=True)  # Forward pass
            loss = self.compute_loss(
                y=y,
                y_pred=y_pred,
                sample_weight=sample_weight,
            )

            # Call torch.Tensor.backward() on the loss to compute gradients
            # for the weights.
            loss.backward()

            trainable_weights = [v for v in self.trainable_weights]
            gradients = [v.value.grad for v in trainable_weights]

            # Update weights
            with torch.no_grad():
                self.optimizer.apply(gradients, trainable_weights)

            # Update metrics (includes the metric that tracks the loss)
            for metric in self.metrics:
                if metric.name == "loss":
                    metric.update_state(loss)
                else:
                    metric.update_state(y, y_pred, sample_weight=sample_weight)

            # Return a dict mapping metric names to current value
            # Note that it will include the loss (tracked in self.metrics).
            return {m.name: m.result() for m in self.metrics}

    # Construct and compile an instance of CustomModel
    inputs = keras.Input(shape=(32,))
    outputs = keras.layers.Dense(1)(inputs)
    model = CustomModel(inputs, outputs)
    model.compile(optimizer="adam", loss="mse", metrics=["mae"])
    return model


def test_step_example(keras):
    class CustomModel(keras.Model):
        def test_step(self, data):
            # Unpack the data
            x, y = data
            # Compute predictions
            y_pred = self(x, training=False)
            # Updates the stateful loss metric.
            loss = self.compute_loss(y=y, y_pred=y_pred)
            # Update the metrics.
            for metric in self.metrics:
                if metric.name == "loss":
                    metric.update_state(loss)
                else:
                    metric.update_state(y, y_pred)
            # Return a dict mapping metric names to current value.
            # Note that it will include the loss (tracked in self.metrics).
            return {m.name: m.result() for m in self.metrics}

    # Construct an instance of CustomModel
    inputs = keras.Input(shape=(32,))
    outputs = keras.layers.Dense(1)(inputs)
    model = CustomModel(inputs, outputs)
    model.compile(loss="mse", metrics=["mae"])
    return model


def _pair(keras, build):
    """The guide's model in both libraries, with Keras' initial weights in both."""
    theirs = build(keras)
    ours = build(lw)
    ours.set_weights(theirs.get_weights())
    return ours, theirs


def _assert_close_history(ours, theirs):
    assert sorted(ours.history) == sorted(theirs.history)
    for key in theirs.history:
        np.testing.assert_allclose(ours.history[key], theirs.history[key], rtol=1e-4,
                                   atol=1e-6, err_msg=key)


@pytest.mark.parametrize("build", [first_simple_example, lower_level_example],
                         ids=["first_simple_example", "lower_level"])
def test_custom_train_step_matches_keras(keras, build):
    ours, theirs = _pair(keras, build)
    expected = theirs.fit(X, Y, epochs=3, batch_size=16, shuffle=False, verbose=0)
    got = ours.fit(X, Y, epochs=3, batch_size=16, shuffle=False, verbose=0)
    _assert_close_history(got, expected)
    for a, b in zip(ours.get_weights(), theirs.get_weights()):
        np.testing.assert_allclose(a, b, rtol=1e-4, atol=1e-6)
    assert [m.name for m in ours.metrics] == [m.name for m in theirs.metrics]


def test_custom_train_step_receives_sample_weight_like_keras(keras):
    ours, theirs = _pair(keras, sample_weight_example)
    expected = theirs.fit(X, Y, sample_weight=SW, epochs=2, batch_size=16, shuffle=False,
                          verbose=0)
    got = ours.fit(X, Y, sample_weight=SW, epochs=2, batch_size=16, shuffle=False, verbose=0)
    _assert_close_history(got, expected)


def test_custom_test_step_matches_keras(keras):
    ours, theirs = _pair(keras, test_step_example)
    expected = theirs.evaluate(X, Y, batch_size=16, verbose=0, return_dict=True)
    got = ours.evaluate(X, Y, batch_size=16, verbose=0, return_dict=True)
    assert sorted(got) == sorted(expected)
    for key in expected:
        np.testing.assert_allclose(got[key], expected[key], rtol=1e-5, err_msg=key)
    np.testing.assert_allclose(ours.evaluate(X, Y, batch_size=16, verbose=0),
                               theirs.evaluate(X, Y, batch_size=16, verbose=0), rtol=1e-5)


def test_metrics_after_compile_have_keras_names(keras):
    ours, theirs = _pair(keras, first_simple_example)
    assert [m.name for m in ours.metrics] == [m.name for m in theirs.metrics] == [
        "loss", "compile_metrics"]


def gan_example(keras, discriminator, generator, latent_dim):
    # The guide's GAN, with `torch.randn`/`torch.rand` in place of `keras.random`.
    class GAN(keras.Model):
        def __init__(self, discriminator, generator, latent_dim):
            super().__init__()
            self.discriminator = discriminator
            self.generator = generator
            self.latent_dim = latent_dim
            self.d_loss_tracker = keras.metrics.Mean(name="d_loss")
            self.g_loss_tracker = keras.metrics.Mean(name="g_loss")
            self.built = True

        @property
        def metrics(self):
            return [self.d_loss_tracker, self.g_loss_tracker]

        def compile(self, d_optimizer, g_optimizer, loss_fn):
            super().compile()
            self.d_optimizer = d_optimizer
            self.g_optimizer = g_optimizer
            self.loss_fn = loss_fn

        def train_step(self, real_images):
            device = "cuda" if torch.cuda.is_available() else "cpu"
            if isinstance(real_images, tuple) or isinstance(real_images, list):
                real_images = real_images[0]
            # Sample random points in the latent space
            batch_size = real_images.shape[0]
            random_latent_vectors = torch.randn((batch_size, self.latent_dim))

            # Decode them to fake images
            generated_images = self.generator(random_latent_vectors)

            # Combine them with real images
            real_images = torch.as_tensor(real_images, device=device)
            combined_images = torch.concat([generated_images, real_images], axis=0)

            # Assemble labels discriminating real from fake images
            labels = torch.concat(
                [
                    torch.ones((batch_size, 1), device=device),
                    torch.zeros((batch_size, 1), device=device),
                ],
                axis=0,
            )
            # Add random noise to the labels - important trick!
            labels += 0.05 * torch.rand(labels.shape)

            # Train the discriminator
            self.zero_grad()
            predictions = self.discriminator(combined_images)
            d_loss = self.loss_fn(labels, predictions)
            d_loss.backward()
            grads = [v.value.grad for v in self.discriminator.trainable_weights]
            with torch.no_grad():
                self.d_optimizer.apply(grads, self.discriminator.trainable_weights)

            # Sample random points in the latent space
            random_latent_vectors = torch.randn((batch_size, self.latent_dim))

            # Assemble labels that say "all real images"
            misleading_labels = torch.zeros((batch_size, 1), device=device)

            # Train the generator (note that we should *not* update the weights
            # of the discriminator)!
            self.zero_grad()
            predictions = self.discriminator(self.generator(random_latent_vectors))
            g_loss = self.loss_fn(misleading_labels, predictions)
            grads = g_loss.backward()
            grads = [v.value.grad for v in self.generator.trainable_weights]
            with torch.no_grad():
                self.g_optimizer.apply(grads, self.generator.trainable_weights)

            # Update metrics and return their value.
            self.d_loss_tracker.update_state(d_loss)
            self.g_loss_tracker.update_state(g_loss)
            return {
                "d_loss": self.d_loss_tracker.result(),
                "g_loss": self.g_loss_tracker.result(),
            }

    return GAN(discriminator=discriminator, generator=generator, latent_dim=latent_dim)


def test_gan_two_optimizer_train_step():
    keras = lw
    layers = lw.layers
    discriminator = keras.Sequential(
        [
            keras.Input(shape=(8, 8, 1)),
            layers.Conv2D(8, (3, 3), strides=(2, 2), padding="same"),
            layers.LeakyReLU(negative_slope=0.2),
            layers.GlobalMaxPooling2D(),
            layers.Dense(1),
        ],
        name="discriminator",
    )
    latent_dim = 4
    generator = keras.Sequential(
        [
            keras.Input(shape=(latent_dim,)),
            layers.Dense(4 * 4 * 8),
            layers.LeakyReLU(negative_slope=0.2),
            layers.Reshape((4, 4, 8)),
            layers.Conv2DTranspose(8, (4, 4), strides=(2, 2), padding="same"),
            layers.Conv2D(1, (3, 3), padding="same", activation="sigmoid"),
        ],
        name="generator",
    )
    gan = gan_example(keras, discriminator, generator, latent_dim)
    gan.compile(
        d_optimizer=keras.optimizers.Adam(learning_rate=0.0003),
        g_optimizer=keras.optimizers.Adam(learning_rate=0.0003),
        loss_fn=keras.losses.BinaryCrossentropy(from_logits=True),
    )
    digits = RNG.random((32, 8, 8, 1)).astype("float32")
    dataset = torch.utils.data.TensorDataset(torch.from_numpy(digits), torch.from_numpy(digits))
    dataloader = torch.utils.data.DataLoader(dataset, batch_size=8, shuffle=True)
    d_before = [w.copy() for w in discriminator.get_weights()]
    g_before = [w.copy() for w in generator.get_weights()]
    history = gan.fit(dataloader, epochs=2, verbose=0)
    assert sorted(history.history) == ["d_loss", "g_loss"]
    assert all(np.isfinite(history.history["d_loss"]))
    assert all(not np.array_equal(a, b) for a, b in zip(d_before, discriminator.get_weights()))
    assert all(not np.array_equal(a, b) for a, b in zip(g_before, generator.get_weights()))
    assert int(gan.d_optimizer.iterations) == int(gan.g_optimizer.iterations) == 8


def test_fast_path_is_used_when_nothing_is_overridden(monkeypatch):
    model = lw.Sequential([lw.Input((32,)), lw.layers.Dense(1)])
    model.compile(optimizer="sgd", loss="mse", metrics=["mae"])
    assert not model._uses_custom_step("train") and not model._uses_custom_step("test")
    fast, public = [], []
    original_fast, original_public = lw.Sequential._train_step, lw.Sequential.train_step

    def spying_fast(self, x, y, sample_weight):
        fast.append(x.shape[0])
        return original_fast(self, x, y, sample_weight)

    def spying_public(self, data):
        public.append(1)
        return original_public(self, data)

    monkeypatch.setattr(lw.Sequential, "_train_step", spying_fast)
    model.fit(X, Y, batch_size=16, epochs=1, verbose=0)
    assert fast == [16, 16, 16, 16]
    # An override (here: the same step, wrapped) switches `fit` to the public step.
    monkeypatch.setattr(lw.Sequential, "train_step", spying_public)
    assert model._uses_custom_step("train")
    history = model.fit(X, Y, batch_size=16, epochs=1, verbose=0)
    assert public == [1, 1, 1, 1] and fast == [16, 16, 16, 16]
    assert sorted(history.history) == ["loss", "mae"]


def test_overridden_compute_metrics_takes_the_generic_path():
    class Counting(lw.Model):
        def __init__(self):
            super().__init__()
            self.dense = lw.layers.Dense(1)
            self.batches = 0

        def call(self, x):
            return self.dense(x)

        def compute_metrics(self, x, y, y_pred, sample_weight=None):
            self.batches += 1
            return super().compute_metrics(x, y, y_pred, sample_weight)

    model = Counting()
    model.compile(optimizer="sgd", loss="mse", metrics=["mae"])
    history = model.fit(X, Y, batch_size=16, epochs=1, verbose=0)
    assert model.batches == 4 and sorted(history.history) == ["loss", "mae"]
