"""Every expected failure of the command line is one line on stderr and exit status 2 (130 for Ctrl-C),
checked before any work where it can be; ``--debug`` shows the traceback instead (issue 13)."""

import argparse
import os
import subprocess
import sys
from pathlib import Path

import pytest

import acgan_lib
from acgan_lib import cli
from acgan_lib.paths import PROJECT_ROOT, check_output
from acgan_lib.training import TrainingDiverged


def refused(argv, capsys) -> str:
    """The one-line message of an argument that argparse refuses (exit status 2)."""
    with pytest.raises(SystemExit) as exited:
        cli.main(argv)
    assert exited.value.code == 2
    return capsys.readouterr().err.strip().splitlines()[-1]


def test_an_out_that_is_a_file_is_refused_by_every_command_before_it_starts(tmp_path, capsys):
    taken = tmp_path / "taken"
    taken.write_text("a file")
    for command in (["notebooks", "--profile", "smoke"], ["train", "--profile", "smoke"],
                    ["sample", "--generator", "pretrained", "--tags", "t.txt"]):
        assert refused([*command, "--out", str(taken)], capsys).endswith(f"{taken} is a file; give a folder")
    assert taken.read_text() == "a file"


def test_evaluate_refuses_an_out_that_is_a_folder_before_judging(tmp_path, capsys):
    message = refused(["evaluate", "--generator", "pretrained", "--out", str(tmp_path)], capsys)
    assert message.endswith(f"{tmp_path} is a folder; give a file name")


def test_an_empty_out_and_a_link_are_refused(tmp_path, capsys):
    assert refused(["train", "--out", ""], capsys).endswith("is empty; give a folder path")
    (tmp_path / "link").symlink_to(tmp_path / "elsewhere")
    assert "is a symbolic link" in refused(["sample", "--generator", "pretrained", "--tags", "t.txt",
                                            "--out", str(tmp_path / "link")], capsys)


@pytest.mark.parametrize("name", ["run\nx", "run\tx", "run\x1bx"])
def test_an_out_holding_a_control_character_is_refused(tmp_path, capsys, name):
    message = refused(["train", "--profile", "smoke", "--out", str(tmp_path / name)], capsys)
    assert "holds a control character (a newline or tab, say); give a path without one" in message
    assert list(tmp_path.iterdir()) == []


def test_a_tags_path_that_is_a_folder_is_named_as_a_folder(tmp_path, capsys):
    assert cli.main(["sample", "--generator", "pretrained", "--tags", str(tmp_path),
                     "--out", str(tmp_path / "out")]) == 2
    assert capsys.readouterr().err.strip() == (f"error: {tmp_path} is a folder; give the test-tags file itself "
                                               "(rows 'n,<hair> hair <eye> eyes')")


def test_a_size_outside_the_renderers_range_is_refused_as_such_not_as_too_much_memory(tmp_path, capsys):
    assert cli.main(["data", "--count", "10", "--size", "100000", "--data-dir", str(tmp_path)]) == 2
    assert "size must be an integer from 32 to 128 pixels; got 100000" in capsys.readouterr().err


def test_an_out_under_a_file_or_an_unwritable_folder_is_refused(tmp_path):
    (tmp_path / "file").write_text("x")
    with pytest.raises(ValueError, match="which is a file"):
        check_output(tmp_path / "file" / "run", "folder")
    locked = tmp_path / "locked"
    locked.mkdir(mode=0o500)
    if os.access(locked, os.W_OK):
        pytest.skip("running as a user who can write anywhere (root)")
    with pytest.raises(ValueError, match="is not writable"):
        check_output(locked / "results.json", "file", "--out")


def test_a_folder_the_system_calls_unwritable_is_refused_even_where_tests_run_as_root(tmp_path, monkeypatch):
    """Root may write through a mode-0500 folder, so the test above skips there; this one has the system's
    own answer (os.access) say no, as it does for another user or a read-only mount."""
    from acgan_lib import paths

    real_access = os.access
    monkeypatch.setattr(paths.os, "access", lambda path, mode: Path(path) != tmp_path and real_access(path, mode))
    with pytest.raises(ValueError, match=f"{tmp_path} is not writable; choose a folder you can write to"):
        check_output(tmp_path / "results.json", "file", "--out")
    with pytest.raises(ValueError, match="is not writable"):  # a folder yet to be made lies in it
        check_output(tmp_path / "new" / "run", "folder")


