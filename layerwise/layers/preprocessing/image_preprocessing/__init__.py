"""Image preprocessing and augmentation layers: `Rescaling`, `Resizing`, `CenterCrop`,
`RandomFlip`, `RandomRotation`, `RandomZoom`, `RandomTranslation`, `RandomContrast`,
`RandomBrightness`, `RandomCrop`.

As in Keras 3, the random layers augment when called with `training=True` (in
`fit`) or with no training flag at all (a direct call), and pass images through
unchanged in `predict` / `evaluate` (`training=False`). Each batch is transformed
in one vectorised call; geometric transforms sample with Keras 3's conventions
(`fill_mode` "reflect" by default, bilinear interpolation).

Modules by group: `base.py` (the shared `_ImageLayer`), `resizing.py` (`Rescaling`,
`Resizing`, `CenterCrop`, `RandomCrop`), `geometric.py` (flip, rotation, zoom,
translation) and `color.py` (contrast, brightness).
"""

from layerwise.layers.preprocessing.image_preprocessing.color import (
    RandomBrightness as RandomBrightness,
)
from layerwise.layers.preprocessing.image_preprocessing.color import (
    RandomContrast as RandomContrast,
)
from layerwise.layers.preprocessing.image_preprocessing.geometric import RandomFlip as RandomFlip
from layerwise.layers.preprocessing.image_preprocessing.geometric import (
    RandomRotation as RandomRotation,
)
from layerwise.layers.preprocessing.image_preprocessing.geometric import (
    RandomTranslation as RandomTranslation,
)
from layerwise.layers.preprocessing.image_preprocessing.geometric import RandomZoom as RandomZoom
from layerwise.layers.preprocessing.image_preprocessing.geometric import (
    affine_transform as affine_transform,
)
from layerwise.layers.preprocessing.image_preprocessing.geometric import (
    compute_affine_matrix as compute_affine_matrix,
)
from layerwise.layers.preprocessing.image_preprocessing.resizing import CenterCrop as CenterCrop
from layerwise.layers.preprocessing.image_preprocessing.resizing import RandomCrop as RandomCrop
from layerwise.layers.preprocessing.image_preprocessing.resizing import Rescaling as Rescaling
from layerwise.layers.preprocessing.image_preprocessing.resizing import Resizing as Resizing
