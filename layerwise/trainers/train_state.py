"""The trainer's state, declared in one place, and the one check that prepares it.

`init_state(model)` lists every attribute the trainer keeps on a model.
`ensure_prepared(model, sample_x)` is the single preparation check that `compile`,
`fit`, `evaluate`, `train_on_batch` and `test_on_batch` go through, whatever the
input kind (arrays, generators, `PyDataset`, `DataLoader`, ...):

1. an unbuilt model is built from `sample_x` (the arrays, or the first batch);
2. after each `compile`, the trainable weights are captured (at `compile` for a
   built model, else at the first preparation) and the optimizer is rebuilt when
   it holds state for other weights;
3. a `trainable` change made after `compile` is reported (recompile to apply it),
   and the weights captured at `compile` stay the ones trained: Keras 2's rule,
   which the classic GAN loop relies on (see `docs/training.md`).

While a model trains, its captured weights require gradients and its other
weights do not (`activate`); the previous flags are put back afterwards.
"""

from __future__ import annotations

import warnings


def init_state(model) -> None:
    """Declares the trainer's attributes (public Keras ones, then private ones)."""
    model.compiled = False
    model.optimizer = None
    model.loss = None
    model.stop_training = False
    model.history = None
    # What `compile` resolved: the loss, the metrics container and the loss tracker.
    model._compile_loss = None
    model._compile_metrics = None
    model._loss_tracker = None
    model._jit_forward = None
    # Several processes (trainers/distributed.py): the DDP wrapper the fast path trains through.
    model._distributed = False
    model._ddp_module = None
    # Plain SGD in `fit` (trainers/kernel_sgd.py): the sink Dense kernels' products go to.
    model._kernel_grad_sink = None
    # What `ensure_prepared` captured after the last `compile`.
    model._trainable_params = None  # None: to capture at the next preparation
    model._regularized = []  # (regularizer, weight) pairs added to the loss
    model._warned_trainable = None  # trainable set last reported as changed
    # The running `fit`'s epoch loop (`BackupAndRestore` resumes through it).
    model.epoch_loop = None


def on_compile(model) -> None:
    """Forgets the captured weights; captures them now when the model is built."""
    model._trainable_params = None
    model._warned_trainable = None
    if model.built:
        _capture(model)


def ensure_prepared(model, sample_x=None) -> bool:
    """Builds, captures and syncs what training needs; `False` if no data to build from yet.

    Cheap when nothing changed (one pass over the weights), so it runs at every
    entry point, never per batch.
    """
    if not model.built:
        if sample_x is None:
            return False
        model._build_from_data(sample_x)
    if model._trainable_params is None:
        _capture(model)
    else:
        _warn_if_trainable_changed(model)
    device = model._device()
    for metric in model.metrics:
        metric.to(device)
    return True


def _capture(model) -> None:
    params = list(model.trainable_weights)
    model._trainable_params = params
    model._regularized = [(w.regularizer, w) for w in params
                          if getattr(w, "regularizer", None) is not None]
    optimizer = model.optimizer
    if optimizer is not None and optimizer.built and not optimizer.is_built_for(params):
        optimizer.rebuild(params)  # new weights: fresh slots, as a new optimizer would have


def _warn_if_trainable_changed(model) -> None:
    current = {id(w) for w in model.trainable_weights}
    captured = {id(_variable(w)) for w in model._trainable_params}
    if current == captured or model._warned_trainable == current:
        return
    model._warned_trainable = current
    warnings.warn(
        "A layer's `trainable` state has changed since the model was compiled: the weights "
        f"trained are still the {len(captured)} captured by `compile()` (the model now has "
        f"{len(current)} trainable weights). Call `model.compile(...)` again for the change "
        "to take effect.", UserWarning, stacklevel=4)


def activate(model) -> list:
    """Makes exactly the captured weights require gradients; returns the weights changed."""
    captured = {id(_variable(w)) for w in model._trainable_params or ()}
    changed = []
    for w in model.weights:
        wanted = id(w) in captured
        if w.requires_grad != wanted and w.is_floating_point():
            w.requires_grad_(wanted)
            changed.append(w)
    return changed


def _variable(weight):
    """The Keras `Variable` a trained weight stands for (itself, or a sharded weight's)."""
    return weight.__dict__.get("_keras_variable", weight)


def restore(changed: list) -> None:
    """Undoes `activate`."""
    for w in changed:
        w.requires_grad_(not w.requires_grad)


def warn_if_nothing_to_train(model) -> None:
    if not model._trainable_params:
        warnings.warn("The model does not have any trainable weights.", UserWarning,
                      stacklevel=4)
