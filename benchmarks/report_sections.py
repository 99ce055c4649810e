"""RESULTS.md sections beyond training throughput: noise, predict throughput,
the GEMM peak and each workload's share of it, whole-process start-up time and
peak memory. Each function returns Markdown lines.
"""

from __future__ import annotations

import gemm_peak
import rounds
from frameworks import FRAMEWORKS, RATIO_BASELINES
from workloads import Workload

LABELS = {fw.name: fw.label for fw in FRAMEWORKS}


def table(header: list[str], rows: list[list[str]], left: int = 1) -> list[str]:
    """A Markdown table; the first ``left`` columns left-aligned, the rest right."""
    lines = ["| " + " | ".join(header) + " |",
             "|" + "|".join("---" if i < left else "---:" for i in range(len(header))) + "|"]
    lines += ["| " + " | ".join(row) + " |" for row in rows]
    return lines


def na(entry: dict | None) -> str:
    """The cell of a missing or failed entry."""
    if entry is None:
        return "not run"
    reason = entry.get("error", "no result").replace("|", "\\|")
    return f"n/a ({reason[:69] + '…' if len(reason) > 70 else reason})"


def value(entry: dict | None, key: str) -> float | None:
    """``entry[key]`` when the entry succeeded and has it."""
    if entry is None or not entry.get("ok"):
        return None
    return entry.get(key)


def cell(entry: dict | None, key: str, fmt: str) -> str:
    number = value(entry, key)
    return na(entry) if number is None else format(number, fmt)


def pct(fraction: float | None) -> str:
    return "n/a" if fraction is None else f"{fraction:.0%}"


def ratio_text(ours: float | None, theirs: float | None, noise: float | None = None) -> str:
    """``ours / theirs`` as "1.23x", marked "~" when |ratio - 1| <= ``noise``."""
    if not (ours and theirs):
        return "n/a"
    ratio = ours / theirs
    return f"{ratio:.2f}x" + (" ~" if noise is not None and abs(ratio - 1) <= noise else "")


def pair_noise(results_w: dict, other: str, key: str = "samples_per_s") -> float | None:
    """The larger round-to-round spread of layerwise's and ``other``'s cells."""
    spreads = [rounds.entry_spread(results_w.get(f), key) for f in ("layerwise", other)]
    known = [s for s in spreads if s is not None]
    return max(known) if known else None


NOISE_MARK = ("`~`: the difference is within the noise, |ratio - 1| <= the larger "
              "(max - min) / best of the two cells over the rounds.")


def noise_lines(workloads: list[Workload], frameworks: list[str], results: dict,
                key: str = "samples_per_s", title: str = "training") -> list[str]:
    """Per-cell spread over the rounds, and its median."""
    cells = {(w.name, f): rounds.entry_spread(results.get(w.name, {}).get(f), key)
             for w in workloads for f in frameworks}
    rows = [[w.name] + [pct(cells[w.name, f]) for f in frameworks] for w in workloads
            if any(results.get(w.name, {}).get(f, {}).get(key) for f in frameworks)]
    if not rows:
        return []
    return ["", f"Noise of the {title} numbers, (max - min) / best over the rounds "
                f"(n/a: fewer than 2 successful rounds): "
                f"{rounds.spread_summary(list(cells.values()))}.", ""] + table(
        ["workload"] + [LABELS[f] for f in frameworks], rows)


def predict_lines(workloads: list[Workload], frameworks: list[str], results: dict) -> list[str]:
    """Predict samples/s table, its ratios and noise."""
    chosen = [w for w in workloads if w.predict_batch]
    if not chosen:
        return []
    lines = ["", "## Predict throughput (samples/s, higher is better)", "",
             "`model.predict(x, batch_size=1024, verbose=0)` for the Keras-API frameworks; the "
             "PyTorch loop in `torch.inference_mode()` with the model in eval mode, softmax "
             "probabilities concatenated into one NumPy array. Whole batches of the training "
             "inputs; median of >= 3 timed passes after a warm-up pass, best of the rounds.", ""]
    lines += table(["workload", "rows"] + [LABELS[f] for f in frameworks], [
        [w.name, _rows(results.get(w.name, {}))]
        + [cell(results.get(w.name, {}).get(f), "predict_samples_per_s", ",.0f")
           for f in frameworks] for w in chosen], left=2)
    baselines = [b for b in RATIO_BASELINES if b in frameworks]
    if "layerwise" in frameworks and baselines:
        lines += ["", "Predict ratios, layerwise ÷ other (> 1: layerwise is faster); "
                  + NOISE_MARK, ""]
        key = "predict_samples_per_s"
        lines += table(["workload"] + [f"layerwise / {LABELS[b]}" for b in baselines], [
            [w.name] + [ratio_text(value(results.get(w.name, {}).get("layerwise"), key),
                                   value(results.get(w.name, {}).get(b), key),
                                   pair_noise(results.get(w.name, {}), b, key))
                        for b in baselines]
            for w in chosen])
    return lines + noise_lines(chosen, frameworks, results, "predict_samples_per_s", "predict")


def _rows(results_w: dict) -> str:
    for entry in results_w.values():
        if entry.get("ok") and entry.get("predict_rows"):
            return f"{entry['predict_rows']:,}"
    return "n/a"


