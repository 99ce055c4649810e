"""Differential tests: every optimizer configuration against real Keras 3 (torch backend).

Each case builds `Input(6) -> Dense(5, relu) -> Dense(3)` in Keras and in
layerwise with the same initial weights, compiles both with the optimizer and
`loss="mse"`, runs 5 `train_on_batch` steps on the same batches, and compares
the weights and the optimizer state (`optimizer.variables`, Keras' order).
A second table drives `optimizer.apply` directly (loss scaling, missing
gradients, constraints, weight-decay exclusions).
"""

from __future__ import annotations

import numpy as np
import pytest

import layerwise
from layerwise.backend.variables import Variable

pytestmark = pytest.mark.keras

RTOL, ATOL = 1e-5, 1e-6
STEPS = 5

# A learning rate at which each optimizer visibly moves the weights in 5 steps.
WORKING_LR = {"SGD": 0.1, "RMSprop": 0.01, "Adam": 0.01, "AdamW": 0.01, "Adagrad": 0.1,
              "Adadelta": 1.0, "Adamax": 0.01, "Nadam": 0.01, "Ftrl": 0.1, "Lion": 0.003,
              "Adafactor": 0.05}
OPTIMIZERS = list(WORKING_LR)

# Non-default arguments of each update rule.
SPECIFIC = [
    ("SGD", {"momentum": 0.9}),
    ("SGD", {"momentum": 0.5, "nesterov": True}),
    ("RMSprop", {"rho": 0.8, "epsilon": 1e-5}),
    ("RMSprop", {"momentum": 0.9}),
    ("RMSprop", {"centered": True}),
    ("RMSprop", {"momentum": 0.5, "centered": True}),
    ("Adam", {"beta_1": 0.8, "beta_2": 0.99, "epsilon": 1e-4}),
    ("Adam", {"amsgrad": True}),
    ("AdamW", {"weight_decay": 0.1, "amsgrad": True}),
    ("AdamW", {"weight_decay": 0.05, "beta_1": 0.5}),
    ("Adagrad", {"initial_accumulator_value": 0.5, "epsilon": 1e-4}),
    ("Adadelta", {"rho": 0.5, "epsilon": 1e-4}),
    ("Adamax", {"beta_1": 0.7, "beta_2": 0.9, "epsilon": 1e-4}),
    ("Nadam", {"beta_1": 0.8, "beta_2": 0.99, "epsilon": 1e-4}),
    ("Ftrl", {"learning_rate_power": -0.7, "initial_accumulator_value": 0.5}),
    ("Ftrl", {"l1_regularization_strength": 0.01, "l2_regularization_strength": 0.02,
              "l2_shrinkage_regularization_strength": 0.03, "beta": 0.1}),
    ("Lion", {"beta_1": 0.5, "beta_2": 0.9}),
    ("Adafactor", {"beta_2_decay": -0.5, "epsilon_2": 1e-2, "clip_threshold": 0.5,
                   "relative_step": False}),
]


def _schedule(index):
    """A different schedule for each optimizer (all six kinds are used)."""
    def make(m, lr):
        s = m.optimizers.schedules
        return [
            lambda: s.ExponentialDecay(lr, decay_steps=2, decay_rate=0.5),
            lambda: s.InverseTimeDecay(lr, decay_steps=1, decay_rate=0.5, staircase=True),
            lambda: s.PiecewiseConstantDecay([1, 3], [lr, lr / 2, lr / 10]),
            lambda: s.PolynomialDecay(lr, decay_steps=4, end_learning_rate=lr / 10, power=2.0),
            lambda: s.CosineDecay(lr / 10, decay_steps=3, alpha=0.1, warmup_target=lr,
                                  warmup_steps=2),
            lambda: s.CosineDecayRestarts(lr, first_decay_steps=2, t_mul=1.5, m_mul=0.8),
        ][index % 6]()
    return make