@pytest.mark.parametrize("error", [PermissionError(13, "Permission denied", "/somewhere/x.png"),
                                   TrainingDiverged("d_loss became nan at step 3; try a lower learning rate"),
                                   MemoryError(), EOFError("Compressed file ended before the end-of-stream")])
def test_an_expected_failure_is_one_line_and_status_2(monkeypatch, capsys, error):
    def fail(arguments):
        raise error

    monkeypatch.setattr(cli, "_data", fail)
    assert cli.main(["data", "--count", "4", "--size", "32"]) == 2
    err = capsys.readouterr().err
    assert err.startswith("error: ") and err.count("\n") == 1 and "Traceback" not in err
    with pytest.raises(type(error)):
        cli.main(["--debug", "data", "--count", "4", "--size", "32"])


def test_ctrl_c_exits_130_without_a_traceback(monkeypatch, capsys):
    def interrupted(arguments):
        raise KeyboardInterrupt

    monkeypatch.setattr(cli, "_data", interrupted)
    assert cli.main(["data", "--count", "4", "--size", "32"]) == 130
    assert capsys.readouterr().err.startswith("interrupted: ")


def test_a_bug_still_shows_its_traceback(monkeypatch):
    def buggy(arguments):
        raise KeyError("not an expected failure")

    monkeypatch.setattr(cli, "_data", buggy)
    with pytest.raises(KeyError):
        cli.main(["data", "--count", "4", "--size", "32"])


def test_the_real_command_line_refuses_in_one_line(tmp_path):
    (tmp_path / "taken").write_text("a file")
    finished = subprocess.run([sys.executable, "-m", "acgan_lib", "notebooks", "--out", str(tmp_path / "taken")],
                              capture_output=True, text=True, cwd=PROJECT_ROOT, timeout=300)
    assert finished.returncode == 2 and "Traceback" not in finished.stderr
    assert finished.stderr.strip().splitlines()[-1].endswith("is a file; give a folder")


def test_counts_below_one_and_datasets_larger_than_memory_are_refused_before_work(capsys):
    assert "at least 1; got '0'" in refused(["evaluate", "--generator", "pretrained", "--real-count", "0"], capsys)
    assert cli.main(["data", "--count", str(10**9), "--size", "32"]) == 2  # would be killed by the system
    assert "ask for fewer faces" in capsys.readouterr().err


def every_command_parser():
    parser = cli._build_parser()
    commands = next(action for action in parser._actions if isinstance(action, argparse._SubParsersAction))
    return {"": parser, **commands.choices}


def test_every_flag_of_every_command_has_help():
    missing = [f"{name} {action.option_strings or action.dest}" for name, parser in every_command_parser().items()
               for action in parser._actions if not (action.help and action.help.strip())]
    assert missing == []


def test_a_flags_help_ends_with_its_default_and_a_training_flag_names_each_profiles_value():
    helps = {name: parser.format_help() for name, parser in every_command_parser().items()}
    assert "(default: report)" in " ".join(helps["notebooks"].split())
    assert "(smoke: 8, quick: 32, medium: 32, full: 32)" in " ".join(helps["train"].split())
    assert "examples:" in helps[""] and "examples:" in helps["train"]


def test_version(capsys):
    with pytest.raises(SystemExit) as exited:
        cli.main(["--version"])
    assert exited.value.code == 0 and capsys.readouterr().out.strip() == f"acgan_lib {acgan_lib.__version__}"


@pytest.mark.parametrize("setting, message", [
    ("batch_size", "a setting is FIELD=VALUE"),
    ("colour=red", "unknown profile field 'colour'; valid fields: image_size,"),
    ("batch_size=big", "batch_size (int) must be a whole number; got 'big'"),
    ("minibatch_spread=maybe", "minibatch_spread (bool) must be true or false"),
    ("generator_channels=64;32", "must be whole numbers separated by commas"),
])
def test_a_bad_set_says_what_is_allowed(tmp_path, capsys, setting, message):
    assert message in refused(["train", "--out", str(tmp_path / "run"), "--set", setting], capsys)
    assert not (tmp_path / "run").exists()


def test_a_setting_given_twice_with_two_values_is_refused(tmp_path, capsys):
    argv = ["train", "--profile", "smoke", "--out", str(tmp_path / "run"), "--batch-size", "8",
            "--set", "batch_size=16"]
    assert cli.main(argv) == 2
    assert "batch_size is given twice with different values (--batch-size 8, --set batch_size 16)" in \
        capsys.readouterr().err
    assert not (tmp_path / "run").exists()


