"""The weight pieces that Dense, the convolutions and attention share: their `<weight>_initializer`
/ `_regularizer` / `_constraint` arguments, the weights built from them, and their config.

Example:

>>> import layerwise as keras
>>> from layerwise.layers.weight_config import kernel_bias_config
>>> sorted(kernel_bias_config(keras.layers.Dense(2)))[:3]
['activation', 'bias_constraint', 'bias_initializer']
"""

from __future__ import annotations

from layerwise import activations, constraints, initializers, regularizers

# The families of weight arguments, in Keras' config order, with the module that resolves
# (`get`) and serializes each.
_FAMILIES = (("initializer", initializers), ("regularizer", regularizers),
             ("constraint", constraints))
_MODULES = dict(_FAMILIES)


def set_weight_args(layer, **args) -> None:
    """Sets each `<weight>_initializer` / `_regularizer` / `_constraint` argument on `layer`,
    resolved by its family's `get` (`"zeros"` -> an initializer), in the order given."""
    for name, value in args.items():
        setattr(layer, name, _MODULES[name.rpartition("_")[2]].get(value))


def weight_args_config(layer, *weights: str) -> dict:
    """The serialized `<weight>_initializer` / `_regularizer` / `_constraint` of each weight,
    family by family (all initializers, then the regularizers, then the constraints)."""
    return {
        f"{weight}_{family}": module.serialize(getattr(layer, f"{weight}_{family}"))
        for family, module in _FAMILIES for weight in weights
    }


def kernel_bias_config(layer, *kernels: str) -> dict:
    """`activation`, `use_bias` and the `<kernel>_*` / `bias_*` entries of `get_config`,
    in Keras' order (`kernels` default to `("kernel",)`)."""
    return {
        "activation": activations.serialize(layer.activation),
        "use_bias": layer.use_bias,
        **weight_args_config(layer, *(kernels or ("kernel",)), "bias"),
    }


def add_kernel(layer, shape, name: str = "kernel", args: str = "kernel"):
    """Adds the weight `name` of `shape` with the layer's `<args>_initializer`,
    `<args>_regularizer` and `<args>_constraint`."""
    return layer.add_weight(
        name=name, shape=shape, initializer=getattr(layer, f"{args}_initializer"),
        regularizer=getattr(layer, f"{args}_regularizer"),
        constraint=getattr(layer, f"{args}_constraint"),
    )


def add_bias(layer, size: int):
    """The layer's `bias` weight of shape `(size,)`, or `None` when `use_bias` is off."""
    if not layer.use_bias:
        return None
    return add_kernel(layer, (size,), "bias", "bias")
