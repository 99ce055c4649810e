"""`layerwise.models`: `Model` and `Sequential`."""

from layerwise.models.cloning import clone_model as clone_model
from layerwise.models.functional import Functional as Functional
from layerwise.models.model import Model as Model
from layerwise.models.sequential import Sequential as Sequential
from layerwise.saving.saving_api import load_model as load_model
from layerwise.saving.saving_api import save_model as save_model
from layerwise.saving.serialization import model_from_json as model_from_json
