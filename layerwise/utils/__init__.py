"""`layerwise.utils`: what Keras puts in `keras.utils`."""

from layerwise.backend.random import set_random_seed as set_random_seed
from layerwise.utils import data_utils as data_utils
from layerwise.utils import layer_utils as layer_utils
from layerwise.utils import np_utils as np_utils
from layerwise.utils import vis_utils as vis_utils
from layerwise.utils.audio_dataset_utils import (
    audio_dataset_from_directory as audio_dataset_from_directory,
)
from layerwise.utils.dataset_utils import split_dataset as split_dataset
from layerwise.utils.file_utils import get_file as get_file
from layerwise.utils.image_dataset_utils import (
    image_dataset_from_directory as image_dataset_from_directory,
)
from layerwise.utils.image_utils import array_to_img as array_to_img
from layerwise.utils.image_utils import img_to_array as img_to_array
from layerwise.utils.image_utils import load_img as load_img
from layerwise.utils.image_utils import save_img as save_img
from layerwise.utils.image_utils import smart_resize as smart_resize
from layerwise.utils.model_visualization import model_to_dot as model_to_dot
from layerwise.utils.model_visualization import plot_model as plot_model
from layerwise.utils.numerical_utils import normalize as normalize
from layerwise.utils.numerical_utils import to_categorical as to_categorical
from layerwise.utils.progbar import Progbar as Progbar
from layerwise.utils.py_dataset import PyDataset as PyDataset
from layerwise.utils.py_dataset import Sequence as Sequence
from layerwise.utils.sequence_utils import pad_sequences as pad_sequences
from layerwise.utils.text_dataset_utils import (
    text_dataset_from_directory as text_dataset_from_directory,
)
from layerwise.utils.timeseries_dataset_utils import (
    timeseries_dataset_from_array as timeseries_dataset_from_array,
)
