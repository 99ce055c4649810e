"""The optimizer API: names, configs, learning rate and iterations, saved state, errors."""

from __future__ import annotations

import warnings

import numpy as np
import pytest
import torch

import layerwise
from layerwise import optimizers

ALL = ["SGD", "RMSprop", "Adam", "AdamW", "Adagrad", "Adadelta", "Adamax", "Nadam", "Ftrl",
       "Lion", "Adafactor"]

# Non-default arguments for each optimizer (config round trips, saved state).
NON_DEFAULT = {
    "SGD": dict(learning_rate=0.05, momentum=0.9, nesterov=True),
    "RMSprop": dict(learning_rate=0.01, rho=0.8, momentum=0.5, epsilon=1e-6, centered=True),
    "Adam": dict(learning_rate=0.01, beta_1=0.8, beta_2=0.99, epsilon=1e-6, amsgrad=True),
    "AdamW": dict(learning_rate=0.01, weight_decay=0.1, amsgrad=True),
    "Adagrad": dict(learning_rate=0.1, initial_accumulator_value=0.2, epsilon=1e-6),
    "Adadelta": dict(learning_rate=1.0, rho=0.9, epsilon=1e-6),
    "Adamax": dict(learning_rate=0.01, beta_1=0.8, beta_2=0.9, epsilon=1e-6),
    "Nadam": dict(learning_rate=0.01, beta_1=0.8, beta_2=0.99, epsilon=1e-6),
    "Ftrl": dict(learning_rate=0.1, learning_rate_power=-0.6, initial_accumulator_value=0.2,
                 l1_regularization_strength=0.01, l2_regularization_strength=0.01,
                 l2_shrinkage_regularization_strength=0.01, beta=0.1),
    "Lion": dict(learning_rate=0.003, beta_1=0.8, beta_2=0.95),
    "Adafactor": dict(learning_rate=0.05, beta_2_decay=-0.7, epsilon_1=1e-29, epsilon_2=1e-2,
                      clip_threshold=0.8, relative_step=False),
}
COMMON = dict(clipnorm=1.0, use_ema=True, ema_momentum=0.9, ema_overwrite_frequency=3,
              gradient_accumulation_steps=2, loss_scale_factor=None)


def make_model(optimizer, seed=0):
    layerwise.utils.set_random_seed(seed)
    model = layerwise.Sequential([layerwise.Input((6,)), layerwise.layers.Dense(5, "relu"),
                                  layerwise.layers.Dense(3)])
    model.compile(optimizer=optimizer, loss="mse")
    return model


def batches(n, seed=1):
    rng = np.random.default_rng(seed)
    return [(rng.normal(size=(8, 6)).astype("float32"), rng.normal(size=(8, 3)).astype("float32"))
            for _ in range(n)]


# ------------------------------------------------------------------- names
@pytest.mark.parametrize("name,cls", [
    ("sgd", "SGD"), ("SGD", "SGD"), ("rmsprop", "RMSprop"), ("RMSprop", "RMSprop"),
    ("RMSPROP", "RMSprop"), ("adam", "Adam"), ("Adam", "Adam"), ("ADAM", "Adam"),
    ("adamw", "AdamW"), ("AdamW", "AdamW"), ("adagrad", "Adagrad"), ("adadelta", "Adadelta"),
    ("adamax", "Adamax"), ("nadam", "Nadam"), ("Nadam", "Nadam"), ("ftrl", "Ftrl"),
    ("lion", "Lion"), ("adafactor", "Adafactor"), ("Adafactor", "Adafactor"),
])
def test_get_by_name_is_case_insensitive(name, cls):
    opt = optimizers.get(name)
    assert type(opt).__name__ == cls
    assert isinstance(opt, optimizers.Optimizer)


def test_get_passes_instances_through_and_none():
    opt = optimizers.Adam()
    assert optimizers.get(opt) is opt
    assert optimizers.get(None) is None
    assert isinstance(optimizers.get({"class_name": "adamw", "config": {}}), optimizers.AdamW)


