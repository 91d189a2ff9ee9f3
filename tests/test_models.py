"""Blocks, generator, discriminator heads, noise, parameter counts and FLOPs.

Models are built (the full ones too) and run on a couple of images, never trained.
"""

import keras
import numpy as np
import pytest

from acgan_lib.blocks import ACTIVATIONS, NORMALISATIONS, MinibatchSpread, down_block, up_block
from acgan_lib.flops import forward_flops, fused_step_flops, layer_flops
from acgan_lib.labels import NUM_EYES, NUM_HAIR, one_hot
from acgan_lib.models import (
    build_discriminator,
    build_generator,
    discriminator_inputs,
    parameter_breakdown,
    predict_in_batches,
    sample_noise,
)
from acgan_lib.profiles import HEADS, get_profile

FULL = get_profile("full")
SMOKE = get_profile("smoke")

# Parameter counts of the seed's models (full profile, no normalisation; 3x3 kernels, every conv and
# dense has a bias; the skip is an addition, so it adds no weights).
# Generator:
#   stem: Dense on 100 + 12 + 11 = 123 inputs to 3*3*512 = 4608 units: 123*4608 + 4608 = 571,392
#         (the seed's remark: 123*4608 = 566,784 weights before bias)
#   up1: transposed 512->256 then two 256->256: (9*512*256 + 256) + 2*(9*256*256 + 256) = 2,360,064
#   up2: 256->128: (9*256*128 + 128) + 2*(9*128*128 + 128) = 590,208
#   up3: 128->64:  (9*128*64 + 64) + 2*(9*64*64 + 64) = 147,648
#   up4: 64->32:   (9*64*32 + 32) + 2*(9*32*32 + 32) = 36,960
#   output: last conv 32->3: 9*32*3 + 3 = 867
#   total 571,392 + 2,360,064 + 590,208 + 147,648 + 36,960 + 867 = 3,707,139
FULL_GENERATOR_GROUPS = {
    "stem": 571_392, "up1": 2_360_064, "up2": 590_208, "up3": 147_648, "up4": 36_960, "output": 867,
}
FULL_GENERATOR_PARAMETERS = 3_707_139
# Discriminator (concat head):
#   down1: 3->32:    (9*3*32 + 32) + 2*(9*32*32 + 32) = 19,392
#   down2: 32->64:   (9*32*64 + 64) + 2*(9*64*64 + 64) = 92,352
#   down3: 64->128:  (9*64*128 + 128) + 2*(9*128*128 + 128) = 369,024
#   down4: 128->256: (9*128*256 + 256) + 2*(9*256*256 + 256) = 1,475,328
#   head: Dense(1) on 6*6*256 features + 12 + 11 labels: (9216 + 23)*1 + 1 = 9,240
#   total 19,392 + 92,352 + 369,024 + 1,475,328 + 9,240 = 1,965,336
FULL_DISCRIMINATOR_GROUPS = {
    "down1": 19_392, "down2": 92_352, "down3": 369_024, "down4": 1_475_328, "head": 9_240,
}
FULL_DISCRIMINATOR_PARAMETERS = 1_965_336


@pytest.fixture(scope="module")
def full_generator():
    return build_generator(FULL)


@pytest.fixture(scope="module")
def full_discriminator():
    return build_discriminator(FULL, head="concat")


def generator_batch(profile, count=2, seed=0):
    """Noise and random one-hot labels for ``count`` images."""
    rng = np.random.default_rng(seed)
    return {
        "noise": sample_noise(count, profile.noise_dim, profile.noise_distribution, rng),
        "hair": one_hot(rng.integers(0, NUM_HAIR, count), NUM_HAIR),
        "eyes": one_hot(rng.integers(0, NUM_EYES, count), NUM_EYES),
    }


def discriminator_batch(discriminator, profile, count=2, seed=0):
    """Random images and one-hot labels, as the dict this discriminator takes."""
    rng = np.random.default_rng(seed)
    images = rng.uniform(0.0, 1.0, (count, profile.image_size, profile.image_size, 3)).astype(np.float32)
    hair = one_hot(rng.integers(0, NUM_HAIR, count), NUM_HAIR)
    eyes = one_hot(rng.integers(0, NUM_EYES, count), NUM_EYES)
    return discriminator_inputs(discriminator, images, hair, eyes)