def _cases():
    cases = []
    for name in OPTIMIZERS:
        cases.append((f"{name}-defaults", name, lambda m: {}))
    for name, kwargs in SPECIFIC:
        cases.append((f"{name}-{'-'.join(kwargs)}", name, lambda m, kw=kwargs: dict(kw)))
    common = {
        "clipnorm": {"clipnorm": 0.05},
        "clipvalue": {"clipvalue": 0.02},
        "global_clipnorm": {"global_clipnorm": 0.05},
        "weight_decay": {"weight_decay": 0.05},
        "ema": {"use_ema": True, "ema_momentum": 0.9},
        "ema_overwrite": {"use_ema": True, "ema_momentum": 0.5, "ema_overwrite_frequency": 2},
        "grad_accum": {"gradient_accumulation_steps": 2},
        "grad_accum_ema": {"gradient_accumulation_steps": 2, "use_ema": True,
                           "ema_momentum": 0.8},
    }
    for k, name in enumerate(OPTIMIZERS):
        lr = WORKING_LR[name]
        cases.append((f"{name}-lr", name, lambda m, lr=lr: {"learning_rate": lr}))
        for tag, kwargs in common.items():
            cases.append((f"{name}-{tag}", name,
                          lambda m, lr=lr, kw=kwargs: {"learning_rate": lr, **kw}))
        make = _schedule(k)
        cases.append((f"{name}-schedule", name,
                      lambda m, lr=lr, make=make: {"learning_rate": make(m, lr)}))
    cases.append(("SGD-momentum-clipnorm-wd-schedule-accum", "SGD", lambda m: {
        "momentum": 0.9, "clipnorm": 0.1, "weight_decay": 0.01,
        "gradient_accumulation_steps": 2,
        "learning_rate": m.optimizers.schedules.ExponentialDecay(0.1, 1, 0.7)}))
    cases.append(("Adam-amsgrad-global_clipnorm-ema-wd", "Adam", lambda m: {
        "learning_rate": 0.01, "amsgrad": True, "global_clipnorm": 0.1, "use_ema": True,
        "ema_momentum": 0.7, "weight_decay": 0.02}))
    return cases


CASES = _cases()


def make_pair(keras, opt_name, kwargs_fn):
    keras.backend.clear_session(free_memory=False)  # gc.collect() costs ~0.3 s a call
    keras.utils.set_random_seed(0)

    def layers(m):
        return [m.Input((6,)), m.layers.Dense(5, activation="relu"), m.layers.Dense(3)]

    k_model = keras.Sequential(layers(keras))
    layerwise.backend.clear_session(free_memory=False)
    l_model = layerwise.Sequential(layers(layerwise))
    l_model.set_weights(k_model.get_weights())
    k_opt = getattr(keras.optimizers, opt_name)(**kwargs_fn(keras))
    l_opt = getattr(layerwise.optimizers, opt_name)(**kwargs_fn(layerwise))
    k_model.compile(optimizer=k_opt, loss="mse")
    l_model.compile(optimizer=l_opt, loss="mse")
    return k_model, l_model


def assert_close_lists(got, expected, what, rtol=RTOL, atol=ATOL):
    assert len(got) == len(expected), f"{what}: {len(got)} vs {len(expected)} entries"
    for i, (b, a) in enumerate(zip(got, expected, strict=True)):
        a, b = np.asarray(a), np.asarray(b)
        assert a.shape == b.shape, f"{what} {i}: shape {b.shape} vs {a.shape}"
        np.testing.assert_allclose(b.astype("float64"), a.astype("float64"), rtol=rtol,
                                   atol=atol, err_msg=f"{what} {i}")


@pytest.mark.parametrize("opt_name,kwargs_fn", [c[1:] for c in CASES], ids=[c[0] for c in CASES])
def test_train_on_batch_matches_keras(keras, opt_name, kwargs_fn):
    k_model, l_model = make_pair(keras, opt_name, kwargs_fn)
    initial = l_model.get_weights()
    rng = np.random.default_rng(7)
    for step in range(STEPS):
        x = rng.normal(size=(16, 6)).astype("float32")
        y = rng.normal(size=(16, 3)).astype("float32")
        expected = k_model.train_on_batch(x, y)
        got = l_model.train_on_batch(x, y)
        np.testing.assert_allclose(got, expected, rtol=RTOL, atol=ATOL,
                                   err_msg=f"loss at step {step}")
    k_weights, l_weights = k_model.get_weights(), l_model.get_weights()
    assert_close_lists(l_weights, k_weights, "weight")
    # The updates themselves agree (not only the weights, which are close anyway
    # when a rule barely moves them).
    assert_close_lists([w - w0 for w, w0 in zip(l_weights, initial, strict=True)],
                       [w - w0 for w, w0 in zip(k_weights, initial, strict=True)], "update",
                       rtol=1e-4, atol=1e-7)
    assert any(np.abs(w - w0).max() > 0 for w, w0 in zip(l_weights, initial, strict=True))
    # The optimizer state, in Keras' order.
    assert_close_lists([v.detach().cpu().numpy() for v in l_model.optimizer.variables],
                       [keras.ops.convert_to_numpy(v) for v in k_model.optimizer.variables],
                       "optimizer variable")
    assert int(l_model.optimizer.iterations) == int(k_model.optimizer.iterations)
    np.testing.assert_allclose(l_model.optimizer.learning_rate,
                               float(k_model.optimizer.learning_rate), rtol=1e-6)
    if l_model.optimizer.use_ema:
        k_model.optimizer.finalize_variable_values(k_model.trainable_weights)
        l_model.optimizer.finalize_variable_values(l_model.trainable_weights)
        assert_close_lists(l_model.get_weights(), k_model.get_weights(), "EMA weight")


