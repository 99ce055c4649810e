"""Cleaning Keras layer configs for layerwise constructors (`clean_layer_config`)."""

from __future__ import annotations

# Keys Keras 3 writes that have no effect in layerwise when they hold their default.
_KERAS_ONLY_DEFAULTS = {
    "quantization_config": None, "lora_rank": None, "lora_alpha": None, "ragged": False,
    "optional": False, "synchronized": False, "input_axes": None, "output_axes": None,
}


def clean_layer_config(config: dict, strict: bool = True) -> dict:
    """Normalizes a Keras layer config for layerwise constructors.

    `dtype` policies become their name; keys Keras writes but layerwise does not
    use are dropped when they hold their default, and refused otherwise (`strict`),
    or left for the class to handle (`strict=False`).

    Example:

    >>> from layerwise.registry import clean_layer_config
    >>> clean_layer_config({"units": 2, "ragged": False,
    ...                     "dtype": {"class_name": "DTypePolicy", "config": {"name": "float32"}}})
    {'units': 2, 'dtype': 'float32'}
    """
    config = dict(config)
    dtype = config.get("dtype")
    if isinstance(dtype, dict):
        config["dtype"] = (dtype.get("config") or {}).get("name", "float32")
    for key, default in _KERAS_ONLY_DEFAULTS.items():
        if key in config:
            if config[key] != default and not strict:
                continue
            if config[key] != default:
                raise ValueError(
                    f"Config key {key!r}={config[key]!r} is not supported by layerwise "
                    f"(only {key}={default!r} is)."
                )
            del config[key]
    return config