def assert_round_trip(model, inputs, tmp_path):
    """Save as .keras, load with safe_mode, and check the loaded model gives the same outputs."""
    path = tmp_path / f"{model.name}.keras"
    model.save(path)
    loaded = keras.saving.load_model(path, safe_mode=True)
    expected, actual = model(inputs, training=False), loaded(inputs, training=False)
    keras.tree.assert_same_structure(expected, actual)
    pairs = zip(keras.tree.flatten(expected), keras.tree.flatten(actual), strict=True)
    for expected_part, actual_part in pairs:
        np.testing.assert_allclose(np.asarray(actual_part), np.asarray(expected_part), rtol=1e-5, atol=1e-6)


def output_shape(model, layer_name):
    return tuple(model.get_layer(layer_name).output.shape[1:])


# --- the seed's architecture, stage by stage ---------------------------------------------------------

def test_full_generator_shapes_at_every_stage(full_generator):
    assert {key: tuple(tensor.shape[1:]) for key, tensor in full_generator.input.items()} == {
        "noise": (100,), "hair": (12,), "eyes": (11,),
    }
    stages = ["stem_concat", "stem_dense", "stem_reshape", "up1_conv3_act", "up2_conv3_act",
              "up3_conv3_act", "up4_conv3_act", "output_activation"]
    assert [output_shape(full_generator, stage) for stage in stages] == [
        (123,), (4608,), (3, 3, 512), (6, 6, 256), (12, 12, 128), (24, 24, 64), (96, 96, 32), (96, 96, 3),
    ]


def test_full_discriminator_shapes_at_every_stage(full_discriminator):
    stages = ["image", "down1_pool", "down2_pool", "down3_pool", "down4_pool", "features_flatten",
              "head_concat", "head_real_fake"]
    assert [output_shape(full_discriminator, stage) for stage in stages] == [
        (96, 96, 3), (48, 48, 32), (24, 24, 64), (12, 12, 128), (6, 6, 256), (9216,), (9216 + 23,), (1,),
    ]


def test_full_generator_parameter_count_is_the_seeds(full_generator):
    assert full_generator.count_params() == FULL_GENERATOR_PARAMETERS
    assert parameter_breakdown(full_generator) == FULL_GENERATOR_GROUPS
    assert np.prod(full_generator.get_layer("stem_dense").kernel.shape) == 566_784


def test_full_discriminator_parameter_count_is_the_seeds(full_discriminator):
    assert full_discriminator.count_params() == FULL_DISCRIMINATOR_PARAMETERS
    assert parameter_breakdown(full_discriminator) == FULL_DISCRIMINATOR_GROUPS


@pytest.mark.parametrize("activation", ACTIVATIONS)
def test_parameter_counts_do_not_depend_on_the_activation(activation):
    assert (build_generator(SMOKE, activation=activation).count_params()
            == build_generator(SMOKE).count_params())
    assert (build_discriminator(SMOKE, activation=activation).count_params()
            == build_discriminator(SMOKE).count_params())


def test_parameter_breakdown_counts_a_nested_model_as_one_group():
    generator, discriminator = build_generator(SMOKE), build_discriminator(SMOKE, head="concat")
    noise = keras.Input((SMOKE.noise_dim,), name="noise")
    hair, eyes = keras.Input((NUM_HAIR,), name="hair"), keras.Input((NUM_EYES,), name="eyes")
    image = generator({"noise": noise, "hair": hair, "eyes": eyes})
    verdict = discriminator({"image": image, "hair": hair, "eyes": eyes})
    combined = keras.Model({"noise": noise, "hair": hair, "eyes": eyes}, verdict)
    assert parameter_breakdown(combined) == {
        "generator": generator.count_params(), "discriminator": discriminator.count_params(),
    }


# --- the block ---------------------------------------------------------------------------------------

def test_block_skip_adds_the_first_conv_output_to_the_second_and_feeds_the_third():
    inputs = keras.Input((8, 8, 2))
    block = keras.Model(inputs, down_block(inputs, 4, name="down", activation="relu", normalisation="none"))
    skip = block.get_layer("down_skip")
    assert isinstance(skip, keras.layers.Add)
    assert skip.input[0] is block.get_layer("down_conv1_act").output
    assert skip.input[1] is block.get_layer("down_conv2_act").output
    assert block.get_layer("down_conv2").input is block.get_layer("down_conv1_act").output
    assert block.get_layer("down_conv3").input is skip.output
    assert block.get_layer("down_pool").input is block.get_layer("down_conv3_act").output


