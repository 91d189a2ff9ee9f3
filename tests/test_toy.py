"""The toy GAN in the plane: its data, its coverage count, its settings, and the two behaviours notebook 05
builds on (an equilibrium near one half, and the clipped loss sticking where logits do not)."""

import numpy as np
import pytest

from acgan_lib.toy import ToySettings, mode_coverage, ring_centres, ring_mixture, train_toy


def test_ring_centres_lie_on_the_circle_and_one_mode_sits_at_the_centre():
    centres = ring_centres(8, 2.0)
    np.testing.assert_allclose(np.linalg.norm(centres, axis=1), 2.0, rtol=1e-6)
    assert len({tuple(np.round(centre, 4)) for centre in centres}) == 8
    np.testing.assert_array_equal(ring_centres(1, 2.0), [[0.0, 0.0]])


def test_mode_coverage_counts_every_blob_of_real_data_and_one_for_a_single_blob():
    settings = ToySettings()
    real = ring_mixture(4_000, settings, np.random.default_rng(0))
    assert mode_coverage(real, settings) == {"modes_covered": 8, "near_a_mode": pytest.approx(1.0, abs=0.02)}
    one_blob = ring_centres(8, 2.0)[3] + settings.blob_width * np.random.default_rng(1).standard_normal((500, 2))
    assert mode_coverage(one_blob, settings)["modes_covered"] == 1
    far_away = np.full((100, 2), 10.0)
    assert mode_coverage(far_away, settings) == {"modes_covered": 0, "near_a_mode": 0.0}


@pytest.mark.parametrize("changes, message", [
    ({"modes": 0}, "modes must be a positive integer"),
    ({"learning_rate_g": -1e-3}, "learning_rate_g must be a positive number"),
    ({"loss": "mse"}, "loss must be one of bce, hinge, clipped_bce"),
    ({"snapshot_steps": (0, 5_000)}, "snapshot_steps must lie in [0, 3000]"),
    ({"steps": 100, "snapshot_steps": (200,)}, "snapshot_steps must lie in [0, 100]"),
])
def test_bad_toy_settings_say_what_is_allowed(changes, message):
    with pytest.raises(ValueError, match=message.replace("[", r"\[").replace("]", r"\]")):
        ToySettings(**changes)


def test_a_balanced_run_ends_near_one_half_and_covers_the_ring():
    run = train_toy(ToySettings(steps=2_000, snapshot_steps=(0, 2_000)))
    assert sorted(run.snapshots) == [0, 2_000] and run.snapshots[2_000].shape == (2_000, 2)
    assert [row["step"] for row in run.history][:3] == [0, 50, 100]
    assert abs(run.last("d_real_probability") - 0.5) < 0.05 and abs(run.last("d_fake_probability") - 0.5) < 0.05
    assert abs(run.last("d_accuracy") - 0.5) < 0.15
    assert mode_coverage(run.snapshots[2_000], run.settings)["modes_covered"] >= 6


def test_at_a_huge_rate_the_clipped_loss_sticks_at_everything_real_and_logits_do_not():
    settings = {"steps": 1_500, "learning_rate_d": 0.1, "learning_rate_g": 0.1, "snapshot_steps": ()}
    clipped = train_toy(ToySettings(loss="clipped_bce", **settings))
    assert clipped.last("d_fake_probability") > 0.999 and clipped.last("g_accuracy") == 1.0
    assert abs(clipped.last("d_accuracy") - 0.5) < 0.01
    logits = train_toy(ToySettings(loss="bce", **settings))
    assert logits.last("g_accuracy") < 0.9


def test_snapshots_default_to_five_moments_of_the_run():
    assert ToySettings(steps=3_000).snapshots_at == (0, 500, 1_000, 2_000, 3_000)
    assert ToySettings(steps=4).snapshots_at == (0, 1, 2, 4)
    assert ToySettings(steps=10, snapshot_steps=(10,)).snapshots_at == (10,)