def test_unknown_name_suggests_close_matches():
    with pytest.raises(ValueError, match=r"Did you mean.*'adam'"):
        optimizers.get("adamm")
    with pytest.raises(ValueError, match="Did you mean.*'nadam'"):
        optimizers.get("nadm")
    with pytest.raises(ValueError, match="Unknown optimizer"):
        optimizers.deserialize({"class_name": "Adamz", "config": {}})


@pytest.mark.keras
def test_default_names_match_keras(keras):
    for name in ALL:
        keras.backend.clear_session(free_memory=False)
        layerwise.backend.clear_session(free_memory=False)
        assert getattr(optimizers, name)().name == getattr(keras.optimizers, name)().name


# ------------------------------------------------------------------ config
@pytest.mark.parametrize("name", ALL)
def test_get_config_from_config_round_trip(name):
    opt = getattr(optimizers, name)(**NON_DEFAULT[name], **COMMON)
    config = opt.get_config()
    again = type(opt).from_config(config)
    assert again.get_config() == config
    restored = optimizers.deserialize(optimizers.serialize(opt))
    assert type(restored) is type(opt)
    assert restored.get_config() == config


@pytest.mark.keras
@pytest.mark.parametrize("name", ALL)
def test_config_matches_keras(keras, name):
    kwargs = {**NON_DEFAULT[name], **COMMON}
    k_config = getattr(keras.optimizers, name)(**kwargs).get_config()
    l_config = getattr(optimizers, name)(**kwargs).get_config()
    k_config.pop("name"), l_config.pop("name")
    assert list(l_config) == list(k_config)
    assert l_config == k_config
    # A Keras config (and a Keras `serialize()` dict) builds the same optimizer here.
    restored = getattr(optimizers, name).from_config(dict(k_config)).get_config()
    restored.pop("name")
    assert restored == l_config
    k_serialized = keras.optimizers.serialize(getattr(keras.optimizers, name)(**kwargs))
    assert type(optimizers.deserialize(k_serialized)).__name__ == name


@pytest.mark.keras
def test_schedule_config_matches_keras(keras):
    def make(m):
        return m.optimizers.Adam(learning_rate=m.optimizers.schedules.CosineDecay(
            0.1, 100, alpha=0.1, warmup_target=0.2, warmup_steps=10))
    k_config, l_config = make(keras).get_config(), make(layerwise).get_config()
    assert l_config["learning_rate"] == k_config["learning_rate"]
    restored = optimizers.Adam.from_config(l_config)
    assert isinstance(restored._learning_rate, optimizers.schedules.CosineDecay)
    assert optimizers.Adam.from_config(k_config).get_config()["learning_rate"] == \
        k_config["learning_rate"]


# ----------------------------------------------------------- learning rate
def test_lr_alias_warns_and_sets_learning_rate():
    with pytest.warns(DeprecationWarning, match="`lr` argument is deprecated"):
        opt = optimizers.SGD(lr=0.5)
    assert opt.learning_rate == 0.5
    opt.lr = 0.25
    assert opt.learning_rate == opt.lr == 0.25


def test_learning_rate_is_a_float32_valued_python_float():
    opt = optimizers.Adam(learning_rate=0.001)
    assert isinstance(opt.learning_rate, float)
    assert opt.learning_rate == float(np.float32(0.001))
    assert opt.get_config()["learning_rate"] == float(np.float32(0.001))


def test_learning_rate_settable_mid_training_and_used_next_step():
    model = make_model(optimizers.SGD(learning_rate=0.1))
    data = batches(3)
    model.train_on_batch(*data[0])
    before = model.get_weights()
    model.optimizer.learning_rate = 0.0
    model.train_on_batch(*data[1])
    for a, b in zip(before, model.get_weights(), strict=True):
        np.testing.assert_array_equal(a, b)
    model.optimizer.learning_rate = np.float64(0.2)  # NumPy / tensor values are accepted
    assert model.optimizer.learning_rate == float(np.float32(0.2))
    model.optimizer.learning_rate = torch.tensor(0.2)
    model.train_on_batch(*data[2])
    assert max(np.abs(a - b).max() for a, b in zip(before, model.get_weights(), strict=True)) > 0