def test_down_block_halves_the_size_and_up_block_multiplies_it_by_the_stride():
    inputs = keras.Input((8, 8, 2))
    down = down_block(inputs, 5, name="down", activation="relu", normalisation="none")
    up = up_block(inputs, 6, 4, name="up", activation="relu", normalisation="none")
    assert tuple(down.shape[1:]) == (4, 4, 5)
    assert tuple(up.shape[1:]) == (32, 32, 6)
    model = keras.Model(inputs, [down, up])
    assert isinstance(model.get_layer("up_conv1"), keras.layers.Conv2DTranspose)
    assert isinstance(model.get_layer("down_conv1"), keras.layers.Conv2D)


# --- every profile and head builds, runs and survives a .keras round trip -----------------------------

@pytest.mark.parametrize("profile_name", ["smoke", "quick"])
def test_generator_builds_runs_and_round_trips(profile_name, tmp_path):
    profile = get_profile(profile_name)
    generator = build_generator(profile)
    images = np.asarray(generator(generator_batch(profile)))
    assert images.shape == (2, profile.image_size, profile.image_size, 3)
    assert_round_trip(generator, generator_batch(profile), tmp_path)


def test_full_generator_runs_and_round_trips(full_generator, tmp_path):
    images = np.asarray(full_generator(generator_batch(FULL)))
    assert images.shape == (2, 96, 96, 3)
    assert_round_trip(full_generator, generator_batch(FULL), tmp_path)


@pytest.mark.parametrize("profile_name", ["smoke", "quick"])
@pytest.mark.parametrize("head", HEADS)
def test_discriminator_builds_runs_and_round_trips(profile_name, head, tmp_path):
    profile = get_profile(profile_name)
    discriminator = build_discriminator(profile, head=head)
    outputs = discriminator(discriminator_batch(discriminator, profile))
    expected_shapes = {"real_fake": (2, 1)}
    if head == "acgan":
        expected_shapes.update(hair=(2, NUM_HAIR), eyes=(2, NUM_EYES))
    assert {key: tuple(value.shape) for key, value in outputs.items()} == expected_shapes
    assert_round_trip(discriminator, discriminator_batch(discriminator, profile), tmp_path)


def test_full_discriminator_runs_and_round_trips(full_discriminator, tmp_path):
    outputs = full_discriminator(discriminator_batch(full_discriminator, FULL))
    assert tuple(outputs["real_fake"].shape) == (2, 1)
    assert_round_trip(full_discriminator, discriminator_batch(full_discriminator, FULL), tmp_path)


def test_the_profile_head_is_the_default():
    assert build_discriminator(get_profile("smoke", head="acgan")).name == "discriminator_acgan"
    assert build_discriminator(SMOKE).name == "discriminator_concat"


@pytest.mark.parametrize("normalisation", ["batch_norm", "spectral_norm"])
@pytest.mark.parametrize("head", HEADS)
def test_normalised_models_build_train_step_and_round_trip(normalisation, head, tmp_path):
    generator = build_generator(SMOKE, normalisation=normalisation)
    discriminator = build_discriminator(SMOKE, head=head, normalisation=normalisation)
    for model, inputs in ((generator, generator_batch(SMOKE)),
                          (discriminator, discriminator_batch(discriminator, SMOKE))):
        model(inputs, training=True)  # updates batch-norm statistics or spectral-norm vectors
        assert_round_trip(model, inputs, tmp_path)


def test_batch_norm_follows_every_block_conv_and_spectral_norm_wraps_every_weight_layer():
    batch_normed = build_discriminator(SMOKE, normalisation="batch_norm")
    block_convs = [layer.name for layer in batch_normed.layers if isinstance(layer, keras.layers.Conv2D)]
    assert len(block_convs) == 3 * len(SMOKE.discriminator_channels)
    layer_names = {layer.name for layer in batch_normed.layers}
    assert {f"{name}_bn" for name in block_convs} <= layer_names
    assert not any(batch_normed.get_layer(name).use_bias for name in block_convs)
    for model in (build_generator(SMOKE, normalisation="spectral_norm"),
                  build_discriminator(SMOKE, head="projection", normalisation="spectral_norm")):
        weight_layers = [layer for layer in model.layers if layer.count_params()]
        assert weight_layers
        assert all(isinstance(layer, keras.layers.SpectralNormalization) for layer in weight_layers)


