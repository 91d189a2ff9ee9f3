import numpy as np
import pytest

from acgan_lib import labels
from acgan_lib.labels import (
    EYE_COLOURS,
    EYE_SWATCHES,
    HAIR_COLOURS,
    HAIR_SWATCHES,
    decode_one_hot,
    format_tags,
    nearest_eye,
    nearest_hair,
    one_hot,
    parse_rgb,
    parse_tags,
)


def test_vocabularies_are_the_courses_in_order():
    assert HAIR_COLOURS[0] == "orange" and HAIR_COLOURS[-1] == "blonde"
    assert EYE_COLOURS[0] == "gray" and EYE_COLOURS[-1] == "blue"
    assert (len(HAIR_COLOURS), len(EYE_COLOURS)) == (12, 11)
    assert list(HAIR_SWATCHES) == list(HAIR_COLOURS)
    assert list(EYE_SWATCHES) == list(EYE_COLOURS)


@pytest.mark.parametrize("text", ["blue hair red eyes", "  Blue   HAIR red Eyes ", "blue hair red eye"])
def test_parse_tags_forgives_case_and_spacing(text):
    assert parse_tags(text) == (HAIR_COLOURS.index("blue"), EYE_COLOURS.index("red"))


def test_every_pair_round_trips_through_text():
    for hair in range(12):
        for eye in range(11):
            assert parse_tags(format_tags(hair, eye)) == (hair, eye)


def test_real_tag_spellings_are_forgiven():
    assert parse_tags("Blond hair grey eyes") == (HAIR_COLOURS.index("blonde"), EYE_COLOURS.index("gray"))


def test_unknown_colour_names_the_valid_ones():
    with pytest.raises(labels.UnknownColourError, match="silver") as error:
        parse_tags("silver hair red eyes")
    assert "blonde" in str(error.value) and "orange" in str(error.value)
    with pytest.raises(ValueError, match="valid eye colours"):
        parse_tags("blue hair golden eyes")


@pytest.mark.parametrize("text", ["blue red eyes", "blue hair", "", "blue hair red eyes please"])
def test_malformed_tags_say_what_the_form_is(text):
    with pytest.raises(ValueError, match="<hair> hair <eye> eyes"):
        parse_tags(text)


def test_one_hot_round_trip_and_range_check():
    ids = np.array([0, 5, 11])
    rows = one_hot(ids, 12)
    assert rows.shape == (3, 12) and rows.dtype == np.float32
    assert rows.sum(axis=1).tolist() == [1, 1, 1]
    assert decode_one_hot(rows).tolist() == ids.tolist()
    with pytest.raises(ValueError, match=r"\[0, 12\)"):
        one_hot([12], 12)


def test_each_swatch_is_nearest_to_its_own_class():
    for index, rgb in enumerate(HAIR_SWATCHES.values()):
        assert nearest_hair(rgb) == index
    for index, rgb in enumerate(EYE_SWATCHES.values()):
        assert nearest_eye(rgb) == index


def test_picked_colours_map_to_the_class_a_person_would_name():
    assert HAIR_COLOURS[nearest_hair("#ffd700")] == "blonde"  # gold
    assert HAIR_COLOURS[nearest_hair((0, 0, 255))] == "blue"
    assert EYE_COLOURS[nearest_eye("#00ff00")] == "green"
    assert EYE_COLOURS[nearest_eye((255, 255, 0))] == "yellow"


@pytest.mark.parametrize("bad", ["#12345", "blue", (1, 2), (0, 0, 256), "#gg0000", "3366cc", "#3366cc0"])
def test_bad_colours_are_rejected(bad):
    with pytest.raises(ValueError):
        parse_rgb(bad)


def test_lab_of_white_and_black():
    lab = labels.srgb_to_lab(np.array([[255.0, 255, 255], [0.0, 0, 0]]))
    np.testing.assert_allclose(lab, [[100, 0, 0], [0, 0, 0]], atol=0.05)


def test_match_colour_gives_distance_and_runner_up():
    exact = labels.match_colour(HAIR_SWATCHES["purple"], "hair")
    assert (exact.name, exact.class_id, exact.distance) == ("purple", HAIR_COLOURS.index("purple"), 0.0)
    assert exact.runner_up != "purple" and exact.runner_up_distance > 0 and not exact.far
    between = labels.match_colour("#5a5ad0", "eye")  # between the blue and purple swatches
    assert {between.name, between.runner_up} == {"blue", "purple"}
    assert between.distance <= between.runner_up_distance


def test_a_colour_far_from_every_swatch_is_flagged_far():
    far = labels.match_colour("#00ff00", "hair")  # no hair class is a pure bright green
    assert far.name == "green" and far.far and far.distance > labels.FAR_FROM_EVERY_CLASS
    with pytest.raises(ValueError, match="valid parts: hair, eye"):
        labels.match_colour("#00ff00", "eyes")
