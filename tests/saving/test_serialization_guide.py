"""The keras.io guide "Save, serialize, and export models" (Keras 3), run on layerwise.

Each snippet is the guide's code, unchanged but for the imports: `keras` is the
library under test and `ops` its array module (`keras.ops` for Keras, `torch` for
layerwise, whose layers compute with torch). Each runs on real Keras 3 too, and
the results are compared where they are deterministic.
"""

from __future__ import annotations

import numpy as np
import torch

import layerwise


def _both(keras_module):
    return [(keras_module, keras_module.ops), (layerwise, torch)]


def _np(x):
    return x.detach().cpu().numpy() if isinstance(x, torch.Tensor) else np.asarray(x)


def _custom_objects_example(keras, ops, tmp_path):
    """Guide: "Custom objects" -- registered layer and function, save and reload."""

    @keras.saving.register_keras_serializable(package="my_package", name="custom_fn")
    def custom_fn(x):
        return x**2

    @keras.saving.register_keras_serializable(package="MyLayers")
    class CustomLayer(keras.layers.Layer):
        def __init__(self, factor):
            super().__init__()
            self.factor = factor

        def call(self, x):
            return x * self.factor

        def get_config(self):
            return {"factor": self.factor}

    def get_model():
        inputs = keras.Input(shape=(4,))
        mid = CustomLayer(0.5)(inputs)
        outputs = keras.layers.Dense(1, activation=custom_fn)(mid)
        model = keras.Model(inputs, outputs)
        model.compile(optimizer="rmsprop", loss="mean_squared_error")
        return model

    def train_model(model):
        input = np.random.random((4, 4))
        target = np.random.random((4, 1))
        model.fit(input, target, verbose=0)
        return model

    test_input = np.random.random((4, 4))

    model = get_model()
    model = train_model(model)
    model.save(tmp_path / "custom_model.keras")

    # Now, we can simply load without worrying about our custom objects.
    reconstructed_model = keras.models.load_model(tmp_path / "custom_model.keras")

    # Let's check:
    np.testing.assert_allclose(
        model.predict(test_input, verbose=0), reconstructed_model.predict(test_input, verbose=0)
    )

    # Passing custom objects to load_model(), and a custom object scope.
    reconstructed_model = keras.models.load_model(
        tmp_path / "custom_model.keras",
        custom_objects={"CustomLayer": CustomLayer, "custom_fn": custom_fn},
    )
    with keras.saving.custom_object_scope({"CustomLayer": CustomLayer, "custom_fn": custom_fn}):
        scoped_model = keras.models.load_model(tmp_path / "custom_model.keras")
    for other in (reconstructed_model, scoped_model):
        np.testing.assert_allclose(model.predict(test_input, verbose=0),
                                   other.predict(test_input, verbose=0))
    return [type(lyr).__name__ for lyr in reconstructed_model.layers]


def test_custom_objects(keras, tmp_path):
    names = []
    for K, ops in _both(keras):
        (tmp_path / K.__name__).mkdir()
        names.append(_custom_objects_example(K, ops, tmp_path / K.__name__))
    assert names[1] == names[0]


def _my_dense(keras, ops):
    @keras.saving.register_keras_serializable(package="MyLayers", name="KernelMult")
    class MyDense(keras.layers.Layer):
        def __init__(
            self,
            units,
            *,
            kernel_regularizer=None,
            kernel_initializer=None,
            nested_model=None,
            **kwargs
        ):
            super().__init__(**kwargs)
            self.hidden_units = units
            self.kernel_regularizer = kernel_regularizer
            self.kernel_initializer = kernel_initializer
            self.nested_model = nested_model

        def get_config(self):
            config = super().get_config()
            # Update the config with the custom layer's parameters
            config.update(
                {
                    "units": self.hidden_units,
                    "kernel_regularizer": self.kernel_regularizer,
                    "kernel_initializer": self.kernel_initializer,
                    "nested_model": self.nested_model,
                }
            )
            return config

        def build(self, input_shape):
            input_units = input_shape[-1]
            self.kernel = self.add_weight(
                name="kernel",
                shape=(input_units, self.hidden_units),
                regularizer=self.kernel_regularizer,
                initializer=self.kernel_initializer,
            )

        def call(self, inputs):
            return ops.matmul(inputs, self.kernel)

    return MyDense


def _strip_dtype(config):
    if isinstance(config, dict):
        return {k: _strip_dtype(v) for k, v in config.items()
                if k not in ("dtype", "name", "module")}
    return config


def test_config_methods_with_nested_layer(keras):
    configs = []
    for K, ops in _both(keras):
        MyDense = _my_dense(K, ops)
        layer = MyDense(units=16, kernel_regularizer="l1", kernel_initializer="ones")
        layer3 = MyDense(units=64, nested_model=layer)

        config = K.layers.serialize(layer3)
        new_layer = K.layers.deserialize(config)

        assert type(new_layer).__name__ == "MyDense" and new_layer.hidden_units == 64
        assert K.saving.get_registered_name(MyDense) == "MyLayers>KernelMult"
        assert K.saving.get_registered_object("MyLayers>KernelMult") is MyDense
        out = new_layer(np.ones((2, 3), np.float32))
        assert tuple(out.shape) == (2, 64)
        configs.append(_strip_dtype(config))
    assert configs[1] == configs[0]


