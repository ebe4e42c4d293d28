"""The prototype's model (model_training.py) trained by Python Keras, the reference `npm run bench`
compares the trainer's `seed-cnn` job with: same layers, initialisers, optimiser, loss, batch size,
epochs and split sizes. Prints one JSON line: images/s of the median epoch, the wall time of
`fit`, and the accuracy on the official test split.
"""

import gzip
import json
import os
import statistics
import sys
import time

import numpy as np

os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "2")
import keras  # noqa: E402


def read_idx(path, header):
    with gzip.open(path, "rb") as file:
        return np.frombuffer(file.read(), dtype=np.uint8, offset=header)


def load(directory, split):
    images = read_idx(os.path.join(directory, f"{split}-images-idx3-ubyte.gz"), 16)
    labels = read_idx(os.path.join(directory, f"{split}-labels-idx1-ubyte.gz"), 8)
    return images.reshape(-1, 28, 28, 1).astype("float32") / 255.0, labels


def prototype_model():
    model = keras.Sequential(
        [
            keras.Input((28, 28, 1)),
            keras.layers.Conv2D(30, (3, 3), activation="relu", kernel_initializer="he_uniform"),
            keras.layers.MaxPooling2D((2, 2)),
            keras.layers.Flatten(),
            keras.layers.Dense(20, activation="relu", kernel_initializer="he_uniform"),
            keras.layers.Dense(10, activation="softmax"),
        ]
    )
    model.compile(optimizer="adam", loss="categorical_crossentropy", metrics=["accuracy"])
    return model


class EpochTimes(keras.callbacks.Callback):
    def on_epoch_begin(self, epoch, logs=None):
        self.start = time.perf_counter()
        self.seconds = getattr(self, "seconds", [])

    def on_epoch_end(self, epoch, logs=None):
        self.seconds.append(time.perf_counter() - self.start)


def main():
    # One JSON argument: {"dataset", "images", "validationSplit", "epochs", "batchSize", "seed"}.
    args = json.loads(sys.argv[1])
    keras.utils.set_random_seed(args["seed"])
    images, labels = load(args["dataset"], "train")
    order = np.random.default_rng(args["seed"]).permutation(len(images))[: args["images"]]
    held_out = round(len(order) * args["validationSplit"])
    train, validation = order[held_out:], order[:held_out]
    targets = keras.utils.to_categorical(labels, 10)
    test_images, test_labels = load(args["dataset"], "t10k")

    model = prototype_model()
    times = EpochTimes()
    start = time.perf_counter()
    model.fit(
        images[train],
        targets[train],
        batch_size=args["batchSize"],
        epochs=args["epochs"],
        validation_data=(images[validation], targets[validation]) if held_out else None,
        callbacks=[times],
        verbose=0,
    )
    fit_seconds = time.perf_counter() - start
    predicted = model.predict(test_images, batch_size=256, verbose=0).argmax(axis=1)
    print(
        json.dumps(
            {
                "trainImages": len(train),
                "imagesPerSecond": len(train) / statistics.median(times.seconds),
                "fitSeconds": fit_seconds,
                "testAccuracy": float((predicted == test_labels).mean()),
                "tensorflow": keras.backend.backend() + " " + __import__("tensorflow").__version__,
            }
        )
    )


if __name__ == "__main__":
    main()
