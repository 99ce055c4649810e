"""`layerwise.utils`: what Keras puts in `keras.utils`."""

from layerwise.backend.random import set_random_seed as set_random_seed
from layerwise.utils import layer_utils as layer_utils
from layerwise.utils import np_utils as np_utils
from layerwise.utils.numerical_utils import normalize as normalize
from layerwise.utils.numerical_utils import to_categorical as to_categorical
from layerwise.utils.progbar import Progbar as Progbar
from layerwise.utils.sequence_utils import pad_sequences as pad_sequences
from layerwise.utils import data_utils as data_utils
from layerwise.utils.file_utils import get_file as get_file
from layerwise.utils import vis_utils as vis_utils
from layerwise.utils.model_visualization import model_to_dot as model_to_dot
from layerwise.utils.model_visualization import plot_model as plot_model
