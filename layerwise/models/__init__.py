"""`layerwise.models`: `Model` and `Sequential`."""

from layerwise.models.cloning import clone_model as clone_model
from layerwise.models.functional import Functional as Functional
from layerwise.models.model import Model as Model
from layerwise.models.sequential import Sequential as Sequential
from layerwise.registry import register_names

register_names("layer", {"Sequential": Sequential, "Functional": Functional,
                         "Model": Functional})


def __getattr__(name: str):
    # Lazy entry point: `saving` sits above `models` (it reads and writes model files).
    if name in ("load_model", "save_model"):
        from layerwise.saving import saving_api

        return getattr(saving_api, name)
    if name == "model_from_json":  # reads a file format: the same lazy entry point
        from layerwise.saving.json_model import model_from_json

        return model_from_json
    raise AttributeError(f"module 'layerwise.models' has no attribute {name!r}")
