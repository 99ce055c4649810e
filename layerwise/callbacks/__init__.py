"""`layerwise.callbacks`: hooks into training."""

from layerwise.callbacks.callback import Callback as Callback
from layerwise.callbacks.callback_list import CallbackList as CallbackList
from layerwise.callbacks.history import History as History
from layerwise.callbacks.progbar_logger import ProgbarLogger as ProgbarLogger
