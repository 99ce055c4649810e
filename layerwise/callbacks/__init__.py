"""`layerwise.callbacks`: hooks into training."""

from layerwise.callbacks.backup_and_restore import BackupAndRestore as BackupAndRestore
from layerwise.callbacks.callback import Callback as Callback
from layerwise.callbacks.callback_list import CallbackList as CallbackList
from layerwise.callbacks.csv_logger import CSVLogger as CSVLogger
from layerwise.callbacks.early_stopping import EarlyStopping as EarlyStopping
from layerwise.callbacks.history import History as History
from layerwise.callbacks.lambda_callback import LambdaCallback as LambdaCallback
from layerwise.callbacks.learning_rate_scheduler import (
    LearningRateScheduler as LearningRateScheduler,
)
from layerwise.callbacks.model_checkpoint import ModelCheckpoint as ModelCheckpoint
from layerwise.callbacks.progbar_logger import ProgbarLogger as ProgbarLogger
from layerwise.callbacks.reduce_lr_on_plateau import ReduceLROnPlateau as ReduceLROnPlateau
from layerwise.callbacks.remote_monitor import RemoteMonitor as RemoteMonitor
from layerwise.callbacks.swap_ema_weights import SwapEMAWeights as SwapEMAWeights
from layerwise.callbacks.tensorboard import TensorBoard as TensorBoard
from layerwise.callbacks.terminate_on_nan import TerminateOnNaN as TerminateOnNaN
