"""Every initializer under one module (the implementations live by family)."""

from __future__ import annotations

from layerwise.initializers.constant_initializers import Constant as Constant
from layerwise.initializers.constant_initializers import Identity as Identity
from layerwise.initializers.constant_initializers import Ones as Ones
from layerwise.initializers.constant_initializers import Zeros as Zeros
from layerwise.initializers.initializer import Initializer as Initializer
from layerwise.initializers.initializer import RandomInitializer as RandomInitializer
from layerwise.initializers.random_initializers import GlorotNormal as GlorotNormal
from layerwise.initializers.random_initializers import GlorotUniform as GlorotUniform
from layerwise.initializers.random_initializers import HeNormal as HeNormal
from layerwise.initializers.random_initializers import HeUniform as HeUniform
from layerwise.initializers.random_initializers import LecunNormal as LecunNormal
from layerwise.initializers.random_initializers import LecunUniform as LecunUniform
from layerwise.initializers.random_initializers import Orthogonal as Orthogonal
from layerwise.initializers.random_initializers import RandomNormal as RandomNormal
from layerwise.initializers.random_initializers import RandomUniform as RandomUniform
from layerwise.initializers.random_initializers import TruncatedNormal as TruncatedNormal
from layerwise.initializers.random_initializers import VarianceScaling as VarianceScaling
from layerwise.initializers.random_initializers import compute_fans as compute_fans
