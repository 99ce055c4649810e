"""Keras 3's stateless metric API: update / read / reset a metric on given state values.

`metric.stateless_update_state(values, y_true, y_pred)` runs `update_state` on
the state `values` (a list in the order of `metric.variables`) and returns the new
values, leaving the metric's own state untouched; `stateless_result(values)` is
`result()` on those values, and `stateless_reset_state()` returns the values
after a reset. The metric's state is swapped in, used, and swapped back.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence

import torch


def state_values(metric) -> list[torch.Tensor]:
    """Copies of the metric's state values, in the order of `metric.variables`."""
    return [torch.as_tensor(v).detach().clone() for v in metric.variables]


def _check_length(metric, values: Sequence, method: str) -> None:
    expected = len(metric.variables)
    if len(values) != expected:
        raise ValueError(
            f"Argument `metric_variables` of `{method}` must be a list of length {expected} "
            f"(the values of `{metric.name}.variables`). Received a list of length "
            f"{len(values)}."
        )


def _run_on(metric, values: Sequence | None, action: Callable):
    """Runs `action()` with `values` loaded as the state; returns `(result, new values)`."""
    saved = state_values(metric)
    try:
        if values is not None:
            metric._load_state_values(values)
        result = action()
        return result, state_values(metric)
    finally:
        metric._load_state_values(saved)


def stateless_update_state(metric, metric_variables: Sequence, *args, **kwargs) -> list:
    _check_length(metric, metric_variables, "stateless_update_state")
    _, values = _run_on(metric, metric_variables,
                        lambda: metric.update_state(*args, **kwargs))
    return values


def stateless_result(metric, metric_variables: Sequence):
    _check_length(metric, metric_variables, "stateless_result")
    result, _ = _run_on(metric, metric_variables, metric.result)
    return result


def stateless_reset_state(metric) -> list:
    _, values = _run_on(metric, None, metric.reset_state)
    return values
