"""`layerwise.data.Dataset`: every tf.data method Keras programs call, its elements, and
its use by `fit` / `evaluate` / `predict`."""

from __future__ import annotations

import threading
import time

import numpy as np
import pytest
import torch

import layerwise
from layerwise import data as tf_data
from layerwise.data import (
    AUTOTUNE,
    INFINITE_CARDINALITY,
    UNKNOWN_CARDINALITY,
    Dataset,
    EagerArray,
    TensorSpec,
)


def pairs(n=10):
    return Dataset.from_tensor_slices((np.arange(n), np.arange(n) * 10))


def values(ds):
    return [np.asarray(e).tolist() if not isinstance(e, tuple) else
            tuple(np.asarray(v).tolist() for v in e) for e in ds]


# ------------------------------------------------------------------ sources and elements
def test_from_tensor_slices_elements_behave_like_eager_tensors():
    x = np.random.RandomState(0).rand(6, 3).astype("float32")
    ds = Dataset.from_tensor_slices((x, np.arange(6))).batch(4)
    images, labels = next(iter(ds))
    assert isinstance(images, EagerArray) and images.shape == (4, 3)
    np.testing.assert_allclose(np.mean(images, axis=0), x[:4].mean(axis=0), rtol=1e-6)
    assert isinstance(images.numpy(), np.ndarray) and not isinstance(images.numpy(), EagerArray)
    assert int(labels[1]) == 1 and labels.numpy()[3] == 3
    assert isinstance(np.mean(images), np.floating)  # a scalar, as with plain arrays
    assert np.array(images[0]).astype("uint8").shape == (3,)


def test_strings_are_bytes_like_tf_strings_and_python_values_get_tf_dtypes():
    ds = Dataset.from_tensor_slices((["a", "bb"], [1.5, 2.5], [1, 2]))
    (s, f, i), _ = list(ds)
    assert s.numpy() == b"a" and f.dtype == np.float32 and i.dtype == np.int32
    assert list(ds.as_numpy_iterator())[1] == (b"bb", np.float32(2.5), np.int32(2))
    batch = next(iter(ds.batch(2)))[0]
    assert batch.dtype == object and batch.numpy().tolist() == [b"a", b"bb"]


def test_from_tensors_range_generator_zip():
    assert values(Dataset.from_tensors(np.arange(3))) == [[0, 1, 2]]
    assert values(Dataset.range(2, 8, 2)) == [2, 4, 6]
    assert Dataset.range(3).element_spec == TensorSpec((), "int64")
    gen = Dataset.from_generator(lambda: ((np.ones(2) * i, i) for i in range(3)))
    assert int(gen.cardinality()) == UNKNOWN_CARDINALITY
    assert values(gen)[2] == ([2.0, 2.0], 2) and len(values(gen)) == 3  # re-iterable
    zipped = Dataset.zip((Dataset.range(3), Dataset.range(5).map(lambda v: v * 10)))
    assert values(zipped) == [(0, 0), (1, 10), (2, 20)] and len(zipped) == 3
    named = Dataset.zip({"a": Dataset.range(2), "b": Dataset.range(2)})
    assert [{k: int(v) for k, v in e.items()} for e in named] == [{"a": 0, "b": 0},
                                                                  {"a": 1, "b": 1}]


# ------------------------------------------------------------------ transformations
def test_map_unpacks_tuples_and_converts_torch_outputs():
    ds = pairs(4).map(lambda x, y: (torch.as_tensor(x) * 2, y))
    x, y = next(iter(ds))
    assert isinstance(x, EagerArray) and values(ds)[3] == (6, 30)


@pytest.mark.parametrize("deterministic", [None, True, False])
def test_parallel_map_runs_in_threads_keeps_order_unless_told(deterministic):
    threads = set()

    def slow(x):
        threads.add(threading.get_ident())
        time.sleep(0.002 * (5 - int(x) % 5))
        return x

    ds = Dataset.range(20).map(slow, num_parallel_calls=AUTOTUNE,
                               deterministic=deterministic)
    out = values(ds)
    assert sorted(out) == list(range(20)) and len(threads) > 1
    if deterministic is not False:
        assert out == list(range(20))


def test_parallel_map_raises_the_functions_error_at_its_element():
    def fail_on_3(x):
        if int(x) == 3:
            raise RuntimeError("bad element 3")
        return x

    with pytest.raises(RuntimeError, match="bad element 3"):
        list(Dataset.range(10).map(fail_on_3, num_parallel_calls=4))


