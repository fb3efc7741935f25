"""
Exercises 15–17: networks
=========================

Worked solutions to the last three exercises: a deeper convolutional network,
saving it, and loading it back. The networks are those of the chapter *A
convolutional network*, built with the same code and seeds, so their training
loads from the cache instead of taking minutes again. Needs
``mnist_data.py``, ``networks.py`` and ``leaderboard.py`` beside it, and
``pip install keras torch``.
"""

# %% [markdown]
# ## Exercise 15: a deeper convolutional network
#
# The tutorial's network has two convolutions, each followed by pooling, then
# a dense layer of 64 units. Build a deeper one (more convolutions, batch
# normalisation, dropout, and images shifted a little in training), train both
# on the 60,000 training images, and compare them on the 10,000 test images.

# %% ex15-deeper-cnn
import os

# before importing keras, or it looks for TensorFlow
os.environ["KERAS_BACKEND"] = "torch"

import keras
import matplotlib.pyplot as plt
import numpy as np
import pandas as pd
import torch
from keras import layers

from mnist_data import load_mnist
from networks import train

torch.set_num_threads(2)  # sums split across threads differently: keep it at 2

x_train, y_train, x_test, y_test = load_mnist()
# a channel axis, pixels 0..1
x_train = x_train[..., np.newaxis].astype("float32") / 255
x_test = x_test[..., np.newaxis].astype("float32") / 255

# The tutorial's network.
keras.utils.set_random_seed(42)  # the initial weights
simple = keras.Sequential([
    keras.Input(shape=(28, 28, 1)),
    layers.Conv2D(32, kernel_size=3, activation="relu"),
    layers.MaxPooling2D(pool_size=2),
    layers.Conv2D(64, kernel_size=3, activation="relu"),
    layers.MaxPooling2D(pool_size=2),
    layers.Flatten(),
    layers.Dense(64, activation="relu"),
    layers.Dense(10, activation="softmax"),
])
simple.compile(optimizer="adam", loss="sparse_categorical_crossentropy",
               metrics=["accuracy"])
# validation_data only records the test accuracy after each epoch; training
# runs a fixed number of epochs and uses nothing from those scores.
simple, simple_history, _ = train(simple, x_train, y_train, seed=0, epochs=5,
                                  batch_size=32,
                                  validation_data=(x_test, y_test))


# A deeper one: four convolutions, each followed by batch normalisation.
def conv_block(filters):
    # The convolution needs no bias: batch normalisation adds its own shift
    # right after.
    return [layers.Conv2D(filters, kernel_size=3, padding="same",
                          use_bias=False),
            layers.BatchNormalization(),
            layers.Activation("relu")]


keras.utils.set_random_seed(42)
deeper = keras.Sequential([
    keras.Input(shape=(28, 28, 1)),
    # Light augmentation, in training only: shift each image by up to 2 pixels.
    layers.RandomTranslation(height_factor=0.08, width_factor=0.08,
                             fill_mode="constant", interpolation="nearest"),
    *conv_block(16), *conv_block(16), layers.MaxPooling2D(pool_size=2),
    *conv_block(32), *conv_block(32), layers.MaxPooling2D(pool_size=2),
    layers.Dropout(0.25),
    layers.Flatten(),
    layers.Dense(128, activation="relu"),
    layers.Dropout(0.4),
    layers.Dense(10, activation="softmax"),
])
deeper_epochs, batch_size = 6, 128
steps = deeper_epochs * int(np.ceil(len(x_train) / batch_size))
# Warm up for the first tenth of the steps, then let the learning rate fall
# along a cosine.
schedule = keras.optimizers.schedules.CosineDecay(
    initial_learning_rate=1e-4, warmup_target=3e-3, warmup_steps=steps // 10,
    decay_steps=steps - steps // 10)
deeper.compile(optimizer=keras.optimizers.Adam(schedule),
               loss="sparse_categorical_crossentropy", metrics=["accuracy"])
deeper, deeper_history, _ = train(deeper, x_train, y_train, seed=0,
                                  epochs=deeper_epochs, batch_size=batch_size,
                                  validation_data=(x_test, y_test))

rows = {}
for name, network, history in [("tutorial's", simple, simple_history),
                               ("deeper", deeper, deeper_history)]:
    predicted = network.predict(x_test, batch_size=1000,
                                verbose=0).argmax(axis=1)
    rows[name] = {"layers": len(network.layers),
                  "parameters": network.count_params(),
                  "epochs": len(history["loss"]),
                  "test accuracy": float((predicted == y_test).mean()),
                  "test errors": int((predicted != y_test).sum())}
network_table = pd.DataFrame.from_dict(rows, orient="index")
network_table.index.name = "network"
print(network_table.round(4).to_string())
deeper_predicted = predicted  # the last network of the loop

# %% [markdown]
# **What it shows.** The deeper network makes clearly fewer test errors than
# the tutorial's (the last column). It changes several things at once (more
# layers and parameters, batch normalisation, dropout, shifted images, larger
# batches, a learning-rate schedule and one more epoch), so the table shows
# what the whole recipe buys, not what depth alone does.

# %% [markdown]
# ## Exercise 16: save the network
#
# Save the deeper network to a file in Keras's own format, in a folder
# `models/`. What does the file hold?

# %% ex16-save
import json
import zipfile
from pathlib import Path

Path("models").mkdir(exist_ok=True)
saved_path = "models/exercise-deeper-cnn.keras"
deeper.save(saved_path)

# A .keras file is a zip archive: the layers as JSON, a little metadata, and
# the weights.
with zipfile.ZipFile(saved_path) as archive:
    print("inside", saved_path + ":", ", ".join(sorted(archive.namelist())))
    config = json.loads(archive.read("config.json"))
layer_kinds = [layer["class_name"] for layer in config["config"]["layers"]]
print("config.json lists",
      ", ".join(f"{layer_kinds.count(kind)} {kind}" for kind in
                ["Conv2D", "BatchNormalization", "Dropout", "Dense"]),
      "layers, among others")

# %% [markdown]
# **What it shows.** The file holds the network as data, not as Python code:
# its layers, listed in `config.json` as exercise 15 built them, a little
# metadata, and the weights. That is all another program needs to rebuild it.

# %% [markdown]
# ## Exercise 17: load it and predict
#
# Load the saved network back, as another program would, and use it to read
# the first twelve test digits. Check that it predicts exactly what the
# network did before saving.

# %% ex17-load
# safe_mode=True (the default): Python code stored in the file, such as a
# Lambda layer's, is refused, never run
loaded = keras.saving.load_model(saved_path)
loaded_predicted = loaded.predict(x_test, batch_size=1000,
                                  verbose=0).argmax(axis=1)
print("same predictions on all 10,000 test images:",
      np.array_equal(loaded_predicted, deeper_predicted))
loaded_accuracy = float((loaded_predicted == y_test).mean())
print(f"test accuracy of the loaded network: {loaded_accuracy:.4f}")

fig, axes = plt.subplots(
    2, 6, figsize=(8, 3.3),
    num=("Twelve test digits titled with their label and the network's "
         "reading"))
for ax, image, label, guess in zip(axes.flat, x_test, y_test, loaded_predicted):
    ax.imshow(image[:, :, 0], cmap="binary")
    ax.set_title(f"{label} read as {guess}", fontsize=9)
    ax.axis("off")
plt.show()

# %% [markdown]
# **What it shows.** The loaded network predicts exactly what the trained one
# did on every test image, so its test accuracy is that of exercise 15:
# saving and loading lose nothing a prediction needs, and all twelve digits
# in the figure are read correctly.