def test_a_conditional_batch_norm_generator_round_trips_and_each_norm_hears_the_labels(tmp_path):
    generator = build_generator(SMOKE, normalisation="conditional_batch_norm")
    inputs = generator_batch(SMOKE)
    generator(inputs, training=True)
    assert_round_trip(generator, inputs, tmp_path)
    norms = [layer.name[:-len("_bn")] for layer in generator.layers if isinstance(layer, keras.layers.BatchNormalization)]
    assert len(norms) == 1 + 3 * len(SMOKE.generator_channels)  # the stem's and every block conv's
    labels = generator.get_layer("stem_labels").output
    for name in norms:
        assert not generator.get_layer(f"{name}_bn").center and not generator.get_layer(f"{name}_bn").scale
        for part in ("gain", "shift"):
            assert generator.get_layer(f"{name}_{part}").input is labels


def test_conditional_batch_norm_lets_one_class_change_its_faces_alone():
    """The kernel row of a one-hot class is that class's own scale or shift: changing hair class 0's shift in
    one block changes the faces drawn with hair 0 and no others."""
    generator = build_generator(SMOKE, normalisation="conditional_batch_norm")
    noise = sample_noise(4, SMOKE.noise_dim, rng=0)
    hair_zero = {"noise": noise, "hair": one_hot([0] * 4, NUM_HAIR), "eyes": one_hot([1] * 4, NUM_EYES)}
    hair_one = {**hair_zero, "hair": one_hot([1] * 4, NUM_HAIR)}
    before = [np.asarray(generator(inputs, training=False)) for inputs in (hair_zero, hair_one)]
    shift = generator.get_layer("up2_conv1_shift")
    kernel, bias = shift.get_weights()
    kernel[0] += 1.0  # row 0 of [hair one-hot, eye one-hot]: hair class 0
    shift.set_weights([kernel, bias])
    after = [np.asarray(generator(inputs, training=False)) for inputs in (hair_zero, hair_one)]
    assert np.abs(after[0] - before[0]).max() > 1e-3
    np.testing.assert_array_equal(after[1], before[1])


def test_the_discriminator_refuses_conditional_batch_norm_which_needs_labels_in_its_blocks():
    with pytest.raises(ValueError, match="discriminator normalisation must be one of none, batch_norm, spectral_norm"):
        build_discriminator(SMOKE, normalisation="conditional_batch_norm")
    with pytest.raises(ValueError, match="needs the labels; it is for generator blocks"):
        down_block(keras.Input((8, 8, 2)), 4, name="down", activation="relu", normalisation="conditional_batch_norm")


# --- conditioning ------------------------------------------------------------------------------------

def test_changing_the_labels_changes_the_generator_output_for_the_same_noise():
    generator = build_generator(SMOKE)
    batch = generator_batch(SMOKE, count=1)
    other_hair = dict(batch, hair=one_hot([(batch["hair"].argmax() + 1) % NUM_HAIR], NUM_HAIR))
    other_eyes = dict(batch, eyes=one_hot([(batch["eyes"].argmax() + 1) % NUM_EYES], NUM_EYES))
    original = np.asarray(generator(batch))
    assert np.abs(np.asarray(generator(other_hair)) - original).max() > 1e-6
    assert np.abs(np.asarray(generator(other_eyes)) - original).max() > 1e-6


@pytest.mark.parametrize("head", ["concat", "projection"])
def test_conditioned_discriminators_read_the_labels(head):
    discriminator = build_discriminator(SMOKE, head=head)
    batch = discriminator_batch(discriminator, SMOKE, count=1)
    other_hair = dict(batch, hair=one_hot([(batch["hair"].argmax() + 1) % NUM_HAIR], NUM_HAIR))
    difference = discriminator(other_hair)["real_fake"] - discriminator(batch)["real_fake"]
    assert np.abs(np.asarray(difference)).max() > 1e-6


