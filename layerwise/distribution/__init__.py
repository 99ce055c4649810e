"""`layerwise.distribution`: Keras 3's distribution API on PyTorch DDP and FSDP2 (`docs/distribution.md`)."""

from layerwise.distribution.distribution_lib import DataParallel as DataParallel
from layerwise.distribution.distribution_lib import DeviceMesh as DeviceMesh
from layerwise.distribution.distribution_lib import Distribution as Distribution
from layerwise.distribution.distribution_lib import LayoutMap as LayoutMap
from layerwise.distribution.distribution_lib import ModelParallel as ModelParallel
from layerwise.distribution.distribution_lib import TensorLayout as TensorLayout
from layerwise.distribution.distribution_lib import distribution as distribution
from layerwise.distribution.distribution_lib import gathered as gathered
from layerwise.distribution.distribution_lib import get_device_count as get_device_count
from layerwise.distribution.distribution_lib import initialize as initialize
from layerwise.distribution.distribution_lib import list_devices as list_devices
from layerwise.distribution.distribution_lib import set_distribution as set_distribution
