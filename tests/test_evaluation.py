"""Every metric on cases whose answer is known.

Metrics on arrays are checked against exact answers (a shift of every feature, a hand-computed kernel
sum, an exact copy). ``evaluate_generator`` is checked with a small judge trained here and four stand-in
generators from ``reference_generators``: a perfect one (renders the requested colours), one that ignores
its labels, a collapsed one (one face for every request) and a copier (returns training faces).
"""

import json

import keras
import numpy as np
import pytest
import scipy.linalg

from acgan_lib import evaluation
from acgan_lib.evaluation import (
    accuracy_by_resolution,
    at_lower_resolution,
    blurred_ms_ssim,
    brief_evaluation,
    common_mistakes,
    comparison_table,
    conditional_accuracy,
    confusion_matrix,
    demo_score,
    evaluate_generator,
    format_table,
    frechet_distance,
    gaussian_blur,
    generate,
    kid,
    load_generator,
    ms_ssim,
    ms_ssim_by_class,
    ms_ssim_power_factors,
    nearest_neighbours,
    output_pixel_range,
    pair_class_ids,
    real_reference,
)
from acgan_lib.judge import JudgeSettings, build_judge, predict_labels, train_judge
from acgan_lib.labels import NUM_EYES, NUM_HAIR, all_pairs
from acgan_lib.models import build_generator
from acgan_lib.profiles import get_profile
from acgan_lib.reference_generators import (
    collapsed_source,
    copying_source,
    label_blind_source,
    perfect_source,
)
from acgan_lib.synthetic import render_dataset, render_faces

SIZE = 32
REQUIRED_KEYS = {"hair_accuracy", "eye_accuracy", "both_accuracy", "demo_score", "fid", "fid_real_floor", "kid",
                 "ms_ssim_generated", "ms_ssim_real"}


# ---------------------------------------------------------------------------------------------------
# Metrics on arrays
# ---------------------------------------------------------------------------------------------------


def test_all_pairs_lists_each_of_the_132_pairs_once():
    hair, eyes = all_pairs()
    assert len(set(zip(hair.tolist(), eyes.tolist()))) == len(hair) == NUM_HAIR * NUM_EYES
    np.testing.assert_array_equal(pair_class_ids(hair, eyes), np.arange(NUM_HAIR * NUM_EYES))


def test_conditional_accuracy_counts_hair_eyes_and_both():
    accuracy = conditional_accuracy(hair_ids=[0, 1, 2, 3], eye_ids=[4, 5, 6, 7],
                                    judged_hair=[0, 1, 9, 3], judged_eyes=[4, 0, 6, 7])
    assert accuracy == {"hair_accuracy": 0.75, "eye_accuracy": 0.75, "both_accuracy": 0.5}


def test_confusion_matrix_puts_requests_in_rows_and_readings_in_columns():
    matrix = confusion_matrix(requested=[0, 0, 1, 2, 2, 2], judged=[0, 1, 1, 0, 0, 2], classes=3)
    np.testing.assert_array_equal(matrix, [[1, 1, 0], [0, 1, 0], [2, 0, 1]])
    assert common_mistakes(matrix, ("red", "blue", "green")) == [("green", "red", 2), ("red", "blue", 1)]


def test_frechet_distance_of_a_shift_is_its_squared_length():
    features = np.random.default_rng(0).normal(size=(400, 20))
    assert frechet_distance(features, features + 3.0) == pytest.approx(20 * 9.0)
    assert frechet_distance(features, features) == pytest.approx(0.0, abs=1e-9)


def test_frechet_distance_of_a_doubling_is_the_first_sets_spread():
    # b = 2a: cov_b = 4 cov_a, so sqrt(cov_a cov_b) = 2 cov_a and the trace term is tr(cov_a);
    # the means differ by mean_a.
    features = np.random.default_rng(1).normal(loc=0.5, size=(400, 30))
    expected = np.trace(np.cov(features, rowvar=False)) + np.sum(features.mean(axis=0) ** 2)
    assert frechet_distance(features, 2 * features) == pytest.approx(expected)


