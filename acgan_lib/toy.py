"""A toy GAN on points in the plane, where a whole training run takes seconds and every sample can be seen.

The data are a mixture of Gaussians on a ring (``ring_mixture``): ``modes`` small blobs of points around
a circle, a standard test of whether a GAN finds every mode or drops some (Metz et al. 2017, Srivastava et
al. 2017). The two players are small MLPs (``build_toy_generator``, ``build_toy_discriminator``), trained
with the same loss functions as the face GAN (``losses``), one D update then one G update per step.

``train_toy`` returns a ``ToyRun``: the history of D's and G's accuracy measured on a large fixed
evaluation set (so the curves are not batch noise), and snapshots of generated points through the run.
``mode_coverage`` counts how many blobs the generator actually draws. Everything is deterministic for a
given seed on one machine.
"""

from __future__ import annotations

from dataclasses import dataclass, field

import keras
import numpy as np
import tensorflow as tf

from .checks import check_choice, check_count
from .losses import called_real, discriminator_adversarial_loss, generator_adversarial_loss
from .profiles import LOSSES

EVALUATION_POINTS = 2_000  # real and generated points measured at each record
COVERED_SHARE = 0.25  # a mode counts as covered when it receives a quarter of its fair share of points
NEAR_MODE = 3.0  # a generated point belongs to a mode when it lies within this many blob widths


