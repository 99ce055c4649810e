# ruff: noqa: UP032, B007  (the guide's code, kept as written)
"""The keras.io guide "Writing your own callbacks", unchanged but for the import and the data
(random digits instead of MNIST), compared with real Keras 3: the same hooks are called with
the same log keys, and (from the same initial weights) the same printed values."""

from __future__ import annotations

import re

import numpy as np
import pytest

import layerwise as lw

pytestmark = pytest.mark.filterwarnings(
    "ignore:__array__ implementation:DeprecationWarning")

RNG = np.random.default_rng(5)
X_TRAIN = RNG.random((200, 784)).astype("float32")
Y_TRAIN = RNG.random((200,)).astype("float32")
X_TEST = RNG.random((100, 784)).astype("float32")
Y_TEST = RNG.random((100,)).astype("float32")


def get_model(keras):
    model = keras.Sequential()
    model.add(keras.layers.Dense(1))
    model.compile(
        optimizer=keras.optimizers.RMSprop(learning_rate=0.1),
        loss="mean_squared_error",
        metrics=["mean_absolute_error"],
    )
    return model


def callback_classes(keras):
    class CustomCallback(keras.callbacks.Callback):
        def on_train_begin(self, logs=None):
            keys = list(logs.keys())
            print("Starting training; got log keys: {}".format(keys))

        def on_train_end(self, logs=None):
            keys = list(logs.keys())
            print("Stop training; got log keys: {}".format(keys))

        def on_epoch_begin(self, epoch, logs=None):
            keys = list(logs.keys())
            print("Start epoch {} of training; got log keys: {}".format(epoch, keys))

        def on_epoch_end(self, epoch, logs=None):
            keys = list(logs.keys())
            print("End epoch {} of training; got log keys: {}".format(epoch, keys))

        def on_test_begin(self, logs=None):
            keys = list(logs.keys())
            print("Start testing; got log keys: {}".format(keys))

        def on_test_end(self, logs=None):
            keys = list(logs.keys())
            print("Stop testing; got log keys: {}".format(keys))

        def on_predict_begin(self, logs=None):
            keys = list(logs.keys())
            print("Start predicting; got log keys: {}".format(keys))

        def on_predict_end(self, logs=None):
            keys = list(logs.keys())
            print("Stop predicting; got log keys: {}".format(keys))

        def on_train_batch_begin(self, batch, logs=None):
            keys = list(logs.keys())
            print("...Training: start of batch {}; got log keys: {}".format(batch, keys))

        def on_train_batch_end(self, batch, logs=None):
            keys = list(logs.keys())
            print("...Training: end of batch {}; got log keys: {}".format(batch, keys))

        def on_test_batch_begin(self, batch, logs=None):
            keys = list(logs.keys())
            print("...Evaluating: start of batch {}; got log keys: {}".format(batch, keys))

        def on_test_batch_end(self, batch, logs=None):
            keys = list(logs.keys())
            print("...Evaluating: end of batch {}; got log keys: {}".format(batch, keys))

        def on_predict_batch_begin(self, batch, logs=None):
            keys = list(logs.keys())
            print("...Predicting: start of batch {}; got log keys: {}".format(batch, keys))

        def on_predict_batch_end(self, batch, logs=None):
            keys = list(logs.keys())
            print("...Predicting: end of batch {}; got log keys: {}".format(batch, keys))

    class LossAndErrorPrintingCallback(keras.callbacks.Callback):
        def on_train_batch_end(self, batch, logs=None):
            print(
                "Up to batch {}, the average loss is {:7.2f}.".format(batch, logs["loss"])
            )

        def on_test_batch_end(self, batch, logs=None):
            print(
                "Up to batch {}, the average loss is {:7.2f}.".format(batch, logs["loss"])
            )

        def on_epoch_end(self, epoch, logs=None):
            print(
                "The average loss for epoch {} is {:7.2f} "
                "and mean absolute error is {:7.2f}.".format(
                    epoch, logs["loss"], logs["mean_absolute_error"]
                )
            )

    class EarlyStoppingAtMinLoss(keras.callbacks.Callback):
        def __init__(self, patience=0):
            super().__init__()
            self.patience = patience
            # best_weights to store the weights at which the minimum loss occurs.
            self.best_weights = None

        def on_train_begin(self, logs=None):
            # The number of epoch it has waited when loss is no longer minimum.
            self.wait = 0
            # The epoch the training stops at.
            self.stopped_epoch = 0
            # Initialize the best as infinity.
            self.best = np.inf

        def on_epoch_end(self, epoch, logs=None):
            current = logs.get("loss")
            if np.less(current, self.best):
                self.best = current
                self.wait = 0
                # Record the best weights if current results is better (less).
                self.best_weights = self.model.get_weights()
            else:
                self.wait += 1
                if self.wait >= self.patience:
                    self.stopped_epoch = epoch
                    self.model.stop_training = True
                    print("Restoring model weights from the end of the best epoch.")
                    self.model.set_weights(self.best_weights)

        def on_train_end(self, logs=None):
            if self.stopped_epoch > 0:
                print(f"Epoch {self.stopped_epoch + 1}: early stopping")

    class CustomLearningRateScheduler(keras.callbacks.Callback):
        def __init__(self, schedule):
            super().__init__()
            self.schedule = schedule

        def on_epoch_begin(self, epoch, logs=None):
            if not hasattr(self.model.optimizer, "learning_rate"):
                raise ValueError('Optimizer must have a "learning_rate" attribute.')
            # Get the current learning rate from model's optimizer.
            lr = self.model.optimizer.learning_rate
            # Call schedule function to get the scheduled learning rate.
            scheduled_lr = self.schedule(epoch, lr)
            # Set the value back to the optimizer before this epoch starts
            self.model.optimizer.learning_rate = scheduled_lr
            print(f"\nEpoch {epoch}: Learning rate is {float(np.array(scheduled_lr))}.")

    return (CustomCallback, LossAndErrorPrintingCallback, EarlyStoppingAtMinLoss,
            CustomLearningRateScheduler)


