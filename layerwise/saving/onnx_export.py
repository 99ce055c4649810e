"""`model.export(path, format="onnx")`: ONNX export through `torch.onnx`.

A layerwise model is a `torch.nn.Module`, so the exporter traces its forward
pass in inference mode (`training=False`) on example inputs (zeros of the
model's input shapes unless `input_signature` is given), with a dynamic batch
dimension. The file is written atomically.
"""

from __future__ import annotations

import os
import warnings

import numpy as np
import torch

from layerwise.saving._files import atomic_target


class _InferenceWrapper(torch.nn.Module):
    """Calls the model with `training=False` on positional inputs."""

    def __init__(self, model, structure: str):
        super().__init__()
        self.model = model
        self._structure = structure

    def forward(self, *inputs):
        x = inputs[0] if self._structure == "single" else list(inputs)
        return self.model(x, training=False)


def _example_inputs(model, input_signature) -> list[torch.Tensor]:
    if input_signature is None:
        try:
            shapes = [tuple(t.shape) for t in model.inputs]
            dtypes = [getattr(t, "dtype", None) for t in model.inputs]
        except AttributeError:
            shape = getattr(model, "_build_input_shape", None)
            if shape is None:
                raise ValueError(
                    "The model has no known input shape: call it on data (or pass "
                    "`input_signature=`) before exporting."
                ) from None
            shapes = [tuple(s) for s in shape] if isinstance(shape, list) else [tuple(shape)]
            dtypes = [None] * len(shapes)
        out = []
        for shape, dtype in zip(shapes, dtypes):
            size = [2 if d is None else int(d) for d in shape]
            out.append(torch.zeros(size, dtype=dtype if isinstance(dtype, torch.dtype)
                                   else model.torch_dtype))
        return out
    signature = input_signature if isinstance(input_signature, (list, tuple)) and \
        not all(isinstance(d, (int, type(None))) for d in input_signature) else [input_signature]
    out = []
    for item in signature:
        if isinstance(item, (tuple, list)) and all(isinstance(d, (int, type(None))) for d in item):
            out.append(torch.zeros([2 if d is None else int(d) for d in item],
                                   dtype=model.torch_dtype))
        elif isinstance(item, torch.Tensor):
            out.append(item.detach())
        else:
            out.append(torch.as_tensor(np.asarray(item)))
    return out


def export_model(model, filepath, format: str = "onnx", verbose: bool | None = None,
                 input_signature=None, opset_version: int | None = None, **kwargs) -> None:
    """Writes `model` as an ONNX file (see `Model.export`)."""
    if format != "onnx":
        raise ValueError(
            f"layerwise exports with `format='onnx'` only. Received: format={format!r}. "
            "(TensorFlow SavedModel and OpenVINO exports need TensorFlow / OpenVINO.)"
        )
    if kwargs:
        raise ValueError(f"Unsupported argument(s) for ONNX export: {sorted(kwargs)}")
    path = os.fspath(filepath)
    examples = _example_inputs(model, input_signature)
    device = next((p.device for p in model.parameters()), torch.device("cpu"))
    examples = [x.to(device) for x in examples]
    wrapper = _InferenceWrapper(model, "single" if len(examples) == 1 else "list")
    input_names = [f"input_{i}" for i in range(len(examples))]
    try:
        names = [t.node.layer.name for t in model.inputs]
        if len(set(names)) == len(names) == len(examples):
            input_names = names
    except AttributeError:
        pass
    with torch.no_grad():
        outputs = wrapper(*examples)
    flat_outputs = list(outputs) if isinstance(outputs, (list, tuple)) else \
        list(outputs.values()) if isinstance(outputs, dict) else [outputs]
    output_names = [f"output_{i}" for i in range(len(flat_outputs))]
    dynamic_axes = {name: {0: "batch"} for name in input_names + output_names}
    was_training = model.training
    model.eval()
    try:
        with atomic_target(path) as temp, warnings.catch_warnings():
            warnings.simplefilter("ignore")
            try:  # the TorchScript-based exporter: no extra dependency
                torch.onnx.export(wrapper, tuple(examples), temp, input_names=input_names,
                                  output_names=output_names, dynamic_axes=dynamic_axes,
                                  opset_version=opset_version or 17, dynamo=False)
            except (TypeError, RuntimeError, NotImplementedError):
                if os.path.exists(temp):
                    os.remove(temp)
                # Newer torch: the dynamo-based exporter (needs `onnxscript`).
                torch.onnx.export(wrapper, tuple(examples), temp, input_names=input_names,
                                  output_names=output_names, dynamic_axes=dynamic_axes,
                                  opset_version=opset_version, dynamo=True)
    finally:
        model.train(was_training)
    if verbose is None or verbose:
        print(f"Saved artifact at '{path}'. Inputs: {input_names}, outputs: {output_names}.")
