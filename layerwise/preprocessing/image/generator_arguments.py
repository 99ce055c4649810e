"""Validation of `ImageDataGenerator`'s arguments, with Keras 2's messages."""

from __future__ import annotations

from layerwise.backend import affine as _affine


def check_arguments(fill_mode, interpolation_order, data_format, validation_split,
                    brightness_range) -> None:
    """Raises a `ValueError` naming the first invalid argument of `ImageDataGenerator`."""
    if fill_mode not in _affine.LEGACY_FILL_MODES:
        raise ValueError(
            f"`fill_mode` must be one of {_affine.LEGACY_FILL_MODES}. Received: "
            f"fill_mode={fill_mode!r}"
        )
    if int(interpolation_order) != interpolation_order or not 0 <= interpolation_order <= 5:
        raise ValueError(
            "`interpolation_order` must be an integer from 0 to 5 (1 = bilinear). "
            f"Received: {interpolation_order}"
        )
    if data_format not in {"channels_last", "channels_first"}:
        raise ValueError(
            '`data_format` should be `"channels_last"` (channel after row and column) or '
            f'`"channels_first"` (channel before row and column). Received: {data_format}'
        )
    if validation_split and not 0 < validation_split < 1:
        raise ValueError(
            f"`validation_split` must be strictly between 0 and 1. Received: "
            f"{validation_split}"
        )
    if brightness_range is not None:
        if not isinstance(brightness_range, (tuple, list)) or len(brightness_range) != 2:
            raise ValueError(
                "`brightness_range` should be a tuple or list of two floats. Received: "
                f"{brightness_range}"
            )


def zoom_range_pair(zoom_range) -> list:
    """`[low, high]` from a float `z` (`[1 - z, 1 + z]`) or a pair."""
    if isinstance(zoom_range, (float, int)):
        return [1 - zoom_range, 1 + zoom_range]
    if len(zoom_range) == 2 and all(isinstance(v, (float, int)) for v in zoom_range):
        return [zoom_range[0], zoom_range[1]]
    raise ValueError(
        f"`zoom_range` should be a float or a tuple or list of two floats. Received: "
        f"{zoom_range}"
    )
