"""What a training run leaves in its folder, besides checkpoints.

```
runs/NAME/
  run.json          settings, status (running, finished, diverged) and steps done
  history.csv       one row per generator step, a header naming the columns
  history.json      the same rows, for notebooks and tools that prefer JSON
  monitor.json      what the monitor noticed, and at which step
  tensorboard/      the same numbers as TensorBoard scalars, plus sample grids
  samples/          a grid from fixed noise every epoch, and progress.gif at the end
  checkpoints/      tf.train.CheckpointManager files (see training.py)
  generator.keras   the trained generator, for sampling, evaluation and the playground
```

``history.csv`` is written as the run goes, a row at a time, so a killed run keeps its numbers; a resumed
run first drops the rows after the checkpoint it resumes from (and a last row a kill cut short, saying
so), so every row matches the weights that produced it. Every other file is written whole or not at all
(``paths.write_atomic``). While a process trains in the folder it holds ``.lock`` (``RunLock``), so a
second training of the same folder stops at once instead of interleaving its rows and checkpoints.
"""

from __future__ import annotations

import csv
import fcntl
import io
import json
import math
import os
import sys
from pathlib import Path

import numpy as np
from PIL import Image

from .grids import save_labelled_grid
from .paths import write_atomic, write_text_atomic

HISTORY_COLUMNS = (
    "step",
    "d_loss",
    "g_loss",
    "d_accuracy",
    "d_real_accuracy",
    "d_fake_accuracy",
    "g_accuracy",
    "hair_accuracy_real",
    "eye_accuracy_real",
    "hair_accuracy_fake",
    "eye_accuracy_fake",
    "d_grad_norm",
    "g_grad_norm",
    "real_spread",
    "fake_spread",
    "seconds",
)


class RunRecords:
    """Appends history rows, writes sample grids, and keeps run.json up to date for one run folder."""

    def __init__(self, run_dir: Path, keep_until_step: int = 0):
        self.run_dir = Path(run_dir)
        self.samples_dir = self.run_dir / "samples"
        self.samples_dir.mkdir(parents=True, exist_ok=True)
        self.history_path = self.run_dir / "history.csv"
        self.rows = [row for row in read_history(self.history_path) if row["step"] <= keep_until_step]
        self._rewrite_csv()
        self._writer = None
        self._write_scalars = None

    def append(self, row: dict) -> None:
        """Record one step's numbers (keys: HISTORY_COLUMNS), on disk at once."""
        self.rows.append({column: row[column] for column in HISTORY_COLUMNS})
        with self.history_path.open("a", newline="") as file:
            csv.DictWriter(file, HISTORY_COLUMNS).writerow(self.rows[-1])
        self._tensorboard_scalars(self.rows[-1])

    def save_samples(self, step: int, grid: np.ndarray) -> Path:
        """Write a uint8 sample grid (``grids.labelled_grid``) as ``samples/step_NNNNNN.png`` (and to
        TensorBoard)."""
        path = self.samples_dir / f"step_{step:06d}.png"
        write_atomic(path, lambda partial: save_labelled_grid(grid, partial))
        import tensorflow as tf

        with self._tensorboard().as_default():
            tf.summary.image("samples", grid[None], step=step)
        return path

    def write_json(self, monitor_findings: list[dict]) -> None:
        """Write history.json and monitor.json from what has been recorded so far."""
        write_text_atomic(self.run_dir / "history.json", json.dumps(self.rows, indent=1) + "\n")
        write_text_atomic(self.run_dir / "monitor.json", json.dumps(monitor_findings, indent=2) + "\n")

    def make_gif(self) -> Path | None:
        """Join the sample grids into ``samples/progress.gif`` (one frame per grid, the last held longer)."""
        frames = [Image.open(path) for path in sorted(self.samples_dir.glob("step_*.png"))]
        if not frames:
            return None
        path = self.samples_dir / "progress.gif"
        durations = [400] * (len(frames) - 1) + [1500]
        write_atomic(path, lambda partial: frames[0].save(partial, save_all=True, append_images=frames[1:],
                                                          duration=durations, loop=0))
        return path

    def close(self) -> None:
        if self._writer is not None:
            self._writer.flush()

    def _rewrite_csv(self) -> None:
        text = io.StringIO(newline="")
        writer = csv.DictWriter(text, HISTORY_COLUMNS)
        writer.writeheader()
        writer.writerows(self.rows)
        write_atomic(self.history_path, lambda partial: partial.write_text(text.getvalue(), newline=""))

    def _tensorboard(self):
        if self._writer is None:
            import tensorflow as tf

            self._writer = tf.summary.create_file_writer(str(self.run_dir / "tensorboard"))
        return self._writer

    def _tensorboard_scalars(self, row: dict) -> None:
        """One compiled call writes the row's numbers (a scalar at a time, eagerly, cost 9 ms a row)."""
        import tensorflow as tf

        if self._write_scalars is None:
            writer = self._tensorboard()

            @tf.function(reduce_retracing=True)
            def write_scalars(values, step, names):  # traced once for each set of NaN-free columns
                with writer.as_default():
                    for index, name in enumerate(names):
                        tf.summary.scalar(name, values[index], step=step)

            self._write_scalars = write_scalars
        names = tuple(name for name, value in row.items() if name != "step" and not math.isnan(value))
        self._write_scalars(tf.constant([row[name] for name in names], tf.float32),
                            tf.constant(row["step"], tf.int64), names)