def test_frechet_distance_agrees_with_the_matrix_square_root_formula():
    # Covariances that do not commute, so sqrt(cov_a cov_b) is not symmetric: checked against scipy's sqrtm.
    rng = np.random.default_rng(4)
    features_a = rng.normal(size=(300, 12)) @ rng.normal(size=(12, 12))
    features_b = rng.normal(size=(300, 12)) @ rng.normal(size=(12, 12)) + 0.5
    covariance_a, covariance_b = np.cov(features_a, rowvar=False), np.cov(features_b, rowvar=False)
    expected = (np.sum((features_a.mean(axis=0) - features_b.mean(axis=0)) ** 2)
                + np.trace(covariance_a + covariance_b - 2 * scipy.linalg.sqrtm(covariance_a @ covariance_b).real))
    assert frechet_distance(features_a, features_b) == pytest.approx(expected, rel=1e-6)


def test_frechet_distance_copes_with_singular_covariances():
    # Fewer samples than features and a feature that never changes (a ReLU unit that never fires).
    rng = np.random.default_rng(2)
    features_a, features_b = rng.normal(size=(50, 200)), rng.normal(size=(50, 200))
    features_a[:, 0] = features_b[:, 0] = 0.0
    distance = frechet_distance(features_a, features_b)
    assert np.isfinite(distance) and distance > 0
    assert frechet_distance(features_a, features_a) == pytest.approx(0.0, abs=1e-6)


def test_kid_matches_a_hand_computed_case():
    # One feature, so k(x, y) = (x*y + 1)^3: k(0, 1) = 1, k(2, 2) = 125, k(0, 2) = 1, k(1, 2) = 27.
    # Within {0, 1} the only pair of different faces gives 1 (k(1, 1) = 8 is left out: unbiased);
    # within {2, 2}: 125; across: (1 + 1 + 27 + 27) / 4 = 14. MMD^2 = 1 + 125 - 2 * 14 = 98.
    # Every subset of 2 from 2 faces is the whole set, so the average over subsets is exact too.
    assert kid(np.array([[0.0], [1.0]]), np.array([[2.0], [2.0]]), subsets=3) == pytest.approx(98.0)


def test_kid_is_about_zero_for_one_distribution_and_grows_with_a_shift():
    rng = np.random.default_rng(3)
    features_a, features_b = rng.normal(size=(300, 16)), rng.normal(size=(300, 16))
    same = kid(features_a, features_b, subset_size=200)
    shifted = kid(features_a, features_b + 1.0, subset_size=200)
    assert abs(same) < 0.02 < shifted


@pytest.mark.parametrize("metric", [frechet_distance, kid])
def test_feature_metrics_refuse_mismatched_or_tiny_sets(metric):
    with pytest.raises(ValueError, match="same number of features"):
        metric(np.zeros((5, 3)), np.zeros((5, 4)))
    with pytest.raises(ValueError, match="at least 2 samples"):
        metric(np.zeros((1, 3)), np.zeros((5, 3)))


@pytest.mark.parametrize("size, scales", [(32, 2), (48, 3), (96, 4), (128, 4)])
def test_ms_ssim_keeps_the_scales_that_fit_the_filter(size, scales):
    factors = ms_ssim_power_factors(size)
    assert len(factors) == scales and sum(factors) == pytest.approx(1.0)
    standard = np.array(evaluation.MS_SSIM_POWER_FACTORS[:scales])
    np.testing.assert_allclose(factors, standard / standard.sum())
    assert size // 2 ** (scales - 1) >= evaluation.MS_SSIM_FILTER_SIZE


def test_ms_ssim_is_one_for_identical_faces_and_low_for_noise():
    faces = render_faces([0, 1, 2], [0, 1, 2], size=SIZE, seed=0)
    np.testing.assert_allclose(ms_ssim(faces, faces), 1.0, atol=1e-5)
    noise = np.random.default_rng(0).integers(0, 256, size=(4, SIZE, SIZE, 3), dtype=np.uint8)
    assert ms_ssim(noise[:2], noise[2:]).max() < 0.2


