"""The steps every application shares: argument checks, input, head, weights."""

from __future__ import annotations

import inspect
import os
from collections import defaultdict

from layerwise import layers
from layerwise.applications import imagenet_utils
from layerwise.applications._weights import load_application_weights, weights_file
from layerwise.backend.config import image_data_format
from layerwise.backend.keras_tensor import KerasTensor
from layerwise.models.functional import Functional

# The end of the application docstrings: the arguments every family shares.
POOLING_TO_NAME_DOC = """    pooling: Optional pooling mode for feature extraction
        when `include_top` is `False`. Defaults to `None`.
        - `None` means that the output of the model will be
            the 4D tensor output of the last convolutional block.
        - `avg` means that global average pooling
            will be applied to the output of the
            last convolutional block, and thus
            the output of the model will be a 2D tensor.
        - `max` means that global max pooling will
            be applied.
    classes: Optional number of classes to classify images
        into, only to be specified if `include_top` is `True`, and
        if no `weights` argument is specified. Defaults to 1000 (number of
        ImageNet classes).
    classifier_activation: A `str` or callable. The activation function to use
        on the "top" layer. Ignored unless `include_top=True`. Set
        `classifier_activation=None` to return the logits of the "top" layer.
        Defaults to `"softmax"`.
        When loading pretrained weights, `classifier_activation` can only
        be `None` or `"softmax"`.
    name: The name of the model (string).

Returns:
    A model instance.
"""

_UIDS: defaultdict[str, int] = defaultdict(int)


def get_uid(prefix: str) -> int:
    """Keras' `backend.get_uid`: 1, 2, ... per prefix (names of repeated sub-blocks)."""
    _UIDS[prefix] += 1
    return _UIDS[prefix]


def check_weights(weights, include_top: bool, classes: int, imagenet_classes: int = 1000,
                  extra: str = "") -> None:
    """Raises Keras' errors for a bad `weights` argument or `classes` with imagenet."""
    if not (weights in {"imagenet", None} or
            (isinstance(weights, (str, os.PathLike)) and os.path.exists(weights))):
        raise ValueError(
            "The `weights` argument should be either `None` (random initialization), "
            f"'imagenet' (pre-training on ImageNet){extra}, or the path to the weights file "
            f"to be loaded.  Received: weights={weights}"
        )
    if weights == "imagenet" and include_top and classes != imagenet_classes:
        raise ValueError(
            "If using `weights='imagenet'` with `include_top=True`, `classes` should be "
            f"{imagenet_classes}.  Received classes={classes}"
        )


def image_input(input_tensor, input_shape) -> KerasTensor:
    """The model's input: a new `Input(shape=input_shape)` or the given `input_tensor`."""
    if input_tensor is None:
        return layers.Input(shape=input_shape)
    if not isinstance(input_tensor, KerasTensor):
        raise ValueError(
            "`input_tensor` must be a symbolic tensor (from `keras.Input` or a layer call "
            f"on one). Received: input_tensor={input_tensor!r} of type "
            f"{type(input_tensor).__name__}"
        )
    return input_tensor


def tensor_rows_cols(input_tensor, input_shape, mismatch: str):
    """`(rows, cols)` of `input_tensor` (`None` without one), after checking its width
    against `input_shape[1]` when both are given (MobileNetV2/V3).

    `mismatch` is the error message, with `{input_shape}` and `{shape}` fields.
    """
    if input_tensor is None:
        return None
    shape = input_tensor.shape
    channels_first = image_data_format() == "channels_first"
    if input_shape is not None and (shape[1] if channels_first else shape[2]) != input_shape[1]:
        raise ValueError(mismatch.format(input_shape=input_shape, shape=shape))
    return (shape[2], shape[3]) if channels_first else (shape[1], shape[2])


def get_source_inputs(tensor: KerasTensor) -> list[KerasTensor]:
    """The `Input` tensors `tensor` was computed from (Keras' `get_source_inputs`)."""
    found, seen, stack = [], set(), [tensor]
    while stack:
        t = stack.pop()
        node = t.node
        if node is None or node.is_input:
            if id(t) not in seen:
                seen.add(id(t))
                found.append(t)
            continue
        stack.extend(reversed(node.inputs))
    return found


def pool(x, pooling, name_avg=None, name_max=None):
    """The `pooling` head of a model without its top (`None`, `"avg"` or `"max"`)."""
    if pooling == "avg":
        return layers.GlobalAveragePooling2D(name=name_avg)(x)
    if pooling == "max":
        return layers.GlobalMaxPooling2D(name=name_max)(x)
    return x


def finish(input_tensor, img_input, x, name: str):
    """Builds the `Functional` model from the source inputs of `input_tensor`."""
    inputs = img_input if input_tensor is None else source_inputs(input_tensor)
    return Functional(inputs, x, name=name)


def load(model, weights, top_file: tuple | None, notop_file: tuple | None,
         include_top: bool) -> None:
    """Loads `weights`: `'imagenet'` (Keras' `(fname, origin, hash)` files) or a path."""
    if weights == "imagenet":
        spec = top_file if include_top else notop_file
        if spec is None:
            raise ValueError(
                f"No ImageNet weights are published for model '{model.name}' with "
                f"include_top={include_top}. Use `weights=None` or a path."
            )
        load_application_weights(model, weights_file(*spec), "weights")
    elif weights is not None:
        load_application_weights(model, weights, "weights")