def test_learning_rate_change_matches_a_fresh_optimizer_step():
    x, y = batches(1)[0]
    a = make_model(optimizers.SGD(learning_rate=0.1))
    b = make_model(optimizers.SGD(learning_rate=0.1))
    a.optimizer.learning_rate = 0.03
    c = make_model(optimizers.SGD(learning_rate=0.03))
    a.train_on_batch(x, y), c.train_on_batch(x, y), b.train_on_batch(x, y)
    for wa, wc in zip(a.get_weights(), c.get_weights(), strict=True):
        np.testing.assert_array_equal(wa, wc)


def test_schedule_learning_rate_not_settable_to_a_number():
    opt = optimizers.SGD(learning_rate=optimizers.schedules.ExponentialDecay(0.1, 1, 0.5))
    assert opt.learning_rate == pytest.approx(0.1)
    opt.iterations = 2
    assert opt.learning_rate == pytest.approx(0.025)
    with pytest.raises(TypeError, match="not settable"):
        opt.learning_rate = 0.01
    opt.learning_rate = optimizers.schedules.ExponentialDecay(0.2, 1, 0.5)  # a new schedule is fine
    assert opt.learning_rate == pytest.approx(0.05)


def test_callable_learning_rate():
    values = iter([0.5, 0.25])
    opt = optimizers.SGD(learning_rate=lambda: next(values))
    w = torch.nn.Parameter(torch.zeros(2))
    opt.apply([torch.ones(2)], [w])
    opt.apply([torch.ones(2)], [w])
    np.testing.assert_allclose(w.detach().numpy(), -0.75)
    assert len(opt.variables) == 1  # no learning-rate variable, as in Keras


def test_keras2_decay_is_inverse_time_decay():
    with pytest.warns(DeprecationWarning, match="decay"):
        opt = optimizers.SGD(learning_rate=0.1, decay=0.5)
    opt.iterations = 4
    assert opt.learning_rate == pytest.approx(0.1 / 3)


def test_bad_learning_rate():
    with pytest.raises(ValueError, match="learning_rate"):
        optimizers.SGD(learning_rate="fast")
    with pytest.raises(ValueError, match="non-negative"):
        optimizers.SGD(learning_rate=-1.0)


# -------------------------------------------------------------- iterations
def test_iterations_count_steps():
    model = make_model(optimizers.Adam())
    assert int(model.optimizer.iterations) == 0
    for x, y in batches(4):
        model.train_on_batch(x, y)
    assert int(model.optimizer.iterations) == 4
    x, y = (np.concatenate(part) for part in zip(*batches(3), strict=True))
    model.fit(x, y, batch_size=8, epochs=2, verbose=0)
    assert int(model.optimizer.iterations) == 4 + 6


def test_iterations_with_gradient_accumulation_count_updates():
    model = make_model(optimizers.SGD(0.1, gradient_accumulation_steps=3))
    data = batches(7)
    weights = [model.get_weights()]
    for x, y in data:
        model.train_on_batch(x, y)
        weights.append(model.get_weights())
    assert int(model.optimizer.iterations) == 7 // 3
    assert int(model.optimizer.variables[0]) == 7  # the raw step count is what is saved
    changed = [any((a != b).any() for a, b in zip(w0, w1, strict=True))
               for w0, w1 in zip(weights[:-1], weights[1:], strict=True)]
    assert changed == [False, False, True, False, False, True, False]


def test_apply_gradients_returns_iterations():
    w = torch.nn.Parameter(torch.ones(2))
    opt = optimizers.SGD(0.5)
    assert int(opt.apply_gradients([(torch.ones(2), w)])) == 1
    np.testing.assert_allclose(w.detach().numpy(), 0.5)


# --------------------------------------------------------------- the state
def test_variables_in_keras_order():
    opt = optimizers.Adam(amsgrad=True, use_ema=True, gradient_accumulation_steps=2)
    assert [tuple(v.shape) for v in opt.variables] == [(), ()]
    params = [torch.nn.Parameter(torch.zeros(3, 2)), torch.nn.Parameter(torch.zeros(2))]
    opt.build(params)
    shapes = [tuple(v.shape) for v in opt.variables]
    # iteration, learning_rate, EMA averages, accumulators, (m, v) per weight, v_hat.
    assert shapes == [(), (), (3, 2), (2,), (3, 2), (2,), (3, 2), (3, 2), (2,), (2,), (3, 2), (2,)]
    assert opt.variables[0].dtype == torch.int32
    assert opt.variables[1].dtype == torch.float32