def read_history(path: Path) -> list[dict]:
    """The rows of a history.csv as dicts of numbers (step as int); [] when there is no file yet.

    A last row that a kill cut short is left out, with a notice; a damaged row before it is a ValueError."""
    path = Path(path)
    if not path.exists():
        return []
    try:
        with path.open(newline="") as file:
            reader = csv.DictReader(file)
            lines = list(reader)
    except UnicodeDecodeError as error:
        raise ValueError(f"{path} is not UTF-8 text ({error}); the history is damaged") from None
    if reader.fieldnames is not None and tuple(reader.fieldnames) != HISTORY_COLUMNS:
        raise ValueError(f"{path} has the columns {', '.join(reader.fieldnames)[:200]}, not "
                         f"{', '.join(HISTORY_COLUMNS)}; the history is damaged or from another version")
    rows = []
    for number, row in enumerate(lines, start=2):  # line 1 is the header
        try:
            rows.append({name: int(value) if name == "step" else float(value) for name, value in row.items()})
        except (TypeError, ValueError):
            if number - 1 < len(lines):
                raise ValueError(f"{path}, line {number}, is not a row of numbers; the history is damaged") from None
            print(f"{path}: the last row was cut short (a killed run?) and is left out", file=sys.stderr)
    return rows


def read_findings(run_dir: Path) -> list[dict]:
    """What the monitor noted in a run so far (monitor.json), [] when it noted nothing yet."""
    path = Path(run_dir) / "monitor.json"
    if not path.exists():
        return []
    findings = _read_json(path)
    if not isinstance(findings, list) or not all(
            isinstance(finding, dict) and type(finding.get("step")) is int for finding in findings):
        raise _damaged(path, "expected a list of findings, each with its step")
    return findings


RUN_INFO_FIELDS = ("status", "step", "profile", "data")  # what every run.json holds (and "steps")


def read_run_info(run_dir: Path) -> dict | None:
    """The run's run.json, or None for a folder that holds no run yet. One that does not hold a run's
    record (status, step, profile, data) is a ValueError naming the file."""
    path = Path(run_dir) / "run.json"
    if not path.exists():
        return None
    info = _read_json(path)
    if not isinstance(info, dict) or not all(name in info for name in RUN_INFO_FIELDS):
        raise _damaged(path, f"expected an object with {', '.join(RUN_INFO_FIELDS)}")
    if not isinstance(info["profile"], dict):
        raise _damaged(path, "its profile is not an object of fields")
    if not (isinstance(info["data"], dict) and len(info["data"]) == 1):
        raise _damaged(path, "its data is not one source, such as {\"synthetic\": null}")
    return info


def _read_json(path: Path):
    """The JSON in ``path``; text that is not JSON (a file cut short, emptied, bytes flipped) is a
    ValueError naming the file."""
    try:
        return json.loads(path.read_text(encoding="utf-8"))
    except (UnicodeDecodeError, json.JSONDecodeError) as error:
        raise _damaged(path, str(error)) from None


def _damaged(path: Path, reason: str) -> ValueError:
    return ValueError(f"{path} is damaged ({reason}); restore it, or train a new run in another folder")


def write_run_info(run_dir: Path, info: dict) -> None:
    """Replace run.json whole (a kill never leaves half of it)."""
    path = Path(run_dir) / "run.json"
    path.parent.mkdir(parents=True, exist_ok=True)
    write_text_atomic(path, json.dumps(info, indent=2) + "\n")


class RunFolderBusy(OSError):
    """Another process is training in the run folder."""


class RunLock:
    """An OS lock on ``run_dir/.lock`` for as long as a ``with`` block trains there; the lock file holds the
    holder's pid. The operating system releases it when the process ends, however it ends, so a killed
    run never leaves a stale lock."""

    def __init__(self, run_dir: Path):
        self.path = Path(run_dir) / ".lock"
        self._file = None

    def __enter__(self) -> RunLock:
        self.path.parent.mkdir(parents=True, exist_ok=True)
        file = self.path.open("a+")
        try:
            fcntl.flock(file, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except BlockingIOError:
            file.seek(0)
            holder = file.read().strip() or "unknown"
            file.close()
            raise RunFolderBusy(f"{self.path.parent} is in use by another training (process {holder}); wait "
                                f"for it to finish, or train in another folder") from None
        file.seek(0)
        if file.read() != f"{os.getpid()}\n":  # (unchanged when this process held it before)
            file.seek(0)
            file.truncate()
            file.write(f"{os.getpid()}\n")
            file.flush()
        self._file = file
        return self

    def __exit__(self, *exception) -> None:
        self._file.close()  # closing the file releases the lock
        self._file = None
