"""`layerwise.random`: Keras 3's `keras.random` (seeded sampling on torch).

Example:

>>> import layerwise as keras
>>> keras.random.uniform((2,), seed=1).shape
torch.Size([2])
"""

from layerwise.random.random import beta as beta
from layerwise.random.random import binomial as binomial
from layerwise.random.random import categorical as categorical
from layerwise.random.random import dropout as dropout
from layerwise.random.random import gamma as gamma
from layerwise.random.random import normal as normal
from layerwise.random.random import randint as randint
from layerwise.random.random import shuffle as shuffle
from layerwise.random.random import truncated_normal as truncated_normal
from layerwise.random.random import uniform as uniform
from layerwise.random.seed_generator import SeedGenerator as SeedGenerator
