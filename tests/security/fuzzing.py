"""A seeded fuzzer for every loader: `.keras`, legacy `.h5`, `.weights.h5`, JSON, IDX,
CIFAR batches and `.npz`.

Each case takes a valid seed file, mutates it (bit flips, special bytes, large
integers, truncation, chunk moves; for the JSON configs inside the files,
values replaced by hostile ones) and loads it. The only documented outcomes
are success and `ValueError` (its subclasses included); any other exception,
a case slower than `MAX_CASE_SECONDS` or a crash fails the run. The run
prints its case count, seed, slowest case and peak memory.

`python -m tests.security.fuzzing --cases 10000 --seed 1` runs it by hand.
"""

from __future__ import annotations

import argparse
import copy
import gzip
import io
import json
import os
import pickle
import random
import resource
import signal
import struct
import sys
import tempfile
import time
import warnings
import zipfile
from collections import Counter
from dataclasses import dataclass, field

import numpy as np

import layerwise as keras
from layerwise.datasets._cifar import load_batch
from layerwise.datasets._idx import read_idx
from layerwise.datasets._npz import load_npz

MAX_CASE_SECONDS = 10
LOADERS = ("keras", "h5", "weights", "json", "idx", "cifar", "npz")
_HOSTILE_VALUES = [-1, 0, 1, 2**31, 2**40, 10**12, -(2**40), 1e30, -1e30, 0.5, float("nan"),
                   "", "x", "../../etc/passwd", "/dev/zero", [], [1e9], [None], {}, None, True,
                   {"class_name": "Lambda", "config": {}}, [[2**20, 2**20]]]


class _Timeout(BaseException):
    """A case ran past `MAX_CASE_SECONDS` (not an `Exception`: no loader can swallow it)."""


@dataclass
class Report:
    cases: int = 0
    seed: int = 0
    outcomes: Counter = field(default_factory=Counter)
    failures: list = field(default_factory=list)
    slowest: float = 0.0
    peak_rss_mb: float = 0.0

    def line(self) -> str:
        return (f"fuzz: {self.cases} cases, seed {self.seed}, slowest case {self.slowest:.2f} s, "
                f"peak RSS {self.peak_rss_mb:.0f} MB, failures {len(self.failures)}, outcomes "
                f"{dict(sorted(self.outcomes.items()))}")


# ----------------------------------------------------------------- mutations
def mutate_bytes(data: bytes, rng: random.Random) -> bytes:
    out = bytearray(data)
    for _ in range(rng.randint(1, 4)):
        if not out:
            break
        op, at = rng.randrange(6), rng.randrange(len(out))
        if op == 0:
            out[at] ^= 1 << rng.randrange(8)
        elif op == 1:
            out[at] = rng.choice((0, 0xFF, 0x7F, 0x80))
        elif op == 2 and at + 4 <= len(out):
            out[at:at + 4] = struct.pack("<I", rng.choice((0xFFFFFFFF, 0x7FFFFFFF, 2**31, 0)))
        elif op == 3:
            del out[rng.randrange(len(out)):]
        elif op == 4:
            end = min(len(out), at + rng.randint(1, 256))
            chunk = out[at:end]
            spot = rng.randrange(len(out) + 1)
            out[spot:spot] = chunk
        else:
            del out[at:at + rng.randint(1, 64)]
    return bytes(out)


def _paths(value, prefix=(), depth=0, out=None):
    out = [] if out is None else out
    if depth > 12:
        return out
    if isinstance(value, dict):
        for key, item in value.items():
            out.append(prefix + (key,))
            _paths(item, prefix + (key,), depth + 1, out)
    elif isinstance(value, list):
        for i, item in enumerate(value):
            out.append(prefix + (i,))
            _paths(item, prefix + (i,), depth + 1, out)
    return out


def mutate_config(config, rng: random.Random):
    config = copy.deepcopy(config)
    paths = _paths(config)
    for _ in range(rng.randint(1, 3)):
        if not paths:
            break
        path = rng.choice(paths)
        parent = config
        for key in path[:-1]:
            parent = parent[key]
        if isinstance(parent, dict) and rng.random() < 0.15:
            parent.pop(path[-1], None)
        else:
            parent[path[-1]] = copy.deepcopy(rng.choice(_HOSTILE_VALUES))
        paths = _paths(config)
    return config


