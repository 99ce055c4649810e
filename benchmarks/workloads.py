"""The benchmark workloads and their synthetic data.

Every framework trains exactly the same data: arrays generated once from a
fixed seed and cached as ``.npy`` files under ``benchmarks/.cache`` (git
ignored), then loaded by each worker subprocess.

Labels come from a random linear "teacher" applied to the inputs, so the
models can actually learn something and the final accuracy doubles as a
sanity check that every framework trained the same problem.
"""

from __future__ import annotations

import dataclasses
import os

import numpy as np

SEED = 1234
CACHE_DIR = os.path.join(os.path.dirname(os.path.abspath(__file__)), ".cache")


@dataclasses.dataclass(frozen=True)
class Workload:
    """One model/optimizer/loss/data combination to time.

    ``samples`` rows are generated; each timed epoch trains on the first
    ``epoch_samples`` of them (equal to ``samples`` except for W2).
    """

    name: str
    description: str
    units: tuple[int, ...]  # input dim, then the units of each Dense layer
    optimizer: str  # "sgd", "adam" or "rmsprop"
    loss: str  # a Keras loss name
    batch_size: int
    samples: int
    epoch_samples: int
    epochs: int  # maximum; a worker may stop earlier (see timing.py)
    # CNN workloads: the image shape (height, width, channels), channels-last as
    # in Keras; the model is then the W5 CNN (see `CNN_LAYERS`). MLPs: ().
    image_shape: tuple[int, ...] = ()
    # Text workloads (W6, W7): (vocabulary, maxlen, embedding dim, LSTM units,
    # Bidirectional layers: 0 = one plain LSTM); see `sequence_models.py`. Others: ().
    text: tuple[int, ...] = ()
    # Predict throughput (`model.predict(x, batch_size=predict_batch)`) is
    # measured on the first `predict_samples` rows (whole batches only) when
    # predict_batch > 0 (W1, W5); see `predict_rows`.
    predict_batch: int = 0
    predict_samples: int = 0

    @property
    def input_dim(self) -> int:
        return self.units[0]

    @property
    def is_cnn(self) -> bool:
        return bool(self.image_shape)

    @property
    def is_text(self) -> bool:
        return bool(self.text)

    @property
    def sample_shape(self) -> tuple[int, ...]:
        """The shape of one input sample (no batch axis)."""
        return self.image_shape or (self.input_dim,)

    @property
    def outputs(self) -> int:
        return self.units[-1]

    @property
    def final_activation(self) -> str:
        return "sigmoid" if self.loss == "binary_crossentropy" else "softmax"

    def predict_rows(self, available: int) -> int:
        """How many rows predict is timed on: whole batches of ``predict_batch``
        (no partial last batch, which would make XLA compile a second shape),
        at most ``predict_samples`` and ``available``, at least one batch's worth
        or everything available."""
        limit = min(self.predict_samples, available)
        whole = limit // self.predict_batch * self.predict_batch
        return whole or limit

    def scaled(self, factor: int) -> Workload:
        """The same workload with sample counts divided by ``factor``."""
        return dataclasses.replace(
            self,
            samples=max(self.batch_size, self.samples // factor),
            epoch_samples=max(self.batch_size, self.epoch_samples // factor),
        )


WORKLOADS: tuple[Workload, ...] = (
    Workload(
        name="W1",
        description="MLP 784-128-10, SGD, categorical CE (one-hot)",
        units=(784, 128, 10),
        optimizer="sgd",
        loss="categorical_crossentropy",
        batch_size=128,
        samples=45_000,
        epoch_samples=45_000,
        epochs=6,
        predict_batch=1024,
        predict_samples=45_000,
    ),
    Workload(
        name="W2",
        description="MLP 3072-1000-500-100, SGD, categorical CE (one-hot)",
        units=(3072, 1000, 500, 100),
        optimizer="sgd",
        loss="categorical_crossentropy",
        batch_size=32,
        samples=50_000,
        epoch_samples=10_000,
        epochs=4,
    ),
    Workload(
        name="W3",
        description="MLP 784-128-10, Adam, sparse categorical CE (int labels)",
        units=(784, 128, 10),
        optimizer="adam",
        loss="sparse_categorical_crossentropy",
        batch_size=32,
        samples=60_000,
        epoch_samples=60_000,
        epochs=4,
    ),
    Workload(
        name="W4",
        description="MLP 10000-16-16-1, RMSprop, binary CE",
        units=(10_000, 16, 16, 1),
        optimizer="rmsprop",
        loss="binary_crossentropy",
        batch_size=512,
        samples=25_000,
        epoch_samples=25_000,
        epochs=6,
    ),
    Workload(
        name="W5",
        description="CNN Conv2D(32,3)-MaxPool(2)-Conv2D(64,3)-MaxPool(2)-Dense(10) on "
                    "28x28x1, Adam, sparse categorical CE",
        units=(784, 10),
        optimizer="adam",
        loss="sparse_categorical_crossentropy",
        batch_size=128,
        samples=30_000,
        epoch_samples=30_000,
        epochs=4,
        image_shape=(28, 28, 1),
        predict_batch=1024,
        predict_samples=10_240,
    ),
    Workload(
        name="W6",
        description="Embedding(20000,128)-Bidirectional(LSTM(64, seq))-Bidirectional(LSTM(64))"
                    "-Dense(1) on 200 tokens, Adam, binary CE",
        units=(200, 1),
        optimizer="adam",
        loss="binary_crossentropy",
        batch_size=32,
        samples=4_000,
        epoch_samples=4_000,
        epochs=3,
        text=(20_000, 200, 128, 64, 2),
    ),
    Workload(
        name="W7",
        description="Embedding(10000,32)-LSTM(32)-Dense(1) on 500 tokens, RMSprop, binary CE",
        units=(500, 1),
        optimizer="rmsprop",
        loss="binary_crossentropy",
        batch_size=128,
        samples=10_000,
        epoch_samples=10_000,
        epochs=3,
        text=(10_000, 500, 32, 32, 0),
    ),
)

# The W5 CNN, shared by the Keras worker and (as its torch equivalent) the
# PyTorch loop: (kind, filters or units or pool size, kernel size, activation).
CNN_LAYERS = (
    ("conv", 32, 3, "relu"),
    ("pool", 2, None, None),
    ("conv", 64, 3, "relu"),
    ("pool", 2, None, None),
    ("flatten", None, None, None),
    ("dense", 10, None, "softmax"),
)

QUICK_FACTOR = 10


def get_workload(name: str, quick: bool = False) -> Workload:
    """Look a workload up by name, shrunk for ``--quick`` runs."""
    for workload in WORKLOADS:
        if workload.name == name:
            return workload.scaled(QUICK_FACTOR) if quick else workload
    raise KeyError(f"unknown workload {name!r}")


def make_data(workload: Workload) -> tuple[np.ndarray, np.ndarray]:
    """Generate ``(x, y)`` for a workload, deterministically from ``SEED``.

    ``y`` is one-hot float32 for categorical CE, int64 class ids for sparse
    categorical CE and float32 of shape ``(n, 1)`` for binary CE.
    """
    rng = np.random.default_rng([SEED, int(workload.name[1:])])
    n, d = workload.samples, workload.input_dim
    if workload.is_text:
        # Token ids; the label says whether the tokens' hidden scores average above 0.
        vocabulary = workload.text[0]
        tokens = rng.integers(1, vocabulary, size=(n, d)).astype(np.int32)
        scores = rng.standard_normal(vocabulary).astype(np.float32)
        return tokens, (scores[tokens].mean(axis=1) > 0).astype(np.float32).reshape(n, 1)
    x = rng.standard_normal((n, d), dtype=np.float32)
    if workload.is_cnn:
        # Images: the teacher below reads the flattened pixels of blurred noise
        # (neighbouring pixels correlated, as in real images).
        images = x.reshape(n, *workload.image_shape)
        images = (images + np.roll(images, 1, axis=1) + np.roll(images, 1, axis=2)) / 3.0
        x = np.ascontiguousarray(images, dtype=np.float32)
        teacher = rng.standard_normal((d, workload.outputs), dtype=np.float32)
        labels = np.argmax(x.reshape(n, d) @ teacher, axis=1).astype(np.int64)
        if workload.loss == "sparse_categorical_crossentropy":
            return x, labels
        return x, np.eye(workload.outputs, dtype=np.float32)[labels]
    if workload.loss == "binary_crossentropy":
        teacher = rng.standard_normal((d,), dtype=np.float32)
        y = (x @ teacher > 0).astype(np.float32).reshape(n, 1)
        return x, y
    teacher = rng.standard_normal((d, workload.outputs), dtype=np.float32)
    labels = np.argmax(x @ teacher, axis=1).astype(np.int64)
    if workload.loss == "sparse_categorical_crossentropy":
        return x, labels
    return x, np.eye(workload.outputs, dtype=np.float32)[labels]


def _cache_paths(workload: Workload) -> tuple[str, str]:
    stem = os.path.join(CACHE_DIR, f"{workload.name}-{workload.samples}-s{SEED}")
    return stem + "-x.npy", stem + "-y.npy"


def ensure_data(workload: Workload) -> tuple[str, str]:
    """Create the cached arrays for ``workload`` if needed; return the paths."""
    x_path, y_path = _cache_paths(workload)
    if not (os.path.exists(x_path) and os.path.exists(y_path)):
        os.makedirs(CACHE_DIR, exist_ok=True)
        x, y = make_data(workload)
        for path, array in ((x_path, x), (y_path, y)):
            tmp = path + ".tmp.npy"
            np.save(tmp, array)
            os.replace(tmp, path)
    return x_path, y_path


def load_training_data(workload: Workload) -> tuple[np.ndarray, np.ndarray]:
    """Load the arrays one timed epoch trains on (the first epoch_samples)."""
    x_path, y_path = ensure_data(workload)
    x, y = np.load(x_path), np.load(y_path)
    n = workload.epoch_samples
    if n < len(x):
        x, y = np.ascontiguousarray(x[:n]), np.ascontiguousarray(y[:n])
    return x, y
