"""`import layerwise` is light, and the Keras 2/3 tutorial paths exist."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest

import layerwise

REPO = Path(__file__).resolve().parents[1]
# Not pydot: `import torch` imports it (torch.export -> torch.fx.passes.graph_drawer).
HEAVY = ["matplotlib", "h5py", "PIL", "pandas", "keras", "tensorflow", "scipy", "sklearn",
         "requests"]


def run_python(code: str) -> str:
    env = dict(os.environ, PYTHONPATH=str(REPO), OMP_NUM_THREADS="1")
    result = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True,
                            env=env, cwd=str(REPO), timeout=120)
    assert result.returncode == 0, result.stderr
    return result.stdout


@pytest.fixture(scope="module")
def fresh_import():
    """What a fresh interpreter sees when it runs `import layerwise` (one subprocess)."""
    out = run_python(
        "import sys, json, warnings\n"
        "import torch\n"
        "with warnings.catch_warnings(record=True) as caught:\n"
        "    warnings.simplefilter('always')\n"
        "    import layerwise as keras\n"
        "    keras.layers.Dense; keras.utils.to_categorical; keras.utils.np_utils.to_categorical\n"
        "    keras.preprocessing.sequence.pad_sequences; keras.datasets.mnist.load_data\n"
        "    keras.Sequential([keras.Input((3,)), keras.layers.Dense(2)]).summary()\n"
        f"heavy = [m for m in {HEAVY!r} if m in sys.modules]\n"
        "import h5py\n"  # proves the sys.modules check can see an import
        "print(json.dumps({'heavy': heavy, 'warnings': [str(w.message) for w in caught],\n"
        "                  'h5py_seen_after': 'h5py' in sys.modules}))\n")
    return json.loads(out.strip().splitlines()[-1])


def test_import_does_not_pull_heavy_optional_packages(fresh_import):
    assert fresh_import["heavy"] == []
    assert fresh_import["h5py_seen_after"] is True


def test_import_emits_no_warnings(fresh_import):
    assert fresh_import["warnings"] == []


def test_tutorial_paths():
    import layerwise as keras

    assert keras.layers.Dense is layerwise.layers.core.Dense
    assert keras.utils.np_utils.to_categorical is keras.utils.to_categorical
    assert callable(keras.preprocessing.sequence.pad_sequences)
    assert keras.preprocessing.sequence.pad_sequences is keras.utils.pad_sequences
    assert keras.backend.floatx() == "float32"
    assert keras.backend.image_data_format() == "channels_last"
    assert keras.Sequential is keras.models.Sequential
    assert keras.Model is keras.models.Model
    assert keras.Input is keras.layers.Input
    assert keras.utils.set_random_seed is keras.backend.set_random_seed
    assert isinstance(layerwise.__version__, str)


@pytest.mark.parametrize("name", ["layers", "models", "optimizers", "losses", "metrics",
                                  "callbacks", "activations", "initializers", "regularizers",
                                  "constraints", "datasets", "preprocessing", "applications",
                                  "utils", "backend"])
def test_namespaces_exist(name):
    module = getattr(layerwise, name)
    assert module.__name__ == f"layerwise.{name}"


def test_core_names_in_namespaces():
    import layerwise as keras

    for name in ["Dense", "Activation", "Identity", "Flatten", "Reshape", "Permute",
                 "RepeatVector", "Dropout", "ActivityRegularization", "Input", "InputLayer",
                 "Layer"]:
        assert hasattr(keras.layers, name), name
    for name in ["SGD", "RMSprop", "Adam"]:
        assert hasattr(keras.optimizers, name), name
    for name in ["Callback", "History", "ProgbarLogger"]:
        assert hasattr(keras.callbacks, name), name
    for name in ["mnist", "digits"]:
        assert hasattr(keras.datasets, name), name


def test_set_learning_phase_warns():
    import layerwise as keras

    with pytest.warns(DeprecationWarning):
        keras.backend.set_learning_phase(0)