def gemm_lines(gemm: dict) -> list[str]:
    """The fp32 GEMM peak of each library, best of the rounds."""
    if not gemm:
        return []
    lines = ["", f"## GEMM peak (fp32 {gemm_peak.GEMM_N}x{gemm_peak.GEMM_N} matmul, GFLOP/s)",
             "", "2 n^3 FLOPs / the best call (>= 5 calls after 2 warm-ups), each library in "
             "its own process with the workers' thread settings; best of the rounds.", ""]
    lines += table(["library", "GFLOP/s", "noise"], [
        [gemm_peak.LABELS.get(lib, lib), cell(entry, "gflops", ",.1f"),
         pct(rounds.entry_spread(entry, "gflops"))] for lib, entry in gemm.items()])
    return lines


def efficiency_lines(workloads: list[Workload], frameworks: list[str], results: dict,
                     gemm: dict) -> list[str]:
    """Each MLP workload's achieved GFLOP/s as a share of the best measured GEMM peak."""
    peak = gemm_peak.best_peak(gemm)
    mlps = [w for w in workloads if not (w.is_cnn or w.is_text)]
    if peak is None or not mlps:
        return []
    lib, gflops = peak
    lines = ["", f"## Share of the GEMM peak ({gflops:,.0f} GFLOP/s, {gemm_peak.LABELS[lib]})",
             "", "FLOPs per trained sample of a Dense stack d0-d1-...-dk = "
             "3 x sum_i 2 d(i-1) d(i) - 2 d0 d1: three GEMMs per layer (forward, weight "
             "gradient, input gradient), minus the first layer's input gradient (the data "
             "needs none); bias, activation, loss and optimizer work left out. "
             "% = samples/s x FLOPs per sample / peak. The last column counts the first "
             "layer's input gradient too (3 x sum_i 2 d(i-1) d(i); 21.7 MFLOP for W2).", ""]
    rows = []
    for w in mlps:
        flops = gemm_peak.mlp_train_flops(w.units)
        full = gemm_peak.mlp_train_flops(w.units, first_input_grad=True)
        row = [w.name, f"{flops / 1e6:.2f}"]
        for f in frameworks:
            speed = value(results.get(w.name, {}).get(f), "samples_per_s")
            row.append(pct(speed * flops / (gflops * 1e9)) if speed else "n/a")
        ours = value(results.get(w.name, {}).get("layerwise"), "samples_per_s")
        row.append(pct(ours * full / (gflops * 1e9)) if ours else "n/a")
        rows.append(row)
    return lines + table(["workload", "MFLOP / sample"] + [LABELS[f] for f in frameworks]
                         + ["layerwise, counting the first input gradient"], rows)


def startup_lines(startup: dict, frameworks: list[str]) -> list[str]:
    """Whole-process import + build + compile + first epoch of W1."""
    if not startup:
        return []
    lines = ["", "## Whole process: import + data + build + compile + first epoch of W1 "
             "(seconds, lower is better)", "",
             "Wall clock of the worker subprocess from spawn to exit (`--startup`: one epoch, "
             "no predict), same cached data file; the stage columns are seconds after the "
             "spawn at which the worker finished importing its framework, `model.compile` "
             "(JAX and TF trace and compile the step lazily, inside the first epoch) and "
             "the epoch. Best of the rounds.", ""]
    rows = []
    for f in frameworks:
        entry = startup.get(f)
        ok = bool(entry and entry.get("ok"))
        stages = (entry or {}).get("stages") or {}
        rows.append([LABELS[f]] + [
            f"{stages[k]:.2f}" if ok and k in stages else (na(entry) if not ok else "n/a")
            for k in ("imported", "compiled", "trained")]
            + [cell(entry, "process_wall_s", ".2f"),
               pct(rounds.entry_spread(entry, "process_wall_s", higher_is_better=False))])
    return lines + table(["framework", "imported", "compiled", "first epoch done",
                          "whole process", "noise"], rows)


def memory_lines(workloads: list[Workload], frameworks: list[str], results: dict) -> list[str]:
    """Peak RSS of each worker process (largest over the rounds)."""
    rows = [[w.name] + [cell(results.get(w.name, {}).get(f), "peak_rss_mb", ",.0f")
                        for f in frameworks] for w in workloads]
    if not any(value(results.get(w.name, {}).get(f), "peak_rss_mb")
               for w in workloads for f in frameworks):
        return []
    return ["", "## Peak memory (RSS of the worker process, MiB, lower is better)", "",
            "`resource.getrusage(RUSAGE_SELF).ru_maxrss` at the end of the worker: the "
            "framework, its data (loaded from .npy) and model, training and (W1, W5) "
            "predict; the largest over the rounds.", ""] + table(
        ["workload"] + [LABELS[f] for f in frameworks], rows)


def elapsed_line(meta: dict) -> list[str]:
    """How long the run took (so far)."""
    if meta.get("elapsed_s") is None:
        return []
    done = meta.get("rounds_done", meta.get("rounds", 1))
    return [f"Run time: {meta['elapsed_s'] / 60:.1f} min for {done} of "
            f"{meta.get('rounds', 1)} rounds (training budget {meta.get('budget_s')} s a run"
            + (f", at most {meta['max_epochs']} epochs" if meta.get("max_epochs") else "")
            + ")" + (f"; **{meta['stopped']}**" if meta.get("stopped") else "") + "."]
