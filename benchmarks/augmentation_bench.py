"""Augmentation throughput: layerwise's `ImageDataGenerator` vs Keras' legacy one.

Both generators get the same arguments (the "cats vs dogs" augmentation tutorial:
rotation, shifts, shear, zoom, horizontal flips, rescale) and produce the same
batches for the same seed; this measures how many augmented images per second each
delivers, side by side. Standalone; prints a table, writes nothing.

    KERAS_BACKEND=torch python benchmarks/augmentation_bench.py            # all cases
    KERAS_BACKEND=torch python benchmarks/augmentation_bench.py --quick    # fewer batches
    python benchmarks/augmentation_bench.py --threads 1                    # one core

`--threads` sets torch's threads and layerwise's image-decoding threads
(`LAYERWISE_LOADER_THREADS`); Keras' legacy generator uses one thread per batch.
Without Keras installed, only the layerwise column is filled.
"""

from __future__ import annotations

import argparse
import contextlib
import io
import os
import sys
import tempfile
import time

TUTORIAL = dict(rescale=1.0 / 255, rotation_range=40, width_shift_range=0.2,
                height_shift_range=0.2, shear_range=0.2, zoom_range=0.2, horizontal_flip=True,
                fill_mode="nearest")


def parse_args():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--quick", action="store_true", help="fewer batches per case")
    parser.add_argument("--threads", type=int, default=0,
                        help="threads for torch and image decoding (default: all cores)")
    parser.add_argument("--no-model", action="store_true",
                        help="skip the reference training-step measurement")
    parser.add_argument("--out", default=None,
                        help="also write the table to this Markdown file (make bench: "
                             "benchmarks/AUGMENTATION.md)")
    return parser.parse_args()


def setup(threads):
    os.environ.setdefault("KERAS_BACKEND", "torch")
    if threads:
        os.environ["OMP_NUM_THREADS"] = str(threads)
        os.environ["LAYERWISE_LOADER_THREADS"] = str(threads)
    repo = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
    if repo not in sys.path:
        sys.path.insert(0, repo)
    import torch

    if threads:
        torch.set_num_threads(threads)
    return torch


