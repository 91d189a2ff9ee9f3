"""The judge: an independent classifier that reads hair and eye colour, trained on real faces only.

Seed 003 judged its generator with a separately trained CNN and the ACGAN paper (Odena et al. 2017)
judged "discriminability" the same way: if a classifier that never saw a generated image reads the
requested colours off the generated faces, the generator drew them. The judge is kept apart from the
discriminator on purpose: it is never trained on generated images and shares no weights with D, so a
generator cannot learn to please it, and its verdict means the same for every generator.

Architecture: seed 003's classifier (conv 32 - pool - conv 64 - pool - dropout - flatten - dense 680 -
dropout), in RGB (colour is the whole task; the seed's summary shows one input channel) and with two
heads instead of one: ``hair`` (12 logits) and ``eyes`` (11 logits). The heads output logits; the loss
and ``predict_labels`` apply the softmax, so it is never applied twice.

The dense width stays the seed's 680 at every image size. It is the dimension of the feature space in
which ``evaluation`` measures Fréchet distance and KID, so one width keeps those figures defined the same
way at 32, 48 and 96 px; and at these sizes the dense layer costs less time than the convolutions (at 48
px: 6.3 M multiply-adds against 12.6 M), so scaling it down would save parameters but little time.

The model takes uint8 pixels (0..255) and scales them itself with a ``Rescaling`` layer, so a caller can
never feed it the wrong range; ``predict_labels`` and ``judge_features`` refuse anything but uint8.

Caching: ``load_or_train_judge`` trains once per image size on the built-in rendered faces (drawn with
``JUDGE_DATA_SEED``, so they are other faces than the ones a GAN trains on) and keeps
``data/judge_<key>.keras`` beside a JSON manifest: the dataset's manifest, the training settings, the
held-out accuracies and the Keras version. The key is a hash of what made the judge; a cache whose
manifest does not match, or whose model does not load, is trained again rather than trusted.
"""

from __future__ import annotations

import hashlib
import json
import math
import sys
import time
import zipfile
from dataclasses import asdict, dataclass
from pathlib import Path

import keras
import numpy as np
from keras import layers

from .checks import check_count
from .data_cache import synthetic_dataset
from .labels import NUM_EYES, NUM_HAIR
from .models import predict_in_batches
from .paths import data_dir, remove_orphans, write_atomic, write_text_atomic

JUDGE_VERSION = 2  # raise when the architecture or the training changes: old caches are then retrained
JUDGE_DATA_SEED = 3003  # the judge's faces; GAN training uses the profile's seed (0 by default)
DENSE_UNITS = 680  # seed 003's width; also the dimension of the FID/KID feature space
DROPOUT_RATE = 0.2  # seed 003: "Dropout(0.2) for each"
FEATURES_LAYER = "features"
PREDICT_BATCH_SIZE = 256


@dataclass(frozen=True)
class JudgeSettings:
    """How a judge is trained (Adam, learning rate decaying to 0 over the epochs on a cosine).

    The defaults were chosen by measurement on two shared CPU cores (one run each, test split of 1,000
    faces, plus 3,000 fresh faces of another seed):

    - 48 px: test hair 1.000, eyes 0.999; fresh hair 1.000, eyes 0.9987; 190 s of CPU time
      (rendering included), so 2 to 3 minutes on two free cores.
      5 epochs on 8,000 faces gave eyes 0.995 / 0.998 in 140 s: too close to the 99.5% target.
    - 32 px (smoke and quick): test hair 1.000, eyes 0.999; fresh hair 1.000, eyes 0.996; 100 s of CPU
      time. With version 2's input pipeline (``_batches``), one run: test hair 1.000, eyes 0.997.
    - 96 px (full): test and fresh hair 1.000, eyes 1.000; 1,125 s of CPU time: a GPU's job.

    Eyes are the hard part (a few pixels at 48 px); hair is read perfectly after two epochs. Without
    the learning-rate decay the validation loss jumped between epochs and eyes ended at 0.994.
    """

    dataset_size: int = 10_000  # rendered faces, split into training, validation and test
    epochs: int = 6  # at most; early stopping ends sooner when the validation loss stops improving
    batch_size: int = 64
    learning_rate: float = 1e-3  # at the start; cosine decay to 0 at the last epoch
    validation_fraction: float = 0.1  # early stopping watches these faces
    test_fraction: float = 0.1  # the reported accuracy is measured on these, unseen by training
    patience: int = 2  # epochs without a better validation loss before stopping
    seed: int = 0  # the split's shuffle

    def __post_init__(self):
        for field in ("dataset_size", "epochs", "batch_size", "patience"):
            check_count(f"judge {field}", getattr(self, field))
        if not 0 < self.learning_rate < 1:
            raise ValueError(f"judge learning_rate must be in (0, 1); got {self.learning_rate!r}")
        held_out = self.validation_fraction + self.test_fraction
        if not (0 < self.validation_fraction < 1 and 0 < self.test_fraction < 1 and held_out < 1):
            raise ValueError(
                "judge validation_fraction and test_fraction must each be in (0, 1) and sum to less than 1; "
                f"got {self.validation_fraction!r} and {self.test_fraction!r}"
            )