def test_discriminator_inputs_give_each_head_exactly_the_keys_it_takes():
    images = np.zeros((1, SMOKE.image_size, SMOKE.image_size, 3), np.float32)
    hair, eyes = one_hot([0], NUM_HAIR), one_hot([0], NUM_EYES)
    keys = {head: set(discriminator_inputs(build_discriminator(SMOKE, head=head), images, hair, eyes))
            for head in HEADS}
    assert keys == {"concat": {"image", "hair", "eyes"}, "acgan": {"image"},
                    "projection": {"image", "hair", "eyes"}}


def test_projection_logit_is_unconditional_logit_plus_label_embeddings_dotted_with_features():
    discriminator = build_discriminator(SMOKE, head="projection")
    batch = discriminator_batch(discriminator, SMOKE, count=3)
    parts = keras.Model(discriminator.input, [discriminator.get_layer("features_flatten").output,
                                              discriminator.get_layer("head_unconditional").output])
    features, unconditional = (np.asarray(part) for part in parts(batch))
    hair_embeddings = np.asarray(discriminator.get_layer("head_hair_embedding").kernel)
    eye_embeddings = np.asarray(discriminator.get_layer("head_eyes_embedding").kernel)
    expected = (unconditional[:, 0]
                + (hair_embeddings[batch["hair"].argmax(axis=1)] * features).sum(axis=1)
                + (eye_embeddings[batch["eyes"].argmax(axis=1)] * features).sum(axis=1))
    real_fake = np.asarray(discriminator(batch)["real_fake"])[:, 0]
    np.testing.assert_allclose(real_fake, expected, rtol=1e-4, atol=1e-5)


@pytest.mark.parametrize("head", HEADS)
def test_discriminators_output_logits_with_no_sigmoid_or_softmax_inside(head):
    keras.utils.set_random_seed(0)
    discriminator = build_discriminator(SMOKE, head=head)
    activations = {layer.get_config().get("activation") for layer in discriminator.layers}
    assert activations.isdisjoint({"sigmoid", "softmax", "log_softmax"})
    logits = discriminator(discriminator_batch(discriminator, SMOKE, count=16))
    # a sigmoid or softmax would keep every value in [0, 1]; these logits (seeded init) go below 0
    assert min(np.asarray(value).min() for value in logits.values()) < 0


def test_generator_output_activation_sets_the_pixel_range():
    batch = generator_batch(SMOKE, count=4)
    sigmoid_images = np.asarray(build_generator(SMOKE)(batch))
    tanh_images = np.asarray(build_generator(get_profile("smoke", output_activation="tanh"))(batch))
    assert 0.0 <= sigmoid_images.min() and sigmoid_images.max() <= 1.0
    assert -1.0 <= tanh_images.min() < 0.0 and tanh_images.max() <= 1.0


# --- noise -------------------------------------------------------------------------------------------

def test_uniform_noise_is_in_minus_one_to_one_and_repeatable_from_a_seed():
    noise = sample_noise(1000, 7, "uniform", rng=3)
    assert noise.shape == (1000, 7) and noise.dtype == np.float32
    assert -1.0 <= noise.min() < -0.99 and 0.99 < noise.max() <= 1.0
    np.testing.assert_array_equal(noise, sample_noise(1000, 7, "uniform", rng=3))


def test_gaussian_noise_is_standard_normal():
    noise = sample_noise(20_000, 5, "gaussian", rng=0)
    assert abs(noise.mean()) < 0.05 and abs(noise.std() - 1.0) < 0.05
    assert noise.min() < -1.0  # unlike the uniform default


def test_a_generator_rng_advances_between_calls():
    rng = np.random.default_rng(0)
    first, second = sample_noise(4, 3, rng=rng), sample_noise(4, 3, rng=rng)
    assert not np.array_equal(first, second)


# --- FLOPs -------------------------------------------------------------------------------------------

def test_flops_of_a_conv_and_a_dense_match_hand_arithmetic():
    inputs = keras.Input((8, 8, 3))
    features = keras.layers.Flatten()(keras.layers.Conv2D(4, 3, padding="same")(inputs))
    model = keras.Model(inputs, keras.layers.Dense(5)(features))
    # conv: 8*8 output pixels * (3*3*3*4) weights * 2 = 13,824; dense: (8*8*4) * 5 * 2 = 2,560
    assert forward_flops(model) == 13_824 + 2_560


def test_flops_of_a_transposed_conv_count_each_input_pixel_through_the_kernel():
    inputs = keras.Input((4, 4, 2))
    model = keras.Model(inputs, keras.layers.Conv2DTranspose(3, 3, strides=2, padding="same")(inputs))
    # 4*4 input pixels * (3*3*2*3) weights * 2 = 1,728
    assert forward_flops(model) == 1_728