@pytest.mark.parametrize("name", ALL)
def test_saved_state_gives_identical_continuation(name):
    kwargs = {**NON_DEFAULT[name], "use_ema": True, "ema_momentum": 0.9,
              "gradient_accumulation_steps": 2}
    data = batches(7)
    a = make_model(getattr(optimizers, name)(**kwargs))
    for x, y in data[:3]:
        a.train_on_batch(x, y)
    store = {}
    a.optimizer.save_own_variables(store)
    assert len(store) == len(a.optimizer.variables)
    assert all(isinstance(v, np.ndarray) for v in store.values())

    b = make_model(getattr(optimizers, name)(**kwargs), seed=5)
    b.set_weights(a.get_weights())
    b.optimizer.build(b.trainable_weights)
    b.optimizer.load_own_variables(store)
    assert int(b.optimizer.iterations) == int(a.optimizer.iterations)
    for x, y in data[3:]:
        a.train_on_batch(x, y)
        b.train_on_batch(x, y)
    for wa, wb in zip(a.get_weights(), b.get_weights(), strict=True):
        np.testing.assert_array_equal(wa, wb)
    for va, vb in zip(a.optimizer.variables, b.optimizer.variables, strict=True):
        np.testing.assert_array_equal(va.numpy(), vb.numpy())


@pytest.mark.keras
@pytest.mark.parametrize("name", ["Adam", "Nadam", "RMSprop", "Adafactor"])
def test_state_saved_by_keras_loads(keras, name):
    """Keras' `save_own_variables` store (its variable order) loads into layerwise."""
    kwargs = NON_DEFAULT[name]
    keras.utils.set_random_seed(0)
    k_model = keras.Sequential([keras.Input((6,)), keras.layers.Dense(5, activation="relu"),
                                keras.layers.Dense(3)])
    k_model.compile(optimizer=getattr(keras.optimizers, name)(**kwargs), loss="mse")
    data = batches(5)
    for x, y in data[:3]:
        k_model.train_on_batch(x, y)
    store = {}
    k_model.optimizer.save_own_variables(store)
    l_model = make_model(getattr(optimizers, name)(**kwargs))
    l_model.set_weights(k_model.get_weights())
    l_model.optimizer.build(l_model.trainable_weights)
    l_model.optimizer.load_own_variables(store)
    for x, y in data[3:]:
        k_model.train_on_batch(x, y)
        l_model.train_on_batch(x, y)
    for a, b in zip(l_model.get_weights(), k_model.get_weights(), strict=True):
        np.testing.assert_allclose(a, b, rtol=1e-5, atol=1e-6)


def test_load_with_wrong_count_warns_and_skips():
    opt = optimizers.Adam()
    opt.build([torch.nn.Parameter(torch.zeros(2))])
    with pytest.warns(UserWarning, match="Skipping variable loading"):
        opt.load_own_variables({"0": np.array(3)})
    assert int(opt.iterations) == 0


def test_set_weights_checks_shapes_and_needs_build():
    opt = optimizers.SGD(momentum=0.9)
    with pytest.raises(ValueError, match="not yet been built"):
        opt.set_weights([])
    opt.build([torch.nn.Parameter(torch.zeros(2))])
    with pytest.raises(ValueError, match="not compatible"):
        opt.set_weights([np.array(0), np.array(0.1, "float32"), np.zeros(3, "float32")])
    opt.set_weights([np.array(4), np.array(0.5, "float32"), np.ones(2, "float32")])
    assert int(opt.iterations) == 4 and opt.learning_rate == 0.5
    np.testing.assert_array_equal(opt.momentums[0].numpy(), 1.0)


