"""The MNIST MLP tutorial on several processes, unchanged: launch it with torchrun.

    torchrun --standalone --nproc-per-node 2 examples/ddp_mnist.py
    torchrun --standalone --nproc-per-node 2 examples/ddp_mnist.py --sharded  # FSDP2

Each process trains on its share of every global batch of 128 (`batch_size` is the
global batch), gradients are averaged by torch DDP, rank 0 prints the progress bar and
writes the checkpoint. Run alone (`python examples/ddp_mnist.py`) it trains in one
process and gives the same weights (with `shuffle=False`). With `--sharded`, the
weights are split across the processes too (`ModelParallel`, FSDP2).
"""

import sys

import layerwise as keras
from layerwise.datasets import mnist

keras.utils.set_random_seed(0)
if "--sharded" in sys.argv:
    keras.distribution.set_distribution(keras.distribution.ModelParallel())
(x_train, y_train), (x_test, y_test) = mnist.load_data()
x_train = x_train.reshape(-1, 784).astype("float32") / 255
x_test = x_test.reshape(-1, 784).astype("float32") / 255

model = keras.Sequential([
    keras.Input(shape=(784,)),
    keras.layers.Dense(128, activation="relu"),
    keras.layers.Dense(10, activation="softmax"),
])
model.compile(optimizer="sgd", loss="sparse_categorical_crossentropy", metrics=["acc"])
model.fit(x_train, y_train, batch_size=128, epochs=5, validation_split=0.1,
          callbacks=[keras.callbacks.ModelCheckpoint("ddp_mnist.keras")])
print(model.evaluate(x_test, y_test, verbose=0))
