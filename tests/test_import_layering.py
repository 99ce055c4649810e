"""The import-layering contract: imports flow one way, up the stack, with no cycle.

    backend -> registry -> leaf families -> losses / metrics / optimizers / utils
            -> layers / callbacks -> trainers -> models -> saving, applications, datasets, cli

A module may import modules of its own tier or of a lower one, never a higher one, neither
at module level nor inside a function. Imports inside functions are allowed only for the
optional libraries in `OPTIONAL_LIBRARIES` and for the lazy entry points in `LAZY_ENTRY_POINTS`
(each with its reason), and each carries a comment. `make lint` runs this file.

`Model` subclasses `Trainer` (as in Keras), so `trainers` sits below `models`.
"""

from __future__ import annotations

import ast
import sys
from pathlib import Path

import pytest

sys.path.insert(0, str(Path(__file__).resolve().parent))
import import_graph  # noqa: E402

# Lowest first. A module belongs to the tier of the longest prefix that names it; a new
# top-level package not listed here is in the top tier (nothing below may import it).
TIERS: list[tuple[str, tuple[str, ...]]] = [
    ("backend", ("layerwise.backend",)),
    ("registry", ("layerwise.registry", "layerwise.tree", "layerwise.config")),
    ("leaf families", ("layerwise.activations", "layerwise.initializers",
                       "layerwise.regularizers", "layerwise.constraints", "layerwise.random")),
    ("losses, metrics, optimizers, utils", ("layerwise.losses", "layerwise.metrics",
                                            "layerwise.optimizers", "layerwise.utils",
                                            "layerwise.data", "layerwise.distribution")),
    # `ops` builds `OpLayer` nodes of functional graphs (a `Layer`), as Keras' symbolic ops.
    ("layers, callbacks, ops", ("layerwise.layers", "layerwise.callbacks", "layerwise.ops")),
    ("trainers", ("layerwise.trainers",)),
    ("models", ("layerwise.models",)),
    ("top", ("layerwise.saving", "layerwise.applications", "layerwise.reports",
             "layerwise.distribution", "layerwise.datasets", "layerwise.preprocessing",
             "layerwise.cli", "layerwise.wrappers", "layerwise.model_selection", "layerwise")),
]

# (importing module, imported module) -> why the import waits until the function runs.
LAZY_ENTRY_POINTS = {
    ("layerwise.models", "layerwise.saving.saving_api"):
        "`keras.models.load_model` / `save_model`: file formats sit above models",
    ("layerwise.models", "layerwise.saving.json_model"): "`keras.models.model_from_json`",
    ("layerwise.models.model", "layerwise.saving.saving_api"):
        "`Model.save` / `save_weights` / `load_weights`",
    ("layerwise.models.model", "layerwise.saving.onnx_export"): "`Model.export`",
    ("layerwise.models.model", "layerwise.models.functional_subclass"):
        "`Model.__new__` / `Model.from_config` build functional subclasses, whose module "
        "subclasses `Model` (Keras imports `functional` inside `Model.__new__` the same way)",
    ("layerwise.models.model", "layerwise.reports.report"): "`Model.evaluate_report`",
    ("layerwise.callbacks.history", "layerwise.reports.plots"): "`History.plot`",
    ("layerwise.optimizers.loss_scale_optimizer", "layerwise.optimizers"):
        "`LossScaleOptimizer.from_config` rebuilds its inner optimizer with the family's "
        "`deserialize` (the family's package imports this module)",
    ("layerwise.layers.lambda_layer", "layerwise"):
        "the `keras` global of a rebuilt lambda (only with safe_mode=False)",
}

# Optional libraries: imported only when a feature needs them, inside functions.
OPTIONAL_LIBRARIES = ("h5py", "matplotlib", "PIL", "pandas", "tensorflow", "scipy", "pydot",
                      "IPython", "tensorboard", "google.protobuf", "torch.utils.tensorboard",
                      "sklearn")


def tier_of(module: str) -> int:
    """The index in `TIERS` of `module` (longest matching prefix; unknown: top)."""
    best, best_len = len(TIERS) - 1, -1
    for index, (_, prefixes) in enumerate(TIERS):
        for prefix in prefixes:
            if (module == prefix or module.startswith(prefix + ".")) and len(prefix) > best_len:
                best, best_len = index, len(prefix)
    return best


@pytest.fixture(scope="module")
def imports() -> list[import_graph.Import]:
    return import_graph.all_imports()


def _checked(imports):
    return [i for i in imports
            if not (i.deferred and (i.source, i.statement) in LAZY_ENTRY_POINTS)]


def test_no_import_points_down_the_stack(imports):
    wrong = sorted({
        f"{i.source} (tier {TIERS[tier_of(i.source)][0]!r}) imports {i.statement} "
        f"(tier {TIERS[tier_of(i.target)][0]!r}) at line {i.line}"
        for i in _checked(imports) if tier_of(i.target) > tier_of(i.source)})
    assert not wrong, "imports from a higher tier:\n" + "\n".join(wrong)


def test_no_import_cycle(imports):
    cycles = import_graph.cycles(_checked(imports))
    assert not cycles, f"import cycles: {cycles}"


def _imported_modules(name: str, path: Path, node, modules) -> list[str]:
    if isinstance(node, ast.Import):
        return [alias.name for alias in node.names]
    base = import_graph._resolve(name, path.name == "__init__.py", node)
    return [f"{base}.{a.name}" if f"{base}.{a.name}" in modules else base for a in node.names]


def test_only_lazy_entry_points_and_optional_libraries_are_deferred():
    modules = import_graph.module_files()
    wrong = []
    for name, path in modules.items():
        lines = path.read_text(encoding="utf-8").splitlines()
        tree = ast.parse("\n".join(lines), str(path))
        for node, deferred in import_graph._statements(tree):
            if not deferred:
                continue
            where = f"{path.relative_to(import_graph.ROOT.parent)}:{node.lineno}"
            for module in _imported_modules(name, path, node, modules):
                optional = any(module == lib or module.startswith(lib + ".")
                               for lib in OPTIONAL_LIBRARIES)
                if not (optional or (name, module) in LAZY_ENTRY_POINTS):
                    wrong.append(f"{where}: `{module}` imported inside a function")
            context = lines[max(0, node.lineno - 4):node.end_lineno]
            if not any("#" in line for line in context):
                wrong.append(f"{where}: an import inside a function without a comment")
    assert not wrong, "\n".join(wrong)


def test_every_lazy_entry_point_is_still_used():
    modules = import_graph.module_files()
    used = set()
    for name, path in modules.items():
        tree = ast.parse(path.read_text(encoding="utf-8"), str(path))
        for node, deferred in import_graph._statements(tree):
            if deferred:
                used.update((name, m) for m in _imported_modules(name, path, node, modules))
    assert set(LAZY_ENTRY_POINTS) <= used, set(LAZY_ENTRY_POINTS) - used


def test_the_graph_sees_deferred_imports():
    """The reader finds imports inside functions and resolves relative ones."""
    source = "def f():\n    from .b import c\n    import layerwise.x.y\n"
    tree = ast.parse(source)
    found = [(type(n).__name__, d) for n, d in import_graph._statements(tree)]
    assert found == [("ImportFrom", True), ("Import", True)]
    node = tree.body[0].body[0]
    assert import_graph._resolve("layerwise.a.m", False, node) == "layerwise.a.b"
    assert tier_of("layerwise.layers.core") > tier_of("layerwise.losses.loss")
    assert tier_of("layerwise.something_new") == len(TIERS) - 1