def test_every_optimizer_and_common_argument_is_covered():
    ids = {c[0] for c in CASES}
    for name in OPTIMIZERS:
        for tag in ("defaults", "lr", "clipnorm", "clipvalue", "global_clipnorm",
                    "weight_decay", "schedule", "ema", "ema_overwrite", "grad_accum"):
            assert f"{name}-{tag}" in ids
    kinds = {type(_schedule(k)(layerwise, 0.1)).__name__ for k in range(len(OPTIMIZERS))}
    assert len(kinds) == 6


# ------------------------------------------------------------ apply() directly
# With the same gradients (no model in between), the update rules, clipping,
# weight decay, EMA, accumulation and schedules give the same float32 bits as
# Keras: these tests compare with `assert_array_equal`.
def _variables(keras, constraint=False):
    import torch

    rng = np.random.default_rng(11)
    values = [rng.normal(size=(4, 3)).astype("float32"), rng.normal(size=(3,)).astype("float32"),
              rng.normal(size=(2, 2, 3)).astype("float32")]
    names = ["kernel", "bias", "kernel_3d"]
    k_vars = [keras.Variable(v, name=n) for v, n in zip(values, names, strict=True)]
    l_vars = []
    for v, n in zip(values, names, strict=True):
        var = Variable(torch.tensor(v))
        var.name = n
        l_vars.append(var)
    if constraint:
        k_vars[0].constraint = keras.constraints.NonNeg()
        l_vars[0].constraint = lambda w: w * (w >= 0).to(w.dtype)
    return k_vars, l_vars


def _grads(seed, steps=6, missing=()):
    rng = np.random.default_rng(seed)
    out = []
    for _ in range(steps):
        g = [rng.normal(size=(4, 3)).astype("float32"), rng.normal(size=(3,)).astype("float32"),
             rng.normal(size=(2, 2, 3)).astype("float32")]
        out.append([None if i in missing else x for i, x in enumerate(g)])
    return out


def _apply_pair(keras, opt_name, kwargs_fn, grads_seq, constraint=False, exclude=None,
                exact=True):
    """Runs `optimizer.apply` with the same gradients in both libraries.

    `exact`: bit for bit (Adam and AdamW with `fused=False`, Keras' own sequence of
    operations); otherwise to RTOL/ATOL (their default fused kernel).
    """
    import warnings

    import torch

    k_vars, l_vars = _variables(keras, constraint)
    k_opt = getattr(keras.optimizers, opt_name)(**kwargs_fn(keras))
    l_kwargs = kwargs_fn(layerwise)
    if opt_name in ("Adam", "AdamW"):
        l_kwargs["fused"] = not exact
    l_opt = getattr(layerwise.optimizers, opt_name)(**l_kwargs)

    def same(actual, expected, err_msg=""):
        if exact:
            np.testing.assert_array_equal(actual, expected, err_msg=err_msg)
        else:
            np.testing.assert_allclose(actual, expected, rtol=RTOL, atol=ATOL, err_msg=err_msg)
    if exclude:
        k_opt.exclude_from_weight_decay(var_names=exclude)
        l_opt.exclude_from_weight_decay(var_names=exclude)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")  # "Gradients do not exist for variables ..."
        for step, grads in enumerate(grads_seq):
            k_opt.apply([None if g is None else keras.ops.convert_to_tensor(g) for g in grads],
                        k_vars)
            l_opt.apply([None if g is None else torch.tensor(g) for g in grads], l_vars)
            for i, (k_var, l_var) in enumerate(zip(k_vars, l_vars, strict=True)):
                same(l_var.detach().numpy(), keras.ops.convert_to_numpy(k_var),
                     err_msg=f"variable {i} after step {step}")
    k_state = [keras.ops.convert_to_numpy(v) for v in k_opt.variables]
    l_state = [v.detach().cpu().numpy() for v in l_opt.variables]
    assert len(l_state) == len(k_state)
    for i, (a, b) in enumerate(zip(k_state, l_state, strict=True)):
        assert a.shape == b.shape, f"optimizer variable {i}"
        same(b, a, err_msg=f"optimizer variable {i}")
    if l_opt.use_ema:
        k_opt.finalize_variable_values(k_vars)
        l_opt.finalize_variable_values(l_vars)
        for k_var, l_var in zip(k_vars, l_vars, strict=True):
            same(l_var.detach().numpy(), keras.ops.convert_to_numpy(k_var))


