"""The classic first Keras tutorial, unchanged except for the import.

MNIST digits, a 784-128-10 MLP, SGD, 20 epochs, batch 128. The tutorial
reports 0.9264 test accuracy. Run with the real MNIST files:

    LAYERWISE_DATASETS=../shared/datasets python examples/mnist_mlp.py
"""

import numpy as np

import layerwise as keras
from layerwise.datasets import mnist
from layerwise.layers import Dense
from layerwise.models import Sequential
from layerwise.utils import np_utils

(x_train, y_train), (x_test, y_test) = mnist.load_data()
x_train = x_train.reshape(60000, 784).astype("float32") / 255
x_test = x_test.reshape(10000, 784).astype("float32") / 255
y_train_cat = np_utils.to_categorical(y_train, 10)
y_test_cat = np_utils.to_categorical(y_test, 10)

model = Sequential()
model.add(Dense(128, activation="relu", input_shape=(784,)))
model.add(Dense(10, activation="softmax"))
model.summary()

model.compile(loss="categorical_crossentropy", optimizer=keras.optimizers.SGD(),
              metrics=["accuracy"])
history = model.fit(x_train, y_train_cat, batch_size=128, epochs=20, verbose=2,
                    validation_data=(x_test, y_test_cat))
score = model.evaluate(x_test, y_test_cat, verbose=0)
print("Test score:", score[0])
print("Test accuracy:", score[1])

predicted = model.predict(x_test, verbose=0).argmax(axis=1)
print("Accuracy from predict + argmax:", float(np.mean(predicted == y_test)))

# layerwise extra: the evaluation report (per-class scores, confusion matrix, ROC curves,
# training curves, most confident mistakes) as text and as one HTML page.
report = model.evaluate_report(x_test, y_test_cat, history=history)
print(report)
report.to_html("mnist_mlp_report.html")
