"""Differentiable augmentation (DiffAugment, Zhao et al. 2020): every image D sees, real or fake, in D's
update and in G's, is shifted (and optionally has a square cut out) at random before D looks at it.

Why: a discriminator that can tell real from fake by exact pixel positions stops teaching G anything
general; shown shifted faces, it has to judge what a face looks like wherever it sits. The changes are
made of differentiable tensor operations, so G's gradient flows back through them to G; augmenting
only the real faces would instead teach G to draw shifted ones. Colour changes, the paper's third
kind, are left out on purpose: here a colour is a label, and recolouring a face would make its hair
and eye labels wrong.

- ``translation``: each image moves by up to an eighth of its side in each direction (4 px at 32 px);
  what moves in from outside is 0 (mid gray in the tanh range).
- ``translation_cutout``: the same, then a square of half the side, centred at random, set to 0.

The randomness comes from a ``tf.random.Generator`` the caller owns (the trainer's checkpointed noise
source), so a resumed run draws the same shifts as one never interrupted.
"""

from __future__ import annotations

import tensorflow as tf

TRANSLATION_RATIO = 0.125  # largest shift, as a fraction of the image side (the paper's 1/8)
CUTOUT_RATIO = 0.5  # side of the cut-out square, as a fraction of the image side (the paper's 1/2)


def augment(images, kind: str, rng: tf.random.Generator):
    """``images`` (batch, side, side, channels) augmented as ``kind`` says (``profiles.AUGMENTATIONS``)."""
    if kind == "none":
        return images
    images = translate(images, rng)
    if kind == "translation_cutout":
        images = cut_out(images, rng)
    return images


def translate(images, rng: tf.random.Generator, ratio: float = TRANSLATION_RATIO):
    """Each image shifted by its own whole number of pixels, up to ``ratio`` of the side, in rows and
    columns; the pixels that come in from outside are 0."""
    side = images.shape[1]
    most = int(side * ratio + 0.5)
    shifts = rng.uniform(tf.stack([tf.shape(images)[0], 2]), -most, most + 1, dtype=tf.int32)
    padded = tf.pad(images, [[0, 0], [most, most], [most, most], [0, 0]])
    # Output pixel i of an image shifted by s comes from input pixel i - s, at i - s + most once padded.
    positions = tf.range(side)[tf.newaxis, :] + most
    rows = positions - shifts[:, :1]
    columns = positions - shifts[:, 1:]
    shifted_rows = tf.gather(padded, rows, axis=1, batch_dims=1)
    return tf.gather(shifted_rows, columns, axis=2, batch_dims=1)


def cut_out(images, rng: tf.random.Generator, ratio: float = CUTOUT_RATIO):
    """Each image with a square of ``ratio`` of the side set to 0, centred anywhere in the image (so it
    may be clipped by the border)."""
    side = images.shape[1]
    cut = int(side * ratio + 0.5)
    starts = rng.uniform(tf.stack([tf.shape(images)[0], 2]), 0, side, dtype=tf.int32) - cut // 2
    positions = tf.range(side)[tf.newaxis, :]
    in_rows = (positions >= starts[:, :1]) & (positions < starts[:, :1] + cut)
    in_columns = (positions >= starts[:, 1:]) & (positions < starts[:, 1:] + cut)
    inside = in_rows[:, :, tf.newaxis] & in_columns[:, tf.newaxis, :]
    return images * (1.0 - tf.cast(inside, images.dtype))[..., tf.newaxis]
