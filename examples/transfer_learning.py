"""Using a pretrained convnet: the transfer-learning tutorial's three methods, unchanged.

"Stand on the shoulders of giants": VGG16's convolutional base, trained on
ImageNet, classifies cats and dogs with little data.

1. Feature extraction: run the frozen base once over the images
   (`extract_features`), train a small dense classifier on the features.
2. Feature extraction with data augmentation: `model.add(conv_base)` with
   `conv_base.trainable = False`, trained end to end on `ImageDataGenerator`
   batches with `fit_generator`.
3. Fine-tuning: unfreeze `block5_conv1` and above, recompile with
   `RMSprop(lr=1e-5)` and train again.

With the real data (a `train/` and `validation/` folder of `cats/` and `dogs/`
sub-folders) and the ImageNet weights:

    python examples/transfer_learning.py --data cats_and_dogs_small --weights imagenet

Without `--data`, a synthetic two-class folder of random JPEGs is written
first (useful to check the pipeline; accuracy then stays at chance). Options:
`--size` (image side, default 150), `--samples`, `--batch-size`, `--epochs`,
`--steps`.
"""

from __future__ import annotations

import argparse
import os
import tempfile

import numpy as np

from layerwise import layers, models, optimizers
from layerwise.applications import VGG16, extract_features
from layerwise.preprocessing.image import ImageDataGenerator


def make_synthetic_folder(root: str, per_class: int = 8, size: int = 48, seed: int = 0) -> str:
    """Writes `train/` and `validation/` folders of random `cats/` and `dogs/` JPEGs."""
    from PIL import Image  # optional dependency, only for the synthetic data

    rng = np.random.default_rng(seed)
    for split in ("train", "validation"):
        for k, label in enumerate(("cats", "dogs")):
            folder = os.path.join(root, split, label)
            os.makedirs(folder, exist_ok=True)
            for i in range(per_class):
                base = rng.integers(0, 256, (size, size, 3))
                base[..., k] = np.clip(base[..., k] + 80, 0, 255)  # a learnable colour cue
                Image.fromarray(base.astype("uint8")).save(os.path.join(folder, f"{i}.jpg"))
    return root


def method_feature_extraction(conv_base, base_dir, size, batch_size, epochs, samples):
    """Method 1: features extracted once, a dense classifier trained on them."""
    datagen = ImageDataGenerator(rescale=1.0 / 255)

    def features_of(split):
        generator = datagen.flow_from_directory(
            os.path.join(base_dir, split), target_size=(size, size), batch_size=batch_size,
            class_mode="binary")
        return extract_features(conv_base, generator, sample_count=samples)

    train_features, train_labels = features_of("train")
    validation_features, validation_labels = features_of("validation")
    flat = int(np.prod(train_features.shape[1:]))
    train_features = np.reshape(train_features, (len(train_features), flat))
    validation_features = np.reshape(validation_features, (len(validation_features), flat))

    model = models.Sequential()
    model.add(layers.Dense(256, activation="relu", input_dim=flat))
    model.add(layers.Dropout(0.5))
    model.add(layers.Dense(1, activation="sigmoid"))
    model.compile(optimizer=optimizers.RMSprop(lr=2e-5), loss="binary_crossentropy",
                  metrics=["acc"])
    return model.fit(train_features, train_labels, epochs=epochs, batch_size=batch_size,
                     validation_data=(validation_features, validation_labels), verbose=2)


def augmented_generators(base_dir, size, batch_size):
    """The tutorial's augmenting training generator and plain validation generator."""
    train_datagen = ImageDataGenerator(
        rescale=1.0 / 255, rotation_range=40, width_shift_range=0.2, height_shift_range=0.2,
        shear_range=0.2, zoom_range=0.2, horizontal_flip=True, fill_mode="nearest")
    test_datagen = ImageDataGenerator(rescale=1.0 / 255)
    train_generator = train_datagen.flow_from_directory(
        os.path.join(base_dir, "train"), target_size=(size, size), batch_size=batch_size,
        class_mode="binary")
    validation_generator = test_datagen.flow_from_directory(
        os.path.join(base_dir, "validation"), target_size=(size, size),
        batch_size=batch_size, class_mode="binary")
    return train_generator, validation_generator