def notebook_judge_settings(profile, dataset_size: int = JudgeSettings.dataset_size) -> JudgeSettings:
    """The judge the notebooks use for a profile: ``dataset_size`` faces, but at most 20 per training face
    of the profile, so that the smoke profile (96 faces) trains a judge on 1,920 faces in seconds. One
    rule for every notebook, so they share one cached judge."""
    return JudgeSettings(dataset_size=min(dataset_size, 20 * profile.dataset_size))


@dataclass(frozen=True)
class TrainedJudge:
    """A judge and how well it reads faces it never trained on."""

    model: keras.Model
    hair_accuracy: float  # on the test split
    eye_accuracy: float
    epochs_run: int
    training_seconds: float


@dataclass(frozen=True)
class CachedJudge:
    """A judge from the cache or freshly trained. ``reused`` says whether it came from an earlier run."""

    model: keras.Model
    path: Path
    manifest: dict
    reused: bool


def build_judge(image_size: int, dense_units: int = DENSE_UNITS) -> keras.Model:
    """Seed 003's classifier in RGB with two heads: uint8 image -> {"hair": 12 logits, "eyes": 11 logits}.

    The penultimate layer (dense, ReLU) is named ``features``; ``judge_features`` reads it.
    """
    image = keras.Input((image_size, image_size, 3), name="image")
    pixels = layers.Rescaling(1 / 255, name="rescale")(image)
    features = layers.Conv2D(32, 3, padding="same", activation="relu", name="conv1")(pixels)
    features = layers.MaxPooling2D(name="pool1")(features)
    features = layers.Conv2D(64, 3, padding="same", activation="relu", name="conv2")(features)
    features = layers.MaxPooling2D(name="pool2")(features)
    features = layers.Dropout(DROPOUT_RATE, name="dropout1")(features)
    features = layers.Flatten(name="flatten")(features)
    features = layers.Dense(dense_units, activation="relu", name=FEATURES_LAYER)(features)
    features = layers.Dropout(DROPOUT_RATE, name="dropout2")(features)
    outputs = {
        "hair": layers.Dense(NUM_HAIR, name="hair")(features),
        "eyes": layers.Dense(NUM_EYES, name="eyes")(features),
    }
    return keras.Model(image, outputs, name="judge")


def train_judge(images: np.ndarray, hair_ids, eye_ids, settings: JudgeSettings = JudgeSettings(),
                verbose: int = 0) -> TrainedJudge:
    """Train a fresh judge on real faces, stopping early on a validation split; report test accuracy.

    The faces are shuffled and split three ways: training, validation (early stopping watches its loss
    and keeps the best epoch's weights) and test (touched only once, at the end, so the reported accuracy
    is not flattered by the choice of epoch).
    """
    _check_images(images)
    hair_ids, eye_ids = np.asarray(hair_ids), np.asarray(eye_ids)
    train, validation, test = _split(len(images), settings)
    model = build_judge(images.shape[1])
    steps = settings.epochs * math.ceil(len(train) / settings.batch_size)
    model.compile(
        optimizer=keras.optimizers.Adam(keras.optimizers.schedules.CosineDecay(settings.learning_rate, steps)),
        loss={part: keras.losses.SparseCategoricalCrossentropy(from_logits=True) for part in ("hair", "eyes")},
        metrics={part: ["accuracy"] for part in ("hair", "eyes")},
        jit_compile=False,  # XLA made CPU training 2.5x slower here (14 against 5.8 ms of CPU per face at 48 px)
    )
    stop_early = keras.callbacks.EarlyStopping(patience=settings.patience, restore_best_weights=True)
    started = time.perf_counter()
    history = model.fit(
        _batches(images[train], hair_ids[train], eye_ids[train], settings.batch_size, shuffle_seed=settings.seed),
        validation_data=_batches(images[validation], hair_ids[validation], eye_ids[validation], settings.batch_size),
        epochs=settings.epochs, callbacks=[stop_early], verbose=verbose, shuffle=False,  # _batches shuffles
    )
    seconds = time.perf_counter() - started
    judged_hair, judged_eyes = predict_labels(model, images[test])
    return TrainedJudge(
        model=model,
        hair_accuracy=float(np.mean(judged_hair == hair_ids[test])),
        eye_accuracy=float(np.mean(judged_eyes == eye_ids[test])),
        epochs_run=len(history.history["loss"]),
        training_seconds=seconds,
    )


