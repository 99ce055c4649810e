"""Gradients of the differentiable ops (`torch.autograd.gradcheck`, float64) and the
control-flow ops of `ops.core` against Keras 3."""

from __future__ import annotations

import numpy as np
import pytest
import torch

from layerwise import ops

D = torch.float64


def t(*shape, low=-1.0, high=1.0, seed=0):
    g = torch.Generator().manual_seed(seed)
    return (torch.rand(*shape, generator=g, dtype=D) * (high - low) + low).requires_grad_(True)


def p(*shape, seed=0):
    return t(*shape, low=0.5, high=1.5, seed=seed)


def spd(n=3):
    a = torch.rand(n, n, generator=torch.Generator().manual_seed(1), dtype=D)
    return (a @ a.T + n * torch.eye(n, dtype=D)).requires_grad_(True)


# op -> (function of the inputs, inputs)
GRADIENT_CASES = {
    "sin": (ops.sin, [t(2, 3)]), "exp": (ops.exp, [t(2, 3)]), "log": (ops.log, [p(2, 3)]),
    "sqrt": (ops.sqrt, [p(3)]), "tanh": (ops.tanh, [t(3)]), "arctan": (ops.arctan, [t(3)]),
    "square": (ops.square, [t(3)]), "abs": (ops.abs, [p(3)]), "erf": (ops.erf, [t(3)]),
    "rsqrt": (ops.rsqrt, [p(3)]), "reciprocal": (ops.reciprocal, [p(3)]),
    "sigmoid": (ops.sigmoid, [t(3)]), "softplus": (ops.softplus, [t(3)]),
    "silu": (ops.silu, [t(3)]), "gelu": (ops.gelu, [t(3)]), "elu": (ops.elu, [t(3)]),
    "selu": (ops.selu, [t(3)]), "log_sigmoid": (ops.log_sigmoid, [t(3)]),
    "softmax": (ops.softmax, [t(2, 3)]), "log_softmax": (ops.log_softmax, [t(2, 3)]),
    "logsumexp": (lambda x: ops.logsumexp(x, axis=-1), [t(2, 3)]),
    "add": (ops.add, [t(2, 3), t(3, seed=1)]), "subtract": (ops.subtract, [t(2, 3), t(2, 1)]),
    "multiply": (ops.multiply, [t(2, 3), t(3, seed=1)]), "divide": (ops.divide, [t(3), p(3)]),
    "power": (ops.power, [p(3), t(3, seed=1)]), "arctan2": (ops.arctan2, [t(3), p(3)]),
    "hypot": (ops.hypot, [p(3), p(3, seed=1)]), "maximum": (ops.maximum, [t(3), t(3, seed=2)]),
    "mean": (lambda x: ops.mean(x, axis=0), [t(2, 3)]), "sum": (ops.sum, [t(2, 3)]),
    "var": (lambda x: ops.var(x, axis=-1), [t(2, 3)]), "std": (ops.std, [t(2, 3)]),
    "prod": (ops.prod, [p(2, 3)]), "max": (lambda x: ops.max(x, axis=1), [t(2, 3)]),
    "cumsum": (ops.cumsum, [t(2, 3)]), "cumprod": (lambda x: ops.cumprod(x, axis=1), [p(2, 3)]),
    "matmul": (ops.matmul, [t(2, 3), t(3, 4, seed=1)]), "dot": (ops.dot, [t(2, 3), t(3)]),
    "einsum": (lambda a, b: ops.einsum("ij,jk->ik", a, b), [t(2, 3), t(3, 2, seed=1)]),
    "tensordot": (lambda a, b: ops.tensordot(a, b, axes=1), [t(2, 3), t(3, 2, seed=1)]),
    "reshape": (lambda x: ops.reshape(x, (3, 2)), [t(2, 3)]),
    "transpose": (ops.transpose, [t(2, 3)]),
    "concatenate": (lambda a, b: ops.concatenate([a, b], axis=-1), [t(2, 3), t(2, 2)]),
    "stack": (lambda a, b: ops.stack([a, b]), [t(3), t(3, seed=1)]),
    "get_item": (lambda x: x[:, 1] * 2, [t(2, 3)]),
    "take": (lambda x: ops.take(x, [0, 2, 2], axis=1), [t(2, 3)]),
    "where": (lambda a, b: ops.where(a > 0, a, b), [t(2, 3), t(2, 3, seed=1)]),
    "pad": (lambda x: ops.pad(x, ((1, 0), (0, 2))), [t(2, 3)]),
    "tile": (lambda x: ops.tile(x, (2, 1)), [t(2, 3)]), "flip": (ops.flip, [t(2, 3)]),
    "roll": (lambda x: ops.roll(x, 1, axis=1), [t(2, 3)]),
    "repeat": (lambda x: ops.repeat(x, 2, axis=0), [t(2, 3)]),
    "conv": (lambda x, k: ops.nn.conv(x, k, padding="same"), [t(1, 3, 3, 1), t(2, 2, 1, 2)]),
    "conv_transpose": (lambda x, k: ops.nn.conv_transpose(x, k, strides=2),
                       [t(1, 3, 3, 2), t(2, 2, 1, 2)]),
    "depthwise_conv": (lambda x, k: ops.nn.depthwise_conv(x, k), [t(1, 3, 3, 2),
                                                                  t(2, 2, 2, 1)]),
    "max_pool": (lambda x: ops.nn.max_pool(x, 2), [t(1, 4, 4, 1)]),
    "average_pool": (lambda x: ops.nn.average_pool(x, 2, padding="same"), [t(1, 3, 3, 1)]),
    "layer_normalization": (lambda x, g: ops.nn.layer_normalization(x, g), [t(2, 3), p(3)]),
    "batch_normalization": (lambda x, m, v: ops.nn.batch_normalization(x, m, v, axis=-1),
                            [t(2, 3), t(3, seed=1), p(3)]),
    "normalize": (ops.nn.normalize, [t(2, 3)]),
    "categorical_crossentropy": (lambda o: ops.nn.categorical_crossentropy(
        torch.eye(3, dtype=D)[[0, 2]], o, from_logits=True), [t(2, 3)]),
    "binary_crossentropy": (lambda o: ops.nn.binary_crossentropy(
        torch.tensor([[1.0, 0.0]], dtype=D), o, from_logits=True), [t(1, 2)]),
    "dot_product_attention": (ops.nn.dot_product_attention,
                              [t(1, 3, 1, 2), t(1, 3, 1, 2, seed=1), t(1, 3, 1, 2, seed=2)]),
    "resize": (lambda x: ops.image.resize(x, (5, 5)), [t(1, 3, 3, 1)]),
    "affine_transform": (lambda x: ops.image.affine_transform(
        x, torch.tensor([1, 0.1, 0.3, 0.2, 1, 0.4, 0, 0], dtype=D)), [t(1, 4, 4, 1)]),
    "inv": (ops.linalg.inv, [spd()]), "det": (ops.linalg.det, [spd()]),
    "solve": (ops.linalg.solve, [spd(), t(3, 2)]), "cholesky": (lambda a: ops.linalg.cholesky(a @ a.T), [spd()]),
    "norm": (ops.linalg.norm, [t(2, 3)]),
    "segment_sum": (lambda x: ops.segment_sum(x, torch.tensor([0, 0, 1])), [t(3, 2)]),
    "top_k": (lambda x: ops.top_k(x, 2)[0], [t(2, 4)]),
}


