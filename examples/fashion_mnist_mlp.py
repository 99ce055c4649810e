"""The Fashion-MNIST tutorial ("Basic classification"), written as for Keras, then the report.

Flatten -> Dense(128, relu) -> Dense(10) logits, Adam, 10 epochs; the
tutorial reports about 0.88 test accuracy. Then a probability model, the image
grid of predictions (blue right, red wrong) and the HTML report. Run with the
real files:

    LAYERWISE_DATASETS=../shared/datasets python examples/fashion_mnist_mlp.py

Options: `--epochs N`, `--limit N` (train on the first N images), `--report PATH`.
"""

import argparse

import layerwise as keras
from layerwise import reports
from layerwise.datasets import fashion_mnist

parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
parser.add_argument("--epochs", type=int, default=10)
parser.add_argument("--limit", type=int, default=None)
parser.add_argument("--report", default="fashion_mnist_report.html")
args = parser.parse_args()
keras.utils.set_random_seed(0)

class_names = ["T-shirt/top", "Trouser", "Pullover", "Dress", "Coat",
               "Sandal", "Shirt", "Sneaker", "Bag", "Ankle boot"]
(train_images, train_labels), (test_images, test_labels) = fashion_mnist.load_data()
if args.limit:
    train_images, train_labels = train_images[:args.limit], train_labels[:args.limit]
train_images = train_images / 255.0
test_images = test_images / 255.0

model = keras.Sequential([
    keras.layers.Flatten(input_shape=(28, 28)),
    keras.layers.Dense(128, activation="relu"),
    keras.layers.Dense(10),
])
model.compile(optimizer="adam",
              loss=keras.losses.SparseCategoricalCrossentropy(from_logits=True),
              metrics=["accuracy"])
history = model.fit(train_images, train_labels, epochs=args.epochs, validation_split=0.1,
                    verbose=2)
test_loss, test_acc = model.evaluate(test_images, test_labels, verbose=2)
print("\nTest accuracy:", test_acc)

probability_model = keras.Sequential([model, keras.layers.Softmax()])
predictions = probability_model.predict(test_images, verbose=0)
reports.plot_predictions(test_images, test_labels, predictions, class_names, n=15,
                         to_file="fashion_mnist_predictions.png")

# The report: accuracy, per-class scores, confusion matrix, ROC curves, worst mistakes.
report = model.evaluate_report(test_images, test_labels, class_names=class_names,
                               history=history)
print(report)
report.to_html(args.report)
print("Report written to", args.report)
