"""Preprocessing layers: image augmentation, normalization, encodings, lookups, text."""

from layerwise.layers.preprocessing.category_encoding import CategoryEncoding as CategoryEncoding
from layerwise.layers.preprocessing.hashing import Hashing as Hashing
from layerwise.layers.preprocessing.image_preprocessing import CenterCrop as CenterCrop
from layerwise.layers.preprocessing.image_preprocessing import RandomBrightness as RandomBrightness
from layerwise.layers.preprocessing.image_preprocessing import RandomContrast as RandomContrast
from layerwise.layers.preprocessing.image_preprocessing import RandomCrop as RandomCrop
from layerwise.layers.preprocessing.image_preprocessing import RandomFlip as RandomFlip
from layerwise.layers.preprocessing.image_preprocessing import RandomRotation as RandomRotation
from layerwise.layers.preprocessing.image_preprocessing import (
    RandomTranslation as RandomTranslation,
)
from layerwise.layers.preprocessing.image_preprocessing import RandomZoom as RandomZoom
from layerwise.layers.preprocessing.image_preprocessing import Rescaling as Rescaling
from layerwise.layers.preprocessing.image_preprocessing import Resizing as Resizing
from layerwise.layers.preprocessing.integer_lookup import IntegerLookup as IntegerLookup
from layerwise.layers.preprocessing.normalization import Discretization as Discretization
from layerwise.layers.preprocessing.normalization import Normalization as Normalization
from layerwise.layers.preprocessing.string_lookup import StringLookup as StringLookup
from layerwise.layers.preprocessing.text_vectorization import (
    TextVectorization as TextVectorization,
)