# Keras 3 on torch computes these in float32 even for float64 inputs (its `result_type`
# narrows 64-bit dtypes), and layerwise does the same: checked at float32 precision.
FLOAT32_COMPUTE = {"arctan2", "hypot", "maximum", "matmul", "dot", "tensordot", "mean", "var",
                   "cumsum", "cumprod", "norm", "layer_normalization", "segment_sum", "prod",
                   "dot_product_attention"}


@pytest.mark.parametrize("name", sorted(GRADIENT_CASES))
def test_gradcheck(name):
    fn, inputs = GRADIENT_CASES[name]
    if name in FLOAT32_COMPUTE:
        assert torch.autograd.gradcheck(fn, tuple(inputs), eps=1e-3, atol=2e-2, rtol=2e-2)
    else:
        assert torch.autograd.gradcheck(fn, tuple(inputs), eps=1e-6, atol=1e-5)


def test_custom_gradient_replaces_the_backward():
    @ops.custom_gradient
    def clipped_identity(x):
        def grad(upstream):
            return torch.clip(upstream, -0.5, 0.5)

        return x * 1.0, grad

    x = torch.tensor([1.0, 2.0], requires_grad=True)
    (clipped_identity(x) * torch.tensor([3.0, -0.2])).sum().backward()
    assert x.grad.tolist() == [0.5, pytest.approx(-0.2)]