def test_layer_sequential_functional_json_configs(keras):
    results = []
    for K, _ in _both(keras):
        layer = K.layers.Dense(3, activation="relu")
        layer_config = layer.get_config()
        new_layer = K.layers.Dense.from_config(layer_config)

        model = K.Sequential([K.Input((32,)), K.layers.Dense(1)])
        config = model.get_config()
        new_model = K.Sequential.from_config(config)

        inputs = K.Input((32,))
        outputs = K.layers.Dense(1)(inputs)
        functional = K.Model(inputs, outputs)
        config = functional.get_config()
        new_functional = K.Model.from_config(config)

        json_config = model.to_json()
        from_json = K.models.model_from_json(json_config)

        serialized = K.saving.serialize_keras_object(model)
        deserialized_model = K.saving.deserialize_keras_object(serialized)

        results.append((new_layer.units, new_layer.get_config()["activation"],
                        new_model.count_params(), new_functional.count_params(),
                        from_json.count_params(), deserialized_model.count_params(),
                        type(new_functional).__name__))
    assert results[1] == results[0]


def test_arbitrary_object_serialization(keras):
    values = []
    for K, _ in _both(keras):
        my_reg = K.regularizers.L1(0.005)
        config = K.saving.serialize_keras_object(my_reg)
        new_reg = K.saving.deserialize_keras_object(config)
        values.append((config["class_name"], config["config"], type(new_reg).__name__,
                       new_reg.l1))
    assert values[1] == values[0]


def _custom_layer_and_activation(keras, ops):
    class CustomLayer(keras.layers.Layer):
        def __init__(self, units=32, **kwargs):
            super().__init__(**kwargs)
            self.units = units

        def build(self, input_shape):
            self.w = self.add_weight(
                shape=(input_shape[-1], self.units),
                initializer="random_normal",
                trainable=True,
            )
            self.b = self.add_weight(
                shape=(self.units,), initializer="random_normal", trainable=True
            )

        def call(self, inputs):
            return ops.matmul(inputs, self.w) + self.b

        def get_config(self):
            config = super().get_config()
            config.update({"units": self.units})
            return config

    def custom_activation(x):
        return ops.tanh(x) ** 2

    return CustomLayer, custom_activation


def test_from_config_and_clone_with_custom_object_scope(keras):
    data = np.random.default_rng(0).random((2, 32), dtype=np.float32)
    outputs, originals = [], []
    for K, ops in _both(keras):
        CustomLayer, custom_activation = _custom_layer_and_activation(K, ops)
        # Make a model with the CustomLayer and custom_activation
        inputs = K.Input((32,))
        x = CustomLayer(32)(inputs)
        outputs_ = K.layers.Activation(custom_activation)(x)
        model = K.Model(inputs, outputs_)

        # Retrieve the config
        config = model.get_config()

        # At loading time, register the custom objects with a `custom_object_scope`:
        custom_objects = {"CustomLayer": CustomLayer, "custom_activation": custom_activation}
        with K.saving.custom_object_scope(custom_objects):
            new_model = K.Model.from_config(config)

        # In-memory cloning.
        with K.saving.custom_object_scope(custom_objects):
            cloned = K.models.clone_model(model)

        originals.append(model)
        outputs.append((new_model, cloned))
    weights = originals[0].get_weights()
    for model in (originals[1], *outputs[1]):
        model.set_weights(weights)
    expected = _np(originals[0](data))
    for model in (originals[1], *outputs[1], *outputs[0]):
        if model is not outputs[0][0] and model is not outputs[0][1]:
            np.testing.assert_allclose(_np(model(data)), expected, rtol=1e-5)
    assert [type(m.layers[1]).__name__ for m in outputs[1]] == ["CustomLayer", "CustomLayer"]


def _create_functional_model(keras):
    inputs = keras.Input(shape=(784,), name="digits")
    x = keras.layers.Dense(64, activation="relu", name="dense_1")(inputs)
    x = keras.layers.Dense(64, activation="relu", name="dense_2")(x)
    outputs = keras.layers.Dense(10, name="predictions")(x)
    return keras.Model(inputs=inputs, outputs=outputs, name="3_layer_mlp")


