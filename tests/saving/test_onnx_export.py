"""`model.export(path, format="onnx")` through torch.onnx, checked with onnxruntime."""

from __future__ import annotations

import numpy as np
import pytest

import layerwise as keras

ort = pytest.importorskip("onnxruntime")
onnx = pytest.importorskip("onnx")

RNG = np.random.default_rng(0)


def test_cnn_exports_with_a_dynamic_batch(tmp_path, capsys):
    model = keras.Sequential([keras.Input((8, 8, 1)), keras.layers.Conv2D(4, 3, activation="relu"),
                              keras.layers.BatchNormalization(), keras.layers.MaxPooling2D(),
                              keras.layers.Flatten(), keras.layers.Dropout(0.5),
                              keras.layers.Dense(3, activation="softmax")])
    model.compile(optimizer="adam", loss="categorical_crossentropy")
    model.fit(RNG.random((8, 8, 8, 1)).astype("float32"),
              np.eye(3, dtype="float32")[RNG.integers(0, 3, 8)], verbose=0)
    path = tmp_path / "cnn.onnx"
    mode = model.training
    model.export(path, format="onnx")
    assert model.training == mode  # export leaves the module's mode as it was
    assert "Saved artifact" in capsys.readouterr().out
    session = ort.InferenceSession(str(path))
    for batch in (1, 5):
        x = RNG.random((batch, 8, 8, 1)).astype("float32")
        (out,) = session.run(None, {session.get_inputs()[0].name: x})
        np.testing.assert_allclose(out, model.predict(x, verbose=0), rtol=1e-5, atol=1e-6)


def test_two_input_functional_model(tmp_path):
    a, b = keras.Input((4,), name="a"), keras.Input((2,), name="b")
    h = keras.layers.Concatenate()([keras.layers.Dense(3, activation="tanh")(a), b])
    model = keras.Model([a, b], keras.layers.Dense(1)(h))
    model.export(tmp_path / "f.onnx", verbose=False)
    session = ort.InferenceSession(str(tmp_path / "f.onnx"))
    assert [i.name for i in session.get_inputs()] == ["a", "b"]
    xa, xb = RNG.random((6, 4)).astype("float32"), RNG.random((6, 2)).astype("float32")
    (out,) = session.run(None, {"a": xa, "b": xb})
    np.testing.assert_allclose(out, model.predict([xa, xb], verbose=0), rtol=1e-5, atol=1e-6)


def test_other_formats_are_refused(tmp_path):
    model = keras.Sequential([keras.Input((2,)), keras.layers.Dense(1)])
    with pytest.raises(ValueError, match="onnx"):
        model.export(tmp_path / "m", format="tf_saved_model")


def test_a_frozen_relu_convolution_exports_as_a_convolution(tmp_path):
    # Frozen layers need no gradient, so eager calls take the fused oneDNN kernel
    # and, when wide, the Winograd path; the exported graph must hold a plain Conv.
    model = keras.Sequential([keras.Input((12, 12, 128)),
                              keras.layers.Conv2D(4, 3, activation="relu"),
                              keras.layers.Conv2D(256, 3, padding="same", activation="relu"),
                              keras.layers.GlobalAveragePooling2D()])
    model.trainable = False
    model.export(tmp_path / "frozen.onnx", verbose=False)
    graph = onnx.load(str(tmp_path / "frozen.onnx")).graph
    assert [node.op_type for node in graph.node].count("Conv") == 2
    session = ort.InferenceSession(str(tmp_path / "frozen.onnx"))
    x = RNG.random((8, 12, 12, 128)).astype("float32")  # predict takes Winograd
    (out,) = session.run(None, {session.get_inputs()[0].name: x})
    np.testing.assert_allclose(out, model.predict(x, verbose=0), rtol=1e-4, atol=1e-5)
