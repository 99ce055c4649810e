"""The transfer-learning tutorial's three methods, end to end at tiny sizes, and the
fine-tuning semantics they rely on (freezing, per-layer flags, frozen BatchNormalization)."""

from __future__ import annotations

import importlib.util
from pathlib import Path

import numpy as np
import pytest
import torch

import layerwise as keras

pytest.importorskip("PIL")
EXAMPLE = Path(__file__).resolve().parents[2] / "examples" / "transfer_learning.py"


def _example():
    spec = importlib.util.spec_from_file_location("transfer_learning_example", EXAMPLE)
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def _snapshot(model) -> dict[str, list[np.ndarray]]:
    return {layer.name: [w.copy() for w in layer.get_weights()] for layer in model.layers}


def _changed(before, after_model, name) -> bool:
    return any(not np.array_equal(a, b)
               for a, b in zip(before[name], after_model.get_layer(name).get_weights(),
                               strict=True))


@pytest.mark.slow
def test_tutorial_three_methods(tmp_path):
    ex = _example()
    keras.utils.set_random_seed(0)
    data = ex.make_synthetic_folder(str(tmp_path / "data"), per_class=4, size=32)
    conv_base = keras.applications.VGG16(weights=None, include_top=False,
                                         input_shape=(32, 32, 3))
    start = _snapshot(conv_base)

    history1 = ex.method_feature_extraction(conv_base, data, 32, batch_size=4, epochs=1,
                                            samples=None)
    assert set(history1.history) >= {"loss", "acc", "val_loss", "val_acc"}
    assert not any(_changed(start, conv_base, n) for n in start)

    model, history2 = ex.method_augmented_frozen(conv_base, data, 32, batch_size=4, epochs=1,
                                                 steps=2)
    assert len(history2.history["loss"]) == 1
    assert not any(_changed(start, conv_base, n) for n in start), "a frozen layer changed"
    assert len(model.trainable_weights) == 4  # the two Dense layers only

    frozen_head = _snapshot(model)
    history3 = ex.method_fine_tune(model, conv_base, data, 32, batch_size=4, epochs=1, steps=2)
    assert len(history3.history["val_acc"]) == 1
    for name in ("block5_conv1", "block5_conv2", "block5_conv3"):
        assert _changed(start, conv_base, name), f"{name} was unfrozen but did not train"
    for name in ("block1_conv1", "block3_conv2", "block4_conv3"):
        assert not _changed(start, conv_base, name), f"{name} is frozen but changed"
    assert _changed(frozen_head, model, model.layers[-1].name)
    report = ex.evaluation_report(model, data, 32, 4, history3,
                                  to_file=str(tmp_path / "report.html"))
    assert 0.0 <= report.to_dict()["accuracy"] <= 1.0 and (tmp_path / "report.html").exists()


def test_trainable_false_freezes_everything_and_flags_per_layer():
    base = keras.applications.MobileNetV2(weights=None, include_top=False,
                                          input_shape=(32, 32, 3), alpha=0.35)
    n = len(base.trainable_weights)
    base.trainable = False
    assert base.trainable_weights == [] and len(base.non_trainable_weights) == len(base.weights)
    base.trainable = True
    assert len(base.trainable_weights) == n
    base.get_layer("Conv1").trainable = False
    assert len(base.trainable_weights) == n - 1


def test_frozen_batch_normalization_runs_in_inference_mode():
    base = keras.applications.MobileNetV2(weights=None, include_top=False,
                                          input_shape=(32, 32, 3), alpha=0.35)
    bn = base.get_layer("bn_Conv1")
    rng = np.random.default_rng(0)
    bn.set_weights([w + rng.uniform(0.1, 0.5, w.shape).astype("float32")
                    for w in bn.get_weights()])
    x = torch.as_tensor(rng.uniform(-1, 1, (3, 32, 32, 3)).astype("float32"))
    base.trainable = False
    moving = [w.copy() for w in bn.get_weights()]
    with torch.no_grad():
        train_out = base(x, training=True)
        infer_out = base(x, training=False)
    torch.testing.assert_close(train_out, infer_out)
    for a, b in zip(moving, bn.get_weights(), strict=True):
        np.testing.assert_array_equal(a, b)


def test_feature_extraction_model_from_inner_layer():
    base = keras.applications.VGG16(weights=None, include_top=False, input_shape=(64, 64, 3))
    extractor = keras.Model(base.input, base.get_layer("block4_pool").output)
    assert extractor.output_shape == (None, 4, 4, 512)
    assert [layer.name for layer in extractor.layers][-1] == "block4_pool"
    x = np.random.default_rng(0).uniform(0, 255, (2, 64, 64, 3)).astype("float32")
    full = keras.Model(base.input, [base.get_layer("block4_pool").output, base.output])
    inner, _ = full.predict(x, verbose=0)
    np.testing.assert_allclose(extractor.predict(x, verbose=0), inner, rtol=1e-5, atol=1e-5)