def test_batch_unbatch_rebatch_padded_batch_and_cardinality():
    ds = pairs(10)
    assert len(ds.batch(4)) == 3 and len(ds.batch(4, drop_remainder=True)) == 2
    assert [b[0].tolist() for b in ds.batch(4)] == [[0, 1, 2, 3], [4, 5, 6, 7], [8, 9]]
    assert values(ds.batch(4).unbatch()) == values(ds)
    assert int(ds.batch(4).unbatch().cardinality()) == UNKNOWN_CARDINALITY
    assert [b[0].tolist() for b in ds.batch(4).rebatch(3)] == [[0, 1, 2], [3, 4, 5],
                                                               [6, 7, 8], [9]]
    ragged = Dataset.from_generator(lambda: (np.arange(n) + 1 for n in (1, 3, 2)))
    assert [b.tolist() for b in ragged.padded_batch(2)] == [[[1, 0, 0], [1, 2, 3]], [[1, 2]]]
    assert next(iter(ragged.padded_batch(3, padded_shapes=(4,)))).shape == (3, 4)
    with pytest.raises(ValueError, match="different shapes"):
        list(ragged.batch(2))
    with pytest.raises(ValueError, match="batch_size"):
        ds.batch(0)


def test_shuffle_is_seeded_new_each_pass_and_buffered():
    ds = Dataset.range(50).shuffle(100, seed=3)
    first, second = values(ds), values(ds)
    assert sorted(first) == list(range(50)) and first != second
    assert values(Dataset.range(50).shuffle(100, seed=3)) == first
    fixed = Dataset.range(50).shuffle(100, seed=3, reshuffle_each_iteration=False)
    assert values(fixed) == values(fixed)
    local = values(Dataset.range(100).shuffle(2, seed=0))  # a small buffer moves little
    assert max(abs(v - i) for i, v in enumerate(local)) < 20
    layerwise.utils.set_random_seed(7)
    a = values(Dataset.range(20).shuffle(20))
    layerwise.utils.set_random_seed(7)
    assert values(Dataset.range(20).shuffle(20)) == a


def test_take_skip_repeat_filter_enumerate_concatenate_shard_apply():
    ds = Dataset.range(10)
    assert values(ds.take(3)) == [0, 1, 2] and values(ds.skip(8)) == [8, 9]
    assert len(ds.take(-1)) == 10 and len(ds.skip(-1)) == 0
    assert values(ds.take(3).repeat(2)) == [0, 1, 2, 0, 1, 2]
    forever = ds.repeat()
    assert int(forever.cardinality()) == INFINITE_CARDINALITY
    assert values(forever.take(12))[-2:] == [0, 1] and len(forever.take(12)) == 12
    evens = ds.filter(lambda v: v % 2 == 0)
    assert values(evens) == [0, 2, 4, 6, 8]
    assert int(evens.cardinality()) == UNKNOWN_CARDINALITY
    assert values(ds.take(2).enumerate(start=5)) == [(5, 0), (6, 1)]
    assert values(ds.take(2).concatenate(ds.skip(8))) == [0, 1, 8, 9]
    assert values(ds.shard(3, 1)) == [1, 4, 7] and len(ds.shard(3, 1)) == 3
    assert values(ds.apply(lambda d: d.take(1))) == [0]
    assert values(Dataset.range(0).repeat()) == []
    with pytest.raises(TypeError, match="infinite"):
        len(forever)
    with pytest.raises(TypeError, match="unknown"):
        len(evens)
    with pytest.raises(ValueError, match="count"):
        ds.take("3")


def test_cache_in_memory_reads_the_source_once():
    calls = []

    def load(i):
        calls.append(int(i))
        return i

    ds = Dataset.range(4).map(load).cache()
    assert values(ds) == values(ds) == [0, 1, 2, 3] and len(calls) == 4
    partial = Dataset.range(4).map(load).cache()
    list(partial.take(2))
    assert values(partial) == [0, 1, 2, 3]  # an incomplete pass is not kept


def test_cache_file_persists_without_pickle(tmp_path):
    path = tmp_path / "cache" / "ds"
    source = Dataset.from_tensor_slices((["x", "yy"], np.eye(2, dtype="float32")))
    first = list(source.cache(str(path)).as_numpy_iterator())
    assert path.exists() and not list(path.parent.glob("*.tmp-*"))
    other = Dataset.from_tensor_slices((["z"], np.zeros((1, 2), "float32"))).cache(str(path))
    again = list(other.as_numpy_iterator())  # the file wins, as in tf.data
    assert [a[0] for a in again] == [b"x", b"yy"]
    np.testing.assert_array_equal(np.stack([a[1] for a in again]), np.stack([f[1] for f in first]))
    path.write_bytes(b"not a cache")
    with pytest.raises(ValueError, match="not a readable layerwise cache"):
        list(Dataset.range(2).cache(str(path)))