def _batches(images, hair_ids, eye_ids, batch_size: int, shuffle_seed: int | None = None):
    """The faces and both labels as a dataset of batches, reshuffled every epoch when a seed is given.

    Built here rather than by Keras from arrays: Keras's own pipeline maps in parallel with a random
    shuffle inside, and once a notebook has turned op determinism on (04, 05) and seeded TensorFlow,
    TensorFlow rewrites that map and logs an error line about it into the notebook."""
    import tensorflow as tf

    dataset = tf.data.Dataset.from_tensor_slices((images, {"hair": hair_ids, "eyes": eye_ids}))
    if shuffle_seed is not None:
        dataset = dataset.shuffle(len(images), seed=shuffle_seed, reshuffle_each_iteration=True)
    return dataset.batch(batch_size).prefetch(2)


def predict_labels(judge: keras.Model, images: np.ndarray,
                   batch_size: int = PREDICT_BATCH_SIZE) -> tuple[np.ndarray, np.ndarray]:
    """The hair and eye class ids the judge reads off uint8 faces: two int64 arrays of length N."""
    _check_images(images)
    logits = predict_in_batches(judge, images, batch_size)
    return logits["hair"].argmax(axis=-1), logits["eyes"].argmax(axis=-1)


def judge_features(judge: keras.Model, images: np.ndarray,
                   batch_size: int = PREDICT_BATCH_SIZE) -> np.ndarray:
    """The judge's penultimate activations for uint8 faces: (N, 680) float64, the FID/KID feature space."""
    _check_images(images)
    reader = keras.Model(judge.input, judge.get_layer(FEATURES_LAYER).output)
    return predict_in_batches(reader, images, batch_size).astype(np.float64)


def describe_judge(judge: CachedJudge) -> dict[str, str]:
    """What a judge is, read from its model and manifest, in the rows notebook 06 sets beside seed 003's
    classifier: layers, input, outputs, parameters, training faces and held-out accuracy."""
    model, manifest = judge.model, judge.manifest
    heads = [model.get_layer(name) for name in ("hair", "eyes")]
    body = [layer for layer in model.layers
            if layer not in heads and not isinstance(layer, (layers.InputLayer, layers.Rescaling))]
    _, height, width, channels = model.input_shape
    settings = JudgeSettings(**manifest["settings"])
    training, validation, test = (len(part) for part in _split(settings.dataset_size, settings))
    held_out = manifest["held_out"]
    return {
        "layers": " - ".join([_layer_word(layer) for layer in body]
                             + [" + ".join(f"{head.name} {head.units}" for head in heads)]),
        "input": f"{height}x{width}x{channels} ({'RGB' if channels == 3 else 'grayscale'}, uint8, rescaled inside)",
        "outputs": ", ".join(f"{head.name}: {head.units} logits" for head in heads) + " (a softmax each)",
        "parameters": f"{model.count_params():,}",
        "trained on": (f"{training:,} rendered faces (seed {manifest['dataset']['seed']}), "
                       f"{manifest['epochs_run']} epochs; {validation:,} more for early stopping"),
        "held-out accuracy": (f"hair {held_out['hair_accuracy']:.4f}, eyes {held_out['eye_accuracy']:.4f} "
                              f"({test:,} faces)"),
    }


