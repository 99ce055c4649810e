"""`TrainerState`: the attributes the trainer keeps on a model, with their types.

`Trainer` (through `Steps`) inherits these class-level annotations; they create no
class attribute (an annotation without a value only fills `__annotations__`), so
`nn.Module`'s parameters, buffers, `state_dict` and `__getattr__` are untouched.
The values are set by `train_state.init_state` (at `Model.__init__`), `compile`
and `fit`. Every name used here is imported at run time, so
`typing.get_type_hints(type(model))` resolves (the TorchScript ONNX exporter
calls it).

For the type checker only, the base is `Layer`: the trainer mixins always run on
a `Model`, which is a `Layer` (and an `nn.Module`). At run time the base is
`object`, so the method resolution order of `Model` keeps `Layer` after the mixins.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import TYPE_CHECKING, Any

import torch

from layerwise.backend.variables import Variable
from layerwise.callbacks.history import History
from layerwise.layers.kernel_grad_sink import KernelGradSink
from layerwise.metrics.metric import Mean
from layerwise.optimizers.optimizer import Optimizer
from layerwise.trainers.compile_utils import CompileLoss, CompileMetrics
from layerwise.trainers.epoch_loop import EpochLoop

if TYPE_CHECKING:
    from layerwise.layers.layer import Layer as _ModelBase
else:
    _ModelBase = object


class TrainerState(_ModelBase):
    """The trainer's state on a model (annotations only; see the module docstring)."""

    # Public, as in Keras.
    compiled: bool  # `compile()` ran
    optimizer: Optimizer | None  # None before `compile()`
    loss: Any  # the `loss=` given to `compile()`, as given
    stop_training: bool  # set by callbacks (`EarlyStopping`) to end `fit`
    history: History | None  # the last `fit`'s `History`
    # What `compile` resolved: the loss, the metrics container and the loss tracker.
    _compile_loss: CompileLoss | None
    _compile_metrics: CompileMetrics | None
    _loss_tracker: Mean | None
    _jit_forward: Callable[..., Any] | None  # `torch.compile(model.forward)` (jit_compile=True)
    # Several processes (trainers/distributed.py): the DDP wrapper the fast path trains through.
    _distributed: bool
    _ddp_module: torch.nn.Module | None
    # Plain SGD in `fit` (trainers/kernel_sgd.py): the sink Dense kernels' products go to.
    _kernel_grad_sink: KernelGradSink | None
    # What `train_state.ensure_prepared` captured after the last `compile`.
    _trainable_params: list[Variable] | None  # None: to capture at the next preparation
    _regularized: list[tuple[Callable[[Variable], torch.Tensor], Variable]]
    _warned_trainable: set[int] | None  # trainable set last reported as changed
    # The running `fit`'s epoch loop (`BackupAndRestore` resumes through it).
    epoch_loop: EpochLoop | None