def method_augmented_frozen(conv_base, base_dir, size, batch_size, epochs, steps):
    """Method 2: the frozen base inside the model, trained on augmented batches."""
    model = models.Sequential()
    model.add(conv_base)
    model.add(layers.Flatten())
    model.add(layers.Dense(256, activation="relu"))
    model.add(layers.Dense(1, activation="sigmoid"))
    print("Trainable weights before freezing the conv base:", len(model.trainable_weights))
    conv_base.trainable = False
    print("Trainable weights after freezing the conv base:", len(model.trainable_weights))

    train_generator, validation_generator = augmented_generators(base_dir, size, batch_size)
    model.compile(loss="binary_crossentropy", optimizer=optimizers.RMSprop(lr=2e-5),
                  metrics=["acc"])
    history = model.fit_generator(train_generator, steps_per_epoch=steps, epochs=epochs,
                                  validation_data=validation_generator,
                                  validation_steps=max(1, steps // 2), verbose=2)
    return model, history


def method_fine_tune(model, conv_base, base_dir, size, batch_size, epochs, steps):
    """Method 3: unfreeze `block5_conv1` and above, recompile with a small learning rate."""
    conv_base.trainable = True
    set_trainable = False
    for layer in conv_base.layers:
        if layer.name == "block5_conv1":
            set_trainable = True
        layer.trainable = set_trainable

    train_generator, validation_generator = augmented_generators(base_dir, size, batch_size)
    model.compile(loss="binary_crossentropy", optimizer=optimizers.RMSprop(lr=1e-5),
                  metrics=["acc"])
    return model.fit_generator(train_generator, steps_per_epoch=steps, epochs=epochs,
                               validation_data=validation_generator,
                               validation_steps=max(1, steps // 2), verbose=2)


def evaluation_report(model, base_dir, size, batch_size, history=None,
                      to_file="transfer_learning_report.html"):
    """layerwise extra: the fine-tuned model's evaluation report on the validation images
    (per-class scores, confusion matrix, ROC curve, training curves) as text and HTML."""
    generator = ImageDataGenerator(rescale=1.0 / 255).flow_from_directory(
        os.path.join(base_dir, "validation"), target_size=(size, size), batch_size=batch_size,
        class_mode="binary", shuffle=False)
    batches = [generator[i] for i in range(len(generator))]
    x_val = np.concatenate([x for x, _ in batches])
    y_val = np.concatenate([y for _, y in batches]).astype("int64")
    class_names = sorted(generator.class_indices, key=generator.class_indices.get)
    report = model.evaluate_report(x_val, y_val, class_names=class_names, history=history)
    print(report)
    if to_file:
        report.to_html(to_file)
    return report


def main(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--data", default=None, help="folder with train/ and validation/")
    parser.add_argument("--weights", default=None, help="'imagenet', a path, or none")
    parser.add_argument("--size", type=int, default=150)
    parser.add_argument("--samples", type=int, default=None)
    parser.add_argument("--batch-size", type=int, default=20)
    parser.add_argument("--epochs", type=int, default=30)
    parser.add_argument("--steps", type=int, default=100)
    args = parser.parse_args(argv)

    base_dir = args.data or make_synthetic_folder(tempfile.mkdtemp(prefix="cats_dogs_"),
                                                  size=max(args.size, 32))
    conv_base = VGG16(weights=args.weights, include_top=False,
                      input_shape=(args.size, args.size, 3))
    conv_base.summary()

    history1 = method_feature_extraction(conv_base, base_dir, args.size, args.batch_size,
                                         args.epochs, args.samples)
    model, history2 = method_augmented_frozen(conv_base, base_dir, args.size, args.batch_size,
                                              args.epochs, args.steps)
    history3 = method_fine_tune(model, conv_base, base_dir, args.size, args.batch_size,
                                args.epochs, args.steps)
    for name, history in (("feature extraction", history1), ("frozen base + augmentation",
                                                            history2), ("fine-tuning", history3)):
        print(f"{name}: final val_acc {history.history['val_acc'][-1]:.3f}")
    evaluation_report(model, base_dir, args.size, args.batch_size, history3)
    return conv_base, model, (history1, history2, history3)


if __name__ == "__main__":
    main()