def _layer_word(layer) -> str:
    """A layer in seed 003's shorthand: conv32, pool, dropout, flatten, dense680."""
    if isinstance(layer, layers.Conv2D):
        return f"conv{layer.filters}"
    if isinstance(layer, layers.Dense):
        return f"dense{layer.units}"
    words = {layers.MaxPooling2D: "pool", layers.Dropout: "dropout", layers.Flatten: "flatten"}
    return next((word for kind, word in words.items() if isinstance(layer, kind)), layer.name)


def load_or_train_judge(image_size: int, settings: JudgeSettings = JudgeSettings(),
                        directory: Path | None = None, verbose: int = 0) -> CachedJudge:
    """The judge for ``image_size`` from ``data/`` when a matching one is cached, else trained and cached."""
    directory = Path(directory) if directory is not None else data_dir()
    dataset = synthetic_dataset(settings.dataset_size, image_size, seed=JUDGE_DATA_SEED, directory=directory)
    request = {"judge_version": JUDGE_VERSION, "dataset": dataset.manifest, "settings": asdict(settings)}
    path = directory / f"judge_{image_size}px_{_key(request)}.keras"
    cached = _read_cache(path, request, image_size)
    if cached is not None:
        return cached
    trained = train_judge(dataset.images, dataset.hair_ids, dataset.eye_ids, settings, verbose=verbose)
    manifest = {
        **request,
        "held_out": {"hair_accuracy": trained.hair_accuracy, "eye_accuracy": trained.eye_accuracy},
        "epochs_run": trained.epochs_run,
        "training_seconds": round(trained.training_seconds, 1),
        "keras_version": keras.__version__,
    }
    _write_cache(path, manifest, trained.model)
    return CachedJudge(trained.model, path, manifest, reused=False)


def _check_images(images) -> None:
    if not isinstance(images, np.ndarray) or images.dtype != np.uint8 or images.ndim != 4 or images.shape[-1] != 3:
        described = f"{images.dtype} {images.shape}" if isinstance(images, np.ndarray) else type(images).__name__
        raise ValueError(
            f"the judge reads uint8 faces with shape (count, size, size, 3), pixels 0..255; got {described}"
        )


def _split(count: int, settings: JudgeSettings) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Shuffled indices for the training, validation and test parts (each at least one face)."""
    order = np.random.default_rng(settings.seed).permutation(count)
    validation_count = max(1, round(count * settings.validation_fraction))
    test_count = max(1, round(count * settings.test_fraction))
    if validation_count + test_count >= count:
        raise ValueError(f"judge dataset of {count} faces is too small to split three ways")
    validation = order[:validation_count]
    test = order[validation_count : validation_count + test_count]
    return order[validation_count + test_count :], validation, test


def _key(request: dict) -> str:
    """A short, stable name for what made a judge (the same request always gives the same key)."""
    return hashlib.sha256(json.dumps(request, sort_keys=True).encode()).hexdigest()[:12]


def manifest_path(path: Path) -> Path:
    """The JSON manifest that sits beside a cached judge."""
    return path.with_suffix(".json")


def _read_cache(path: Path, request: dict, image_size: int) -> CachedJudge | None:
    """The cached judge if its manifest matches and its model loads with the expected shape; else None
    (train again), with a one-line notice when a matching judge is there but cannot be used."""
    try:
        manifest = json.loads(manifest_path(path).read_text())
    except (OSError, ValueError):
        return None  # no judge yet (or a manifest cut short: the model is written before it)
    if not isinstance(manifest, dict) or {key: manifest.get(key) for key in request} != request:
        return None
    try:
        model = keras.saving.load_model(path, safe_mode=True)
        if tuple(model.input_shape[1:]) != (image_size, image_size, 3):
            raise ValueError(f"it reads {model.input_shape[1:]} images, not {image_size} px")
    except (OSError, ValueError, KeyError, TypeError, zipfile.BadZipFile) as error:
        print(f"the cached judge {path} cannot be used ({' '.join(str(error).split())[:200] or type(error).__name__}); "
              f"training it again", file=sys.stderr)
        return None
    return CachedJudge(model, path, manifest, reused=True)


def _write_cache(path: Path, manifest: dict, model: keras.Model) -> None:
    """Write the model, then the manifest, each through a temporary file of this process, so a killed
    run never leaves a half-written judge that a later run would trust."""
    path.parent.mkdir(parents=True, exist_ok=True)
    remove_orphans(path.parent, f"{path.stem}.*.partial.*")
    write_atomic(path, model.save)
    write_text_atomic(manifest_path(path), json.dumps(manifest, indent=2) + "\n")