def test_flops_see_through_spectral_normalisation():
    inputs = keras.Input((8, 8, 3))
    plain = keras.Model(inputs, keras.layers.Conv2D(4, 3, padding="same")(inputs))
    wrapped = keras.Model(
        inputs, keras.layers.SpectralNormalization(keras.layers.Conv2D(4, 3, padding="same"))(inputs)
    )
    assert forward_flops(wrapped) == forward_flops(plain) == 13_824


def test_flops_of_the_full_generator(full_generator):
    # stem dense: 123 * 4608 weights * 2 = 1,133,568 (the seed's 566,784 weights, two FLOPs each)
    assert layer_flops(full_generator.get_layer("stem_dense")) == 2 * 566_784
    # Each block costs 2 * positions * kernel weights per conv:
    #   up1: transposed 3*3 px * 9*512*256 * 2 = 21,233,664; two convs 6*6 * 9*256*256 * 2 = 84,934,656
    #   up2 and up3 cost the same as up1 (pixels x4, weights /4): 106,168,320 each
    #   up4: transposed 24*24 * 9*64*32 * 2 = 21,233,664; two convs 96*96 * 9*32*32 * 2 = 339,738,624
    #   output conv: 96*96 * 9*32*3 * 2 = 15,925,248
    # total 1,133,568 + 3 * 106,168,320 + 360,972,288 + 15,925,248 = 696,536,064
    assert forward_flops(full_generator) == 696_536_064


def test_flops_of_a_combined_model_are_those_of_its_parts():
    generator, discriminator = build_generator(SMOKE), build_discriminator(SMOKE, head="acgan")
    inputs = {"noise": keras.Input((SMOKE.noise_dim,), name="noise"),
              "hair": keras.Input((NUM_HAIR,), name="hair"), "eyes": keras.Input((NUM_EYES,), name="eyes")}
    combined = keras.Model(inputs, discriminator({"image": generator(inputs)}))
    assert forward_flops(combined) == forward_flops(generator) + forward_flops(discriminator) > 0


# --- user errors -------------------------------------------------------------------------------------

def test_unknown_head_lists_the_valid_heads():
    with pytest.raises(ValueError, match="valid heads: concat, acgan, projection"):
        build_discriminator(SMOKE, head="softmax")


@pytest.mark.parametrize("build", [build_generator, build_discriminator])
def test_unknown_normalisation_lists_the_valid_ones(build):
    with pytest.raises(ValueError, match="valid normalisations: " + ", ".join(NORMALISATIONS)):
        build(SMOKE, normalisation="layer_norm")


@pytest.mark.parametrize("build", [build_generator, build_discriminator])
def test_unknown_activation_lists_the_valid_ones(build):
    with pytest.raises(ValueError, match="valid activations: " + ", ".join(ACTIVATIONS)):
        build(SMOKE, activation="gelu")


def test_unknown_block_option_is_refused_by_the_block_too():
    with pytest.raises(ValueError, match="valid activations"):
        down_block(keras.Input((8, 8, 2)), 4, name="down", activation="sigmoid", normalisation="none")


def test_unknown_noise_distribution_lists_the_valid_ones():
    with pytest.raises(ValueError, match="valid distributions: uniform, gaussian"):
        sample_noise(2, 3, "cauchy")


def test_minibatch_spread_shows_d_how_much_its_batch_varies(tmp_path):
    spread = MinibatchSpread()
    varied = np.random.default_rng(0).normal(size=(8, 4, 4, 3)).astype(np.float32)
    collapsed = np.repeat(varied[:1], 8, axis=0)
    varied_out, collapsed_out = (np.asarray(spread(batch)) for batch in (varied, collapsed))
    assert varied_out.shape == (8, 4, 4, 4)
    np.testing.assert_array_equal(varied_out[..., :3], varied)  # the features pass through unchanged
    expected = np.sqrt(varied.var(axis=0) + 1e-8).mean()
    np.testing.assert_allclose(varied_out[..., 3], expected, rtol=1e-5)
    assert np.all(collapsed_out[..., 3] < 1e-3) and expected > 0.5

    profile = get_profile("smoke", head="acgan", minibatch_spread=True)
    discriminator = build_discriminator(profile)
    last_block_channels = profile.discriminator_channels[-1]
    assert discriminator.get_layer("features_spread").output.shape[-1] == last_block_channels + 1
    discriminator.save(tmp_path / "d.keras")
    loaded = keras.models.load_model(tmp_path / "d.keras", safe_mode=True)
    images = np.random.default_rng(1).random((4, 32, 32, 3)).astype(np.float32)
    np.testing.assert_allclose(loaded({"image": images})["real_fake"], discriminator({"image": images})["real_fake"],
                               rtol=1e-6)


