"""``python -m acgan_lib evaluate`` and ``sample`` on an untrained smoke-size generator.

The judge is kept tiny (--judge-dataset-size, --judge-epochs) and shared through one data folder, so
that the evaluate tests check the command's plumbing in seconds; the metrics have their own tests.
"""

import dataclasses
import json

import numpy as np
import pytest
from PIL import Image

from acgan_lib.cli import main
from acgan_lib.models import build_generator
from acgan_lib.profiles import get_profile
from acgan_lib.run_records import write_run_info

REQUIRED_KEYS = {"hair_accuracy", "eye_accuracy", "both_accuracy", "demo_score", "fid", "fid_real_floor", "kid",
                 "ms_ssim_generated", "ms_ssim_real"}
TAGS = "1,blue hair red eyes\n2,blonde hair green eyes\n\n5,black hair gray eyes\n"


@pytest.fixture(scope="module")
def generator_path(tmp_path_factory):
    path = tmp_path_factory.mktemp("generator") / "generator.keras"
    build_generator(get_profile("smoke")).save(path)
    return path


@pytest.fixture(scope="module")
def data_dir(tmp_path_factory):
    return tmp_path_factory.mktemp("data")


@pytest.fixture
def tags_file(tmp_path):
    path = tmp_path / "testing_tags.txt"
    path.write_text(TAGS)
    return path


def evaluate(generator_path, data_dir, *options):
    return main(["evaluate", "--generator", str(generator_path), "--data-dir", str(data_dir),
                 "--judge-dataset-size", "40", "--judge-epochs", "1", "--real-count", "300",
                 "--samples-per-pair", "2", *options])


def test_evaluate_prints_a_table_and_writes_the_promised_json(generator_path, data_dir, tmp_path, capsys):
    out = tmp_path / "results" / "evaluation.json"
    assert evaluate(generator_path, data_dir, "--out", str(out)) == 0
    results = json.loads(out.read_text())
    assert REQUIRED_KEYS <= set(results)
    for key in ("hair_accuracy", "eye_accuracy", "both_accuracy", "ms_ssim_generated", "ms_ssim_real"):
        assert 0.0 <= results[key] <= 1.0, key
    assert isinstance(results["demo_score"], int) and 0 <= results["demo_score"] <= 100
    assert results["fid"] >= 0 and results["fid_real_floor"] >= 0
    assert results["image_size"] == 32 and results["generated_faces"] == 132 * 2
    assert list(data_dir.glob("judge_32px_*.keras"))  # the judge is cached for the next run
    printed = capsys.readouterr().out
    assert "Fréchet distance" in printed and f"wrote {out}" in printed


def test_evaluate_draws_the_pairs_of_a_tags_file(generator_path, data_dir, tags_file, tmp_path, capsys):
    out = tmp_path / "evaluation.json"
    assert evaluate(generator_path, data_dir, "--tags", str(tags_file), "--out", str(out)) == 0
    results = json.loads(out.read_text())
    assert results["generated_faces"] == 3 * 2
    assert np.array(results["hair_confusion"]).sum(axis=1).nonzero()[0].tolist() == [8, 9, 11]  # blue, black, blonde


def test_evaluate_without_out_writes_nothing(generator_path, data_dir, tmp_path, capsys):
    assert evaluate(generator_path, data_dir) == 0
    assert "wrote" not in capsys.readouterr().out and not list(tmp_path.iterdir())


def test_evaluate_needs_a_real_count_for_a_size_no_profile_draws(tmp_path, capsys):
    path = tmp_path / "generator128.keras"  # 32 px is quick's and smoke's, 64 medium's, 96 full's
    build_generator(get_profile("smoke", image_size=128, generator_strides=(2, 2, 4, 4))).save(path)
    assert main(["evaluate", "--generator", str(path), "--data-dir", str(tmp_path)]) == 2
    assert "pass --real-count" in capsys.readouterr().err


def test_too_few_real_faces_are_refused_before_any_judge_is_trained(tmp_path, capsys, monkeypatch):
    from acgan_lib import judge

    def never(*arguments, **keywords):
        raise AssertionError("the judge was loaded or trained before the real faces were checked")

    monkeypatch.setattr(judge, "load_or_train_judge", never)
    assert main(["evaluate", "--generator", "pretrained", "--real-count", "4", "--data-dir", str(tmp_path)]) == 2
    assert "the real faces to compare with must be at least 4, two of them of one (hair, eye) pair; got 4 faces" \
        in capsys.readouterr().err


def test_a_missing_generator_file_is_a_clear_error(tmp_path, capsys):
    assert main(["evaluate", "--generator", str(tmp_path / "nowhere.keras")]) == 2
    assert "no generator file" in capsys.readouterr().err


