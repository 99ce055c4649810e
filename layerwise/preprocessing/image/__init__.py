"""Keras 2 path `keras.preprocessing.image`: `ImageDataGenerator` and image helpers.

`ImageDataGenerator` follows Keras' legacy implementation
(`keras.src.legacy.preprocessing.image`) argument for argument, and draws its
random parameters in the same order from the same NumPy generator, so a given
`seed` produces the same augmented batches as Keras. What differs is speed: the
geometric transforms of a whole batch are one vectorised torch warp instead of
one SciPy call per channel per image, and files are decoded by a small thread
pool.

Known Keras quirks kept for parity: the affine transform is centred with
`(height / 2 - 0.5, width / 2 - 0.5)` on swapped axes (visible only on
non-square images), `brightness_range` quantises the image to 8 bits, and an
integer `width_shift_range=k` draws from `{0, ..., k-1}` (not `(-k, k)`).

Modules, as Keras splits them: `iterator.py` (`Iterator`, `NumpyArrayIterator`),
`directory_iterator.py` (`DirectoryIterator`, `DataFrameIterator`),
`image_data_generator.py`, `transforms.py` (pixel values), `affine.py` (geometry).
"""

from layerwise.preprocessing.image.affine import apply_affine_transform as apply_affine_transform
from layerwise.preprocessing.image.affine import random_rotation as random_rotation
from layerwise.preprocessing.image.affine import random_shear as random_shear
from layerwise.preprocessing.image.affine import random_shift as random_shift
from layerwise.preprocessing.image.affine import random_zoom as random_zoom
from layerwise.preprocessing.image.affine import (
    transform_matrix_offset_center as transform_matrix_offset_center,
)
from layerwise.preprocessing.image.directory_iterator import (
    BatchFromFilesMixin as BatchFromFilesMixin,
)
from layerwise.preprocessing.image.directory_iterator import (
    DataFrameIterator as DataFrameIterator,
)
from layerwise.preprocessing.image.directory_iterator import (
    DirectoryIterator as DirectoryIterator,
)
from layerwise.preprocessing.image.directory_iterator import (
    validate_filename as validate_filename,
)
from layerwise.preprocessing.image.image_data_generator import (
    ImageDataGenerator as ImageDataGenerator,
)
from layerwise.preprocessing.image.iterator import BatchIndexError as BatchIndexError
from layerwise.preprocessing.image.iterator import Iterator as Iterator
from layerwise.preprocessing.image.iterator import NumpyArrayIterator as NumpyArrayIterator
from layerwise.preprocessing.image.transforms import (
    apply_brightness_shift as apply_brightness_shift,
)
from layerwise.preprocessing.image.transforms import apply_channel_shift as apply_channel_shift
from layerwise.preprocessing.image.transforms import flip_axis as flip_axis
from layerwise.preprocessing.image.transforms import random_brightness as random_brightness
from layerwise.preprocessing.image.transforms import (
    random_channel_shift as random_channel_shift,
)
from layerwise.utils.image_utils import array_to_img as array_to_img
from layerwise.utils.image_utils import img_to_array as img_to_array
from layerwise.utils.image_utils import load_img as load_img
from layerwise.utils.image_utils import save_img as save_img
from layerwise.utils.image_utils import smart_resize as smart_resize

__all__ = [
    "ImageDataGenerator", "Iterator", "NumpyArrayIterator", "DirectoryIterator",
    "DataFrameIterator", "array_to_img", "img_to_array", "load_img", "save_img",
    "smart_resize", "apply_affine_transform", "apply_brightness_shift",
    "apply_channel_shift", "random_rotation", "random_shift", "random_shear", "random_zoom",
    "random_channel_shift", "random_brightness", "flip_axis",
]
