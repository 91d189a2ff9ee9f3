import os
import subprocess
import sys

import pytest
import tensorflow as tf
from tensorboard.backend.event_processing.event_accumulator import EventAccumulator

from acgan_lib.run_records import (
    HISTORY_COLUMNS,
    RunFolderBusy,
    RunLock,
    RunRecords,
    read_findings,
    read_history,
    read_run_info,
)


def test_history_rows_reach_tensorboard_as_scalars_and_nan_values_are_left_out(tmp_path):
    records = RunRecords(tmp_path)
    for step in (1, 2, 3):
        row = {column: 0.25 * step for column in HISTORY_COLUMNS}
        row["step"] = step
        row["hair_accuracy_real"] = float("nan") if step == 2 else 0.5  # a head without classes reports NaN
        records.append(row)
    records.close()
    assert [row["step"] for row in read_history(tmp_path / "history.csv")] == [1, 2, 3]
    events = EventAccumulator(str(tmp_path / "tensorboard"), size_guidance={"tensors": 0})
    events.Reload()
    assert set(events.Tags()["tensors"]) == set(HISTORY_COLUMNS) - {"step"}
    d_loss = [(event.step, float(tf.make_ndarray(event.tensor_proto))) for event in events.Tensors("d_loss")]
    assert d_loss == [(1, 0.25), (2, 0.5), (3, 0.75)]
    assert [event.step for event in events.Tensors("hair_accuracy_real")] == [1, 3]


def _rows(count):
    return [{**{column: 0.5 for column in HISTORY_COLUMNS}, "step": step} for step in range(1, count + 1)]


def test_a_last_row_cut_short_is_left_out_with_a_notice_and_dropped_on_resume(tmp_path, capsys):
    records = RunRecords(tmp_path)
    for row in _rows(3):
        records.append(row)
    records.close()
    path = tmp_path / "history.csv"
    path.write_text(path.read_text() + "4,0.5,0.")  # a kill in the middle of a row
    assert [row["step"] for row in read_history(path)] == [1, 2, 3]
    assert "cut short" in capsys.readouterr().err
    resumed = RunRecords(tmp_path, keep_until_step=3)
    resumed.append(_rows(4)[-1])
    assert [row["step"] for row in read_history(path)] == [1, 2, 3, 4]


def test_a_damaged_row_before_the_last_is_an_error_that_names_the_line(tmp_path):
    path = tmp_path / "history.csv"
    RunRecords(tmp_path).append(_rows(1)[0])
    path.write_text(path.read_text() + "x,y\n" + path.read_text().splitlines()[1] + "\n")
    with pytest.raises(ValueError, match="line 3, is not a row of numbers"):
        read_history(path)


def test_a_second_training_of_a_folder_is_refused_while_the_first_holds_it(tmp_path):
    with RunLock(tmp_path):
        with pytest.raises(RunFolderBusy, match=rf"in use by another training \(process {os.getpid()}\)"):
            with RunLock(tmp_path):
                pass
    with RunLock(tmp_path):  # released when the first ended
        pass


def test_a_lock_held_by_another_process_is_refused_and_released_when_it_dies(tmp_path):
    holder = subprocess.Popen([sys.executable, "-c", (
        "import sys, time; from acgan_lib.run_records import RunLock\n"
        f"lock = RunLock({str(tmp_path)!r}).__enter__(); print('held', flush=True); time.sleep(60)")],
        stdout=subprocess.PIPE, text=True)
    try:
        assert holder.stdout.readline().strip() == "held"
        with pytest.raises(RunFolderBusy, match=f"process {holder.pid}"):
            RunLock(tmp_path).__enter__()
    finally:
        holder.kill()
        holder.wait()
    with RunLock(tmp_path):  # a killed holder leaves no stale lock
        pass


@pytest.mark.parametrize("text", ['{"status": "fini', "", "[]", "{}", '{"status": "finished", "step": 4, "profile": []}',
                                  '{"status": "finished", "step": 4, "profile": {}, "data": {}}'])
def test_a_damaged_run_json_is_an_error_that_names_the_file(tmp_path, text):
    (tmp_path / "run.json").write_text(text)
    with pytest.raises(ValueError, match=f"{tmp_path / 'run.json'} is damaged"):
        read_run_info(tmp_path)


def test_a_run_json_that_is_not_utf8_is_an_error_that_names_the_file(tmp_path):
    (tmp_path / "run.json").write_bytes(b"\xff\xfe{}")
    with pytest.raises(ValueError, match="run.json is damaged"):
        read_run_info(tmp_path)


@pytest.mark.parametrize("text", ['{"x":', '{"a": 1}', '[{"x": 1}]', '[{"step": "3"}]', "\udcff"])
def test_a_damaged_monitor_json_is_an_error_that_names_the_file(tmp_path, text):
    (tmp_path / "monitor.json").write_bytes(text.encode("utf-8", "surrogateescape"))
    with pytest.raises(ValueError, match=f"{tmp_path / 'monitor.json'} is damaged"):
        read_findings(tmp_path)


def test_a_history_that_is_not_utf8_or_has_another_header_is_an_error_that_names_the_file(tmp_path):
    path = tmp_path / "history.csv"
    path.write_bytes(b"\xff\xfe\x00garbage\n1,2\n")
    with pytest.raises(ValueError, match=f"{path} is not UTF-8 text"):
        read_history(path)
    path.write_text("a,b,c\n1,2,3\n")
    with pytest.raises(ValueError, match=f"{path} has the columns a, b, c, not step, d_loss"):
        read_history(path)
