# ruff: noqa: UP032, B007  (the guide's code, kept as written)
"""The keras.io guide "Writing a training loop from scratch in PyTorch", unchanged but for the
import and the data (small random digits instead of the MNIST download), compared with real
Keras 3 from the same initial weights."""

from __future__ import annotations

import numpy as np
import pytest
import torch

import layerwise as lw

pytestmark = pytest.mark.filterwarnings(
    "ignore:__array__ implementation:DeprecationWarning")

RNG = np.random.default_rng(11)
X_TRAIN = RNG.random((96, 784)).astype("float32")
Y_TRAIN = RNG.integers(0, 10, 96)
X_VAL = RNG.random((32, 784)).astype("float32")
Y_VAL = RNG.integers(0, 10, 32)


def get_model(keras):
    inputs = keras.Input(shape=(784,), name="digits")
    x1 = keras.layers.Dense(64, activation="relu")(inputs)
    x2 = keras.layers.Dense(64, activation="relu")(x1)
    outputs = keras.layers.Dense(10, name="predictions")(x2)
    model = keras.Model(inputs=inputs, outputs=outputs)
    return model


def dataloaders(keras):
    batch_size = 32
    y_train = keras.utils.to_categorical(Y_TRAIN, 10)
    y_val = keras.utils.to_categorical(Y_VAL, 10)
    train_dataset = torch.utils.data.TensorDataset(
        torch.from_numpy(X_TRAIN), torch.from_numpy(y_train)
    )
    val_dataset = torch.utils.data.TensorDataset(
        torch.from_numpy(X_VAL), torch.from_numpy(y_val)
    )
    # The guide shuffles; unshuffled here so both libraries see the same batches.
    train_dataloader = torch.utils.data.DataLoader(train_dataset, batch_size=batch_size)
    val_dataloader = torch.utils.data.DataLoader(val_dataset, batch_size=batch_size)
    return train_dataloader, val_dataloader


def training_loop(keras, model, epochs=2):
    """The guide's loop with a Keras optimizer, metrics and a validation loop."""
    train_dataloader, val_dataloader = dataloaders(keras)
    # Instantiate an optimizer to train the model.
    optimizer = keras.optimizers.Adam(learning_rate=1e-3)
    # Instantiate a loss function.
    loss_fn = keras.losses.CategoricalCrossentropy(from_logits=True)

    # Prepare the metrics.
    train_acc_metric = keras.metrics.CategoricalAccuracy()
    val_acc_metric = keras.metrics.CategoricalAccuracy()

    logs = []
    for epoch in range(epochs):
        for step, (inputs, targets) in enumerate(train_dataloader):
            # Forward pass
            logits = model(inputs)
            loss = loss_fn(targets, logits)

            # Backward pass
            model.zero_grad()
            trainable_weights = [v for v in model.trainable_weights]

            # Call torch.Tensor.backward() on the loss to compute gradients
            # for the weights.
            loss.backward()
            gradients = [v.value.grad for v in trainable_weights]

            # Update weights
            with torch.no_grad():
                optimizer.apply(gradients, trainable_weights)

            # Update training metric.
            train_acc_metric.update_state(targets, logits)

        # Display metrics at the end of each epoch.
        train_acc = train_acc_metric.result()
        # Reset training metrics at the end of each epoch
        train_acc_metric.reset_state()

        # Run a validation loop at the end of each epoch.
        for x_batch_val, y_batch_val in val_dataloader:
            val_logits = model(x_batch_val, training=False)
            # Update val metrics
            val_acc_metric.update_state(y_batch_val, val_logits)
        val_acc = val_acc_metric.result()
        val_acc_metric.reset_state()
        logs.append((float(loss), float(train_acc), float(val_acc)))
    return logs, int(optimizer.iterations)


def loop_with_model_losses(keras, epochs=1):
    """The guide's last section: losses added by layers (`add_loss`) join the loss."""

    class ActivityRegularizationLayer(keras.layers.Layer):
        def call(self, inputs):
            self.add_loss(1e-2 * torch.sum(inputs))
            return inputs

    inputs = keras.Input(shape=(784,), name="digits")
    x = keras.layers.Dense(64, activation="relu")(inputs)
    # Insert activity regularization as a layer
    x = ActivityRegularizationLayer()(x)
    x = keras.layers.Dense(64, activation="relu")(x)
    outputs = keras.layers.Dense(10, name="predictions")(x)
    model = keras.Model(inputs=inputs, outputs=outputs)
    return model


def run_losses_loop(keras, model):
    train_dataloader, _ = dataloaders(keras)
    optimizer = keras.optimizers.Adam(learning_rate=1e-3)
    loss_fn = keras.losses.CategoricalCrossentropy(from_logits=True)
    losses = []
    for step, (inputs, targets) in enumerate(train_dataloader):
        logits = model(inputs)
        loss = loss_fn(targets, logits)
        if model.losses:
            loss = loss + torch.sum(*model.losses)
        model.zero_grad()
        trainable_weights = [v for v in model.trainable_weights]
        loss.backward()
        gradients = [v.value.grad for v in trainable_weights]
        with torch.no_grad():
            optimizer.apply(gradients, trainable_weights)
        losses.append(float(loss))
    return losses


def test_training_loop_from_scratch_matches_keras(keras):
    theirs = get_model(keras)
    ours = get_model(lw)
    ours.set_weights(theirs.get_weights())
    expected, expected_steps = training_loop(keras, theirs)
    got, got_steps = training_loop(lw, ours)
    assert got_steps == expected_steps == 6
    np.testing.assert_allclose(got, expected, rtol=1e-4, atol=1e-6)
    for a, b in zip(ours.get_weights(), theirs.get_weights()):
        np.testing.assert_allclose(a, b, rtol=1e-4, atol=1e-5)


def test_loop_with_layer_losses_matches_keras(keras):
    theirs = loop_with_model_losses(keras)
    ours = loop_with_model_losses(lw)
    ours.set_weights(theirs.get_weights())
    np.testing.assert_allclose(run_losses_loop(lw, ours), run_losses_loop(keras, theirs),
                               rtol=1e-4)


def test_plain_torch_optimizer_loop_trains():
    # The guide's first loop: a torch optimizer over the model's parameters.
    model = get_model(lw)
    train_dataloader, _ = dataloaders(lw)
    optimizer = torch.optim.Adam(model.parameters(), lr=1e-3)
    loss_fn = torch.nn.CrossEntropyLoss()
    first = None
    for _ in range(3):
        for step, (inputs, targets) in enumerate(train_dataloader):
            logits = model(inputs)
            loss = loss_fn(logits, targets)
            model.zero_grad()
            loss.backward()
            optimizer.step()
            first = float(loss) if first is None else first
    assert float(loss) < first
