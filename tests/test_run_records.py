import tensorflow as tf
from tensorboard.backend.event_processing.event_accumulator import EventAccumulator

from acgan_lib.run_records import HISTORY_COLUMNS, RunRecords, read_history


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
