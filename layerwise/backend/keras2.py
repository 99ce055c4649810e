"""The Keras 2 backend functions (`import keras.backend as K`) that Keras 3 removed.

`K.mean`, `K.square`, `K.dot`, ... work on tensors, arrays and symbolic tensors alike:
they are the `layerwise.ops` functions under their Keras 2 names and argument
conventions, called by name through `symbolic_dispatch` (which `layerwise.ops`
fills at import; `backend` imports nothing above itself). On `KerasTensor`s they add
op layers to the graph, which `K.function` evaluates later (see `graph_eval.py`).
"""

from __future__ import annotations

import numpy as np
import torch

from layerwise.backend.config import floatx, image_data_format, to_torch_dtype
from layerwise.backend.dtypes import standardize_dtype
from layerwise.backend.keras_tensor import KerasTensor
from layerwise.backend.symbolic_dispatch import call_op
from layerwise.backend.variables import Variable

_UIDS: dict[str, int] = {}


def get_uid(prefix: str = "") -> int:
    """1, 2, 3, ... for successive calls with the same `prefix`."""
    _UIDS[prefix] = _UIDS.get(prefix, 0) + 1
    return _UIDS[prefix]


def is_float_dtype(dtype) -> bool:
    """Whether `dtype` is a floating-point dtype."""
    return "float" in standardize_dtype(dtype)


def is_int_dtype(dtype) -> bool:
    """Whether `dtype` is an integer dtype."""
    return "int" in standardize_dtype(dtype)


def is_keras_tensor(x) -> bool:
    """Whether `x` is a symbolic tensor (from `keras.Input` or a layer call on one)."""
    return isinstance(x, KerasTensor)


def variable(value, dtype=None, name=None, constraint=None) -> Variable:
    """A trainable `Variable` holding `value`."""
    tensor = torch.as_tensor(np.asarray(value), dtype=to_torch_dtype(dtype or floatx()))
    var = Variable(tensor, requires_grad=tensor.is_floating_point())
    var.name = name or "variable"
    var.constraint = constraint
    return var


def constant(value, dtype=None, shape=None, name=None) -> torch.Tensor:
    """A constant tensor (broadcast to `shape` if given)."""
    tensor = torch.as_tensor(np.asarray(value), dtype=to_torch_dtype(dtype or floatx()))
    return tensor.expand(tuple(shape)).clone() if shape is not None else tensor


def int_shape(x) -> tuple:
    """The static shape as a tuple of ints (`None` for unknown dimensions)."""
    if isinstance(x, KerasTensor):
        return tuple(x.shape)
    return tuple(int(d) for d in (x.shape if hasattr(x, "shape") else np.shape(x)))


def ndim(x) -> int:
    """Number of axes."""
    return len(int_shape(x))


def dtype(x) -> str:
    """Dtype name of `x` (`"float32"`, ...)."""
    return str(x.dtype).replace("torch.", "")


def shape(x):
    """The shape of a tensor as an int tensor (a tuple for symbolic tensors)."""
    if isinstance(x, KerasTensor):
        return tuple(x.shape)
    return torch.tensor(tuple(torch.as_tensor(x).shape))


def eval(x):  # noqa: A001 - Keras 2's name
    """The value of a tensor or variable, as NumPy."""
    return torch.as_tensor(x).detach().cpu().numpy()


def count_params(x) -> int:
    """Number of elements of a tensor or variable."""
    return int(np.prod(int_shape(x)))


def cast(x, dtype):  # noqa: F811
    """Casts `x` to `dtype`."""
    return call_op("cast", x, dtype)


def zeros(shape, dtype=None, name=None):  # noqa: F811
    return torch.zeros(tuple(shape), dtype=to_torch_dtype(dtype or floatx()))


def ones(shape, dtype=None, name=None):  # noqa: F811
    return torch.ones(tuple(shape), dtype=to_torch_dtype(dtype or floatx()))


def zeros_like(x, dtype=None, name=None):
    return call_op("zeros_like", x, dtype=dtype)


def ones_like(x, dtype=None, name=None):
    return call_op("ones_like", x, dtype=dtype)


def eye(size, dtype=None, name=None):
    return torch.eye(size, dtype=to_torch_dtype(dtype or floatx()))


# --------------------------------------------------------------- reductions
def _reduction(name):
    def reduce(x, axis=None, keepdims=False):
        return call_op(name, x, axis=axis, keepdims=keepdims)

    reduce.__name__ = name
    reduce.__doc__ = f"`{name}` of `x` over `axis` (all axes when `None`)."
    return reduce


