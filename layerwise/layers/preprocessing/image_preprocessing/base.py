"""The shared base of the image preprocessing layers: argument checks, axes."""

from __future__ import annotations

from layerwise.layers.preprocessing.base import DataLayer, standardize_image_format

_FILL_MODES = ("reflect", "wrap", "constant", "nearest")
_INTERPOLATIONS = ("nearest", "bilinear")


def _hw_axes(data_format):
    return (-3, -2) if data_format == "channels_last" else (-2, -1)


def _check_rank(images, name):
    if images.ndim not in (3, 4):
        raise ValueError(
            f"{name}: expected an image tensor of rank 3 (one image) or 4 (a batch of images). "
            f"Received: shape={tuple(images.shape)}"
        )


class _ImageLayer(DataLayer):
    """Applies `transform_images` to an image tensor, or to `data["images"]` of a dict
    (`labels` pass through, `segmentation_masks` follow geometric transforms)."""

    _geometric = False

    def __init__(self, data_format=None, **kwargs):
        super().__init__(**kwargs)
        self.data_format = standardize_image_format(data_format)

    def get_random_transformation(self, images, training=True):
        return None

    def transform_images(self, images, transformation, training=True):
        raise NotImplementedError

    def transform_segmentation_masks(self, masks, transformation, training=True):
        return masks

    def call(self, inputs, training=None):
        training = True if training is None else bool(training)
        if isinstance(inputs, dict):
            if "bounding_boxes" in inputs:
                raise NotImplementedError(
                    f"{type(self).__name__}: bounding boxes are not supported in layerwise; "
                    "pass `images` (and optionally `labels`, `segmentation_masks`)."
                )
            data = dict(inputs)
            images = data["images"]
            _check_rank(images, type(self).__name__)
            transformation = self.get_random_transformation(images, training)
            data["images"] = self._apply(images, transformation, training)
            if "segmentation_masks" in data:
                data["segmentation_masks"] = self._apply(
                    data["segmentation_masks"], transformation, training, masks=True)
            return data
        _check_rank(inputs, type(self).__name__)
        transformation = self.get_random_transformation(inputs, training)
        return self._apply(inputs, transformation, training)

    def _apply(self, images, transformation, training, masks=False):
        unbatched = images.ndim == 3
        if unbatched:
            images = images.unsqueeze(0)
        if masks:
            out = self.transform_segmentation_masks(images, transformation, training)
        else:
            out = self.transform_images(images, transformation, training)
        return out[0] if unbatched else out

    def compute_output_shape(self, input_shape):
        return input_shape

    def get_config(self):
        config = super().get_config()
        config["data_format"] = self.data_format
        return config


# ---------------------------------------------------------------- deterministic