def test_stop_gradient_and_variables():
    from layerwise.backend.variables import Variable

    v = Variable(torch.tensor([1.0, 2.0]))
    (ops.sum(ops.square(v)) + ops.sum(ops.stop_gradient(v) * 10)).backward()
    assert v.grad.tolist() == [2.0, 4.0]


keras = pytest.importorskip("keras")


def test_control_flow_matches_keras():
    k = keras.ops
    x = np.arange(6, dtype="float32").reshape(3, 2)
    cases = [
        (lambda o: o.cond(True, lambda: o.ones(2), lambda: o.zeros(2))),
        (lambda o: o.switch(1, [lambda a: a + 1, lambda a: a * 10], o.ones(2))),
        (lambda o: o.while_loop(lambda i, s: i < 5, lambda i, s: (i + 1, s + i), (0, 0.0))),
        (lambda o: o.fori_loop(0, 4, lambda i, v: v * 2 + i, o.ones(2))),
        (lambda o: o.scan(lambda c, v: (c + v, c * v), o.zeros(2), x)),
        (lambda o: o.scan(lambda c, v: (c + v, c), o.zeros(2), x, reverse=True)),
        (lambda o: o.map(lambda v: v * 2, x)),
        (lambda o: o.associative_scan(lambda a, b: a + b, x)),
        (lambda o: o.associative_scan(lambda a, b: a * b, x + 1, reverse=True, axis=1)),
        (lambda o: o.vectorized_map(lambda v: o.sum(v), torch.tensor(x))),
        (lambda o: o.linalg.jvp(lambda v: v * v, (o.ones(2),), (o.ones(2),))),
    ]
    from tests.ops._parity import assert_same

    for case in cases:
        theirs, ours = case(k), case(ops)
        assert_same(ours, theirs)


def test_vectorize_matches_numpy():
    fn = ops.vectorize(lambda a, b: a * 2 + b)
    out = fn(np.ones((2, 3), "float32"), np.arange(3, dtype="float32"))
    np.testing.assert_allclose(out.numpy(), np.ones((2, 3)) * 2 + np.arange(3))
    dot = ops.vectorize(lambda a, b: (a * b).sum(), signature="(n),(n)->()")
    a, b = np.ones((4, 3), "float32"), np.arange(3, dtype="float32")
    np.testing.assert_allclose(dot(a, b).numpy(), np.vectorize(
        lambda u, v: (u * v).sum(), signature="(n),(n)->()")(a, b))
    scale = ops.vectorize(lambda a, k: a * k, excluded={1})
    np.testing.assert_allclose(scale(np.ones(3, "float32"), 3.0).numpy(), [3.0, 3.0, 3.0])


def test_bad_input_names_the_argument():
    with pytest.raises(ValueError, match="padding"):
        ops.nn.conv(np.ones((1, 4, 4, 1), "float32"), np.ones((2, 2, 1, 1), "float32"),
                    padding="full")
    with pytest.raises(ValueError, match="interpolation"):
        ops.image.resize(np.ones((1, 4, 4, 1), "float32"), (2, 2), interpolation="lanczos9")