def test_weights_transfer_and_transfer_learning_example(keras, tmp_path):
    summaries = []
    for K, _ in _both(keras):
        functional_model = _create_functional_model(K)
        functional_model.save_weights(tmp_path / f"{K.__name__}_pretrained.weights.h5")

        # In a separate program:
        pretrained_model = _create_functional_model(K)
        pretrained_model.load_weights(tmp_path / f"{K.__name__}_pretrained.weights.h5")
        for a, b in zip(pretrained_model.get_weights(), functional_model.get_weights()):
            np.testing.assert_array_equal(a, b)

        # Create a new model by extracting layers from the original model:
        extracted_layers = pretrained_model.layers[:-1]
        extracted_layers.append(K.layers.Dense(5, name="dense_3"))
        model = K.Sequential(extracted_layers)
        lines = []
        model.summary(print_fn=lambda line, *args, _lines=lines, **kwargs: _lines.append(line))
        summaries.append((model.count_params(), len(model.layers),
                          tuple(model.outputs[0].shape)))
        # Transfer weights from one layer to another, in memory.
        layer_1 = K.layers.Dense(64, activation="relu", name="dense_1")
        layer_1.build((None, 784))
        layer_1.set_weights(functional_model.get_layer("dense_1").get_weights())
        np.testing.assert_array_equal(layer_1.get_weights()[0],
                                      functional_model.layers[1].get_weights()[0])
    assert summaries[1] == summaries[0]


def _layer_with_custom_build(keras, ops):
    @keras.saving.register_keras_serializable(package="MyLayers")
    class LayerWithCustomBuild(keras.layers.Layer):
        def __init__(self, units=32, **kwargs):
            super().__init__(**kwargs)
            self.units = units

        def call(self, inputs):
            return ops.matmul(inputs, self.w) + self.b

        def get_config(self):
            return dict(units=self.units, **super().get_config())

        def build(self, input_shape, layer_init):
            # Note the overriding of `build()` to add an extra argument.
            super().build(input_shape)
            self._input_shape = input_shape
            self.w = self.add_weight(
                shape=(input_shape[-1], self.units),
                initializer=layer_init,
                trainable=True,
            )
            self.b = self.add_weight(
                shape=(self.units,),
                initializer=layer_init,
                trainable=True,
            )
            self.layer_init = layer_init

        def get_build_config(self):
            build_config = {
                "layer_init": self.layer_init,
                "input_shape": self._input_shape,
            }  # Stores our initializer for `build()`
            return build_config

        def build_from_config(self, config):
            # Use custom parameters to build the layer.
            self.build(config["input_shape"], config["layer_init"])

    return LayerWithCustomBuild


def test_custom_build_config(keras):
    results = []
    for K, ops in _both(keras):
        LayerWithCustomBuild = _layer_with_custom_build(K, ops)
        custom_layer = LayerWithCustomBuild(units=16)
        custom_layer.build(input_shape=(8,), layer_init="random_normal")
        revived = K.saving.deserialize_keras_object(K.saving.serialize_keras_object(custom_layer))
        results.append((revived.built, [tuple(w.shape) for w in revived.weights],
                        revived.layer_init))
    assert results[1] == results[0]


def _model_with_custom_compile(keras):
    # The guide calls `keras.utils.deserialize_keras_object`, the same function as
    # `keras.saving.deserialize_keras_object` (layerwise keeps it in `saving` only).
    @keras.saving.register_keras_serializable(package="my_custom_package")
    class ModelWithCustomCompile(keras.Model):
        def __init__(self, **kwargs):
            super().__init__(**kwargs)
            self.dense1 = keras.layers.Dense(8, activation="relu")
            self.dense2 = keras.layers.Dense(4, activation="softmax")

        def call(self, x):
            x = self.dense1(x)
            return self.dense2(x)

        def compile(self, optimizer, loss_fn, metrics):
            super().compile(optimizer=optimizer, loss=loss_fn, metrics=metrics)
            self.model_optimizer = optimizer
            self.loss_fn = loss_fn
            self.loss_metrics = metrics

        def get_compile_config(self):
            # These parameters will be serialized at saving time.
            return {
                "model_optimizer": self.model_optimizer,
                "loss_fn": self.loss_fn,
                "metric": self.loss_metrics,
            }

        def compile_from_config(self, config):
            # Deserializes the compile parameters (important, since many are custom)
            optimizer = keras.saving.deserialize_keras_object(config["model_optimizer"])
            loss_fn = keras.saving.deserialize_keras_object(config["loss_fn"])
            metrics = keras.saving.deserialize_keras_object(config["metric"])

            # Calls compile with the deserialized parameters
            self.compile(optimizer=optimizer, loss_fn=loss_fn, metrics=metrics)

    return ModelWithCustomCompile


def test_custom_compile_config_hooks(keras, tmp_path):
    results = []
    x_train = np.random.random((100, 32))
    y_train = np.random.random((100, 4))
    for K, _ in _both(keras):
        ModelWithCustomCompile = _model_with_custom_compile(K)
        model = ModelWithCustomCompile()
        model.compile(
            optimizer="SGD", loss_fn="mean_squared_error", metrics=["mean_squared_error"]
        )
        model.fit(x_train, y_train, verbose=0)
        path = tmp_path / f"{K.__name__}_custom_compile.keras"
        model.save(path)
        reloaded = K.models.load_model(path)
        np.testing.assert_allclose(np.asarray(reloaded.predict(x_train[:3], verbose=0)),
                                   np.asarray(model.predict(x_train[:3], verbose=0)), rtol=1e-5)
        results.append((type(reloaded).__name__, reloaded.model_optimizer, reloaded.loss_fn,
                        reloaded.loss_metrics))
    assert results[1] == results[0]
