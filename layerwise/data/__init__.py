"""`layerwise.data`: the tf.data pipeline API of Keras tutorials, without TensorFlow.

`from layerwise import data as tf_data` stands in for `from tensorflow import data as
tf_data`: `tf_data.AUTOTUNE`, `tf_data.Dataset.from_tensor_slices(...)`, and every
dataset that `keras.utils.*_dataset_from_directory` returns is a `Dataset`.
See `docs/data_pipelines.md` for the methods and their differences from tf.data.
"""

from types import SimpleNamespace

from layerwise.data._parallel import AUTOTUNE as AUTOTUNE
from layerwise.data.dataset import INFINITE_CARDINALITY as INFINITE_CARDINALITY
from layerwise.data.dataset import UNKNOWN_CARDINALITY as UNKNOWN_CARDINALITY
from layerwise.data.dataset import Dataset as Dataset
from layerwise.data.elements import EagerArray as EagerArray
from layerwise.data.elements import TensorSpec as TensorSpec

# `tf.data.experimental.*` spellings that older tutorials use.
experimental = SimpleNamespace(
    AUTOTUNE=AUTOTUNE,
    INFINITE_CARDINALITY=INFINITE_CARDINALITY,
    UNKNOWN_CARDINALITY=UNKNOWN_CARDINALITY,
    cardinality=lambda dataset: dataset.cardinality(),
)
