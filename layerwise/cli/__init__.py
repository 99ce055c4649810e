"""The `layerwise` command (also `python -m layerwise` and `python -m layerwise.cli`).

Subcommands: `demo`, `summary FILE`, `evaluate FILE --dataset NAME`,
`predict FILE IMAGE...`, `convert IN OUT`, `datasets download NAME`,
`datasets path`. Exit codes: 0 success, 1 error (one line on stderr; set
`LAYERWISE_DEBUG=1` for the traceback), 2 bad usage, 130 interrupted.
"""

from __future__ import annotations

import argparse
import sys

from layerwise.backend import settings
from layerwise.cli import commands, data
from layerwise.cli.digits_demo import demo as demo

__all__ = ["demo", "main", "build_parser"]


def _demo(args) -> int:
    verbose = args.verbose if args.verbose == "auto" else int(args.verbose)
    accuracy = demo(epochs=args.epochs, verbose=verbose,
                    report_path=None if args.no_report else args.report)
    return 0 if accuracy > 0.95 else 1


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="layerwise", description="layerwise: the Keras API on PyTorch, from the shell.")
    sub = parser.add_subparsers(dest="command", required=True, metavar="COMMAND")

    _add_demo(sub)
    _add_model_commands(sub)
    _add_datasets(sub)
    return parser


def _add_demo(sub) -> None:
    """`demo`: train on the embedded digits (no network)."""
    p = sub.add_parser("demo", help="train an MLP on the embedded digits, write report.html",
                       description="Train a 64-64-10 MLP on the embedded 8x8 digits (no "
                                   "network needed), print the test accuracy and write an "
                                   "HTML report. Exits 1 if the accuracy is 0.95 or less.")
    p.add_argument("--epochs", type=int, default=30, help="training epochs (default 30)")
    p.add_argument("--verbose", default="auto", choices=["auto", "0", "1", "2"],
                   help="fit verbosity (default auto)")
    p.add_argument("--report", default="report.html", help="HTML report path")
    p.add_argument("--no-report", action="store_true", help="do not write the report")
    p.set_defaults(run=_demo)


def _add_model_commands(sub) -> None:
    """`summary`, `evaluate`, `predict` and `convert`: commands on a model file."""
    p = sub.add_parser("summary", help="print the summary of a .keras / .h5 model file",
                       description="Print the layer table of a saved model.")
    p.add_argument("file", help="a .keras or .h5 model file")
    p.set_defaults(run=commands.summary)

    p = sub.add_parser("evaluate", help="evaluate a model file on a dataset's test split",
                       description="Evaluate a saved classifier on the test split of a dataset "
                                   "(pixels scaled to [0, 1], reshaped to the model's input); "
                                   "print the report and write it as HTML.")
    p.add_argument("file", help="a .keras or .h5 model file")
    p.add_argument("--dataset", required=True, choices=data.IMAGE_DATASETS)
    p.add_argument("--report", default="report.html", help="HTML report path ('' for none)")
    p.add_argument("--batch-size", type=int, default=256)
    p.add_argument("--limit", type=int, default=None, help="use the first N test samples")
    p.set_defaults(run=commands.evaluate)

    p = sub.add_parser("predict", help="top-k classes of image files",
                       description="Classify image files with a saved model (resized to the "
                                   "model's input, pixels scaled to [0, 1]).")
    p.add_argument("file", help="a .keras or .h5 model file")
    p.add_argument("images", nargs="+", metavar="IMAGE", help="image files (PNG, JPEG, ...)")
    p.add_argument("--top", type=int, default=3, help="how many classes to show (default 3)")
    p.add_argument("--classes", default=None,
                   help=f"class names: a dataset ({', '.join(data.CLASS_NAMES)}) or a "
                        "comma-separated list")
    p.set_defaults(run=commands.predict)

    p = sub.add_parser("convert", help="convert a model file: .h5 <-> .keras, or to .onnx",
                       description="Convert a saved model between Keras 3 .keras, legacy "
                                   ".h5, and ONNX (.onnx, export only).")
    p.add_argument("input", help="a .keras or .h5 model file")
    p.add_argument("output", help="the .keras, .h5 or .onnx file to write")
    p.add_argument("--overwrite", action="store_true", help="replace an existing output")
    p.set_defaults(run=commands.convert)


def _add_datasets(sub) -> None:
    """`datasets download NAME` and `datasets path`."""
    p = sub.add_parser("datasets", help="download datasets, show where they are kept",
                       description="Manage the dataset cache.")
    datasets = p.add_subparsers(dest="action", required=True, metavar="ACTION")
    d = datasets.add_parser("download", help="download (and verify) a dataset",
                            description="Download a dataset's official files into the cache "
                                        "and verify their checksums.")
    d.add_argument("name", choices=(*data.DOWNLOADABLE, "digits"))
    d.set_defaults(run=commands.datasets_download)
    d = datasets.add_parser("path", help="print the dataset folder",
                            description="Print the folder datasets are read from and "
                                        "downloaded to ($LAYERWISE_DATASETS or "
                                        "$LAYERWISE_HOME/datasets).")
    d.add_argument("-v", "--verbose", action="store_true", help="also show Keras' cache")
    d.set_defaults(run=commands.datasets_path)


def main(argv=None) -> int:
    """Runs the `layerwise` command; returns the exit code."""
    parser = build_parser()
    args = parser.parse_args(argv)
    name = " ".join(filter(None, [args.command, getattr(args, "action", None)]))
    try:
        return args.run(args)
    except KeyboardInterrupt:
        print(f"layerwise {name}: interrupted", file=sys.stderr)
        return 130
    except (ValueError, OSError, ImportError, KeyError, RuntimeError, TypeError) as error:
        if settings.debug():
            raise
        message = " ".join(str(error).split()) or type(error).__name__
        print(f"layerwise {name}: error: {message}", file=sys.stderr)
        return 1