mean = _reduction("mean")
sum = _reduction("sum")  # noqa: A001 - Keras 2's name
max = _reduction("max")  # noqa: A001
min = _reduction("min")  # noqa: A001
prod = _reduction("prod")
std = _reduction("std")
var = _reduction("var")
any = _reduction("any")  # noqa: A001
all = _reduction("all")  # noqa: A001


def argmax(x, axis=-1):
    return call_op("argmax", x, axis=axis)


def argmin(x, axis=-1):
    return call_op("argmin", x, axis=axis)


def logsumexp(x, axis=None, keepdims=False):
    return call_op("logsumexp", x, axis=axis, keepdims=keepdims)


def cumsum(x, axis=0):
    return call_op("cumsum", x, axis=axis)


def cumprod(x, axis=0):
    return call_op("cumprod", x, axis=axis)


# ------------------------------------------------------------- element-wise
def _unary(name, op=None):
    def apply(x):
        return call_op(op or name, x)

    apply.__name__ = name
    apply.__doc__ = f"Element-wise `{op or name}`."
    return apply


square = _unary("square")
sqrt = _unary("sqrt")
abs = _unary("abs")  # noqa: A001
exp = _unary("exp")
log = _unary("log")
sign = _unary("sign")
sin = _unary("sin")
cos = _unary("cos")
sigmoid = _unary("sigmoid")
tanh = _unary("tanh")
softplus = _unary("softplus")
softsign = _unary("softsign")
hard_sigmoid = _unary("hard_sigmoid")
stop_gradient = _unary("stop_gradient")
flatten = _unary("flatten", "ravel")


def _binary(name):
    def apply(x, y):
        return call_op(name, x, y)

    apply.__name__ = name
    apply.__doc__ = f"Element-wise `{name}` of `x` and `y`."
    return apply


def round(x):  # noqa: A001
    return call_op("round", x)


def pow(x, a):  # noqa: A001
    return call_op("power", x, a)


def clip(x, min_value, max_value):
    return call_op("clip", x, min_value, max_value)


equal = _binary("equal")
not_equal = _binary("not_equal")
greater = _binary("greater")
greater_equal = _binary("greater_equal")
less = _binary("less")
less_equal = _binary("less_equal")
maximum = _binary("maximum")
minimum = _binary("minimum")


def switch(condition, then_expression, else_expression):
    return call_op("where", condition, then_expression, else_expression)


def relu(x, alpha=0.0, max_value=None, threshold=0.0):
    """ReLU with Keras 2's `alpha` (leak), `max_value` and `threshold`."""
    if alpha == 0.0 and max_value is None and threshold == 0.0:
        return call_op("relu", x)
    out = call_op("where", call_op("greater", x, threshold), x,
                  call_op("multiply", alpha, call_op("subtract", x, threshold)))
    return out if max_value is None else call_op("minimum", out, max_value)


def elu(x, alpha=1.0):
    return call_op("elu", x, alpha=alpha)


def softmax(x, axis=-1):
    return call_op("softmax", x, axis=axis)


def l2_normalize(x, axis=None):
    """`x / sqrt(max(sum(x**2), epsilon))` along `axis`."""
    return call_op("normalize", x, axis=-1 if axis is None else axis)


# ------------------------------------------------------------- shapes, products
def dot(x, y):
    """Matrix product (Keras 2's `K.dot`, batched over leading axes of `x`)."""
    return call_op("matmul", x, y)


def batch_dot(x, y, axes=None):
    """Dot product of the samples of `x` and `y` (contracting `axes`)."""
    if axes is None:
        axes = (len(x.shape) - 1, len(y.shape) - 1 if len(y.shape) == 2 else len(y.shape) - 2)
    axes = (axes, axes) if isinstance(axes, int) else tuple(axes)
    letters = "abcdefghij"
    xs, ys = letters[:len(x.shape)], letters[len(x.shape):len(x.shape) + len(y.shape)]
    ys = "a" + ys[1:]
    ys = ys[:axes[1]] + xs[axes[0]] + ys[axes[1] + 1:]
    out = "".join(c for c in xs if c != xs[axes[0]]) + "".join(
        c for c in ys[1:] if c != xs[axes[0]])
    result = call_op("einsum", f"{xs},{ys}->{out}", x, y)
    return call_op("expand_dims", result, 1) if len(out) == 1 else result


def transpose(x):
    return call_op("transpose", x)


def permute_dimensions(x, pattern):
    return call_op("transpose", x, tuple(pattern))


def reshape(x, shape):  # noqa: F811
    return call_op("reshape", x, tuple(shape))