LR_SCHEDULE = [
    # (epoch to start, learning rate) tuples
    (3, 0.05),
    (6, 0.01),
    (9, 0.005),
    (12, 0.001),
]


def lr_schedule(epoch, lr):
    """Helper function to retrieve the scheduled learning rate based on epoch."""
    if epoch < LR_SCHEDULE[0][0] or epoch > LR_SCHEDULE[-1][0]:
        return lr
    for i in range(len(LR_SCHEDULE)):
        if epoch == LR_SCHEDULE[i][0]:
            return LR_SCHEDULE[i][1]
    return lr


def _same_start(keras):
    """The guide's model in both libraries, built and holding Keras' initial weights."""
    theirs = get_model(keras)
    theirs.build((None, 784))
    ours = get_model(lw)
    ours.build((None, 784))
    ours.set_weights(theirs.get_weights())
    return ours, theirs


def _printed(capsys, library, model, run):
    capsys.readouterr()
    run(library, model)
    return capsys.readouterr().out


def _numbers(text):
    return [float(v) for v in re.findall(r"-?\d+\.\d+", text)]


def _words(text):
    return re.sub(r"-?\d+\.\d+", "#", text)


def test_every_hook_gets_the_keras_log_keys(keras, capsys):
    def run(library, model):
        CustomCallback = callback_classes(library)[0]
        model.fit(X_TRAIN, Y_TRAIN, batch_size=128, epochs=1, verbose=0,
                  validation_split=0.5, callbacks=[CustomCallback()])
        model.evaluate(X_TEST, Y_TEST, batch_size=128, verbose=0,
                       callbacks=[CustomCallback()])
        model.predict(X_TEST, batch_size=128, verbose=0, callbacks=[CustomCallback()])

    ours, theirs = _same_start(keras)
    expected = _printed(capsys, keras, theirs, run)
    got = _printed(capsys, lw, ours, run)
    assert got == expected
    assert "Starting training; got log keys: []" in got
    assert "End epoch 0 of training; got log keys: ['loss', 'mean_absolute_error', " \
           "'val_loss', 'val_mean_absolute_error']" in got


def test_loss_and_error_printing_callback_matches_keras(keras, capsys):
    def run(library, model):
        LossAndErrorPrintingCallback = callback_classes(library)[1]
        model.fit(X_TRAIN, Y_TRAIN, batch_size=64, epochs=2, verbose=0, shuffle=False,
                  callbacks=[LossAndErrorPrintingCallback()])
        model.evaluate(X_TEST, Y_TEST, batch_size=128, verbose=0,
                       callbacks=[LossAndErrorPrintingCallback()])

    ours, theirs = _same_start(keras)
    expected = _printed(capsys, keras, theirs, run)
    got = _printed(capsys, lw, ours, run)
    assert _words(got) == _words(expected)
    np.testing.assert_allclose(_numbers(got), _numbers(expected), atol=0.011)


def test_early_stopping_and_lr_scheduler_callbacks_match_keras(keras, capsys):
    def run(library, model):
        _, LossAndError, EarlyStoppingAtMinLoss, Scheduler = callback_classes(library)
        model.fit(X_TRAIN, Y_TRAIN, batch_size=100, epochs=8, verbose=0,
                  shuffle=False,
                  callbacks=[LossAndError(), EarlyStoppingAtMinLoss(patience=1),
                             Scheduler(lr_schedule)])

    ours, theirs = _same_start(keras)
    expected = _printed(capsys, keras, theirs, run)
    got = _printed(capsys, lw, ours, run)
    assert _words(got) == _words(expected)
    np.testing.assert_allclose(_numbers(got), _numbers(expected), atol=0.011)
