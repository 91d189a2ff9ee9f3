"""Label distributions and sampling from them (acgan_lib.label_sampling)."""

import numpy as np
import pytest

from acgan_lib.label_sampling import SKEWED_DISTRIBUTION, label_distribution, sample_labels
from acgan_lib.labels import EYE_COLOURS, HAIR_COLOURS, NUM_EYES, NUM_HAIR


def test_the_skewed_table_is_a_distribution_with_the_course_data_shape():
    assert SKEWED_DISTRIBUTION.shape == (NUM_HAIR, NUM_EYES)
    assert SKEWED_DISTRIBUTION.sum() == pytest.approx(1.0)
    assert SKEWED_DISTRIBUTION.min() > 0  # rare, never impossible
    hair_share = SKEWED_DISTRIBUTION.sum(axis=1)
    eye_share = SKEWED_DISTRIBUTION.sum(axis=0)
    assert set(np.argsort(hair_share)[-3:]) == {
        HAIR_COLOURS.index(name) for name in ("blonde", "brown", "black")
    }
    assert np.argmax(eye_share) == EYE_COLOURS.index("blue")
    assert SKEWED_DISTRIBUTION.max() / SKEWED_DISTRIBUTION.min() > 50


def test_label_distribution_names_and_tables():
    np.testing.assert_allclose(label_distribution("uniform"), 1 / (NUM_HAIR * NUM_EYES))
    np.testing.assert_array_equal(label_distribution("skewed"), SKEWED_DISTRIBUTION)
    weights = np.arange(NUM_HAIR * NUM_EYES, dtype=float).reshape(NUM_HAIR, NUM_EYES)
    table = label_distribution(weights)
    assert table.dtype == np.float64
    np.testing.assert_allclose(table, weights / weights.sum())


@pytest.mark.parametrize(
    ("distribution", "message"),
    [
        ("zipf", "uniform, skewed"),
        (np.ones((11, 12)), r"shape \(12, 11\)"),
        (-np.ones((12, 11)), "non-negative"),
        (np.zeros((12, 11)), "positive sum"),
    ],
)
def test_bad_distributions_are_refused(distribution, message):
    with pytest.raises(ValueError, match=message):
        label_distribution(distribution)
    with pytest.raises(ValueError, match=message):
        sample_labels(10, distribution=distribution)


def pair_counts(hair_ids: np.ndarray, eye_ids: np.ndarray) -> np.ndarray:
    return np.bincount(hair_ids * NUM_EYES + eye_ids, minlength=NUM_HAIR * NUM_EYES).reshape(
        NUM_HAIR, NUM_EYES
    )


def chi_square(counts: np.ndarray, table: np.ndarray) -> float:
    expected = counts.sum() * table
    return float(((counts - expected) ** 2 / expected).sum())


# With 131 degrees of freedom, chi-square has mean 131 and standard deviation about 16; 230 is six
# standard deviations out, so a correct sampler essentially never fails, and a wrong table does.
CHI_SQUARE_LIMIT = 230


@pytest.mark.parametrize("name", ["uniform", "skewed"])
def test_label_frequencies_follow_the_distribution(name):
    hair_ids, eye_ids = sample_labels(200_000, seed=11, distribution=name)
    counts = pair_counts(hair_ids, eye_ids)
    assert chi_square(counts, label_distribution(name)) < CHI_SQUARE_LIMIT
    other = "skewed" if name == "uniform" else "uniform"
    assert chi_square(counts, label_distribution(other)) > 10 * CHI_SQUARE_LIMIT


def test_an_explicit_table_is_sampled():
    table = np.zeros((NUM_HAIR, NUM_EYES))
    table[HAIR_COLOURS.index("pink"), EYE_COLOURS.index("green")] = 3.0
    table[HAIR_COLOURS.index("gray"), EYE_COLOURS.index("red")] = 1.0
    hair_ids, eye_ids = sample_labels(4_000, seed=1, distribution=table)
    pink_green = (hair_ids == HAIR_COLOURS.index("pink")) & (eye_ids == EYE_COLOURS.index("green"))
    gray_red = (hair_ids == HAIR_COLOURS.index("gray")) & (eye_ids == EYE_COLOURS.index("red"))
    assert np.all(pink_green | gray_red)
    assert pink_green.mean() == pytest.approx(0.75, abs=0.03)


def test_sample_labels_is_deterministic_and_checks_count():
    first = sample_labels(50, seed=4)
    again = sample_labels(50, seed=4)
    np.testing.assert_array_equal(first[0], again[0])
    np.testing.assert_array_equal(first[1], again[1])
    with pytest.raises(ValueError, match="count"):
        sample_labels(-1)


def test_the_labels_of_a_seed_stay_those_the_caches_and_shipped_generators_were_made_with():
    hair_ids, eye_ids = sample_labels(6, seed=0)
    np.testing.assert_array_equal(hair_ids, [7, 3, 0, 0, 9, 10])
    np.testing.assert_array_equal(eye_ids, [7, 2, 5, 2, 8, 10])