def mutate_json_text(text: str, rng: random.Random) -> str:
    if rng.random() < 0.8:
        return json.dumps(mutate_config(json.loads(text), rng))
    return mutate_bytes(text.encode(), rng).decode("utf-8", "replace")


# --------------------------------------------------------------------- seeds
def _seed_model():
    keras.backend.clear_session(free_memory=False)
    lookup = keras.layers.IntegerLookup()
    lookup.adapt(np.array([3, 4, 4, 5]))
    inputs = keras.Input((4,))
    hidden = keras.layers.Dense(3, activation="relu")(inputs)
    hidden = keras.layers.BatchNormalization()(hidden)
    hidden = keras.layers.Dropout(0.1)(hidden)
    outputs = keras.layers.Dense(2)(hidden)
    model = keras.Model(inputs, outputs)
    model.compile(optimizer="adam", loss="mse", metrics=["mae"])
    model.fit(np.ones((4, 4), "float32"), np.ones((4, 2), "float32"), verbose=0)
    lookup_model = keras.Sequential([keras.Input((1,), dtype="int64"), lookup,
                                     keras.layers.Normalization(mean=0.5, variance=2.0)])
    return model, lookup_model


def make_seeds(folder: str) -> dict:
    model, lookup_model = _seed_model()
    model.save(os.path.join(folder, "m.keras"))
    lookup_model.save(os.path.join(folder, "lookup.keras"))
    model.save(os.path.join(folder, "m.h5"))
    model.save_weights(os.path.join(folder, "m.weights.h5"))
    members = {}
    for name in ("m.keras", "lookup.keras"):
        with zipfile.ZipFile(os.path.join(folder, name)) as zf:
            members[name] = {n: zf.read(n) for n in zf.namelist()}
    images = np.arange(10 * 28 * 28, dtype=np.uint8).reshape(10, 28, 28)
    idx = b"\0\0\x08\x03" + struct.pack(">3I", 10, 28, 28) + images.tobytes()
    batch = {b"batch_label": b"training batch 1 of 5", b"labels": list(range(10)),
             b"data": np.arange(10 * 3072, dtype=np.uint8).reshape(10, 3072)}
    npz = io.BytesIO()
    ragged = np.empty(3, dtype=object)
    ragged[:] = [[1, 2, 3], [4], [5, 6]]
    np.savez(npz, x=np.arange(12.0).reshape(3, 4), y=ragged)
    seeds = {"folder": folder, "model": model, "members": members,
             "h5": open(os.path.join(folder, "m.h5"), "rb").read(),
             "weights": open(os.path.join(folder, "m.weights.h5"), "rb").read(),
             "json": model.to_json(), "lookup_json": lookup_model.to_json(),
             "idx": idx, "cifar": pickle.dumps(batch, protocol=3), "npz": npz.getvalue()}
    _warm_up(seeds)
    return seeds


def _warm_up(seeds: dict) -> None:
    """Loads every seed once, so that one-time lazy imports are not timed as a case."""
    folder = seeds["folder"]
    for name in ("m.keras", "lookup.keras", "m.h5"):
        keras.models.load_model(os.path.join(folder, name))
    seeds["model"].load_weights(os.path.join(folder, "m.weights.h5"))
    keras.models.model_from_json(seeds["json"])
    keras.models.model_from_json(seeds["lookup_json"])
    read_idx(_write(os.path.join(folder, "seed-idx3-ubyte"), seeds["idx"]))
    load_batch(seeds["cifar"], source="seed")
    load_npz(_write(os.path.join(folder, "seed.npz"), seeds["npz"]), allow_object_arrays=True)


# ------------------------------------------------------------------ the cases
def _write(path: str, data: bytes) -> str:
    with open(path, "wb") as f:
        f.write(data)
    return path


def _rezip(parts: dict, rng: random.Random) -> bytes:
    parts = dict(parts)
    name = rng.choice(sorted(parts))
    if name.endswith(".json"):
        parts[name] = mutate_json_text(parts[name].decode(), rng).encode()
    else:
        parts[name] = mutate_bytes(parts[name], rng)
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w") as zf:
        for member, data in parts.items():
            zf.writestr(member, data)
    return buffer.getvalue()