def test_sequential_on_built_base_builds_at_once():
    """Keras builds `Sequential([base, ...])` at once when the base has a known input."""
    base = keras.applications.VGG16(weights=None, include_top=False, input_shape=(32, 32, 3))
    model = keras.Sequential([base, keras.layers.Flatten(), keras.layers.Dense(3)])
    assert model.built
    assert model.output_shape == (None, 3)
    assert model.count_params() == base.count_params() + 512 * 3 + 3


def test_sequential_on_frozen_base_trains_only_the_head():
    """`Sequential([base, Flatten(), Dense()])` with a frozen base: only the head trains."""
    base = keras.applications.VGG16(weights=None, include_top=False, input_shape=(32, 32, 3))
    base.trainable = False
    model = keras.Sequential([base, keras.layers.Flatten(),
                              keras.layers.Dense(1, activation="sigmoid")])
    model.compile(optimizer=keras.optimizers.RMSprop(lr=1e-3), loss="binary_crossentropy")
    before = _snapshot(base)
    rng = np.random.default_rng(0)
    x = rng.uniform(0, 1, (8, 32, 32, 3)).astype("float32")
    y = rng.integers(0, 2, (8, 1)).astype("float32")
    model.fit(x, y, epochs=1, batch_size=4, verbose=0)
    dense_before = model.layers[-1].get_weights()[0].copy()
    model.fit(x, y, epochs=1, batch_size=4, verbose=0)
    assert not any(_changed(before, base, name) for name in before)
    assert not np.array_equal(dense_before, model.layers[-1].get_weights()[0])


def test_extract_features_from_arrays_generators_and_iterators():
    base = keras.applications.MobileNetV2(weights=None, include_top=False,
                                          input_shape=(32, 32, 3), alpha=0.35, pooling="avg")
    rng = np.random.default_rng(0)
    x = rng.uniform(0, 1, (10, 32, 32, 3)).astype("float32")
    y = np.arange(10)
    expected = base.predict(x, verbose=0)
    extract = keras.applications.extract_features
    np.testing.assert_allclose(extract(base, x, batch_size=4), expected, rtol=1e-5, atol=1e-6)
    assert extract(base, x, batch_size=4, sample_count=7).shape == (7, expected.shape[1])

    def endless():
        while True:
            for i in range(0, 10, 5):
                yield x[i:i + 5], y[i:i + 5]

    feats, labels = extract(base, endless(), steps=2)
    np.testing.assert_allclose(feats, expected, rtol=1e-5, atol=1e-6)
    np.testing.assert_array_equal(labels, y)
    with pytest.raises(ValueError, match="steps"):
        extract(base, endless())

    flow = keras.preprocessing.image.ImageDataGenerator().flow(x, y, batch_size=3,
                                                               shuffle=False)
    feats, labels = extract(base, flow)
    np.testing.assert_allclose(feats, expected, rtol=1e-5, atol=1e-6)
    np.testing.assert_array_equal(labels, y)
    feats, labels = extract(base, flow, sample_count=4)
    assert feats.shape[0] == 4 and labels.tolist() == [0, 1, 2, 3]
    with pytest.raises(ValueError, match="batch_size"):
        extract(base, x, batch_size=0)


@pytest.mark.slow
def test_example_script_main_at_tiny_sizes(tmp_path, monkeypatch, capsys):
    """`examples/transfer_learning.py`'s command line, end to end on its synthetic folder,
    starting from a weights file: the three methods run, block5 trains, block1-4 do not."""
    ex = _example()
    monkeypatch.chdir(tmp_path)
    monkeypatch.setattr("tempfile.tempdir", str(tmp_path))
    keras.utils.set_random_seed(0)
    start = keras.applications.VGG16(weights=None, include_top=False, input_shape=(32, 32, 3))
    start.save_weights(str(tmp_path / "start.weights.h5"))
    conv_base, model, histories = ex.main([
        "--weights", str(tmp_path / "start.weights.h5"), "--size", "32", "--batch-size", "4",
        "--epochs", "1", "--steps", "2"])
    out = capsys.readouterr().out
    assert "fine-tuning: final val_acc" in out and "block5_conv1" in out  # summary printed
    assert [len(h.history["val_acc"]) for h in histories] == [1, 1, 1]
    before = _snapshot(start)
    assert _changed(before, conv_base, "block5_conv3")
    assert not any(_changed(before, conv_base, n) for n in ("block1_conv1", "block4_conv3"))
    assert (tmp_path / "transfer_learning_report.html").is_file()
    assert model.layers[0] is conv_base
