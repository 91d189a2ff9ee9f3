import dataclasses
import math

import pytest

from acgan_lib.profiles import MEDIUM_CHANGES, PROFILES, get_profile, profile_from_dict


@pytest.mark.parametrize("name", ["smoke", "quick", "medium", "full"])
def test_profiles_are_consistent(name):
    profile = PROFILES[name]
    assert profile.generator_start_size * math.prod(profile.generator_strides) == profile.image_size
    assert profile.image_size % 2 ** len(profile.discriminator_channels) == 0


def test_full_is_the_seed_architecture():
    full = get_profile("full")
    assert full.image_size == 96
    assert (full.generator_start_size, full.generator_start_channels) == (3, 512)
    assert full.generator_channels == (256, 128, 64, 32)
    assert full.generator_strides == (2, 2, 2, 4)
    assert full.discriminator_channels == (32, 64, 128, 256)
    assert (full.noise_dim, full.batch_size, full.learning_rate_d, full.learning_rate_g) == (100, 32, 1e-4, 1e-4)
    assert (full.adam_beta_1, full.adam_beta_2, full.loss, full.head) == (0.9, 0.999, "bce", "concat")
    assert (full.output_activation, full.noise_distribution, full.learning_rate_schedule) == ("sigmoid", "uniform", "constant")
    assert (full.generator_normalisation, full.discriminator_normalisation) == ("none", "none")
    assert (full.minibatch_spread, full.mode_seeking_weight, full.classify_fakes) == (False, 0.0, True)


def test_profiles_grow_from_smoke_to_full():
    sizes = [PROFILES[name].image_size * PROFILES[name].dataset_size for name in ("smoke", "quick", "medium", "full")]
    assert sizes == sorted(sizes) and list(PROFILES) == ["smoke", "quick", "medium", "full"]


def test_medium_is_the_quick_recipe_with_medium_changes_at_64_px_with_one_more_block_a_side():
    quick, medium = get_profile("quick"), get_profile("medium")
    sizes = ("name", "image_size", "train_steps", "generator_channels", "generator_strides", "discriminator_channels")
    assert {field: value for field, value in dataclasses.asdict(medium).items() if field not in sizes} == {
        field: MEDIUM_CHANGES.get(field, value) for field, value in dataclasses.asdict(quick).items()
        if field not in sizes}
    assert all(getattr(quick, field) != value for field, value in MEDIUM_CHANGES.items())  # each one a change
    assert medium.image_size == 2 * quick.image_size
    assert len(medium.generator_channels) == len(quick.generator_channels) + 1
    assert len(medium.discriminator_channels) == len(quick.discriminator_channels) + 1


def test_profiles_are_frozen():
    with pytest.raises(AttributeError):
        PROFILES["quick"].image_size = 64


def test_overrides_are_validated():
    assert get_profile("quick", train_steps=10).train_steps == 10
    with pytest.raises(ValueError, match="valid profiles: smoke, quick, medium, full"):
        get_profile("large")
    with pytest.raises(ValueError, match="valid fields"):
        get_profile("quick", epochs=3)
    with pytest.raises(ValueError, match="batch_size must be a positive integer"):
        get_profile("quick", batch_size=0)
    with pytest.raises(ValueError, match="head must be one of concat, acgan, projection"):
        get_profile("quick", head="auxiliary")
    with pytest.raises(ValueError, match=r"grows 4 px by strides \(2, 2, 2\) to 32 px, but image_size is 64"):
        get_profile("quick", image_size=64)
    with pytest.raises(ValueError, match=r"image_size must be in \[32, 128\]"):
        get_profile("smoke", image_size=16, generator_start_size=1)
    with pytest.raises(ValueError, match=r"seed must be an integer in \[0, 4294967295\]"):
        get_profile("quick", seed="abc")
    with pytest.raises(ValueError, match=r"learning_rate_g must be a number in \(0, 1\)"):
        get_profile("quick", learning_rate_g=0.0)
    with pytest.raises(ValueError, match=r"label_smoothing must be a number in \[0, 1\)"):
        get_profile("quick", label_smoothing=1.0)
    with pytest.raises(ValueError, match="loss must be one of bce, hinge"):
        get_profile("quick", loss="wasserstein")
    with pytest.raises(ValueError, match="d_steps_per_g_step must be a positive integer"):
        get_profile("quick", d_steps_per_g_step=0)
    with pytest.raises(ValueError, match="learning_rate_schedule must be one of constant, cosine"):
        get_profile("quick", learning_rate_schedule="step")
    with pytest.raises(ValueError, match="classify_fakes must be True or False"):
        get_profile("quick", classify_fakes="no")
    with pytest.raises(ValueError, match="generator_normalisation must be one of none, batch_norm, spectral_norm, "
                                         "conditional_batch_norm; got 'layer_norm'"):
        get_profile("quick", generator_normalisation="layer_norm")
    with pytest.raises(ValueError, match="discriminator_normalisation must be one of none, batch_norm, spectral_norm; "
                                         "got 'conditional_batch_norm'"):  # D's blocks have no labels
        get_profile("quick", discriminator_normalisation="conditional_batch_norm")
    with pytest.raises(ValueError, match=r"generator_average must be a number in \[0, 1\); got 1.0"):
        get_profile("quick", generator_average=1.0)  # an average that never moves
    with pytest.raises(ValueError, match=r"generator_average must be a number in \[0, 1\)"):
        get_profile("quick", generator_average=-0.5)
    with pytest.raises(ValueError, match=r"r1_weight must be a number in \[0, inf\); got -0.1"):
        get_profile("quick", r1_weight=-0.1)  # a reward for a steep D
    with pytest.raises(ValueError, match=r"r1_weight must be a number in \[0, inf\); got True"):
        get_profile("quick", r1_weight=True)


def test_pixel_range_follows_the_output_activation():
    assert get_profile("quick", output_activation="sigmoid").pixel_range == (0.0, 1.0)
    assert get_profile("quick", output_activation="tanh").pixel_range == (-1.0, 1.0)


def test_a_profile_saved_by_another_version_is_refused_with_the_fields_named():
    saved = dataclasses.asdict(get_profile("smoke"))
    with pytest.raises(ValueError, match="unknown fields warp_drive; train a new run"):
        profile_from_dict({**saved, "warp_drive": 1})
    older = {name: value for name, value in saved.items() if name != "mode_seeking_weight"}
    with pytest.raises(ValueError, match="missing fields mode_seeking_weight"):
        profile_from_dict(older)


def test_a_bool_is_not_a_count_anywhere():
    """Python counts True as 1; every count a profile holds refuses it (one check, checks.check_count)."""
    with pytest.raises(ValueError, match="batch_size must be a positive integer; got True"):
        get_profile("smoke", batch_size=True)
    with pytest.raises(ValueError, match="generator_channels must be a non-empty tuple of positive integers"):
        get_profile("smoke", generator_channels=(16, True, 8, 8))


def test_a_seed_beyond_what_the_random_generators_take_is_refused_naming_the_field():
    get_profile("smoke", seed=2**32 - 1)
    with pytest.raises(ValueError, match=r"profile seed must be an integer in \[0, 4294967295\]; got 4294967296"):
        get_profile("smoke", seed=2**32)


def test_more_steps_than_tensorflow_counts_are_refused_naming_the_field():
    """10**20 steps passed the check and failed at the first step (with the cosine schedule) in TensorFlow."""
    get_profile("smoke", train_steps=2**31 - 1)
    with pytest.raises(ValueError, match=rf"profile train_steps must be an integer in \[1, 2147483647\]; got {10**20}"):
        get_profile("smoke", train_steps=10**20)