@dataclass(frozen=True)
class ToySettings:
    """One toy training run. The defaults cover every mode of the ring; see notebook 05 for the others."""

    modes: int = 8  # blobs on the ring; 1 puts a single blob at the centre
    radius: float = 2.0
    blob_width: float = 0.05  # standard deviation of each blob
    noise_dim: int = 4
    hidden_units: int = 64  # width of both MLPs' two hidden layers
    batch_size: int = 256
    steps: int = 3_000
    learning_rate_d: float = 1e-3
    learning_rate_g: float = 1e-3
    adam_beta_1: float = 0.5
    loss: str = "bce"
    record_every: int = 50
    snapshot_steps: tuple[int, ...] | None = None  # None: the start, 1/6, 1/3, 2/3 and the end of the run
    seed: int = 0

    def __post_init__(self):
        for name in ("modes", "noise_dim", "hidden_units", "batch_size", "steps", "record_every"):
            check_count(f"toy {name}", getattr(self, name))
        for name in ("radius", "blob_width", "learning_rate_d", "learning_rate_g"):
            value = getattr(self, name)
            if isinstance(value, bool) or not isinstance(value, (int, float)) or value <= 0:
                raise ValueError(f"toy {name} must be a positive number; got {value!r}")
        if not 0 <= self.adam_beta_1 < 1:
            raise ValueError(f"toy adam_beta_1 must be in [0, 1); got {self.adam_beta_1!r}")
        check_choice("toy loss", self.loss, LOSSES)
        if any(not 0 <= step <= self.steps for step in self.snapshots_at):
            raise ValueError(f"toy snapshot_steps must lie in [0, {self.steps}]; got {self.snapshot_steps!r}")

    @property
    def snapshots_at(self) -> tuple[int, ...]:
        """The steps at which the run keeps its generated points."""
        if self.snapshot_steps is not None:
            return tuple(self.snapshot_steps)
        return tuple(sorted({0, self.steps // 6, self.steps // 3, 2 * self.steps // 3, self.steps}))


@dataclass
class ToyRun:
    """What a toy run leaves: its settings, the measured history, point snapshots and the ring's centres."""

    settings: ToySettings
    # step, d_accuracy, g_accuracy, and D's mean probability "real" on real and on generated points
    history: list[dict] = field(default_factory=list)
    snapshots: dict[int, np.ndarray] = field(default_factory=dict)  # step -> generated points (n, 2)
    centres: np.ndarray | None = None
    real: np.ndarray | None = None  # real evaluation points

    def last(self, column: str, records: int = 10) -> float:
        """The mean of ``column`` over the last ``records`` records (the end of the run, smoothed)."""
        return float(np.mean([row[column] for row in self.history[-records:]]))


def ring_centres(modes: int, radius: float) -> np.ndarray:
    """The centres of the blobs: evenly spaced on a circle (a single mode sits at the origin)."""
    if modes == 1:
        return np.zeros((1, 2), np.float32)
    angles = 2 * np.pi * np.arange(modes) / modes
    return (radius * np.stack([np.cos(angles), np.sin(angles)], axis=1)).astype(np.float32)


def ring_mixture(count: int, settings: ToySettings, rng: np.random.Generator) -> np.ndarray:
    """``count`` points, each from a blob chosen uniformly at random."""
    centres = ring_centres(settings.modes, settings.radius)
    chosen = rng.integers(settings.modes, size=count)
    return (centres[chosen] + settings.blob_width * rng.standard_normal((count, 2))).astype(np.float32)


def mode_coverage(points: np.ndarray, settings: ToySettings) -> dict:
    """How many modes the points cover and what share of them lies near any mode.

    Each point is assigned to its nearest centre if it lies within ``NEAR_MODE`` blob widths of it; a mode
    is covered when it gets at least ``COVERED_SHARE`` of an even share of the points.
    """
    centres = ring_centres(settings.modes, settings.radius)
    distances = np.linalg.norm(points[:, None, :] - centres[None, :, :], axis=-1)
    nearest = distances.argmin(axis=1)
    near = distances.min(axis=1) < NEAR_MODE * settings.blob_width
    counts = np.bincount(nearest[near], minlength=settings.modes)
    fair_share = len(points) / settings.modes
    return {"modes_covered": int((counts >= COVERED_SHARE * fair_share).sum()),
            "near_a_mode": float(near.mean())}


def build_toy_generator(settings: ToySettings) -> keras.Model:
    """Noise -> two ReLU layers -> a point in the plane (no output activation: the plane is unbounded)."""
    return keras.Sequential([
        keras.Input((settings.noise_dim,)),
        keras.layers.Dense(settings.hidden_units, activation="relu"),
        keras.layers.Dense(settings.hidden_units, activation="relu"),
        keras.layers.Dense(2),
    ], name="toy_generator")


def build_toy_discriminator(settings: ToySettings) -> keras.Model:
    """A point -> two LeakyReLU layers -> one logit (D's verdict, real above 0)."""
    return keras.Sequential([
        keras.Input((2,)),
        keras.layers.Dense(settings.hidden_units),
        keras.layers.LeakyReLU(0.2),
        keras.layers.Dense(settings.hidden_units),
        keras.layers.LeakyReLU(0.2),
        keras.layers.Dense(1),
    ], name="toy_discriminator")


def train_toy(settings: ToySettings = ToySettings()) -> ToyRun:
    """Train the toy GAN and measure it every ``record_every`` steps on fixed evaluation points."""
    keras.utils.set_random_seed(settings.seed)
    rng = np.random.default_rng(settings.seed)
    generator, discriminator = build_toy_generator(settings), build_toy_discriminator(settings)
    g_optimizer = keras.optimizers.Adam(settings.learning_rate_g, beta_1=settings.adam_beta_1)
    d_optimizer = keras.optimizers.Adam(settings.learning_rate_d, beta_1=settings.adam_beta_1)
    g_optimizer.build(generator.trainable_variables)
    d_optimizer.build(discriminator.trainable_variables)
    noise_source = tf.random.Generator.from_seed(settings.seed)

    @tf.function(autograph=False)
    def train_step(real):
        noise = noise_source.normal((settings.batch_size, settings.noise_dim))
        with tf.GradientTape() as tape:
            loss = tf.reduce_mean(discriminator_adversarial_loss(
                discriminator(real, training=True), discriminator(generator(noise, training=True), training=True),
                settings.loss))
        d_optimizer.apply_gradients(zip(tape.gradient(loss, discriminator.trainable_variables),
                                        discriminator.trainable_variables))
        noise = noise_source.normal((settings.batch_size, settings.noise_dim))
        with tf.GradientTape() as tape:
            loss = tf.reduce_mean(generator_adversarial_loss(
                discriminator(generator(noise, training=True), training=True), settings.loss))
        g_optimizer.apply_gradients(zip(tape.gradient(loss, generator.trainable_variables),
                                        generator.trainable_variables))

    run = ToyRun(settings, centres=ring_centres(settings.modes, settings.radius),
                 real=ring_mixture(EVALUATION_POINTS, settings, rng))
    evaluation_noise = rng.standard_normal((EVALUATION_POINTS, settings.noise_dim)).astype(np.float32)
    real_data = ring_mixture(settings.steps * settings.batch_size, settings, rng)

    def record(step: int) -> None:
        fake = generator(evaluation_noise, training=False)
        real_logits, fake_logits = discriminator(run.real, training=False), discriminator(fake, training=False)
        real_called_real = float(tf.reduce_mean(called_real(real_logits)))
        fake_called_real = float(tf.reduce_mean(called_real(fake_logits)))
        run.history.append({
            "step": step,
            "d_accuracy": (real_called_real + 1.0 - fake_called_real) / 2,
            "g_accuracy": fake_called_real,
            "d_real_probability": float(tf.reduce_mean(tf.sigmoid(real_logits))),  # D's mean probability "real"
            "d_fake_probability": float(tf.reduce_mean(tf.sigmoid(fake_logits))),
        })
        if step in settings.snapshots_at:
            run.snapshots[step] = fake.numpy()

    record(0)
    for step in range(1, settings.steps + 1):
        train_step(real_data[(step - 1) * settings.batch_size : step * settings.batch_size])
        if step % settings.record_every == 0 or step in settings.snapshots_at:
            record(step)
    return run
