"""The playground panel, driven from Python as a reader drives it: pickers, swatch buttons, sliders.

The generator is an untrained smoke-size one and the judge an untrained one: what is checked is the
wiring (a control changes what is shown), not the faces.
"""

import keras
import numpy as np
import pytest

from acgan_lib import widgets
from acgan_lib.judge import build_judge
from acgan_lib.labels import EYE_COLOURS, EYE_SWATCHES, HAIR_COLOURS, HAIR_SWATCHES
from acgan_lib.models import build_generator
from acgan_lib.profiles import get_profile


@pytest.fixture(scope="module")
def drawer():
    keras.utils.set_random_seed(0)
    profile = get_profile("smoke")
    return widgets.Drawer(build_generator(profile), build_judge(profile.image_size), "uniform", profile.pixel_range)


@pytest.fixture
def playground(drawer):
    return widgets.Playground(drawer, count=4)


def class_shown(info_html: str) -> str:
    return info_html.split("<b class='class-name'>")[1].split("</b>")[0]


def test_a_picked_colour_snaps_to_its_class_and_redraws(playground):
    assert class_shown(playground.hair_info.value) == "blue"
    before = playground.faces_image.value
    playground.hair_picker.value = "#e0d070"  # a pale gold
    assert playground.hair_match.name == "blonde"
    assert class_shown(playground.hair_info.value) == "blonde"
    assert "runner-up" in playground.hair_info.value
    assert playground.faces_image.value != before
    playground.eye_picker.value = "#30c040"
    assert class_shown(playground.eye_info.value) == "green"


def test_a_colour_far_from_every_class_is_flagged(playground):
    playground.hair_picker.value = "#2e56d8"
    assert "far from every class" not in playground.hair_info.value
    playground.hair_picker.value = "#00ff00"  # pure green is far from the hair swatches
    assert playground.hair_match.far
    assert "far from every class" in playground.hair_info.value


def test_css_names_and_short_hex_typed_into_the_picker_are_read(playground):
    playground.eye_picker.value = "crimson"
    assert playground.eye_match.name == "red"
    playground.hair_picker.value = "#fc8"  # short for #ffcc88, a pale orange
    assert playground.hair_match.picked == (255, 204, 136)


def test_swatch_buttons_choose_their_class(playground):
    assert list(playground.hair_buttons) == list(HAIR_COLOURS)
    assert list(playground.eye_buttons) == list(EYE_COLOURS)
    for name in ("red", "white", "black"):
        before = playground.sweep_image.value
        playground.hair_buttons[name].click()
        assert playground.hair_match.name == name and playground.hair_match.distance == pytest.approx(0, abs=1e-6)
        assert playground.hair_picker.value == widgets.rgb_hex(HAIR_SWATCHES[name])
        assert playground.sweep_image.value != before
    playground.eye_buttons["yellow"].click()
    assert playground.eye_picker.value == widgets.rgb_hex(EYE_SWATCHES["yellow"])
    assert class_shown(playground.eye_info.value) == "yellow"


def test_sliders_redraw_what_they_control(playground):
    faces, interpolation, blend = (playground.faces_image.value, playground.interpolation_image.value,
                                   playground.blend_image.value)
    playground.seed.value = 7
    assert playground.faces_image.value != faces and playground.interpolation_image.value != interpolation
    faces = playground.faces_image.value
    playground.count.value = 9
    assert playground.faces_image.value != faces
    interpolation = playground.interpolation_image.value
    playground.other_seed.value = 40
    assert playground.interpolation_image.value != interpolation
    blend = playground.blend_image.value
    playground.blend_weight.value = 1.0
    assert playground.blend_image.value != blend
    faces = playground.faces_image.value
    playground.noise_scale.value = 0.0
    assert playground.faces_image.value != faces


def test_faces_figure_reports_what_the_judge_read(drawer):
    figure, shares = widgets.faces_figure(drawer, hair=3, eye=4, count=5, seed=1)
    assert set(shares) == {"hair", "eyes", "both"}
    assert all(share in {0, 0.2, 0.4, 0.6, 0.8, 1.0} for share in shares.values())
    assert "the judge read hair" in figure.texts[0].get_text()  # the suptitle
    with pytest.raises(ValueError, match=r"face count must be an integer in \[1, 32\]"):
        widgets.faces_figure(drawer, hair=3, eye=4, count=0)


def test_noise_scale_zero_draws_one_face_for_every_seed(drawer):
    noise = drawer.noise(3, seed=5, scale=0.0)
    assert not noise.any()
    faces = drawer.faces(noise, np.eye(12, dtype=np.float32)[[1, 1, 1]], np.eye(11, dtype=np.float32)[[2, 2, 2]])
    assert (faces == faces[0]).all()


def test_a_bad_starting_colour_says_the_expected_form(drawer):
    with pytest.raises(ValueError, match="expected '#rrggbb'"):
        widgets.Playground(drawer, hair_colour="blue")


def test_describe_match_names_class_distance_and_runner_up():
    from acgan_lib.labels import match_colour

    line = widgets.describe_match(match_colour("#2e56d8", "hair"))
    assert line.startswith("#2e56d8 -> blue hair (CIELAB distance 0.0; runner-up ")
    assert "far from every class" in widgets.describe_match(match_colour("#00ff00", "hair"))


def test_the_seed_sliders_reach_the_seed_the_notebook_names(drawer):
    playground = widgets.Playground(drawer, seed=5000, count=2)
    assert playground.seed.value == 5000 and playground.other_seed.value == 5001
