"""The losses on cases whose answer is known by hand."""

import math

import numpy as np
import pytest
import tensorflow as tf

from acgan_lib.losses import (
    MODE_SEEKING_EPSILON,
    classification_loss,
    discriminator_adversarial_loss,
    generator_adversarial_loss,
    keras2_logits,
    mode_seeking_penalty,
    pair_halves,
)


def test_bce_losses_at_a_logit_of_zero_are_log_two():
    zero = tf.zeros((3, 1))
    np.testing.assert_allclose(discriminator_adversarial_loss(zero, zero, "bce", 0.0), 2 * np.log(2), rtol=1e-6)
    np.testing.assert_allclose(generator_adversarial_loss(zero, "bce"), np.log(2), rtol=1e-6)


def test_classification_loss_is_zero_for_heads_without_classifiers():
    loss = classification_loss({"real_fake": tf.zeros((4, 1))}, tf.constant([0, 1, 2, 3]), tf.constant([0, 1, 2, 3]))
    np.testing.assert_array_equal(loss, np.zeros(4))


def test_pair_halves_repeats_the_first_half_and_keeps_an_odd_last_one():
    np.testing.assert_array_equal(pair_halves(tf.constant([1, 2, 3, 4, 5])), [1, 2, 1, 2, 5])
    np.testing.assert_array_equal(pair_halves(tf.constant([7, 8])), [7, 7])


def test_mode_seeking_penalty_is_the_inverse_of_image_change_per_noise_change():
    noise = tf.constant([[0.0, 0.0], [1.0, 1.0]])  # the pair's noise differs by 1 in every entry
    images = tf.constant([[0.0, 0.0, 0.0, 0.0], [0.5, 0.5, 0.5, 0.5]])  # and its images by 0.5
    assert float(mode_seeking_penalty(images, noise)) == pytest.approx(1 / (0.5 + MODE_SEEKING_EPSILON))
    collapsed = tf.zeros((2, 4))  # the same image for different noise: the largest penalty
    assert float(mode_seeking_penalty(collapsed, noise)) == pytest.approx(1 / MODE_SEEKING_EPSILON)


def test_keras2_logits_match_logits_in_the_middle_and_have_no_gradient_where_the_sigmoid_saturates():
    logits = tf.constant([-3.0, 0.0, 5.0, 40.0, -40.0])
    with tf.GradientTape() as tape:
        tape.watch(logits)
        recovered = keras2_logits(logits)
        total = tf.reduce_sum(recovered)
    gradient = tape.gradient(total, logits).numpy()
    np.testing.assert_allclose(recovered[:3], logits[:3], atol=1e-3)
    np.testing.assert_allclose(gradient[:3], 1.0, atol=1e-2)
    np.testing.assert_array_equal(gradient[3:], 0.0)  # clipped: a saturated D cannot be moved


def test_clipped_bce_equals_bce_until_d_saturates_and_then_stops_teaching_either_player():
    moderate = tf.constant([[2.0], [-1.0]])
    np.testing.assert_allclose(discriminator_adversarial_loss(moderate, -moderate, "clipped_bce"),
                               discriminator_adversarial_loss(moderate, -moderate, "bce"), rtol=1e-4)
    calls_everything_real = tf.fill((4, 1), 30.0)
    with tf.GradientTape(persistent=True) as tape:
        tape.watch(calls_everything_real)
        d_loss = tf.reduce_sum(discriminator_adversarial_loss(calls_everything_real, calls_everything_real, "clipped_bce"))
        g_loss = tf.reduce_sum(generator_adversarial_loss(calls_everything_real, "clipped_bce"))
        plain = tf.reduce_sum(discriminator_adversarial_loss(calls_everything_real, calls_everything_real, "bce"))
    assert float(d_loss) > 10  # D is badly wrong about the fakes ...
    np.testing.assert_array_equal(tape.gradient(d_loss, calls_everything_real), 0.0)  # ... and cannot learn it
    np.testing.assert_array_equal(tape.gradient(g_loss, calls_everything_real), 0.0)
    assert np.abs(tape.gradient(plain, calls_everything_real).numpy()).min() > 0.5  # logits keep the gradient


def _softplus(x):
    return math.log1p(math.exp(x))


def test_each_adversarial_loss_matches_its_formula_on_hand_picked_logits():
    """Every side of every loss pinned on values worked by hand: a sign or a term lost shows here."""
    real, fake = tf.constant([[2.0], [-0.5]]), tf.constant([[-1.5], [0.25]])
    bce_d = discriminator_adversarial_loss(real, fake, "bce").numpy()
    # real target 1: softplus(-logit); fake target 0: softplus(logit)
    np.testing.assert_allclose(bce_d, [_softplus(-2.0) + _softplus(-1.5), _softplus(0.5) + _softplus(0.25)], rtol=1e-6)
    smoothed = discriminator_adversarial_loss(real, fake, "bce", label_smoothing=0.1).numpy()
    # target 0.9 on real: 0.9 * softplus(-x) + 0.1 * softplus(x)
    np.testing.assert_allclose(smoothed[0], 0.9 * _softplus(-2.0) + 0.1 * _softplus(2.0) + _softplus(-1.5), rtol=1e-6)
    np.testing.assert_allclose(discriminator_adversarial_loss(real, fake, "hinge").numpy(),
                               [max(0, 1 - 2.0) + max(0, 1 - 1.5), max(0, 1 + 0.5) + max(0, 1 + 0.25)])
    np.testing.assert_allclose(generator_adversarial_loss(fake, "bce").numpy(), [_softplus(1.5), _softplus(-0.25)],
                               rtol=1e-6)
    np.testing.assert_allclose(generator_adversarial_loss(fake, "hinge").numpy(), [1.5, -0.25])


def test_the_classification_loss_is_the_hair_term_plus_the_eye_term():
    hair_logits = tf.constant([[2.0, 0.0, -1.0]])
    eye_logits = tf.constant([[0.0, 1.0]])
    loss = classification_loss({"hair": hair_logits, "eyes": eye_logits}, tf.constant([1]), tf.constant([0]))
    hair = -math.log(math.exp(0.0) / (math.exp(2.0) + math.exp(0.0) + math.exp(-1.0)))
    eye = -math.log(math.exp(0.0) / (math.exp(0.0) + math.exp(1.0)))
    np.testing.assert_allclose(loss.numpy(), [hair + eye], rtol=1e-6)
