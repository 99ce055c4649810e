"""The data the command line evaluates on: test splits scaled and shaped for a model."""

from __future__ import annotations

import importlib

import numpy as np

DIGITS = [str(i) for i in range(10)]
FASHION_MNIST = ["T-shirt/top", "Trouser", "Pullover", "Dress", "Coat", "Sandal", "Shirt",
                 "Sneaker", "Bag", "Ankle boot"]
CIFAR10 = ["airplane", "automobile", "bird", "cat", "deer", "dog", "frog", "horse", "ship",
           "truck"]
CIFAR100 = (
    "apple aquarium_fish baby bear beaver bed bee beetle bicycle bottle bowl boy bridge bus "
    "butterfly camel can castle caterpillar cattle chair chimpanzee clock cloud cockroach couch "
    "crab crocodile cup dinosaur dolphin elephant flatfish forest fox girl hamster house kangaroo "
    "keyboard lamp lawn_mower leopard lion lizard lobster man maple_tree motorcycle mountain "
    "mouse mushroom oak_tree orange orchid otter palm_tree pear pickup_truck pine_tree plain "
    "plate poppy porcupine possum rabbit raccoon ray road rocket rose sea seal shark shrew skunk "
    "skyscraper snail snake spider squirrel streetcar sunflower sweet_pepper table tank "
    "telephone television tiger tractor train trout tulip turtle wardrobe whale willow_tree wolf "
    "woman worm").split()

CLASS_NAMES = {"mnist": DIGITS, "digits": DIGITS, "fashion_mnist": FASHION_MNIST,
               "cifar10": CIFAR10, "cifar100": CIFAR100}
IMAGE_DATASETS = tuple(CLASS_NAMES)
DOWNLOADABLE = ("mnist", "fashion_mnist", "cifar10", "cifar100", "imdb", "reuters",
                "boston_housing", "california_housing")


def model_input_shape(model) -> tuple:
    shape = model.input_shape
    if isinstance(shape, list):
        raise ValueError(f"the model has {len(shape)} inputs; the command line handles "
                         "models with one image input")
    return tuple(shape[1:])


def fit_to_model(images: np.ndarray, model) -> np.ndarray:
    """Images reshaped to the model's input shape (flat rows, (h, w) or (h, w, c))."""
    shape = model_input_shape(model)
    if None not in shape and int(np.prod(shape)) == int(np.prod(images.shape[1:])):
        return images.reshape((len(images), *shape))
    raise ValueError(f"the model expects inputs of shape {shape} but the images have shape "
                     f"{images.shape[1:]}; evaluate it on data of that shape")


def test_split(name: str, model, limit: int | None = None):
    """`(x, y, class_names)`: the test split of `name`, scaled to [0, 1], shaped for `model`."""
    if name not in IMAGE_DATASETS:
        raise ValueError(f"unknown dataset {name!r}; choose one of {', '.join(IMAGE_DATASETS)}")
    module = importlib.import_module(f"layerwise.datasets.{name}")
    _, (x, y) = module.load_data()
    if limit:
        x, y = x[:limit], y[:limit]
    x = x.astype("float32") / (16.0 if name == "digits" else 255.0)
    return fit_to_model(x, model), np.asarray(y).reshape(-1), CLASS_NAMES[name]


def targets_for(model, y: np.ndarray, classes: int):
    """`y` as the model's loss wants it: indices for sparse losses, else one-hot rows."""
    loss = getattr(model, "loss", None)
    name = str(getattr(loss, "name", None) or getattr(loss, "__name__", None) or loss).lower()
    if "sparse" in name or loss is None:
        return y
    return np.eye(classes, dtype="float32")[y]
