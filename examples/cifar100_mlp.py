"""An MLP on CIFAR-100 (the "why we need convnets" baseline), then the report.

Flatten -> Dense(512, relu) -> Dropout -> Dense(256, relu) -> Dense(100,
softmax), Adam. An MLP reaches only about 0.20-0.25 test accuracy here; the
report shows which of the 100 classes it confuses. Run with the real files:

    LAYERWISE_DATASETS=../shared/datasets python examples/cifar100_mlp.py

Options: `--epochs N`, `--limit N`, `--report PATH`.
"""

import argparse

import layerwise as keras
from layerwise import layers
from layerwise.datasets import cifar100

parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
parser.add_argument("--epochs", type=int, default=20)
parser.add_argument("--limit", type=int, default=None)
parser.add_argument("--report", default="cifar100_report.html")
args = parser.parse_args()
keras.utils.set_random_seed(0)

(x_train, y_train), (x_test, y_test) = cifar100.load_data(label_mode="fine")
if args.limit:
    x_train, y_train = x_train[:args.limit], y_train[:args.limit]
x_train = x_train.astype("float32") / 255
x_test = x_test.astype("float32") / 255
y_train = keras.utils.to_categorical(y_train, 100)
y_test = keras.utils.to_categorical(y_test, 100)
print("x_train shape:", x_train.shape, "-", len(x_test), "test samples")

model = keras.Sequential([
    keras.Input(shape=(32, 32, 3)),
    layers.Flatten(),
    layers.Dense(512, activation="relu"),
    layers.Dropout(0.2),
    layers.Dense(256, activation="relu"),
    layers.Dense(100, activation="softmax"),
])
model.summary()
model.compile(optimizer=keras.optimizers.Adam(1e-3), loss="categorical_crossentropy",
              metrics=["accuracy", keras.metrics.TopKCategoricalAccuracy(5, name="top5")])
history = model.fit(x_train, y_train, batch_size=128, epochs=args.epochs, validation_split=0.1,
                    verbose=2)
score = model.evaluate(x_test, y_test, verbose=0)
print("Test loss, accuracy, top-5 accuracy:", score)

report = model.evaluate_report(x_test, y_test, history=history)
print(report)
report.to_html(args.report)
print("Report written to", args.report)