def test_a_file_that_is_not_a_model_is_a_clear_error(tmp_path, tags_file, capsys):
    not_a_model = tmp_path / "generator.keras"
    not_a_model.write_text("weights, honestly")
    assert main(["sample", "--generator", str(not_a_model), "--tags", str(tags_file),
                 "--out", str(tmp_path / "samples")]) == 2
    assert "not a readable .keras model" in capsys.readouterr().err


def test_sample_writes_one_face_per_line_and_a_grid(generator_path, tags_file, tmp_path, capsys):
    out = tmp_path / "samples"
    assert main(["sample", "--generator", str(generator_path), "--tags", str(tags_file), "--out", str(out)]) == 0
    assert sorted(path.name for path in out.iterdir()) == ["1.png", "2.png", "5.png", "grid.png"]
    with Image.open(out / "5.png") as face:
        assert face.size == (32, 32) and face.mode == "RGB"
    with Image.open(out / "grid.png") as grid:
        assert grid.size == (3 * 33 + 1, 33 + 1)  # three faces in a row, 1 px padding
    assert "wrote 3 faces" in capsys.readouterr().out


def test_sample_with_the_same_seed_draws_the_same_faces(generator_path, tags_file, tmp_path):
    for folder in ("first", "second"):
        assert main(["sample", "--generator", str(generator_path), "--tags", str(tags_file),
                     "--out", str(tmp_path / folder), "--seed", "7"]) == 0
    first, second = (np.asarray(Image.open(tmp_path / folder / "2.png")) for folder in ("first", "second"))
    np.testing.assert_array_equal(first, second)


@pytest.mark.parametrize("bad_line, message", [
    ("3,silver hair red eyes", "valid hair colours"),
    ("3,blue hair", "expected '<hair> hair <eye> eyes'"),
    ("three,blue hair red eyes", "n a whole number"),
])
def test_a_bad_tags_line_stops_with_its_number(generator_path, tmp_path, capsys, bad_line, message):
    tags = tmp_path / "tags.txt"
    tags.write_text(f"1,blue hair red eyes\n{bad_line}\n")
    out = tmp_path / "samples"
    assert main(["sample", "--generator", str(generator_path), "--tags", str(tags), "--out", str(out)]) == 2
    error = capsys.readouterr().err
    assert "line 2" in error and message in error
    assert not out.exists()


def test_two_lines_with_one_number_would_overwrite_each_other(generator_path, tmp_path, capsys):
    tags = tmp_path / "tags.txt"
    tags.write_text("1,blue hair red eyes\n2,red hair blue eyes\n1,pink hair pink eyes\n")
    assert main(["sample", "--generator", str(generator_path), "--tags", str(tags),
                 "--out", str(tmp_path / "samples")]) == 2
    error = capsys.readouterr().err
    assert "line 3" in error and "line 1" in error


def test_evaluate_and_sample_read_the_run_beside_the_generator(tmp_path, data_dir, tags_file, capsys):
    """A generator saved by ``train`` is judged with the run's noise and against the run's training faces."""
    profile = get_profile("smoke", noise_distribution="gaussian", dataset_size=120, seed=3)
    build_generator(profile).save(tmp_path / "generator.keras")
    write_run_info(tmp_path, {"status": "finished", "step": 4, "steps": 4, "profile": dataclasses.asdict(profile),
                              "data": {"synthetic": None}})
    out = tmp_path / "evaluation.json"
    assert main(["evaluate", "--generator", str(tmp_path / "generator.keras"), "--data-dir", str(data_dir),
                 "--judge-dataset-size", "40", "--judge-epochs", "1", "--samples-per-pair", "2",
                 "--out", str(out)]) == 0
    results = json.loads(out.read_text())
    assert results["noise"] == "gaussian" and results["real_faces"] == 120
    assert "the run's training faces" in results["real_source"]
    assert list(data_dir.glob("synthetic_32px_120_seed3_*.npz"))

    uniform, gaussian = tmp_path / "uniform", tmp_path / "gaussian"
    for folder, noise in ((uniform, ["--noise", "uniform"]), (gaussian, [])):
        assert main(["sample", "--generator", str(tmp_path / "generator.keras"), "--tags", str(tags_file),
                     "--out", str(folder), *noise]) == 0
    assert not np.array_equal(*(np.asarray(Image.open(folder / "1.png")) for folder in (uniform, gaussian)))


def test_sample_replaces_a_link_in_its_folder_instead_of_writing_through_it(generator_path, tmp_path):
    tags = tmp_path / "tags.txt"
    tags.write_text("1,blue hair red eyes\n")
    victim = tmp_path / "victim.txt"
    victim.write_text("keep me")
    out = tmp_path / "samples"
    out.mkdir()
    (out / "1.png").symlink_to(victim)
    assert main(["sample", "--generator", str(generator_path), "--tags", str(tags), "--out", str(out)]) == 0
    assert victim.read_text() == "keep me"
    assert not (out / "1.png").is_symlink() and Image.open(out / "1.png").size[0] > 0
