"""Fault check: kill a training at random moments, resume it, and compare with a run never interrupted.

Run from the repository root (a few minutes on two cores):

    .venv/bin/python bench/fault_kill_resume.py                 # 10 kills, the quick profile at batch 8
    .venv/bin/python bench/fault_kill_resume.py --kills 3 --steps 30

It trains ``--steps`` steps of the quick profile's models and settings (batch norm, cosine schedule, mode
seeking, minibatch spread, the ACGAN head) at a small batch, with op determinism, once without
interruption. Then, ``--kills`` times, it starts the same training in a fresh folder, sends SIGKILL at a
random moment (a fifth of them during start-up, the others while steps run: once a step drawn at random
has its history row, after a random part of a step's time, so in a step, a checkpoint or a sample grid;
an earlier version drew the moment over the whole run and sent most kills after the last step), resumes
the folder with ``--resume`` (or starts it over when the kill came before the first checkpoint, as a user
would), and compares. A resumed run passes when it finishes with every history step once and a generator
whose weights equal the uninterrupted run's bit for bit.

Prints a table (one row per kill: when, the last checkpoint on disk, how it went on, the largest weight
difference, the first step whose losses differ from the uninterrupted run's) and the same as JSON, also
written to bench/results/fault_kill_resume.json. A failed kill's run folder is kept beside it
(bench/results/fault_kill_<n>/, with what the resume printed), and its JSON row says whether the killed
process's own rows already differed (``different_before_resume``: the training, not the resume, parted).
"""

from __future__ import annotations

import argparse
import json
import random
import shutil
import signal
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import numpy as np

REPO_ROOT = Path(__file__).resolve().parents[1]
RESULTS = REPO_ROOT / "bench" / "results" / "fault_kill_resume.json"


def train_command(run_dir: Path, steps: int, *extra: str) -> list[str]:
    return [sys.executable, "-m", "acgan_lib", "train", "--profile", "quick", "--batch-size", "8",
            "--steps", str(steps), "--checkpoint-every", "5", "--deterministic", "--no-progress",
            "--out", str(run_dir), *extra]


def generator_weights(run_dir: Path) -> list[np.ndarray]:
    import keras

    return keras.models.load_model(run_dir / "generator.keras", safe_mode=True).get_weights()


def history_losses(run_dir: Path) -> dict[int, tuple[float, float]]:
    """Each step's (d_loss, g_loss), the numbers that tell where two runs part."""
    from acgan_lib.run_records import read_history

    if not (run_dir / "history.csv").exists():
        return {}
    return {row["step"]: (row["d_loss"], row["g_loss"]) for row in read_history(run_dir / "history.csv")}


def first_difference(rows: dict, expected: dict) -> int | None:
    """The first step whose losses differ from the uninterrupted run's, or None."""
    return next((step for step in sorted(rows) if rows[step] != expected.get(step)), None)


START_UP_SHARE = 0.2  # of the kills, the share sent during start-up; the others come while steps run