def write_jpegs(folder, n, size=(375, 500), seed=0):
    """Photo-like JPEGs (smooth gradients plus noise), like the cats/dogs pictures."""
    import numpy as np
    from PIL import Image

    rng = np.random.RandomState(seed)
    h, w = size
    yy, xx = np.mgrid[0:h, 0:w].astype("float32")
    for cls in ("cats", "dogs"):
        os.makedirs(os.path.join(folder, cls), exist_ok=True)
        for i in range(n // 2):
            base = np.stack([np.sin(xx / rng.uniform(20, 80) + c) * np.cos(yy / rng.uniform(
                20, 80)) for c in range(3)], -1)
            pixels = np.clip((base + 1) * 110 + rng.normal(0, 12, (h, w, 3)), 0, 255)
            Image.fromarray(pixels.astype("uint8")).save(
                os.path.join(folder, cls, f"{cls}.{i}.jpg"), quality=90)


def throughput(make_iterator, batches, batch_size):
    """Images per second over `batches` batches, after one warm-up batch."""
    iterator = make_iterator()
    next(iterator)
    start = time.perf_counter()
    for _ in range(batches):
        next(iterator)
    return batches * batch_size / (time.perf_counter() - start)


def main():
    args = parse_args()
    torch = setup(args.threads)
    lines: list[str] = []

    def emit(text: str) -> None:
        print(text, flush=True)
        lines.append(text)
    import numpy as np
    from layerwise.preprocessing.image import ImageDataGenerator

    try:
        from keras.src.legacy.preprocessing.image import ImageDataGenerator as KerasIDG
    except Exception as e:  # noqa: BLE001 - Keras is optional here
        print(f"(Keras legacy ImageDataGenerator unavailable: {e})")
        KerasIDG = None

    batches = 5 if args.quick else 20
    rng = np.random.RandomState(0)
    cifar = rng.randint(0, 256, (1024, 32, 32, 3)).astype("float32")
    big = rng.randint(0, 256, (120, 150, 150, 3)).astype("float32")
    folder = tempfile.mkdtemp(prefix="augbench_")
    write_jpegs(folder, 4 * 20 if args.quick else 10 * 20)

    cases = [
        ("flow, 32x32 arrays, batch 32", 32,
         lambda G: G(**TUTORIAL).flow(cifar, batch_size=32, seed=1)),
        ("flow, 150x150 arrays, batch 20", 20,
         lambda G: G(**TUTORIAL).flow(big, batch_size=20, seed=1)),
        ("flow_from_directory, JPEG 500x375 -> 150x150, batch 20", 20,
         lambda G: G(**TUTORIAL).flow_from_directory(
             folder, target_size=(150, 150), batch_size=20, class_mode="binary", seed=1)),
        ("flow_from_directory, rescale only (decode cost)", 20,
         lambda G: G(rescale=1.0 / 255).flow_from_directory(
             folder, target_size=(150, 150), batch_size=20, class_mode="binary", seed=1)),
    ]
    threads = args.threads or os.cpu_count()
    emit(f"\nAugmentation throughput (images/s, higher is better); torch threads: "
          f"{torch.get_num_threads()}, decode threads: {threads}, {batches} batches per case")
    header = f"{'case':<58} {'Keras legacy':>13} {'layerwise':>11} {'speed-up':>9}"
    emit(header)
    emit("-" * len(header))
    for name, batch_size, make in cases:
        with contextlib.redirect_stdout(io.StringIO()):  # "Found N images ..." lines
            ours = throughput(lambda m=make: m(ImageDataGenerator), batches, batch_size)
            theirs = (throughput(lambda m=make: m(KerasIDG), batches, batch_size)
                      if KerasIDG is not None else float("nan"))
        ratio = ours / theirs if theirs == theirs else float("nan")
        emit(f"{name:<58} {theirs:>13.0f} {ours:>11.0f} {ratio:>8.1f}x")

    if not args.no_model:
        import layerwise as keras

        layers = keras.layers
        model = keras.Sequential([
            keras.Input((150, 150, 3)),
            layers.Conv2D(32, 3, activation="relu"), layers.MaxPooling2D(2),
            layers.Conv2D(64, 3, activation="relu"), layers.MaxPooling2D(2),
            layers.Conv2D(128, 3, activation="relu"), layers.MaxPooling2D(2),
            layers.Conv2D(128, 3, activation="relu"), layers.MaxPooling2D(2),
            layers.Flatten(), layers.Dropout(0.5), layers.Dense(512, activation="relu"),
            layers.Dense(1, activation="sigmoid")])
        model.compile(optimizer="rmsprop", loss="binary_crossentropy", metrics=["accuracy"])
        xb = np.random.rand(20, 150, 150, 3).astype("float32")
        yb = np.random.randint(0, 2, 20).astype("float32")
        model.train_on_batch(xb, yb)
        steps = 2 if args.quick else 5
        start = time.perf_counter()
        for _ in range(steps):
            model.train_on_batch(xb, yb)
        rate = steps * 20 / (time.perf_counter() - start)
        emit(f"\nReference: the tutorial's convnet trains at {rate:.0f} images/s here "
              "(layerwise train_on_batch, batch 20, 150x150): augmentation faster than "
              "this does not slow training down.")
    if args.out:
        write_markdown(args.out, lines)


def write_markdown(path: str, lines: list[str]) -> None:
    """The printed table as a Markdown page, written atomically (temp file + rename)."""
    import datetime
    import platform

    import report  # benchmarks/, beside this script

    stamp = datetime.datetime.now(datetime.timezone.utc).isoformat(timespec="seconds")
    text = (f"# Augmentation benchmark\n\nGenerated by `python benchmarks/augmentation_bench.py` "
            f"on {stamp} ({platform.processor() or platform.machine()}, "
            f"{os.cpu_count()} cores). Same arguments and seeds for both generators; "
            "see the script's docstring.\n\n```\n" + "\n".join(lines).strip("\n") + "\n```\n")
    report.write_text_atomic(path, text)


if __name__ == "__main__":
    main()