def test_ms_ssim_by_class_pairs_different_faces_of_one_class():
    faces = render_faces([3, 3, 5, 5], [1, 1, 2, 2], size=SIZE, seed=4)
    classes = pair_class_ids([3, 3, 5, 5], [1, 1, 2, 2])
    by_class = ms_ssim_by_class(faces, classes, pairs_per_class=20)
    # Two faces per class: every one of the 20 pairs is the one pair of different faces (a face paired
    # with itself would score 1 and pull the mean up).
    assert by_class[classes[0]] == pytest.approx(float(ms_ssim(faces[:1], faces[1:2])[0]), abs=1e-6)
    assert by_class[classes[2]] == pytest.approx(float(ms_ssim(faces[2:3], faces[3:4])[0]), abs=1e-6)
    assert max(by_class.values()) < 0.95


def test_a_collapsed_class_scores_one():
    face = render_faces([0], [0], size=SIZE, seed=0)
    same_faces = np.repeat(face, 6, axis=0)
    assert ms_ssim_by_class(same_faces, np.zeros(6, dtype=int)) == {0: pytest.approx(1.0, abs=1e-5)}
    with pytest.raises(ValueError, match="two or more faces"):
        ms_ssim_by_class(face, [0])


def test_a_gaussian_blur_keeps_flat_colour_and_softens_edges():
    flat = np.full((2, SIZE, SIZE, 3), 90, dtype=np.uint8)
    np.testing.assert_array_equal(gaussian_blur(flat, 0.8), flat)
    stripes = np.zeros((1, SIZE, SIZE, 3), dtype=np.uint8)
    stripes[:, :, ::2] = 255
    soft = gaussian_blur(stripes, 0.8)
    assert soft.dtype == np.uint8 and soft.shape == stripes.shape
    assert 0 < soft.std() < stripes.std() / 2
    # Colours are blurred apart: a red face stays red.
    red = np.zeros((1, SIZE, SIZE, 3), dtype=np.uint8)
    red[..., 0] = 200
    np.testing.assert_array_equal(gaussian_blur(red, 0.5)[..., 1:], 0)
    assert gaussian_blur(stripes, 0) is stripes
    for sigma in (-0.5, float("nan"), "1"):
        with pytest.raises(ValueError, match="sigma"):
            gaussian_blur(stripes, sigma)


def test_blurring_faces_raises_their_within_class_ms_ssim_on_the_same_pairs():
    hair, eyes = np.repeat([0, 4, 8], 6), np.repeat([1, 5, 9], 6)
    faces = render_faces(hair, eyes, size=SIZE, seed=2)
    classes = pair_class_ids(hair, eyes)
    scores = blurred_ms_ssim(faces, classes, (0.0, 0.5, 0.8), pairs_per_class=8, seed=3)
    assert list(scores) == [0.0, 0.5, 0.8]
    # Sigma 0 is exactly the unblurred measurement: the same pairs, the same faces.
    assert scores[0.0] == pytest.approx(np.mean(list(ms_ssim_by_class(faces, classes, 8, seed=3).values())))
    assert scores[0.0] + 0.02 < scores[0.5] < scores[0.8] - 0.02


