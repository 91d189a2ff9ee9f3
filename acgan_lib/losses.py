"""GAN losses on logits, per example, so the trainer can average them over a global batch.

Every function takes the discriminator's raw logits and applies the sigmoid or softmax itself (through
TensorFlow's ``*_with_logits`` ops), which is both numerically stable and the reason the public-ACGAN bug
(a softmax layer followed by a loss that applies softmax again) cannot happen here.

- ``bce`` (seed 000): D pushes real logits towards 1 and fake towards 0; G uses the non-saturating form,
  pushing D's output on fakes towards 1 (Goodfellow et al. 2014), which keeps G's gradient alive when D
  is winning.
- ``hinge`` (Miyato et al. 2018): D wants real logits above +1 and fake below -1; G raises fake logits.
- ``clipped_bce`` (seed 000's, by accident): ``bce`` as Keras 2 computed it for a D that ends in a sigmoid.
  Keras 2's ``binary_crossentropy`` clipped the probability to [1e-7, 1 - 1e-7] before taking logs, and a
  clipped value has no gradient: once D's sigmoid rounds to 1 for every image (a logit above about 16),
  D calls everything real and neither player gets a gradient to change that. Kept to rerun the seed's
  failure (notebook 05); the models here output logits, so ``bce`` cannot get stuck that way.
- Auxiliary classification (ACGAN, Odena et al. 2017): cross-entropy of the hair and eye heads, on real
  images for D (and on fakes too, as in the paper, when the profile's ``classify_fakes`` says so) and on
  fakes for G.
- Mode seeking (MSGAN, Mao et al. 2019): a penalty on G for drawing the same face from different noise.
- R1 (Mescheder et al. 2018): a penalty on D for how steeply its real/fake logit changes around real
  faces, so that D cannot sharpen into a cliff G's gradient falls off.
"""

from __future__ import annotations

import tensorflow as tf

MODE_SEEKING_EPSILON = 1e-5
KERAS2_EPSILON = 1e-7  # keras.backend.epsilon(), the clip of Keras 2's binary_crossentropy


def keras2_logits(logits):
    """The logits Keras 2 recovered from a sigmoid's output: sigmoid, clip to [1e-7, 1 - 1e-7], log-odds.
    Equal to ``logits`` in the middle; constant, with a zero gradient, where the sigmoid saturates."""
    probability = tf.clip_by_value(tf.sigmoid(logits), KERAS2_EPSILON, 1.0 - KERAS2_EPSILON)
    return tf.math.log(probability / (1.0 - probability))


def discriminator_adversarial_loss(real_logits, fake_logits, loss: str, label_smoothing: float = 0.0):
    """Per-example loss of D for telling real (target 1 - label_smoothing) from fake (target 0)."""
    real_logits, fake_logits = tf.squeeze(real_logits, -1), tf.squeeze(fake_logits, -1)
    if loss == "hinge":
        return tf.nn.relu(1.0 - real_logits) + tf.nn.relu(1.0 + fake_logits)
    if loss == "clipped_bce":
        real_logits, fake_logits = keras2_logits(real_logits), keras2_logits(fake_logits)
    real_targets = tf.fill(tf.shape(real_logits), 1.0 - label_smoothing)
    real_loss = tf.nn.sigmoid_cross_entropy_with_logits(labels=real_targets, logits=real_logits)
    fake_loss = tf.nn.sigmoid_cross_entropy_with_logits(labels=tf.zeros_like(fake_logits), logits=fake_logits)
    return real_loss + fake_loss


def generator_adversarial_loss(fake_logits, loss: str):
    """Per-example loss of G: D should call its fakes real (non-saturating BCE, or hinge's -logit)."""
    fake_logits = tf.squeeze(fake_logits, -1)
    if loss == "hinge":
        return -fake_logits
    if loss == "clipped_bce":
        fake_logits = keras2_logits(fake_logits)
    return tf.nn.sigmoid_cross_entropy_with_logits(labels=tf.ones_like(fake_logits), logits=fake_logits)


def classification_loss(outputs: dict, hair_ids, eye_ids):
    """Per-example hair plus eye cross-entropy of an ACGAN head's logits (zero for other heads)."""
    if "hair" not in outputs:
        return tf.zeros(tf.shape(hair_ids), tf.float32)
    hair_loss = tf.nn.sparse_softmax_cross_entropy_with_logits(labels=hair_ids, logits=outputs["hair"])
    eye_loss = tf.nn.sparse_softmax_cross_entropy_with_logits(labels=eye_ids, logits=outputs["eyes"])
    return hair_loss + eye_loss


def called_real(logits):
    """1.0 where D calls an image real (logit above 0, i.e. sigmoid above 0.5), else 0.0; per example."""
    return tf.cast(tf.squeeze(logits, -1) > 0.0, tf.float32)


def class_hits(logits, class_ids):
    """1.0 where a classification head's most likely class is the right one, else 0.0; per example."""
    return tf.cast(tf.equal(tf.argmax(logits, axis=-1, output_type=tf.int32), class_ids), tf.float32)


def pair_halves(ids):
    """Labels whose second half repeats the first (an odd last one stays): pairs (i, i + half) share labels."""
    half = tf.shape(ids)[0] // 2
    return tf.concat([ids[:half], ids[:half], ids[2 * half :]], axis=0)


def mode_seeking_penalty(images, noise):
    """MSGAN's regulariser (Mao et al. 2019) for a batch whose halves share their labels (``pair_halves``).

    The ratio mean|G(z1) - G(z2)| / mean|z1 - z2| over the pairs is how much the images move when only the
    noise moves; a generator that ignores its noise (mode collapse within a class) has a ratio near 0.
    The penalty is its inverse, so G is pushed to let different noise draw different faces.
    """
    half = tf.shape(images)[0] // 2
    image_gap = tf.reduce_mean(tf.abs(images[:half] - images[half : 2 * half]))
    noise_gap = tf.reduce_mean(tf.abs(noise[:half] - noise[half : 2 * half]))
    return 1.0 / (image_gap / noise_gap + MODE_SEEKING_EPSILON)


def r1_penalty(logit_slopes):
    """R1's per-example penalty, half the squared length of the gradient of D's real/fake logit with
    respect to a real image (``logit_slopes``: that gradient, shaped like the images)."""
    return 0.5 * tf.reduce_sum(tf.square(logit_slopes), axis=tf.range(1, tf.rank(logit_slopes)))