def test_fused_step_flops_count_each_update_by_hand():
    # G = 10, D = 100 FLOPs per image: a D update is 10 + 2 * 100 * 3 = 610, a G update 10 * 3 + 100 * 2 = 230.
    assert fused_step_flops(10, 100, batch_size=1, d_steps=1) == 840
    assert fused_step_flops(10, 100, batch_size=4, d_steps=2) == 4 * (2 * 610 + 230)


def test_predict_in_batches_gives_what_keras_predict_gives_for_dicts_and_arrays():
    profile = get_profile("smoke")
    generator = build_generator(profile)
    rows = 21  # three batches of 8, the last one short
    inputs = {"noise": sample_noise(rows, profile.noise_dim, rng=0),
              "hair": one_hot(np.arange(rows) % NUM_HAIR, NUM_HAIR), "eyes": one_hot(np.arange(rows) % NUM_EYES, NUM_EYES)}
    faces = predict_in_batches(generator, inputs, batch_size=8)
    np.testing.assert_allclose(faces, generator.predict(inputs, batch_size=8, verbose=0), atol=1e-6)
    discriminator = build_discriminator(profile, head="acgan")
    logits = predict_in_batches(discriminator, {"image": faces}, batch_size=8)
    assert set(logits) == {"real_fake", "hair", "eyes"} and logits["hair"].shape == (rows, NUM_HAIR)
    np.testing.assert_allclose(logits["hair"], discriminator.predict({"image": faces}, verbose=0)["hair"], atol=1e-5)
    with pytest.raises(ValueError, match="no rows"):
        predict_in_batches(generator, {name: value[:0] for name, value in inputs.items()}, batch_size=8)


def test_a_few_steps_teach_both_heads_of_the_acgan_discriminator():
    """Each head reads D's features: trained on real faces for a few steps, both class losses fall well
    below chance (log 12 and log 11), which a head cut off from the features (fed zeros) cannot do."""
    import tensorflow as tf

    from acgan_lib.data_cache import synthetic_dataset
    from acgan_lib.losses import classification_loss
    from acgan_lib.pipeline import scale_images

    profile = get_profile("smoke", head="acgan")
    faces = synthetic_dataset(profile.dataset_size, profile.image_size, seed=0)
    keras.utils.set_random_seed(0)
    discriminator = build_discriminator(profile)
    optimizer = keras.optimizers.Adam(3e-3)
    images = scale_images(faces.images, profile.pixel_range)
    inputs = discriminator_inputs(discriminator, images, one_hot(faces.hair_ids, NUM_HAIR),
                                  one_hot(faces.eye_ids, NUM_EYES))

    def head_losses():
        outputs = discriminator(inputs, training=True)
        hair = tf.nn.sparse_softmax_cross_entropy_with_logits(labels=faces.hair_ids, logits=outputs["hair"])
        eyes = tf.nn.sparse_softmax_cross_entropy_with_logits(labels=faces.eye_ids, logits=outputs["eyes"])
        return float(tf.reduce_mean(hair)), float(tf.reduce_mean(eyes))

    for _ in range(60):
        with tf.GradientTape() as tape:
            outputs = discriminator(inputs, training=True)
            loss = tf.reduce_mean(classification_loss(outputs, faces.hair_ids, faces.eye_ids))
        gradients = tape.gradient(loss, discriminator.trainable_variables)
        optimizer.apply_gradients((gradient, variable) for gradient, variable
                                  in zip(gradients, discriminator.trainable_variables)
                                  if gradient is not None)  # not the real/fake head: no adversarial loss here
    hair_loss, eye_loss = head_losses()
    assert hair_loss < 0.6 * np.log(NUM_HAIR) and eye_loss < 0.6 * np.log(NUM_EYES), (hair_loss, eye_loss)
