"""`layerwise.preprocessing`: data preprocessing utilities (Keras 2 paths included)."""

from layerwise.preprocessing import image as image
from layerwise.preprocessing import sequence as sequence
from layerwise.preprocessing import text as text
from layerwise.utils.image_dataset_utils import (
    image_dataset_from_directory as image_dataset_from_directory,
)
from layerwise.utils.text_dataset_utils import (
    text_dataset_from_directory as text_dataset_from_directory,
)
from layerwise.utils.timeseries_dataset_utils import (
    timeseries_dataset_from_array as timeseries_dataset_from_array,
)
