"""The state shared by nested layer calls: the training flag and collected losses.

When a model calls its layers, an inner layer called without `training=`
inherits the outer call's value, as in Keras. Losses added during the call
(activity regularization, `add_loss`) are collected here so the trainer finds
them without walking the layer tree every step.
"""

from __future__ import annotations

import threading

_STATE = threading.local()


class CallContext:
    """One outermost layer call: its training flag and the losses added inside it."""

    __slots__ = ("training", "losses", "call_id")

    def __init__(self, training, call_id: int):
        self.training = training
        self.losses: list = []
        self.call_id = call_id


def current() -> CallContext | None:
    """Returns the context of the call in progress, or `None` outside any call."""
    return getattr(_STATE, "context", None)


def enter(training) -> CallContext:
    """Starts an outermost call and returns its context."""
    call_id = getattr(_STATE, "last_call_id", 0) + 1
    _STATE.last_call_id = call_id
    context = CallContext(training, call_id)
    _STATE.context = context
    return context


def exit_call() -> None:
    """Ends the outermost call; its context stays readable as the last one."""
    _STATE.last_context = _STATE.context
    _STATE.context = None


def last() -> CallContext | None:
    """Returns the context of the last finished outermost call."""
    return getattr(_STATE, "last_context", None)
