"""Fixtures for the image preprocessing tests: small image folders written with Pillow."""

from __future__ import annotations

import numpy as np
import pytest


def write_image_tree(root, classes=("cats", "dogs"), per_class=6, size_range=(20, 40),
                     ext="jpg", seed=0, mode="RGB"):
    """`root/<class>/<class>.<i>.<ext>` images of random sizes; returns `root`."""
    image = pytest.importorskip("PIL.Image")
    rng = np.random.RandomState(seed)
    for cls in classes:
        folder = root / cls
        folder.mkdir(parents=True, exist_ok=True)
        for i in range(per_class):
            h, w = rng.randint(*size_range, size=2)
            channels = {"RGB": 3, "RGBA": 4, "L": 1}[mode]
            pixels = rng.randint(0, 256, (h, w, channels), dtype=np.uint8)
            if channels == 1:
                pixels = pixels[:, :, 0]
            image.fromarray(pixels, mode).save(folder / f"{cls}.{i}.{ext}")
    return root


@pytest.fixture
def make_image_tree():
    """`make_image_tree(root, classes=..., per_class=..., size_range=..., ext=..., mode=...)`."""
    return write_image_tree


@pytest.fixture
def image_tree(tmp_path):
    return write_image_tree(tmp_path / "train")