def batch_flatten(x):
    """Flattens each sample: `(batch, ...)` -> `(batch, prod(...))`."""
    return call_op("reshape", x, (-1, int(np.prod(int_shape(x)[1:]))))


def expand_dims(x, axis=-1):
    return call_op("expand_dims", x, axis)


def squeeze(x, axis):
    return call_op("squeeze", x, axis)


def concatenate(tensors, axis=-1):
    return call_op("concatenate", list(tensors), axis=axis)


def stack(x, axis=0):
    return call_op("stack", list(x), axis=axis)


def repeat_elements(x, rep, axis):
    return call_op("repeat", x, rep, axis=axis)


def repeat(x, n):
    """`(batch, dim)` -> `(batch, n, dim)`."""
    return call_op("repeat", call_op("expand_dims", x, 1), n, axis=1)


def tile(x, n):
    return call_op("tile", x, n)


def reverse(x, axes):
    return call_op("flip", x, axis=axes)


def gather(reference, indices):
    return call_op("take", reference, indices, axis=0)


def one_hot(indices, num_classes):
    return call_op("one_hot", indices, num_classes)


def resize_images(x, height_factor, width_factor, data_format=None, interpolation="nearest"):
    """Upsamples images by integer factors (Keras 2's `K.resize_images`)."""
    data_format = data_format or image_data_format()
    rows, cols = (1, 2) if data_format == "channels_last" else (2, 3)
    if interpolation == "nearest":
        return call_op("repeat", call_op("repeat", x, height_factor, axis=rows),
                       width_factor, axis=cols)
    shape = int_shape(x)
    size = (shape[rows] * height_factor, shape[cols] * width_factor)
    return call_op("image.resize", x, size, interpolation=interpolation,
                   data_format=data_format)


def spatial_2d_padding(x, padding=((1, 1), (1, 1)), data_format=None):
    data_format = data_format or image_data_format()
    widths = [(0, 0), *padding, (0, 0)] if data_format == "channels_last" else \
        [(0, 0), (0, 0), *padding]
    return call_op("pad", x, widths)


# ------------------------------------------------------------------- losses
def categorical_crossentropy(target, output, from_logits=False, axis=-1):
    return call_op("categorical_crossentropy", target, output, from_logits=from_logits,
                   axis=axis)


def sparse_categorical_crossentropy(target, output, from_logits=False, axis=-1):
    return call_op("sparse_categorical_crossentropy", target, output,
                   from_logits=from_logits, axis=axis)


def binary_crossentropy(target, output, from_logits=False):
    return call_op("binary_crossentropy", target, output, from_logits=from_logits)


# ------------------------------------------------------------------- random
def _seed_generator(seed):
    if seed is None:
        return None
    generator = torch.Generator()
    generator.manual_seed(int(seed))
    return generator


def _int_shape(shape_) -> tuple:
    return tuple(int(d) for d in shape_)


def random_normal(shape, mean=0.0, stddev=1.0, dtype=None, seed=None):
    """Normal samples (`seed=None`: torch's global generator, see `set_random_seed`)."""
    return torch.normal(mean, stddev, size=_int_shape(shape), generator=_seed_generator(seed),
                        dtype=to_torch_dtype(dtype or floatx()))


def random_uniform(shape, minval=0.0, maxval=1.0, dtype=None, seed=None):
    """Uniform samples in `[minval, maxval)`."""
    values = torch.rand(_int_shape(shape), generator=_seed_generator(seed),
                        dtype=to_torch_dtype(dtype or floatx()))
    return values * (maxval - minval) + minval


def random_bernoulli(shape, p=0.0, dtype=None, seed=None):
    """Bernoulli samples (1 with probability `p`)."""
    return (random_uniform(shape, dtype=dtype, seed=seed) < p).to(
        to_torch_dtype(dtype or floatx()))


def truncated_normal(shape, mean=0.0, stddev=1.0, dtype=None, seed=None):
    """Normal samples redrawn beyond two standard deviations."""
    values = random_normal(tuple(_int_shape(shape)) + (4,), dtype=dtype, seed=seed)
    first = ((values > -2) & (values < 2)).max(-1, keepdim=True)[1]
    return values.gather(-1, first).squeeze(-1) * stddev + mean


# ------------------------------------------------------------------- values
def batch_get_value(tensors) -> list:
    return [eval(t) for t in tensors]


def batch_set_value(tuples) -> None:
    for x, value in tuples:
        with torch.no_grad():
            x.copy_(torch.as_tensor(np.asarray(value), dtype=x.dtype))
