"""`layerwise.backend`: configuration and the few places that touch torch internals."""

from layerwise.backend.config import backend as backend
from layerwise.backend.config import epsilon as epsilon
from layerwise.backend.config import floatx as floatx
from layerwise.backend.config import image_data_format as image_data_format
from layerwise.backend.config import learning_phase as learning_phase
from layerwise.backend.config import set_epsilon as set_epsilon
from layerwise.backend.config import set_floatx as set_floatx
from layerwise.backend.config import set_image_data_format as set_image_data_format
from layerwise.backend.config import set_learning_phase as set_learning_phase
from layerwise.backend.random import set_random_seed as set_random_seed
from layerwise.backend.session import clear_session as clear_session
from layerwise.backend.session import get_value as get_value
from layerwise.backend.session import set_value as set_value
