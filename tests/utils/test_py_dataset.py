"""`keras.utils.PyDataset` / `Sequence`: the class, its parallel reading, and `fit` with it."""

from __future__ import annotations

import math
import threading

import numpy as np
import pytest

import layerwise
from layerwise.utils.py_dataset import PyDataset, Sequence, iterate_batches


class Squares(PyDataset):
    def __init__(self, n=10, batch_size=4, **kwargs):
        super().__init__(**kwargs)
        self.x = np.arange(n, dtype="float32")[:, None]
        self.batch_size = batch_size
        self.epochs_begun = 0
        self.epochs_ended = 0
        self.threads = set()

    def __len__(self):
        return math.ceil(len(self.x) / self.batch_size)

    def __getitem__(self, idx):
        self.threads.add(threading.current_thread().name)
        x = self.x[idx * self.batch_size:(idx + 1) * self.batch_size]
        return x, 2 * x

    def on_epoch_begin(self):
        self.epochs_begun += 1

    def on_epoch_end(self):
        self.epochs_ended += 1


def linear_model():
    model = layerwise.Sequential([layerwise.Input((1,)), layerwise.layers.Dense(1)])
    model.compile(optimizer="sgd", loss="mse")
    return model


def test_sequence_is_pydataset_and_iterates():
    assert Sequence is PyDataset and layerwise.utils.Sequence is PyDataset
    assert layerwise.utils.PyDataset is PyDataset
    ds = Squares()
    assert len(ds) == ds.num_batches == 3
    batches = list(ds)
    assert len(batches) == 3 and batches[-1][0].shape == (2, 1)
    assert ds.workers == 1 and ds.use_multiprocessing is False and ds.max_queue_size == 10


def test_warns_when_super_init_is_not_called():
    class NoSuper(PyDataset):
        def __init__(self):
            pass

        def __len__(self):
            return 1

        def __getitem__(self, i):
            return np.zeros((1, 1))

    with pytest.warns(UserWarning, match="super"):
        assert NoSuper().workers == 1


def test_infinite_dataset_needs_steps():
    class Endless(PyDataset):
        @property
        def num_batches(self):
            return None

        def __getitem__(self, i):
            return np.full((2, 1), i, "float32"), np.zeros((2, 1), "float32")

    ds = Endless()
    assert [int(b[0][0, 0]) for b, _ in zip(ds, range(3))] == [0, 1, 2]
    model = linear_model()
    with pytest.raises(ValueError, match="steps_per_epoch"):
        model.fit(ds, epochs=1, verbose=0)
    history = model.fit(ds, steps_per_epoch=3, epochs=2, verbose=0)
    assert len(history.history["loss"]) == 2


@pytest.mark.parametrize("workers, multiprocessing", [(1, False), (3, False), (2, True)])
def test_iterate_batches_keeps_order(workers, multiprocessing):
    ds = Squares(n=40, batch_size=3, workers=workers, use_multiprocessing=multiprocessing,
                 max_queue_size=2)
    got = [float(x[0, 0]) for x, _ in iterate_batches(ds, range(len(ds)))]
    assert got == [3.0 * i for i in range(len(ds))]
    if workers > 1 and not multiprocessing:
        assert any(name.startswith("py_dataset") for name in ds.threads)


def test_worker_exceptions_propagate():
    class Broken(Squares):
        def __getitem__(self, idx):
            if idx == 2:
                raise RuntimeError("bad batch")
            return super().__getitem__(idx)

    with pytest.raises(RuntimeError, match="bad batch"):
        list(iterate_batches(Broken(workers=2), range(3)))


def test_fit_evaluate_predict_with_pydataset_and_epoch_hooks():
    ds = Squares(n=12, batch_size=4, workers=2)
    model = linear_model()
    history = model.fit(ds, epochs=3, verbose=0, validation_data=Squares(n=8))
    assert len(history.history["loss"]) == 3 and "val_loss" in history.history
    assert ds.epochs_begun == 3 and ds.epochs_ended == 3
    assert np.isfinite(model.evaluate(ds, verbose=0))
    assert model.predict(Squares(n=10, batch_size=4), verbose=0).shape == (10, 1)


def test_steps_per_epoch_continues_where_the_last_epoch_stopped():
    seen = []

    class Recorder(Squares):
        def __getitem__(self, idx):
            seen.append(idx)
            return super().__getitem__(idx)

    model = linear_model()
    model.fit(Recorder(n=12, batch_size=4), steps_per_epoch=2, epochs=3, shuffle=False,
              verbose=0)
    assert seen == [0, 1, 2, 0, 1, 2]


def test_shuffle_reorders_batches_and_class_weight_applies():
    seen = []

    class Labels(PyDataset):
        def __init__(self):
            super().__init__()

        def __len__(self):
            return 8

        def __getitem__(self, idx):
            seen.append(idx)
            return np.ones((2, 1), "float32"), np.array([0, 1])

    model = layerwise.Sequential([layerwise.Input((1,)),
                                  layerwise.layers.Dense(2, activation="softmax")])
    model.compile(optimizer="sgd", loss="sparse_categorical_crossentropy")
    layerwise.utils.set_random_seed(3)
    model.fit(Labels(), epochs=1, verbose=0, class_weight={0: 1.0, 1: 3.0})
    assert sorted(seen) == list(range(8)) and seen != list(range(8))


def test_pydataset_rejects_y_and_bad_batches():
    model = linear_model()
    with pytest.raises(ValueError, match="`y` must not be given"):
        model.fit(Squares(), np.zeros(10), verbose=0)

    class Bad(Squares):
        def __getitem__(self, idx):
            return (1, 2, 3, 4)

    with pytest.raises(ValueError, match="tuple"):
        model.fit(Bad(), verbose=0)
