"""The HTML report in headless Chromium: no console errors, the figures are on screen.

Skips when no Chromium/Chrome is installed (`apt-get install -y chromium`;
`.ci/run` installs it, so CI always runs this test).
"""

from __future__ import annotations

import os
import re
import shutil
import subprocess

import numpy as np
import pytest

from layerwise import reports

pytest.importorskip("matplotlib")
Image = pytest.importorskip("PIL.Image")

BROWSERS = ("chromium", "chromium-browser", "google-chrome", "google-chrome-stable", "chrome")


def find_browser():
    for name in BROWSERS:
        path = shutil.which(name)
        if path:
            return path
    tried = ", ".join(BROWSERS)
    pytest.skip(f"no headless browser found (tried {tried}); install one with "
                "`apt-get install -y chromium`")


def render(page, tmp_path, width=1100, height=4200):
    """Screenshot of `page` and the console messages Chromium logged while loading it."""
    shot = tmp_path / (page.stem + ".png")
    command = [find_browser(), "--headless", "--no-sandbox", "--disable-gpu",
               "--disable-dev-shm-usage", "--hide-scrollbars", "--enable-logging=stderr",
               "--v=0", f"--user-data-dir={tmp_path / 'profile'}",
               f"--screenshot={shot}", f"--window-size={width},{height}", page.as_uri()]
    result = subprocess.run(command, capture_output=True, text=True, timeout=120,
                            env=dict(os.environ, HOME=str(tmp_path)))
    assert shot.exists(), result.stderr[-2000:]
    console = [line for line in result.stderr.splitlines() if ":CONSOLE" in line]
    return shot, console


def near(pixels, colour, tolerance=40):
    return (np.abs(pixels - np.asarray(colour, dtype=float)).sum(axis=2) < tolerance)


@pytest.fixture(scope="module")
def report():
    from layerwise.datasets import digits

    (_, _), (x, y) = digits.load_data()
    rng = np.random.default_rng(0)
    logits = np.eye(10)[y] * 3 + rng.normal(size=(len(y), 10)) * 1.2
    prob = np.exp(logits) / np.exp(logits).sum(axis=1, keepdims=True)
    history = {"loss": [1.5, 0.8, 0.5, 0.4], "accuracy": [0.6, 0.8, 0.88, 0.9],
               "val_loss": [1.2, 0.7, 0.55, 0.56], "val_accuracy": [0.7, 0.84, 0.87, 0.86]}
    return reports.EvaluationReport(y, prob, x=x, history=history,
                                    class_names=[f"digit {i}" for i in range(10)])


def test_console_errors_are_detected(tmp_path):
    page = tmp_path / "broken.html"
    page.write_text("<html><body><script>console.error('planted-error')</script></body></html>")
    _, console = render(page, tmp_path, 400, 300)
    assert any("planted-error" in line for line in console)


def test_report_renders_without_console_errors(report, tmp_path):
    page = tmp_path / "report.html"
    report.to_html(page)
    shot, console = render(page, tmp_path)
    assert console == []
    with Image.open(shot) as image:
        pixels = np.asarray(image.convert("RGB"), dtype=np.float64)
    rows_with = lambda mask: np.nonzero(mask.any(axis=1))[0]  # noqa: E731
    dark_blue = rows_with(near(pixels, (8, 48, 107)))          # confusion matrix diagonal
    orange = rows_with(near(pixels, (255, 127, 14)))           # validation / ROC curves
    assert len(dark_blue) > 100, "the confusion matrix is not on the screenshot"
    assert len(orange) > 100, "the curves are not on the screenshot"
    assert orange.min() < dark_blue.min() < orange.max()       # curves, matrix, ROC in order
    html = page.read_text(encoding="utf-8")
    assert len(re.findall("data:image/png;base64", html)) == 4
