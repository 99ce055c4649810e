"""`layerwise.saving`: saving and loading models, weights and configs, as in Keras 3.

- `save_model` / `load_model`: `.keras` archives (Keras 3's format) and legacy
  `.h5` files (Keras 2's format); `model.save(...)` is `save_model(model, ...)`.
- `save_weights` / `load_weights`: `.weights.h5` (Keras 3 layout) and legacy `.h5`.
- `register_keras_serializable`, `custom_object_scope`: make custom classes
  and functions loadable; nothing is ever imported from a name in a file.
- `safe_mode`: serialized code (`Lambda` lambdas) only loads with `safe_mode=False`.

`h5py` is imported only when an HDF5 file is read or written.
"""

from layerwise.registry.registration import CustomObjectScope as CustomObjectScope
from layerwise.registry.registration import custom_object_scope as custom_object_scope
from layerwise.registry.registration import get_custom_objects as get_custom_objects
from layerwise.registry.registration import get_registered_name as get_registered_name
from layerwise.registry.registration import get_registered_object as get_registered_object
from layerwise.registry.registration import (
    register_keras_serializable as register_keras_serializable,
)
from layerwise.registry.safe_mode import SafeModeScope as SafeModeScope
from layerwise.registry.safe_mode import (
    disable_unsafe_deserialization as disable_unsafe_deserialization,
)
from layerwise.registry.safe_mode import (
    enable_unsafe_deserialization as enable_unsafe_deserialization,
)
from layerwise.registry.safe_mode import in_safe_mode as in_safe_mode
from layerwise.saving._budget import get_load_allowance as get_load_allowance
from layerwise.saving._budget import set_load_allowance as set_load_allowance
from layerwise.saving.keras_objects import deserialize_keras_object as deserialize_keras_object
from layerwise.saving.keras_objects import serialize_keras_object as serialize_keras_object
from layerwise.saving.saving_api import load_model as load_model
from layerwise.saving.saving_api import load_weights as load_weights
from layerwise.saving.saving_api import save_model as save_model
from layerwise.saving.saving_api import save_weights as save_weights
