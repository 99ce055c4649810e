"""`layerwise.registry`: the bottom of the name lookup, below every family.

- `names` / `register_names`: the name table of each family (`"layer"`, `"loss"`, ...),
  filled by the families when they are imported.
- `object_registry`: `lookup` / `serialize` / `deserialize` of one family's identifiers,
  with errors that list close names.
- `registration`: `register_keras_serializable`, `custom_object_scope` (custom objects).
- `safe_mode`: refusing serialized code unless the user allows it.
- `serialization`: Keras-format dicts of layers and models (`serialize_keras_object`).
- `clean_layer_config`: Keras layer configs made fit for layerwise constructors.

Nothing here imports a layerwise module above `backend` (see `registry/README.md`).
"""

from layerwise.registry.layer_config import clean_layer_config as clean_layer_config
from layerwise.registry.names import names as names
from layerwise.registry.names import register_names as register_names
