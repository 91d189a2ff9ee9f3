"""The quality bench (bench/bench_quick_profile.py): resuming a stopped run, and its flags' bad values."""

import subprocess
import sys
from pathlib import Path

import pytest

BENCH = Path(__file__).resolve().parents[1] / "bench"


@pytest.fixture
def bench(monkeypatch):
    monkeypatch.syspath_prepend(str(BENCH))
    import bench_quick_profile

    return bench_quick_profile


def _stopped_judge(bench, tmp_path, rows, seconds_at_step):
    """A ProgressJudge as a resumed run makes it, without a judge or data (only the clock is tested)."""
    judge = bench.ProgressJudge.__new__(bench.ProgressJudge)
    judge.progress_file = tmp_path / bench.PROGRESS_FILE
    judge.rows, judge.seconds_at_step, judge._resuming = rows, seconds_at_step, True
    return judge


def test_a_resumed_run_keeps_the_judgements_and_clock_up_to_its_checkpoint(bench, tmp_path):
    rows = [{"step": 500}, {"step": 1000}, {"step": 1500}]
    judge = _stopped_judge(bench, tmp_path, rows, {"500": 200.0, "1000": 410.0, "1500": 600.0})
    judge._continue_from(1000)  # the newest checkpoint was damaged: the trainer restored step 1,000
    assert judge.training_seconds == 410.0
    assert [row["step"] for row in judge.rows] == [500, 1000]
    assert set(judge.seconds_at_step) == {"500", "1000"}
    assert judge._resuming is False


def test_a_run_stopped_before_its_progress_was_saved_gets_an_estimated_clock(bench, tmp_path, capsys):
    judge = _stopped_judge(bench, tmp_path, [{"step": 460}], {"460": 92.0, "470": 94.0})
    judge._continue_from(480)  # killed after the trainer's checkpoint, before the bench's save
    assert judge.training_seconds == pytest.approx(94.0 / 470 * 480)
    assert "estimated" in capsys.readouterr().out


def test_a_run_with_no_saved_time_cannot_be_resumed(bench, tmp_path):
    judge = _stopped_judge(bench, tmp_path, [], {})
    with pytest.raises(ValueError, match="without --resume"):
        judge._continue_from(500)


@pytest.mark.parametrize("text", ["{not json", '{"rows": 3}', "[]"])
def test_a_damaged_progress_file_is_named_in_one_line(bench, tmp_path, text):
    path = tmp_path / bench.PROGRESS_FILE
    path.write_text(text)
    with pytest.raises(ValueError, match=f"{bench.PROGRESS_FILE} cannot be read"):
        bench._read_progress(path)


def test_resume_without_a_bench_run_is_one_line_and_exit_2(tmp_path):
    result = subprocess.run([sys.executable, str(BENCH / "bench_quick_profile.py"), "--profile", "smoke",
                             "--resume", "--run-dir", str(tmp_path)], capture_output=True, text=True)
    assert result.returncode == 2
    assert "Traceback" not in result.stderr  # (above the line: TensorFlow's start-up log)
    assert result.stderr.strip().splitlines()[-1] == (
        f"error: --resume: {tmp_path} holds no bench_progress.json, so it is no bench run to continue; leave "
        f"out --resume to start one")


@pytest.mark.parametrize("flag, value, allowed", [("--faces-per-pair", "1", "at least 2"),
                                                  ("--judge-every", "0", "at least 1"),
                                                  ("--seed", "-1", "at least 0")])
def test_a_bad_count_is_refused_before_any_work(flag, value, allowed, tmp_path):
    result = subprocess.run([sys.executable, str(BENCH / "bench_quick_profile.py"), "--profile", "smoke", flag,
                             value, "--run-dir", str(tmp_path)], capture_output=True, text=True)
    assert result.returncode == 2
    assert "Traceback" not in result.stderr
    last = result.stderr.strip().splitlines()[-1]
    assert flag in last and allowed in last, last
