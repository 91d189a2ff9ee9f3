"""Seed 000's formulation of GAN training, kept as a teaching contrast and as the speed baseline.

The seed trained D with ``train_on_batch`` on a real batch (label 1) and on fakes made by
``G.predict`` (label 0), and trained G through a *combined* model, G followed by a frozen D, asked to
output 1. Three Keras calls per step, each a separate trip through Python and a separate compiled
function, and the fakes cross from TensorFlow to NumPy and back.

``training.GANTrainer`` computes the same thing in one compiled step. The two agree: for the same noise
and labels, the gradient the combined model gives G equals the fused step's (tests/test_training.py),
because "D frozen inside a combined model" and "apply the gradient to G's weights only" are the same.

The combined model is built from the trainer's own G and D, so both formulations share weights.
"""

from __future__ import annotations

import keras
import numpy as np

from .models import discriminator_inputs, generator_inputs, predict_in_batches, sample_noise
from .profiles import Profile


class SeedStyleTrainer:
    """D and a combined G+frozen-D model, compiled and trained with ``train_on_batch`` as in seed 000.

    Supports the heads without classifiers (``concat``, ``projection``), as the seed did; the ``acgan``
    head's class losses are a fused-step feature.
    """

    def __init__(self, generator: keras.Model, discriminator: keras.Model, profile: Profile,
                 generator_optimizer: keras.optimizers.Optimizer | None = None):
        if profile.head == "acgan":
            raise ValueError("the seed-style loop trains the concat or projection head; use GANTrainer for acgan")
        self.generator, self.discriminator, self.profile = generator, discriminator, profile
        self.rng = np.random.default_rng(profile.seed)
        adversarial_loss = keras.losses.BinaryCrossentropy(from_logits=True)
        discriminator.trainable = True
        discriminator.compile(
            optimizer=_seed_adam(profile.learning_rate_d, profile), loss={"real_fake": adversarial_loss}
        )
        fake_images = generator(generator.input)
        verdict = discriminator(discriminator_inputs(discriminator, fake_images, generator.input["hair"],
                                                     generator.input["eyes"]))
        self.combined = keras.Model(generator.input, {"real_fake": verdict["real_fake"]}, name="combined")
        self.combined.compile(
            optimizer=generator_optimizer or _seed_adam(profile.learning_rate_g, profile),
            loss={"real_fake": adversarial_loss},
        )

    def train_step(self, real_images: np.ndarray, hair_ids: np.ndarray, eye_ids: np.ndarray) -> dict:
        """One seed-style step: D on real, D on G.predict's fakes, then the combined model."""
        count = len(real_images)
        generator_inputs = self.generator_inputs(hair_ids, eye_ids)
        # The seed's G.predict, which hands D the fakes as a NumPy array (the same numbers, without
        # predict's tf.data pipeline and its logged error line: models.predict_in_batches).
        fake_images = predict_in_batches(self.generator, generator_inputs, count)
        real_targets = {"real_fake": np.ones((count, 1), np.float32)}
        fake_targets = {"real_fake": np.zeros((count, 1), np.float32)}
        self.discriminator.trainable = True
        d_loss_real = self.discriminator.train_on_batch(self._critic_inputs(real_images, generator_inputs), real_targets)
        d_loss_fake = self.discriminator.train_on_batch(self._critic_inputs(fake_images, generator_inputs), fake_targets)
        g_loss = self.train_generator(self.generator_inputs(hair_ids, eye_ids))
        return {"d_loss": float(d_loss_real) + float(d_loss_fake), "g_loss": g_loss}

    def train_generator(self, generator_inputs: dict) -> float:
        """One update of G through the combined model, with D frozen (Keras 3 reads ``trainable`` when it
        first compiles a train function, so D is frozen around the call, as the seed's loop did)."""
        self.discriminator.trainable = False
        targets = {"real_fake": np.ones((len(generator_inputs["noise"]), 1), np.float32)}
        loss = self.combined.train_on_batch(generator_inputs, targets)
        self.discriminator.trainable = True
        return float(loss)

    def generator_inputs(self, hair_ids: np.ndarray, eye_ids: np.ndarray, noise: np.ndarray | None = None) -> dict:
        """G's input dict for these labels, with fresh noise unless ``noise`` is given."""
        if noise is None:
            noise = sample_noise(len(hair_ids), self.profile.noise_dim, self.profile.noise_distribution, self.rng)
        return generator_inputs(noise, hair_ids, eye_ids)

    def _critic_inputs(self, images: np.ndarray, generator_inputs: dict) -> dict:
        return discriminator_inputs(self.discriminator, images, generator_inputs["hair"], generator_inputs["eyes"])


def _seed_adam(learning_rate: float, profile: Profile) -> keras.optimizers.Optimizer:
    return keras.optimizers.Adam(learning_rate, beta_1=profile.adam_beta_1, beta_2=profile.adam_beta_2)