def wait_for_step(run_dir: Path, process: subprocess.Popen, step: int) -> float:
    """Wait until the run's history.csv holds ``step`` rows (or the process ends); return the time."""
    history = run_dir / "history.csv"
    while process.poll() is None and not (history.exists() and history.read_text().count("\n") >= step + 1):
        time.sleep(0.005)
    return time.perf_counter()


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--kills", type=int, default=10)
    parser.add_argument("--steps", type=int, default=60)
    parser.add_argument("--seed", type=int, default=0, help="of the kill moments")
    arguments = parser.parse_args()
    rng = random.Random(arguments.seed)
    with tempfile.TemporaryDirectory() as scratch:
        scratch = Path(scratch)
        started = time.perf_counter()
        whole = subprocess.Popen(train_command(scratch / "whole", arguments.steps), stdout=subprocess.DEVNULL,
                                 stderr=subprocess.DEVNULL)
        first_step = wait_for_step(scratch / "whole", whole, 1)
        step_seconds = (wait_for_step(scratch / "whole", whole, arguments.steps) - first_step) / (arguments.steps - 1)
        start_up_seconds = first_step - started
        if whole.wait() != 0:
            sys.exit("the uninterrupted run failed; run its command by hand to see why")
        print(f"uninterrupted: start-up {start_up_seconds:.1f} s, then {step_seconds * 1000:.0f} ms a step "
              f"(checkpoints and sample grids included)")
        expected = generator_weights(scratch / "whole")
        expected_losses = history_losses(scratch / "whole")
        rows = []
        for kill in range(arguments.kills):
            run_dir = scratch / f"killed_{kill}"
            launched = time.perf_counter()
            process = subprocess.Popen(train_command(run_dir, arguments.steps), stdout=subprocess.DEVNULL,
                                       stderr=subprocess.DEVNULL)
            if rng.random() < START_UP_SHARE:  # during start-up: data, models, tracing the step
                time.sleep(rng.uniform(0.0, start_up_seconds))
            else:  # while steps run, after a step drawn at random: in a step, a checkpoint, a sample grid
                wait_for_step(run_dir, process, rng.randint(1, arguments.steps - 1))
                time.sleep(rng.uniform(0.0, step_seconds))
            moment = time.perf_counter() - launched
            process.send_signal(signal.SIGKILL)
            process.wait()
            checkpoints = sorted((run_dir / "checkpoints").glob("ckpt-*.index"), key=lambda path: int(path.stem[5:]))
            last = checkpoints[-1].stem if checkpoints else "none"
            # Rows the killed process wrote that differ already: the training itself, not the resume, parted.
            before_resume = first_difference(history_losses(run_dir), expected_losses)
            resume = ["--resume"] if checkpoints else []
            finished = subprocess.run(train_command(run_dir, arguments.steps, *resume), capture_output=True, text=True)
            row = {"kill": kill, "seconds": round(moment, 1), "last_checkpoint": last,
                   "then": "resumed" if resume else "started over", "exit": finished.returncode}
            if finished.returncode == 0:
                got = generator_weights(run_dir)
                row["max_weight_difference"] = max(float(np.max(np.abs(a - b))) for a, b in zip(expected, got))
                losses = history_losses(run_dir)
                row["history_whole"] = sorted(losses) == list(range(1, arguments.steps + 1))
                row["first_different_step"] = first_difference(losses, expected_losses)
            else:
                row["error"] = finished.stderr.strip().splitlines()[-1] if finished.stderr.strip() else ""
            row["different_before_resume"] = before_resume
            row["passed"] = row.get("max_weight_difference") == 0.0 and row.get("history_whole", False)
            if not row["passed"]:  # kept for a look: the folder and what the resume printed
                kept = RESULTS.parent / f"fault_kill_{kill}"
                shutil.rmtree(kept, ignore_errors=True)
                shutil.copytree(run_dir, kept)
                (kept / "resume_output.txt").write_text(finished.stdout + finished.stderr)
            rows.append(row)
            print(json.dumps(row), flush=True)
    print(f"\n{'kill':>4} {'at s':>6} {'checkpoint':>11} {'then':>13} {'max |dw|':>10} {'parted at':>9}  passed")
    for row in rows:
        difference = row.get("max_weight_difference")
        parted = row.get("first_different_step")
        print(f"{row['kill']:4d} {row['seconds']:6.1f} {row['last_checkpoint']:>11} {row['then']:>13} "
              f"{'-' if difference is None else f'{difference:.3g}':>10} {'-' if parted is None else parted:>9}  "
              f"{'yes' if row['passed'] else 'NO'}")
    report = {"steps": arguments.steps, "start_up_seconds": start_up_seconds, "step_seconds": step_seconds,
              "kills": rows,
              "passed": sum(row["passed"] for row in rows)}
    RESULTS.parent.mkdir(parents=True, exist_ok=True)
    RESULTS.write_text(json.dumps(report, indent=2) + "\n")
    print(f"{report['passed']} of {len(rows)} killed runs ended with the uninterrupted run's weights")


if __name__ == "__main__":
    main()