def test_a_set_value_out_of_range_is_refused_by_the_profiles_check(tmp_path, capsys):
    assert cli.main(["train", "--profile", "smoke", "--out", str(tmp_path / "run"), "--set", "image_size=20"]) == 2
    assert "image_size must be in [32, 128]" in capsys.readouterr().err


def test_tensorflow_running_out_of_memory_is_one_line_and_status_2(monkeypatch, capsys):
    """A model too big for memory (e.g. --set noise_dim=100000000) fails in TensorFlow, not in Python."""
    import tensorflow as tf

    def fail(arguments):
        raise tf.errors.ResourceExhaustedError(None, None, "{{function_node __wrapped__X}} OOM when allocating "
                                               "tensor with shape[100000023,128] and type float on CPU:0 [Op:X]")

    monkeypatch.setattr(cli, "_data", fail)
    assert cli.main(["data", "--count", "4", "--size", "32"]) == 2
    err = capsys.readouterr().err
    assert err.count("\n") == 1 and "Traceback" not in err
    assert err.startswith("error: not enough memory (OOM when allocating tensor with shape[100000023,128]")


@pytest.mark.parametrize("command", [["data", "--count", "4", "--size", "32"],
                                     ["evaluate", "--generator", "pretrained"]])
def test_a_data_dir_that_is_empty_or_a_file_is_refused_before_anything_is_written(tmp_path, capsys, command):
    (tmp_path / "taken").write_text("a file")
    assert refused([*command, "--data-dir", ""], capsys).endswith("is empty; give a folder path")
    assert refused([*command, "--data-dir", str(tmp_path / "taken")], capsys).endswith(
        f"{tmp_path / 'taken'} is a file; give a folder")


@pytest.mark.parametrize("flag", ["--data-2017", "--data-2018"])
def test_an_empty_data_folder_is_refused_instead_of_reading_the_current_folder(tmp_path, capsys, flag):
    message = refused(["train", "--profile", "smoke", "--out", str(tmp_path / "run"), flag, " "], capsys)
    assert message.endswith(f"argument {flag}: is empty; give the folder that holds the course's dataset")


def test_an_out_whose_name_is_too_long_for_the_system_is_refused_in_one_line(tmp_path, capsys):
    too_long = tmp_path / ("a" * 300)
    message = refused(["sample", "--generator", "pretrained", "--tags", "t.txt", "--out", str(too_long)], capsys)
    assert message.endswith(f"{too_long} cannot be used (File name too long); give a shorter path")
    with pytest.raises(ValueError, match="File name too long"):
        check_output(too_long / "results.json", "file", "--out")


@pytest.mark.parametrize("command", [["sample", "--generator", "pretrained", "--tags", "t.txt", "--out", "unused"],
                                     ["evaluate", "--generator", "pretrained"], ["data", "--count", "4", "--size", "32"]])
def test_a_negative_seed_is_refused_before_any_work(capsys, command):
    """NumPy refused it with 'expected non-negative integer', after evaluate had trained its judge."""
    assert refused([*command, "--seed", "-1"], capsys).endswith(
        "argument --seed: must be a whole number of at least 0; got '-1'")


def test_clean_notebooks_names_a_file_that_is_not_a_notebook_and_writes_nothing(tmp_path, capsys):
    import nbformat

    good = tmp_path / "01_good.ipynb"
    notebook = nbformat.v4.new_notebook(cells=[nbformat.v4.new_code_cell("1 + 1", outputs=[
        nbformat.v4.new_output("execute_result", data={"text/plain": "2"}, execution_count=1)])])
    nbformat.write(notebook, good)
    before = good.read_text()
    for text in (b"{not json", b"\xff\xfe"):
        (tmp_path / "bad.ipynb").write_bytes(text)
        assert cli.main(["clean-notebooks", str(good), str(tmp_path / "bad.ipynb")]) == 2
        err = capsys.readouterr().err
        assert err.startswith(f"error: {tmp_path / 'bad.ipynb'} is not a notebook (") and err.count("\n") == 1
        assert good.read_text() == before  # checked before any notebook is written


def test_one_sample_per_pair_is_refused_before_the_judge_trains(capsys):
    """The within-class MS-SSIM compares two faces of a pair: with one, evaluate failed at its very end."""
    assert refused(["evaluate", "--generator", "pretrained", "--samples-per-pair", "1"], capsys).endswith(
        "argument --samples-per-pair: must be a whole number of at least 2; got '1'")
