"""Which generator a name or a notebook gets: shipped short names, and notebook 04's run when finished."""

import dataclasses
import json

import pytest

from acgan_lib import saved_generators
from acgan_lib.models import build_generator
from acgan_lib.profiles import get_profile
from acgan_lib.run_records import write_run_info


def test_short_names_stand_for_the_shipped_generators(tmp_path):
    assert saved_generators.generator_path("pretrained") == saved_generators.SHIPPED["pretrained"]
    assert saved_generators.generator_path(tmp_path / "g.keras") == tmp_path / "g.keras"
    with pytest.raises(ValueError, match="or one of: pretrained"):
        saved_generators.generator_path("  ")


@pytest.mark.parametrize("name", list(saved_generators.SHIPPED))
def test_each_shipped_generator_carries_its_run(name):
    profile = {"pretrained": "quick", "pretrained-medium": "medium"}[name]
    shipped = saved_generators.SHIPPED[name]
    assert shipped.is_file() and shipped.stat().st_size < 5_000_000  # a few MB at most
    run = saved_generators.run_beside(shipped)
    assert run["status"] == "finished" and run["profile"]["name"] == profile
    assert saved_generators.noise_of(run, None) == run["profile"]["noise_distribution"]
    assert saved_generators.noise_of(run, "gaussian") == "gaussian"
    evaluation = json.loads((shipped.parent / "evaluation.json").read_text())
    assert {"hair_accuracy", "eye_accuracy", "fid"} <= set(evaluation)
    assert (shipped.parent / "samples.png").is_file()


def record_run(run_dir, profile, status):
    """A run folder as ``train`` leaves it: run.json, and generator.keras once the run has finished."""
    write_run_info(run_dir, {"status": status, "step": profile.train_steps, "steps": profile.train_steps,
                             "profile": dataclasses.asdict(profile), "data": {"synthetic": None}})
    if status == "finished":
        build_generator(profile).save(run_dir / "generator.keras")


def test_notebooks_use_the_run_of_notebook_04_once_it_has_finished(tmp_path, monkeypatch):
    monkeypatch.setenv("ACGAN_REPORT_DIR", str(tmp_path))
    profile = get_profile("smoke")
    assert saved_generators.notebook_generator(profile).path == saved_generators.SHIPPED["pretrained"]
    run_dir = tmp_path / "runs" / "smoke"
    record_run(run_dir, profile, "running")
    chosen = saved_generators.notebook_generator(profile)
    assert chosen.path == saved_generators.SHIPPED["pretrained"] and "the shipped generator" in chosen.description
    record_run(run_dir, profile, "finished")
    chosen = saved_generators.notebook_generator(profile)
    assert chosen.path == run_dir / "generator.keras" and "notebook 04 trained" in chosen.description
    assert chosen.noise_distribution == profile.noise_distribution


def test_a_profile_without_a_run_gets_the_shipped_generator_of_its_size(tmp_path, monkeypatch):
    monkeypatch.setenv("ACGAN_REPORT_DIR", str(tmp_path))
    assert saved_generators.notebook_generator(get_profile("smoke")).path == saved_generators.SHIPPED["pretrained"]
    with pytest.raises(FileNotFoundError, match="no shipped generator draws 96 px faces \\(pretrained 32 px, "
                                                "pretrained-medium 64 px\\): "
                                                "train the full profile first"):
        saved_generators.notebook_generator(get_profile("full"))
    medium = saved_generators.notebook_generator(get_profile("medium"))
    assert medium.path == saved_generators.SHIPPED["pretrained-medium"]
    assert "made by `make pretrained-medium`" in medium.description


def test_a_named_generator_says_whether_it_ships_or_was_named(tmp_path):
    medium = saved_generators.named_generator("pretrained-medium")
    assert medium.path == saved_generators.SHIPPED["pretrained-medium"]
    assert medium.description.startswith("the shipped generator `pretrained-medium`: the medium profile, ")
    assert medium.noise_distribution == medium.run["profile"]["noise_distribution"]
    profile = get_profile("smoke")
    record_run(tmp_path, profile, "finished")
    mine = saved_generators.named_generator(tmp_path / "generator.keras")
    assert mine.description == f"the generator you named ({tmp_path / 'generator.keras'})" and mine.run["step"] == 4


def test_the_shipped_medium_generator_is_the_medium_profiles_default_run_with_its_judgements():
    run = saved_generators.run_beside(saved_generators.SHIPPED["pretrained-medium"])
    assert saved_generators.run_profile(run) == get_profile("medium") and run["step"] == run["steps"]
    judgements = saved_generators.shipped_judgements("pretrained-medium")
    assert [row["step"] for row in judgements] == list(range(1000, run["step"] + 1, 1000))
    assert {"fid", "G_fid", "eye_accuracy", "G_eye_accuracy"} <= set(judgements[-1])  # the average and G
    assert saved_generators.shipped_judgements("pretrained") == []  # made by train, not judged on the way