def _case_keras(seeds, rng, path):
    source = rng.choice(sorted(seeds["members"]))
    if rng.random() < 0.75:
        data = _rezip(seeds["members"][source], rng)
    else:
        data = mutate_bytes(open(os.path.join(seeds["folder"], source), "rb").read(), rng)
    keras.models.load_model(_write(path + ".keras", data))


def _case_h5(seeds, rng, path):
    import h5py  # optional dependency, imported where HDF5 is fuzzed

    target = _write(path + ".h5", seeds["h5"])
    if rng.random() < 0.5:
        with h5py.File(target, "r+") as f:
            for name in ("model_config", "training_config"):
                if name in f.attrs and rng.random() < 0.7:
                    text = f.attrs[name]
                    text = text.decode() if isinstance(text, bytes) else text
                    f.attrs[name] = mutate_json_text(text, rng)
    else:
        _write(target, mutate_bytes(seeds["h5"], rng))
    keras.models.load_model(target)


def _case_weights(seeds, rng, path):
    target = _write(path + ".weights.h5", mutate_bytes(seeds["weights"], rng))
    seeds["model"].load_weights(target)


def _case_json(seeds, rng, path):
    keras.models.model_from_json(mutate_json_text(seeds[rng.choice(("json", "lookup_json"))],
                                                  rng))


def _case_idx(seeds, rng, path):
    data = mutate_bytes(seeds["idx"], rng)
    if rng.random() < 0.5:
        read_idx(_write(path + "-idx3-ubyte", data))
    else:
        compressed = gzip.compress(seeds["idx"]) if rng.random() < 0.5 else gzip.compress(data)
        read_idx(_write(path + "-idx3-ubyte.gz", mutate_bytes(compressed, rng)))


def _case_cifar(seeds, rng, path):
    load_batch(mutate_bytes(seeds["cifar"], rng), source="data_batch_1")


def _case_npz(seeds, rng, path):
    load_npz(_write(path + ".npz", mutate_bytes(seeds["npz"], rng)), allow_object_arrays=True)


CASES = {"keras": _case_keras, "h5": _case_h5, "weights": _case_weights, "json": _case_json,
         "idx": _case_idx, "cifar": _case_cifar, "npz": _case_npz}


def _alarm(signum, frame):
    raise _Timeout(f"case ran longer than {MAX_CASE_SECONDS} s")


def run(cases: int, seed: int, folder: str | None = None, verbose: bool = False) -> Report:
    """Runs `cases` fuzz cases (round-robin over the loaders) from `seed`."""
    report = Report(seed=seed)
    rng = random.Random(seed)
    with tempfile.TemporaryDirectory() as scratch:
        folder = folder or scratch
        seeds = make_seeds(folder)
        previous = signal.signal(signal.SIGALRM, _alarm)
        try:
            for i in range(cases):
                loader = LOADERS[i % len(LOADERS)]
                case_rng = random.Random(rng.getrandbits(64))
                start = time.monotonic()
                signal.alarm(MAX_CASE_SECONDS)
                try:
                    with warnings.catch_warnings():
                        warnings.simplefilter("ignore")
                        CASES[loader](seeds, case_rng, os.path.join(folder, f"case{i % 4}"))
                    outcome = "ok"
                except ValueError:
                    outcome = "ValueError"
                except (Exception, _Timeout) as error:  # noqa: BLE001 - the failures we look for
                    outcome = type(error).__name__
                    report.failures.append((i, loader, f"{type(error).__name__}: {error}"[:300]))
                finally:
                    signal.alarm(0)
                elapsed = time.monotonic() - start
                report.slowest = max(report.slowest, elapsed)
                report.outcomes[f"{loader}:{outcome}"] += 1
                report.cases += 1
                if verbose and (i + 1) % 500 == 0:
                    report.peak_rss_mb = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
                    print(time.strftime("%H:%M:%S"), report.line(), flush=True)
        finally:
            signal.signal(signal.SIGALRM, previous)
    report.peak_rss_mb = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    return report


def main(argv=None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--cases", type=int, default=10_000)
    parser.add_argument("--seed", type=int, default=int(time.time()))
    args = parser.parse_args(argv)
    report = run(args.cases, args.seed, verbose=True)
    print(report.line())
    for failure in report.failures[:50]:
        print("FAILURE", failure)
    return 1 if report.failures else 0


if __name__ == "__main__":
    sys.exit(main())