# ------------------------------------------------------------ EMA, others
def test_finalize_variable_values_writes_the_average():
    w = torch.nn.Parameter(torch.zeros(1))
    opt = optimizers.SGD(1.0, use_ema=True, ema_momentum=0.5)
    for _ in range(3):
        opt.apply([torch.full((1,), -1.0)], [w])  # w: 1, 2, 3
    # average: 1 (first step copies), then 0.5*1 + 0.5*2 = 1.5, then 0.5*1.5 + 0.5*3 = 2.25
    opt.finalize_variable_values([w])
    np.testing.assert_allclose(w.detach().numpy(), 2.25)


def test_missing_gradients_warn_once_and_all_missing_is_an_error():
    a, b = torch.nn.Parameter(torch.ones(2)), torch.nn.Parameter(torch.ones(2))
    opt = optimizers.SGD(0.5)
    with pytest.warns(UserWarning, match="Gradients do not exist"):
        opt.apply([torch.ones(2), None], [a, b])
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        opt.apply([torch.ones(2), None], [a, b])
    np.testing.assert_allclose(a.detach().numpy(), 0.0)
    np.testing.assert_allclose(b.detach().numpy(), 1.0)
    with pytest.raises(ValueError, match="No gradients provided"):
        opt.apply([None, None], [a, b])


def test_unknown_variables_rejected():
    opt = optimizers.SGD()
    opt.build([torch.nn.Parameter(torch.ones(2))])
    with pytest.raises(ValueError, match="unknown"):
        opt.apply([torch.ones(2)], [torch.nn.Parameter(torch.ones(2))])


def test_exclude_from_weight_decay():
    a, b = torch.nn.Parameter(torch.ones(2)), torch.nn.Parameter(torch.ones(2))
    opt = optimizers.SGD(0.1, weight_decay=0.5)
    opt.exclude_from_weight_decay(var_list=[b])
    opt.apply([torch.zeros(2), torch.zeros(2)], [a, b])
    np.testing.assert_allclose(a.detach().numpy(), 0.95)
    np.testing.assert_allclose(b.detach().numpy(), 1.0)
    with pytest.raises(ValueError, match="before the optimizer is built"):
        opt.exclude_from_weight_decay(var_names=["bias"])


def test_scale_loss():
    assert optimizers.SGD(loss_scale_factor=4.0).scale_loss(2.0) == 8.0
    assert optimizers.SGD().scale_loss(2.0) == 2.0


@pytest.mark.parametrize("make,match", [
    (lambda: optimizers.SGD(clipnorm=1.0, clipvalue=1.0), "Only one of"),
    (lambda: optimizers.SGD(momentum=1.5), "momentum"),
    (lambda: optimizers.SGD(gradient_accumulation_steps=1), "gradient_accumulation_steps"),
    (lambda: optimizers.SGD(use_ema=True, ema_momentum=1.5), "ema_momentum"),
    (lambda: optimizers.SGD(use_ema=True, ema_overwrite_frequency=0.5), "ema_overwrite"),
    (lambda: optimizers.SGD(foo=1), "not recognized"),
    (lambda: optimizers.AdamW(weight_decay=None), "weight_decay"),
    (lambda: optimizers.Lion(beta_1=0.0), "beta_1"),
    (lambda: optimizers.Ftrl(learning_rate_power=0.5), "learning_rate_power"),
    (lambda: optimizers.Ftrl(l1_regularization_strength=-1.0), "l1_regularization"),
], ids=["clip", "momentum", "accum", "ema_momentum", "ema_freq", "kwarg", "adamw", "lion",
        "ftrl_power", "ftrl_l1"])
def test_argument_errors(make, match):
    with pytest.raises(ValueError, match=match):
        make()


def test_adamw_is_adam_with_decoupled_weight_decay():
    assert issubclass(optimizers.AdamW, optimizers.Adam)
    x = [torch.nn.Parameter(torch.ones(3)), torch.nn.Parameter(torch.ones(3))]
    adamw = optimizers.AdamW(0.01, weight_decay=0.1)
    adam = optimizers.Adam(0.01, weight_decay=0.1)
    g = torch.tensor([0.1, -0.2, 0.3])
    adamw.apply([g], [x[0]])
    adam.apply([g], [x[1]])
    np.testing.assert_array_equal(x[0].detach().numpy(), x[1].detach().numpy())
    assert optimizers.AdamW().weight_decay == 0.004
