import numpy as np
import pytest

from acgan_lib import latent


def test_scaled_noise_is_the_seeds_noise_times_the_scale():
    full = latent.scaled_noise(4, 10, "uniform", seed=3)
    assert np.abs(full).max() <= 1 and full.dtype == np.float32
    np.testing.assert_allclose(latent.scaled_noise(4, 10, "uniform", seed=3, scale=0.5), full * 0.5, rtol=1e-6)
    assert not latent.scaled_noise(4, 10, "gaussian", seed=3, scale=0.0).any()
    with pytest.raises(ValueError, match="a noise seed is a non-negative integer; got -1"):
        latent.scaled_noise(4, 10, "uniform", seed=-1)
    with pytest.raises(ValueError, match=r"noise scale must be in \[0, 4\]"):
        latent.scaled_noise(4, 10, "uniform", seed=3, scale=-1)


def test_lerp_and_slerp_start_and_end_at_the_two_noises():
    start, end = latent.scaled_noise(2, 100, "gaussian", seed=0)
    for path in (latent.lerp(start, end, 7), latent.slerp(start, end, 7)):
        assert path.shape == (7, 100)
        np.testing.assert_allclose(path[0], start, atol=1e-5)
        np.testing.assert_allclose(path[-1], end, atol=1e-5)


def test_slerp_keeps_a_typical_length_where_lerp_dips_towards_the_centre():
    start, end = latent.scaled_noise(2, 100, "gaussian", seed=1)
    typical = (np.linalg.norm(start) + np.linalg.norm(end)) / 2
    middle_lerp = np.linalg.norm(latent.lerp(start, end, 3)[1])
    middle_slerp = np.linalg.norm(latent.slerp(start, end, 3)[1])
    assert middle_slerp == pytest.approx(typical, rel=1e-5)
    assert middle_lerp < 0.8 * typical  # two nearly orthogonal draws: about 1/sqrt(2) of their length


def test_slerp_falls_back_to_lerp_where_the_great_circle_is_undefined():
    start = np.ones(5, dtype=np.float32)
    np.testing.assert_allclose(latent.slerp(start, -start, 3), latent.lerp(start, -start, 3))
    np.testing.assert_allclose(latent.slerp(start * 0, start, 3), latent.lerp(start * 0, start, 3))
    with pytest.raises(ValueError, match="steps must be an integer of at least 2"):
        latent.lerp(start, start, 1)


def test_blend_labels_mix_two_one_hot_rows():
    rows = latent.blend_labels(2, 5, 0.25, depth=12, count=3)
    assert rows.shape == (3, 12) and rows.dtype == np.float32
    np.testing.assert_allclose(rows[:, 2], 0.75)
    np.testing.assert_allclose(rows[:, 5], 0.25)
    np.testing.assert_allclose(rows.sum(axis=1), 1.0)
    with pytest.raises(ValueError, match=r"blend weight must be in \[0, 1\]"):
        latent.blend_labels(2, 5, 1.5, depth=12)