def test_prefetch_reads_ahead_in_a_thread_and_stops_early():
    produced = []

    def gen():
        for i in range(1000):
            produced.append(i)
            yield i

    ds = Dataset.from_generator(gen).prefetch(4)
    assert values(ds.take(2)) == [0, 1]
    time.sleep(0.05)
    assert len(produced) < 20  # the producer stopped with the consumer
    assert values(Dataset.range(5).prefetch(AUTOTUNE)) == [0, 1, 2, 3, 4]

    def broken():
        yield 1
        raise OSError("disk gone")

    with pytest.raises(OSError, match="disk gone"):
        list(Dataset.from_generator(broken).prefetch(2))


def test_element_spec_cardinality_and_tf_spellings():
    ds = pairs(5).batch(2)
    assert ds.element_spec == (TensorSpec((None,), "int64"), TensorSpec((None,), "int64"))
    assert ds.cardinality().numpy() == 3 and f"{ds.cardinality()}" == "3"
    assert tf_data.AUTOTUNE == AUTOTUNE and tf_data.experimental.cardinality(ds) == 3
    assert ds.cardinality() != tf_data.INFINITE_CARDINALITY
    with pytest.raises(ValueError, match="num_parallel_calls"):
        ds.map(lambda x, y: x, num_parallel_calls=0)


# ------------------------------------------------------------------ with fit
def model_and_data(n=40):
    rng = np.random.RandomState(0)
    x = rng.rand(n, 3).astype("float32")
    y = (x.sum(axis=1, keepdims=True) > 1.5).astype("float32")
    layerwise.utils.set_random_seed(1)
    model = layerwise.Sequential([layerwise.Input((3,)), layerwise.layers.Dense(1, "sigmoid")])
    model.compile(optimizer="sgd", loss="binary_crossentropy", metrics=["accuracy"])
    return model, x, y


def test_fit_evaluate_predict_equal_the_same_arrays():
    model, x, y = model_and_data()
    initial = model.get_weights()
    from_arrays = model.fit(x, y, batch_size=8, epochs=2, shuffle=False, verbose=0).history
    model.set_weights(initial)
    ds = Dataset.from_tensor_slices((x, y)).batch(8).prefetch(AUTOTUNE)
    from_ds = model.fit(ds, epochs=2, verbose=0).history
    np.testing.assert_allclose(from_ds["loss"], from_arrays["loss"], rtol=1e-6)
    assert model.evaluate(ds, verbose=0) == pytest.approx(model.evaluate(x, y, verbose=0))
    np.testing.assert_allclose(model.predict(ds.map(lambda a, b: a), verbose=0),
                               model.predict(x, verbose=0), rtol=1e-6)


def test_fit_shows_a_finite_progress_bar_from_cardinality(capsys):
    model, x, y = model_and_data()
    model.fit(Dataset.from_tensor_slices((x, y)).batch(10), epochs=1, verbose=1)
    assert "4/4" in capsys.readouterr().out


def test_fit_refuses_unbatched_and_endless_datasets_clearly():
    model, x, y = model_and_data()
    with pytest.raises(ValueError, match=r"\.batch\(batch_size\)"):
        model.fit(Dataset.from_tensor_slices((x, y)), verbose=0)
    endless = Dataset.from_tensor_slices((x, y)).batch(8).repeat()
    with pytest.raises(ValueError, match="steps_per_epoch"):
        model.fit(endless, verbose=0)
    history = model.fit(endless, steps_per_epoch=3, epochs=2, verbose=0)
    assert len(history.history["loss"]) == 2


def test_string_models_train_from_arrays_and_datasets():
    vectorize = layerwise.layers.TextVectorization(max_tokens=20, output_sequence_length=4)
    texts = np.array([["good film"], ["bad film"], ["good"], ["bad"]] * 4)
    labels = np.array([1.0, 0.0, 1.0, 0.0] * 4)
    vectorize.adapt(texts.ravel())
    inputs = layerwise.Input(shape=(1,), dtype="string")
    x = layerwise.layers.CategoryEncoding(num_tokens=20, output_mode="multi_hot")(
        vectorize(inputs))
    model = layerwise.Model(inputs, layerwise.layers.Dense(1, activation="sigmoid")(x))
    model.compile("adam", "binary_crossentropy")
    model.fit(texts, labels, batch_size=4, epochs=1, shuffle=True, verbose=0)
    model.fit(Dataset.from_tensor_slices((texts, labels)).batch(4), epochs=1, verbose=0)
    assert model.predict(np.array([["good"]]), verbose=0).shape == (1, 1)
    with pytest.raises(ValueError, match="dtype object"):
        model.fit(np.array([["a", 1.0]], dtype=object), np.ones(1), verbose=0)
