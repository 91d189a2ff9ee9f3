"""Parameter sweeps: checked before anything runs, a row per run, failures recorded."""

import csv

import pytest
from notebook_files import write_notebook as write_scratch_notebook

from acgan_lib.batch import find_notebook, notebook_parameters, parse_grid
from acgan_lib.cli import main

PARAMETERS = ('profile_name = "quick"\nseed = 0\nrate = 1e-4\nlong = False\nrun_root = None\n'
              'learning_rate_g = None\n')


def write_notebook(path, *sources):
    return write_scratch_notebook(path, *sources, parameters=PARAMETERS)


def test_values_take_the_type_of_their_default(tmp_path):
    notebook = write_notebook(tmp_path / "01_x.ipynb")
    assert notebook_parameters(notebook) == {"profile_name": "quick", "seed": 0, "rate": 1e-4, "long": False,
                                             "run_root": None, "learning_rate_g": None}
    assert parse_grid(notebook, ["seed=0,1", "rate=3,1e-3", "long=true", "run_root=../runs/a,None",
                                 "profile_name=smoke", "learning_rate_g=3e-4,None"]) == {
        "seed": [0, 1], "rate": [3, 1e-3], "long": [True], "run_root": ["../runs/a", None], "profile_name": ["smoke"],
        "learning_rate_g": [3e-4, None]}


@pytest.mark.parametrize("spec, message", [
    ("sed=1", r"unknown notebook parameter 'sed'; this notebook's parameters: profile_name \(str\), seed \(int\)"),
    ("seed=a", r"parameter 'seed' must be of type int, like its default 0; got 'a'"),
    ("long=maybe", "parameter 'long' must be of type bool"),
    ("seed", "a sweep parameter is NAME=VALUE"),
    ("seed=", "a sweep parameter is NAME=VALUE"),
    ("seed=" + ",".join(map(str, range(65))), "at most 64"),
    ("profile_name=smoke,huge", "parameter profile_name must be one of smoke, quick, medium, full; got 'huge'"),
    # a None default that names a profile field is checked as the field (it failed inside the notebook)
    ("learning_rate_g=nan", r"profile learning_rate_g must be a number in \(0, 1\); got nan"),
    ("learning_rate_g=fast", r"learning_rate_g \(float\) must be a number; got 'fast'"),
])
def test_a_bad_sweep_fails_before_any_notebook_starts(tmp_path, capsys, spec, message):
    notebook = write_notebook(tmp_path / "01_x.ipynb", "open('ran', 'w').write('yes')")
    with pytest.raises(ValueError, match=message):
        parse_grid(notebook, [spec])
    assert main(["batch", "--notebook", str(notebook), "--param", spec, "--out", str(tmp_path / "out")]) == 2
    assert "error:" in capsys.readouterr().err
    assert not (tmp_path / "out").exists() and not (tmp_path / "ran").exists()


def test_a_file_that_is_not_a_notebook_is_named(tmp_path, capsys):
    (tmp_path / "bad.ipynb").write_text("{not json")
    assert main(["batch", "--notebook", str(tmp_path / "bad.ipynb"), "--out", str(tmp_path / "out")]) == 2
    assert f"{tmp_path / 'bad.ipynb'} is not a notebook (" in capsys.readouterr().err


def test_an_unknown_notebook_lists_the_notebooks():
    with pytest.raises(FileNotFoundError, match="notebooks in .*01_data"):
        find_notebook("99_nothing")


@pytest.mark.slow
def test_a_two_by_one_sweep_writes_a_row_per_run_and_records_a_failure(tmp_path):
    notebook = write_notebook(
        tmp_path / "01_x.ipynb",
        "from acgan_lib.results import record_results\n"
        "record_results('scores', {'product': seed * rate, 'seed': seed})",
        "assert seed != 2, 'seed 2 breaks'")
    out = tmp_path / "sweep"
    assert main(["batch", "--notebook", str(notebook), "--param", "seed=1,2", "--param", "rate=0.5",
                 "--out", str(out)]) == 1  # one run failed, and the other still ran
    rows = list(csv.DictReader((out / "batch.csv").open()))
    assert [(row["seed"], row["rate"], row["status"]) for row in rows] == [("1", "0.5", "ran"), ("2", "0.5", "failed")]
    assert rows[0]["scores: product"] == "0.5" and rows[1]["scores: product"] == "1.0"
    assert (out / "seed-1_rate-0.5" / "01_x.ipynb").exists() and (out / "seed-2_rate-0.5" / "01_x.html").exists()
    assert (out / "batch.png").exists()


@pytest.mark.slow
def test_a_sweep_of_a_real_notebook_in_smoke(tmp_path):
    out = tmp_path / "sweep"
    assert main(["batch", "--notebook", "01_data", "--param", "profile_name=smoke", "--param", "seed=0,1",
                 "--out", str(out)]) == 0
    rows = list(csv.DictReader((out / "batch.csv").open()))
    assert [(row["seed"], row["status"]) for row in rows] == [("0", "ran"), ("1", "ran")]
    assert (out / "profile_name-smoke_seed-1" / "figures" / "01_skewed_labels.png").exists()


def test_an_out_that_is_a_file_is_refused_before_anything_runs(tmp_path, capsys):
    notebook = write_notebook(tmp_path / "01_x.ipynb", "open('ran', 'w').write('yes')")
    (tmp_path / "taken").write_text("a file")
    with pytest.raises(SystemExit) as exited:
        main(["batch", "--notebook", str(notebook), "--param", "seed=1", "--out", str(tmp_path / "taken")])
    assert exited.value.code == 2
    assert "is a file; give a folder" in capsys.readouterr().err and not (tmp_path / "ran").exists()