def load_by_name(model, weights, include_top: bool, base_path: str, hashes: dict,
                 key) -> None:
    """`load` for families whose files are named after the model (EfficientNet, ConvNeXt).

    With `weights="imagenet"`: `<model name>.h5` or `<model name>_notop.h5` under
    `base_path`, checked against `hashes[key]` (top hash, no-top hash).
    """
    load_pair(model, weights, include_top, base_path, model.name,
              hashes[key] if weights == "imagenet" else None)


def load_pair(model, weights, include_top: bool, base_path: str, stem: str, hashes,
              notop_suffix: str = "_notop.h5") -> None:
    """`load` for Keras' usual pair of files `<stem>.h5` and `<stem><notop_suffix>`.

    `hashes` is `(top hash, no-top hash)`; the files live under `base_path`.
    """
    files = (None, None)
    if weights == "imagenet":
        files = tuple((stem + suffix, base_path + stem + suffix, file_hash)
                      for suffix, file_hash in zip((".h5", notop_suffix), hashes, strict=True))
    load(model, weights, *files, include_top)


# Keras' leading arguments of every application function, with their defaults.
APPLICATION_ARGS = (("include_top", True), ("weights", "imagenet"), ("input_tensor", None),
                    ("input_shape", None), ("pooling", None), ("classes", 1000),
                    ("classifier_activation", "softmax"))


def variant(build, public_name: str, docstring: str, args: tuple, **fixed):
    """One public model function of a family (`EfficientNetB0`, `DenseNet121` ...).

    Args:
        build: The family's builder (`EfficientNet`, `DenseNet` ...).
        public_name: The function's name.
        docstring: Its docstring (`{name}` stands for `public_name`).
        args: Keras' signature of the function: `(argument, default)` pairs.
        **fixed: The variant's own arguments to `build` (scaling, block counts ...).

    Returns:
        A function with that signature calling `build(**arguments, **fixed)`.
    """
    signature = inspect.Signature([
        inspect.Parameter(arg, inspect.Parameter.POSITIONAL_OR_KEYWORD, default=default)
        for arg, default in args])

    def application(*call_args, **call_kwargs):
        bound = signature.bind(*call_args, **call_kwargs)
        bound.apply_defaults()
        return build(**bound.arguments, **fixed)

    application.__signature__ = signature  # type: ignore[attr-defined]
    return named(application, public_name, docstring)


def named(function, public_name: str, docstring: str):
    """Gives a variant made by a family's factory its public name and docstring (where
    `{name}` stands for the public name)."""
    function.__name__ = function.__qualname__ = public_name
    function.__doc__ = docstring.replace("{name}", public_name)
    return function


def prepare(weights, include_top: bool, classes: int, input_tensor, input_shape,
            default_size: int, min_size: int):
    """Checks the arguments and returns the model's image input tensor."""
    return prepare_shape(weights, include_top, classes, input_tensor, input_shape,
                         default_size, min_size)[0]


def prepare_shape(weights, include_top: bool, classes: int, input_tensor, input_shape,
                  default_size: int, min_size: int):
    """`prepare`, also returning the input shape Keras' `obtain_input_shape` settled on."""
    check_weights(weights, include_top, classes)
    input_shape = imagenet_utils.obtain_input_shape(
        input_shape, default_size=default_size, min_size=min_size,
        data_format=image_data_format(), require_flatten=include_top, weights=weights)
    return image_input(input_tensor, input_shape), input_shape


def classifier(x, include_top: bool, pooling, classes: int, classifier_activation, weights,
               avg_name: str | None = "avg_pool", max_name: str | None = "max_pool",
               dropout: float = 0.0, dropout_name: str = "top_dropout",
               named_pools: bool = True, **dense_kwargs):
    """Keras' usual head: global average pooling + `predictions`, or `pooling`.

    `named_pools=False`: without the top, the pooling layers keep their default names
    (as in Keras' Inception and Xception models). `dense_kwargs` (initializers) go to
    the `predictions` layer.
    """
    if not include_top:
        return pool(x, pooling, *((avg_name, max_name) if named_pools else ()))
    x = layers.GlobalAveragePooling2D(name=avg_name)(x)
    if dropout > 0:
        x = layers.Dropout(dropout, name=dropout_name)(x)
    imagenet_utils.validate_activation(classifier_activation, weights)
    return layers.Dense(classes, activation=classifier_activation, name="predictions",
                        **dense_kwargs)(x)


def bn_axis() -> int:
    """The channel axis of 4D image tensors in the global data format."""
    return 3 if image_data_format() == "channels_last" else 1


def source_inputs(input_tensor):
    """The source `Input` of `input_tensor` (one tensor, or a list of several)."""
    sources = get_source_inputs(input_tensor)
    return sources[0] if len(sources) == 1 else sources


def get_file(fname, origin, cache_subdir="models", file_hash=None):
    """Keras' `get_file(..., cache_subdir="models")` call of the applications (see `_weights`)."""
    if cache_subdir != "models":
        raise ValueError(f"Application files live in 'models'. Received: {cache_subdir!r}")
    return weights_file(fname, origin, file_hash)


def path_exists(weights) -> bool:
    """Whether `weights` is an existing file path (Keras' `file_utils.exists`)."""
    return isinstance(weights, (str, os.PathLike)) and os.path.exists(weights)


def preprocess_tf(x, data_format=None):
    """Tf-mode preprocessing: pixels scaled to [-1, 1] (the families' `preprocess_input`)."""
    return imagenet_utils.preprocess_input(x, data_format=data_format, mode="tf")


def preprocess_identity(x, data_format=None):
    """The identity: these models rescale their inputs themselves (Keras' placeholder
    `preprocess_input`, kept for backward compatibility)."""
    return x
