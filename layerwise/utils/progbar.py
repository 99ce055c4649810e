"""`Progbar`: the Keras 3 progress bar, same layout character for character."""

from __future__ import annotations

import math
import sys
import time

import numpy as np

from layerwise.backend import settings


def _print(message: str) -> None:
    sys.stdout.write(message)
    sys.stdout.flush()


def is_interactive() -> bool:
    """True on a terminal or in a notebook: where `\\r` redraws are shown as a moving bar."""
    if "ipykernel" in sys.modules:
        return True
    return bool(hasattr(sys.stdout, "isatty") and sys.stdout.isatty())


class Progbar:
    """Displays a progress bar.

    Args:
        target: Total number of steps expected, `None` if unknown.
        width: Progress bar width on screen.
        verbose: 0 (silent), 1 (bar), 2 (one line when done).
        interval: Minimum seconds between two redraws.
        stateful_metrics: Names of metrics shown as given (not averaged over steps).
        unit_name: Display name of a step.

    Example:

    >>> from layerwise.utils import Progbar
    >>> bar = Progbar(3, verbose=2)
    >>> for i in range(3):
    ...     bar.update(i + 1, [("loss", 0.5)])  # doctest: +ELLIPSIS
    3/3 - 0s - ...
    """

    def __init__(self, target, width=20, verbose=1, interval=0.05, stateful_metrics=None,
                 unit_name="step"):
        self.target = target
        self.width = width
        self.verbose = verbose
        self.interval = interval
        self.unit_name = unit_name
        self.stateful_metrics = (
            set(stateful_metrics) if isinstance(stateful_metrics, (list, tuple, set))
            else stateful_metrics or set()
        )
        self._dynamic_display = is_interactive() or settings.pycharm_hosted()
        self._seen_so_far = 0
        self._values: dict = {}
        self._values_order: list = []
        self._start = time.time()
        self._last_update = 0.0
        self._time_after_first_step = None
        self._prev_total_width = 0

    def should_redraw(self, current: int, finalize: bool = False) -> bool:
        """Whether an `update` now would print (lets callers skip computing values)."""
        if self.verbose == 1:
            return finalize or time.time() - self._last_update >= self.interval
        return self.verbose == 2 and finalize

    def update(self, current, values=None, finalize=None):
        """Updates the bar to step `current` with `(name, value)` pairs."""
        if finalize is None:
            finalize = self.target is not None and current >= self.target
        for k, v in values or []:
            if k not in self._values_order:
                self._values_order.append(k)
            if k not in self.stateful_metrics:
                if finalize:
                    self._values[k] = [v, 1]
                else:
                    base = max(current - self._seen_so_far, 1)
                    if k not in self._values:
                        self._values[k] = [v * base, base]
                    else:
                        self._values[k][0] += v * base
                        self._values[k][1] += base
            else:
                self._values[k] = [v, 1]
        self._seen_so_far = current
        now = time.time()
        time_per_unit = self._estimate_step_duration(current, now)
        if self.verbose == 1:
            if now - self._last_update < self.interval and not finalize:
                return
            self._draw_bar(current, now, time_per_unit, finalize)
        elif self.verbose == 2 and finalize and self.target:
            numdigits = int(math.log10(self.target)) + 1
            info = f"{current:>{numdigits}d}/{self.target}"
            info += f" - {now - self._start:.0f}s -{self._format_time(time_per_unit)}"
            info += self._format_values(abs_threshold=False)
            _print(info + "\n")
        self._last_update = now

    def _draw_bar(self, current, now, time_per_unit, finalize):
        message = ("\b" * self._prev_total_width + "\r") if self._dynamic_display else "\n"
        special = 0
        if self.target is not None and self.target > 0:
            numdigits = int(math.log10(self.target)) + 1
            bar = f"\x1b[1m{current:>{numdigits}d}/{self.target}\x1b[0m "
            special += 8
            done = int(self.width * float(current) / self.target)
            if done > 0:
                bar += f"\x1b[32m{'━' * done}\x1b[0m"
                special += 9
            bar += f"\x1b[37m{'━' * (self.width - done)}\x1b[0m"
            special += 9
        else:
            bar = f"{current:7d}/Unknown"
        if self.target is not None and self.target > 0 and not finalize:
            eta = time_per_unit * (self.target - current)
            if eta > 3600:
                eta_text = f"{int(eta // 3600)}:{int((eta % 3600) // 60):02d}:{int(eta % 60):02d}"
            elif eta > 60:
                eta_text = f"{int(eta // 60)}:{int(eta % 60):02d}"
            else:
                eta_text = f"{int(eta)}s"
            info = f" \x1b[1m{eta_text}\x1b[0m"
        else:
            info = f" \x1b[1m{now - self._start:.0f}s\x1b[0m"
        special += 8
        info += self._format_time(time_per_unit)
        info += self._format_values(abs_threshold=True)
        total_width = len(bar) + len(info) - special
        message += bar + info
        if self._prev_total_width > total_width:
            message += " " * (self._prev_total_width - total_width)
        if finalize:
            message += "\n"
        _print(message)
        self._prev_total_width = total_width

    def _format_values(self, abs_threshold: bool) -> str:
        info = ""
        for k in self._values_order:
            total, count = self._values[k]
            if not isinstance(total, float):
                total = float(np.mean(total))
            avg = total / max(1, count)
            big = abs(avg) > 1e-3 if abs_threshold else avg > 1e-3
            info += f" - {k}: {avg:.4f}" if big else f" - {k}: {avg:.4e}"
        return info

    def _format_time(self, time_per_unit) -> str:
        if time_per_unit >= 1 or time_per_unit == 0:
            return f" {time_per_unit:.0f}s/{self.unit_name}"
        if time_per_unit >= 1e-3:
            return f" {time_per_unit * 1000.0:.0f}ms/{self.unit_name}"
        return f" {time_per_unit * 1000000.0:.0f}us/{self.unit_name}"

    def _estimate_step_duration(self, current, now):
        if not current:
            return 0
        if self._time_after_first_step is not None and current > 1:
            per_unit = (now - self._time_after_first_step) / (current - 1)
        else:
            per_unit = (now - self._start) / current
        if current == 1:
            self._time_after_first_step = now
        return per_unit

    def add(self, n, values=None):
        self.update(self._seen_so_far + n, values)
