"""The subcommands of `layerwise`: summary, evaluate, predict, convert, datasets."""

from __future__ import annotations

import importlib
import os

import numpy as np

from layerwise.cli import data
from layerwise.datasets._cache import datasets_dir, keras_datasets_dir
from layerwise.saving.saving_api import load_model
from layerwise.utils.image_utils import img_to_array, load_img

MODEL_FILES = (".keras", ".h5", ".hdf5")


def open_model(path: str):
    """Loads a `.keras` / `.h5` model file, with one-line errors."""
    if not os.path.exists(path):
        raise FileNotFoundError(f"no such file: {path}")
    if not path.lower().endswith(MODEL_FILES) or path.lower().endswith(".weights.h5"):
        raise ValueError(f"{path} is not a model file; expected one of {', '.join(MODEL_FILES)} "
                         "(a whole model, not only its weights)")
    return load_model(path)


def summary(args) -> int:
    open_model(args.file).summary()
    return 0


def evaluate(args) -> int:
    model = open_model(args.file)
    x, y, names = data.test_split(args.dataset, model, args.limit)
    classes = int(model.output_shape[-1])
    if classes != len(names):
        raise ValueError(f"the model predicts {classes} classes but {args.dataset} has "
                         f"{len(names)}")
    report = model.evaluate_report(x, data.targets_for(model, y, classes), class_names=names,
                                   batch_size=args.batch_size)
    print(report)
    if args.report:
        report.to_html(args.report, title=f"{os.path.basename(args.file)} on {args.dataset}")
        print(f"Report: {args.report}")
    return 0


def _load_image(path: str, model):
    if not os.path.exists(path):
        raise FileNotFoundError(f"no such file: {path}")
    shape = data.model_input_shape(model)
    if len(shape) == 1:
        side = int(round(np.sqrt(shape[0])))
        size, mode = (side, side), "grayscale"
    else:
        size = tuple(shape[:2])
        mode = "grayscale" if len(shape) == 2 or shape[-1] == 1 else "rgb"
    image = img_to_array(load_img(path, color_mode=mode, target_size=size)) / 255.0
    return data.fit_to_model(image[None], model)


def predict(args) -> int:
    model = open_model(args.file)
    names = None
    if args.classes:
        names = data.CLASS_NAMES.get(args.classes, args.classes.split(","))
    batch = np.concatenate([_load_image(path, model) for path in args.images])
    prob = np.asarray(model.predict(batch, verbose=0))
    if prob.ndim != 2:
        raise ValueError(f"the model returns shape {prob.shape}; predict expects class scores")
    top = min(args.top, prob.shape[1])
    for path, row in zip(args.images, prob):
        best = np.argsort(-row, kind="stable")[:top]
        shown = ", ".join(f"{names[i] if names and i < len(names) else i} ({row[i]:.4f})"
                          for i in best)
        print(f"{path}: {shown}")
    return 0


def convert(args) -> int:
    source, target = args.input, args.output
    if source.lower().endswith(".onnx"):
        raise ValueError("ONNX files cannot be read back; convert from the .keras or .h5 file")
    out_ext = os.path.splitext(target)[1].lower()
    if out_ext not in (".keras", ".h5", ".hdf5", ".onnx"):
        raise ValueError(f"cannot write {target}: the output must end with .keras, .h5 or .onnx")
    if os.path.exists(target) and not args.overwrite:
        raise FileExistsError(f"{target} exists; pass --overwrite to replace it")
    model = open_model(source)
    if out_ext == ".onnx":
        model.export(target, format="onnx", verbose=False)
    else:
        model.save(target)
    print(f"Wrote {target}")
    return 0


def datasets_download(args) -> int:
    if args.name == "digits":
        print("digits is embedded in layerwise: nothing to download")
        return 0
    importlib.import_module(f"layerwise.datasets.{args.name}").load_data()
    print(f"{args.name}: ready in {os.path.join(datasets_dir(), args.name)} "
          "(or found in the Keras cache)")
    return 0


def datasets_path(args) -> int:
    print(datasets_dir())
    if args.verbose:
        print(f"then Keras' cache: {keras_datasets_dir()}")
    return 0