def test_lower_resolution_keeps_flat_colour_and_loses_fine_detail():
    flat = np.full((2, SIZE, SIZE, 3), 120, dtype=np.uint8)
    for factor in (2, 4):
        lowered = at_lower_resolution(flat, factor)
        assert lowered.dtype == np.uint8 and lowered.shape == flat.shape
        np.testing.assert_array_equal(lowered, flat)
    # One-pixel stripes average away at half the resolution; 4-pixel blocks survive in their centres.
    stripes = np.zeros((1, SIZE, SIZE, 3), dtype=np.uint8)
    stripes[:, :, ::2] = 200
    np.testing.assert_array_equal(at_lower_resolution(stripes, 2), 100)
    blocks = np.kron(np.indices((SIZE // 4, SIZE // 4)).sum(axis=0) % 2, np.ones((4, 4))).astype(np.uint8) * 200
    blocks = np.repeat(blocks[None, :, :, None], 3, axis=-1)
    lowered = at_lower_resolution(blocks, 4)
    centres = (slice(None), slice(1, None, 4), slice(1, None, 4))
    assert np.abs(lowered[centres].astype(int) - blocks[centres]).max() < 100
    assert at_lower_resolution(stripes, 1) is stripes
    for factor in (3, 0, 1.5, True):
        with pytest.raises(ValueError, match="divides the faces' size 32"):
            at_lower_resolution(stripes, factor)


def test_nearest_neighbours_finds_an_exact_copy_across_chunks():
    references = render_faces(np.arange(10) % NUM_HAIR, np.arange(10) % NUM_EYES, size=SIZE, seed=5)
    indices, distances = nearest_neighbours(references[[7, 2]], references, k=2, chunk_size=3)
    np.testing.assert_array_equal(indices[:, 0], [7, 2])
    np.testing.assert_allclose(distances[:, 0], 0.0, atol=1e-6)
    assert (distances[:, 1] > 1.0).all()


def test_nearest_neighbour_distance_is_rms_pixel_difference():
    references = np.full((3, 8, 8, 3), 100, dtype=np.uint8)
    references[1] = 150
    queries = np.full((1, 8, 8, 3), 110, dtype=np.uint8)
    indices, distances = nearest_neighbours(queries, references, k=3)
    assert indices[0, 0] in (0, 2) and indices[0, 2] == 1
    np.testing.assert_allclose(distances[0], [10.0, 10.0, 40.0])


def test_nearest_neighbours_refuses_faces_of_another_shape():
    with pytest.raises(ValueError, match="one shape"):
        nearest_neighbours(np.zeros((1, 8, 8, 3), np.uint8), np.zeros((2, 9, 9, 3), np.uint8))


# ---------------------------------------------------------------------------------------------------
# Generators of models.py's convention
# ---------------------------------------------------------------------------------------------------


@pytest.fixture(scope="module")
def smoke_generator():
    return build_generator(get_profile("smoke"))


def test_generate_draws_uint8_faces_fixed_by_the_seed(smoke_generator):
    hair, eyes = all_pairs()
    faces = generate(smoke_generator, hair[:5], eyes[:5], seed=3)
    assert faces.shape == (5, SIZE, SIZE, 3) and faces.dtype == np.uint8
    np.testing.assert_array_equal(faces, generate(smoke_generator, hair[:5], eyes[:5], seed=3))
    assert not np.array_equal(faces, generate(smoke_generator, hair[:5], eyes[:5], seed=4))


def _silent_generator(output_activation: str) -> keras.Model:
    """A smoke generator whose last conv outputs 0 everywhere: the activation alone sets the pixels."""
    generator = build_generator(get_profile("smoke", output_activation=output_activation))
    output_conv = generator.get_layer("output_conv")
    output_conv.set_weights([np.zeros_like(weights) for weights in output_conv.get_weights()])
    return generator


@pytest.mark.parametrize("activation, pixel_range", [("sigmoid", (0.0, 1.0)), ("tanh", (-1.0, 1.0))])
def test_generate_reads_the_pixel_range_from_the_output_activation(activation, pixel_range):
    generator = _silent_generator(activation)
    assert output_pixel_range(generator) == pixel_range
    # sigmoid(0) = 0.5 and tanh(0) = 0 are both the middle of their range: mid-grey, 128.
    faces = generate(generator, [0, 1], [0, 1])
    np.testing.assert_array_equal(faces, 128)


def test_a_generator_of_unknown_range_needs_pixel_range():
    noise = keras.Input((4,), name="noise")
    hair, eyes = keras.Input((NUM_HAIR,), name="hair"), keras.Input((NUM_EYES,), name="eyes")
    joined = keras.layers.Concatenate()([noise, hair, eyes])
    image = keras.layers.Reshape((SIZE, SIZE, 3))(keras.layers.Dense(SIZE * SIZE * 3, activation="relu")(joined))
    generator = keras.Model({"noise": noise, "hair": hair, "eyes": eyes}, image)
    with pytest.raises(ValueError, match="pass pixel_range"):
        generate(generator, [0], [0])
    assert generate(generator, [0], [0], pixel_range=(0.0, 1.0)).dtype == np.uint8


def test_load_generator_reads_a_saved_generator(tmp_path, smoke_generator):
    path = tmp_path / "generator.keras"
    smoke_generator.save(path)
    loaded = load_generator(path)
    hair, eyes = all_pairs()
    np.testing.assert_array_equal(generate(loaded, hair[:3], eyes[:3]), generate(smoke_generator, hair[:3], eyes[:3]))


def test_load_generator_says_what_is_wrong(tmp_path):
    with pytest.raises(FileNotFoundError, match="no generator file"):
        load_generator(tmp_path / "missing.keras")
    text = tmp_path / "notes.keras"
    text.write_text("not a model")
    with pytest.raises(ValueError, match=r"not a readable .keras model: not a .keras archive \(a zip file\)") as raised:
        load_generator(text)
    assert "File not found" not in str(raised.value)  # Keras's words for a file that is there
    judge_path = tmp_path / "judge.keras"
    build_judge(SIZE).save(judge_path)
    with pytest.raises(ValueError, match="not a generator"):
        load_generator(judge_path)


# ---------------------------------------------------------------------------------------------------
# Known generators, judged
# ---------------------------------------------------------------------------------------------------

# Real faces: the stand-ins' "training set", which the memorisation check searches.
REAL_IMAGES, REAL_HAIR, REAL_EYES = render_dataset(600, size=SIZE, seed=12)


perfect = perfect_source(SIZE)
ignores_labels = label_blind_source(SIZE)
collapsed = collapsed_source(SIZE)
copier = copying_source(REAL_IMAGES, REAL_HAIR, REAL_EYES)


@pytest.fixture(scope="module")
def judge():
    """A small judge: reads hair reliably (about 0.99), eyes much less (about 0.6); enough to tell
    a perfect generator from one that ignores its labels."""
    images, hair, eyes = render_dataset(1500, size=SIZE, seed=11)
    keras.utils.set_random_seed(11)  # its weights must not depend on which tests ran before in this process
    return train_judge(images, hair, eyes, JudgeSettings(dataset_size=1500, epochs=3, batch_size=32)).model


@pytest.fixture(scope="module")
def evaluations(judge):
    return {
        source.__name__: evaluate_generator(source, judge, REAL_IMAGES, REAL_HAIR, REAL_EYES, samples_per_pair=2,
                                            pairs_per_class=4)
        for source in (perfect, ignores_labels, collapsed, copier)
    }


def test_the_results_hold_the_promised_keys_in_range_and_are_json(evaluations):
    for results in evaluations.values():
        assert REQUIRED_KEYS <= set(results)
        for key in ("hair_accuracy", "eye_accuracy", "both_accuracy", "ms_ssim_generated", "ms_ssim_real"):
            assert 0.0 <= results[key] <= 1.0, key
        assert isinstance(results["demo_score"], int) and 0 <= results["demo_score"] <= 100
        assert results["fid"] >= 0 and results["fid_real_floor"] >= 0
        assert results["generated_faces"] == NUM_HAIR * NUM_EYES * 2 == np.sum(results["hair_confusion"])
        json.dumps(results)


def test_a_perfect_generator_scores_like_real_faces(evaluations):
    results = evaluations["perfect"]
    assert results["hair_accuracy"] > 0.9
    assert results["hair_accuracy"] == pytest.approx(results["hair_accuracy_real"], abs=0.05)
    assert results["eye_accuracy"] == pytest.approx(results["eye_accuracy_real"], abs=0.15)
    assert results["demo_score"] > 30
    assert results["fid"] < 2 * results["fid_real_floor"]
    assert results["ms_ssim_generated"] == pytest.approx(results["ms_ssim_real"], abs=0.1)
    assert results["nearest_training_distance"] > 0.5 * results["nearest_training_distance_real"]


def test_a_generator_that_ignores_labels_scores_near_chance(evaluations):
    results = evaluations["ignores_labels"]
    assert results["hair_accuracy"] < 0.25 and results["both_accuracy"] < 0.1 and results["demo_score"] < 15
    # Its faces are real faces with uniformly drawn labels, like the real set: FID does not see the problem.
    assert results["fid"] < 2 * results["fid_real_floor"]
    # Faces "of one class" come in many colours, so they are less alike than real faces of one class.
    assert results["ms_ssim_generated"] < results["ms_ssim_real"] - 0.1


def test_a_collapsed_generator_has_no_variety(evaluations):
    results = evaluations["collapsed"]
    assert results["ms_ssim_generated"] == pytest.approx(1.0, abs=1e-5)
    assert results["classes_less_varied_than_real"] == 1.0
    assert results["fid"] > 10 * results["fid_real_floor"] and results["kid"] > 10 * abs(results["kid_real_floor"])
    assert results["fid"] > evaluations["perfect"]["fid"]
    # Asked for every colour, it draws one: the hair confusion matrix has a single full column.
    hair_confusion = np.array(results["hair_confusion"])
    assert (hair_confusion.max(axis=0) > 0).sum() == 1


def test_a_copying_generator_sits_on_its_training_faces(evaluations):
    results = evaluations["copier"]
    assert results["nearest_training_distance"] == pytest.approx(0.0, abs=1e-6)
    assert results["nearest_training_distance_real"] > 1.0


def test_the_comparison_table_has_a_column_per_generator(evaluations):
    table = comparison_table({"perfect": evaluations["perfect"], "collapsed": evaluations["collapsed"]})
    assert all(list(row) == ["perfect", "collapsed"] for row in table.values())
    assert table["MS-SSIM within class (lower = more varied)"]["collapsed"] == pytest.approx(1.0, abs=1e-3)
    assert "MS-SSIM within class (lower = more varied), real faces" in table
    assert "demo score (of 100), real faces" not in table  # no real figure for it
    with pytest.raises(ValueError, match="nothing to compare"):
        comparison_table({})


def test_accuracy_by_resolution_judges_faces_as_they_are_and_shrunk(judge):
    by_factor = accuracy_by_resolution(judge, REAL_IMAGES, REAL_HAIR, REAL_EYES, factors=(1, 2, 8))
    assert list(by_factor) == [1, 2, 8]
    as_they_are = conditional_accuracy(REAL_HAIR, REAL_EYES, *predict_labels(judge, REAL_IMAGES))
    assert by_factor[1] == as_they_are
    # At 4 px (32 / 8) a face is 16 blocks of colour: the judge reads its hair far less often.
    assert by_factor[8]["hair_accuracy"] < by_factor[1]["hair_accuracy"] - 0.2


def test_demo_score_is_out_of_100_requests(judge):
    assert demo_score(perfect, judge) > 30 and demo_score(ignores_labels, judge) < 15


def test_requests_choose_the_pairs_drawn(judge):
    results = evaluate_generator(perfect, judge, REAL_IMAGES, REAL_HAIR, REAL_EYES,
                                 requests=([11, 0], [10, 3]), samples_per_pair=3, pairs_per_class=2)
    assert results["generated_faces"] == 6
    assert np.array(results["hair_confusion"])[[11, 0]].sum() == 6


def test_the_table_shows_each_metric_beside_its_real_figure(evaluations):
    table = format_table(evaluations["collapsed"])
    assert "Fréchet distance" in table and "MS-SSIM" in table and "misreadings" in table
    ms_ssim_row = next(line for line in table.splitlines() if line.startswith("MS-SSIM"))
    assert ms_ssim_row.split()[-2] == "1.000"


def test_the_brief_evaluation_agrees_with_the_full_one_on_the_stand_ins(judge, evaluations):
    reference = real_reference(judge, REAL_IMAGES, REAL_HAIR, REAL_EYES, sample_size=264, pairs_per_class=4)
    assert reference.features.shape == (264, 680) and reference.fid_real_floor > 0
    briefs = {}
    for source in (perfect, ignores_labels, collapsed):
        brief = brief_evaluation(source, judge, reference, samples_per_pair=2, pairs_per_class=4)
        full = evaluations[source.__name__]
        for key in ("hair_accuracy", "eye_accuracy", "both_accuracy", "demo_score"):
            assert brief[key] == pytest.approx(full[key]), (source.__name__, key)  # same faces, same seed
        # The full one averages only the classes the real faces have two of; the brief one all of them.
        assert brief["ms_ssim_generated"] == pytest.approx(full["ms_ssim_generated"], abs=0.02)
        briefs[source.__name__] = brief
    assert briefs["collapsed"]["fid"] > 10 * max(briefs["perfect"]["fid"], briefs["collapsed"]["fid_real_floor"])
    with pytest.raises(ValueError, match="need at least 1200 real faces"):
        real_reference(judge, REAL_IMAGES, REAL_HAIR, REAL_EYES, sample_size=600)
