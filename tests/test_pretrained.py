"""The shipped generators work: a fresh evaluation by the judge reads the colours they were asked for.

This trains the 32 px and 64 px judges once each (cached in data/, as ``make run`` does) and renders each
profile's training faces to compare with, so it takes a few minutes on two cores.
"""

import json

import pytest

from acgan_lib.cli import main
from acgan_lib.evaluation import load_generator
from acgan_lib.saved_generators import SHIPPED

# What each shipped generator must reach: the quick one the playground issue's targets, the medium one
# issue 14's (which it meets in hair and eyes; see the README).
TARGETS = {"pretrained": {"image_size": 32, "hair": 0.90, "eyes": 0.85},
           "pretrained-medium": {"image_size": 64, "hair": 0.95, "eyes": 0.90}}


def test_every_shipped_generator_has_targets():
    assert set(TARGETS) == set(SHIPPED)


@pytest.mark.parametrize("name", list(SHIPPED))
def test_the_shipped_generators_load_in_safe_mode(name):
    generator = load_generator(SHIPPED[name])
    size = TARGETS[name]["image_size"]
    assert generator.output.shape[1:] == (size, size, 3)


@pytest.mark.slow
@pytest.mark.parametrize("name", list(SHIPPED))
def test_a_fresh_evaluation_of_a_shipped_generator_reads_the_requested_colours(name, tmp_path, capsys):
    out = tmp_path / "evaluation.json"
    assert main(["evaluate", "--generator", name, "--out", str(out)]) == 0
    results = json.loads(out.read_text())
    assert results["image_size"] == TARGETS[name]["image_size"]
    assert results["real_source"] == "the run's training faces (synthetic)"
    assert results["hair_accuracy"] >= TARGETS[name]["hair"], results["hair_accuracy"]
    assert results["eye_accuracy"] >= TARGETS[name]["eyes"], results["eye_accuracy"]
    assert "hair accuracy" in capsys.readouterr().out


def test_sample_draws_with_the_shipped_generator_by_its_short_name(tmp_path):
    tags = tmp_path / "testing_tags.txt"
    tags.write_text("1,blue hair red eyes\n2,blonde hair green eyes\n")
    assert main(["sample", "--generator", "pretrained", "--tags", str(tags), "--out", str(tmp_path / "faces")]) == 0
    assert sorted(path.name for path in (tmp_path / "faces").iterdir()) == ["1.png", "2.png", "grid.png"]


def test_an_empty_generator_name_is_one_clear_line(capsys):
    with pytest.raises(SystemExit) as stop:
        main(["sample", "--generator", "", "--tags", "t.txt", "--out", "faces"])
    assert stop.value.code == 2
    assert "a generator is a .keras file or one of: pretrained" in capsys.readouterr().err