@pytest.mark.parametrize("opt_name,kwargs_fn", [c[1:] for c in CASES], ids=[c[0] for c in CASES])
def test_apply_matches_keras_bit_for_bit(keras, opt_name, kwargs_fn):
    _apply_pair(keras, opt_name, kwargs_fn, _grads(1))


ADAM_CASES = [c for c in CASES if c[1] in ("Adam", "AdamW")]


@pytest.mark.parametrize("opt_name,kwargs_fn", [c[1:] for c in ADAM_CASES],
                         ids=[c[0] for c in ADAM_CASES])
def test_fused_adam_matches_keras(keras, opt_name, kwargs_fn):
    """The default (torch's fused kernel) against Keras, to float32 rounding."""
    _apply_pair(keras, opt_name, kwargs_fn, _grads(1), exact=False)
    _apply_pair(keras, opt_name, kwargs_fn, _grads(3, steps=5, missing=(1,)), exact=False)


def test_fused_adam_is_used_by_default_and_can_be_required():
    import torch

    var = Variable(torch.ones(3))
    opt = layerwise.optimizers.Adam(0.1)
    calls = []
    from layerwise.backend import foreach  # where the optimizers find torch's kernel

    real = foreach.fused_adam_
    try:
        foreach.fused_adam_ = lambda *a, **k: (calls.append(1), real(*a, **k))[1]
        opt.apply([torch.full((3,), 0.5)], [var])
    finally:
        foreach.fused_adam_ = real
    assert calls == [1]
    strided = layerwise.optimizers.Adam(0.1, fused=True)
    with pytest.raises(ValueError, match="fused=None"):
        strided.apply([torch.ones(3)[::2]], [Variable(torch.ones(2))])
    with pytest.raises(ValueError, match="fused"):
        layerwise.optimizers.Adam(fused="yes")
    assert "fused" not in layerwise.optimizers.Adam().get_config()


@pytest.mark.parametrize("opt_name", OPTIMIZERS)
def test_apply_with_loss_scale_factor_matches_keras(keras, opt_name):
    _apply_pair(keras, opt_name, lambda m: {"learning_rate": WORKING_LR[opt_name],
                                            "loss_scale_factor": 8.0}, _grads(2))


@pytest.mark.parametrize("opt_name", ["SGD", "Adam", "Nadam", "Ftrl", "Adafactor"])
def test_apply_with_missing_gradients_matches_keras(keras, opt_name):
    kwargs = {"learning_rate": WORKING_LR[opt_name], "use_ema": True,
              "gradient_accumulation_steps": 2, "clipnorm": 0.5}
    if opt_name == "SGD":
        kwargs["momentum"] = 0.9
    _apply_pair(keras, opt_name, lambda m: kwargs, _grads(3, steps=5, missing=(1,)))


@pytest.mark.parametrize("opt_name", ["SGD", "AdamW", "Lion"])
def test_apply_with_constraint_and_weight_decay_exclusion_matches_keras(keras, opt_name):
    _apply_pair(keras, opt_name, lambda m: {"learning_rate": WORKING_LR[opt_name],
                                            "weight_decay": 0.1},
                _grads(4), constraint=True, exclude=["bias"])
