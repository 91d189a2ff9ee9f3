"""Benchmark of training: the fused step against the seed-style loop, its GFLOP/s, and a run's peak memory.

Run from the repository root:

    .venv/bin/python bench/bench_training.py                      # quick and full, batch 32
    .venv/bin/python bench/bench_training.py --profiles quick --steps 5 --rounds 3

For each profile it builds a ``GANTrainer`` and a ``SeedStyleTrainer`` on the same G and D (the profile's
models with the seed's concat head and ``profiles.SEED_RECIPE``, what the seed's loop trains), warms both up
(tracing and compiling are not timed), and then, in several rounds, times ``--steps`` fused steps, the
same number of seed-style steps, and a large float32 matmul. A shared machine is noisy, so the three are
measured next to each other in every round (in alternating order) and every figure is the median over
rounds of a per-round value (but "% best/best", below); the JSON keeps each round, so the spread is visible.

What the figures mean:
- images/s: the images D judges per second; a step shows D ``batch_size`` real faces and ``batch_size``
  fakes, so 2 * batch_size images per step (the same count for both loops).
- speed-up: fused images/s over seed-style images/s.
- achieved GFLOP/s: the FLOPs of one fused step (``flops.fused_step_flops``, counted from the models with
  ``flops.forward_flops``) over the measured seconds per step.
- % of matmul: that over the GFLOP/s of a ``MATMUL_SIZE`` square float32 ``tf.linalg.matmul`` under
  ``tf.function`` in the same round: how close the convolutions come to what the machine's best-tuned
  kernel reaches.
- % best/best: the best round's fused GFLOP/s over the best round's matmul GFLOP/s, the least disturbed
  figures; a busy machine slows the two-threaded matmul more than the step, so per-round percentages read
  high when the machine is busy, and this one does not.
- peak memory: the largest resident set of ``python -m acgan_lib train --profile quick`` run as a child
  process, which renders and caches its dataset (into a temporary folder) before training.

It prints a table, the targets of the "Combined training" issue and whether each was met, and the same as
JSON, which it also writes to bench/results/training.json.
"""

from __future__ import annotations

import argparse
import json
import os
import platform
import resource
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import keras
import numpy as np
import tensorflow as tf

from acgan_lib.data_cache import synthetic_dataset
from acgan_lib.flops import FLOP_CONVENTION, forward_flops, fused_step_flops
from acgan_lib.pipeline import make_dataset
from acgan_lib.profiles import PROFILES, SEED_RECIPE, get_profile
from acgan_lib.seed_style import SeedStyleTrainer
from acgan_lib.training import GANTrainer

BATCH_SIZE = 32
STEPS_PER_ROUND = {"smoke": 10, "quick": 5, "full": 1}  # per loop and round; --steps overrides
ROUNDS = 5
WARM_UP_STEPS = 2  # the first call traces and compiles; a second one makes sure timing starts warm
BENCH_FACES = 512  # faces rendered for timing: a step's cost does not depend on the dataset's size
MATMUL_SIZE = 2048
MATMUL_REPEATS = 5
# Time budgets are stated for a machine whose MATMUL_SIZE matmul runs at this rate (the project's quiet
# 2-core machine); a bench multiplies measured seconds by (measured rate / this) to compare with them.
REFERENCE_GFLOPS = 116.0
MEMORY_PROFILE = "quick"
MEMORY_STEPS = 20
TARGET_SPEED_UP = 2.0
TARGET_PERCENT_OF_MATMUL = {"quick": 40.0, "full": 70.0}
TARGET_PEAK_MEMORY_GB = 3.0
REPO_ROOT = Path(__file__).resolve().parents[1]
RESULTS = REPO_ROOT / "bench" / "results" / "training.json"


class MatmulReference:
    """A ``size`` x ``size`` float32 matmul under ``tf.function``: the machine's reference GFLOP/s."""

    def __init__(self, size: int, repeats: int):
        self.size, self.repeats = size, repeats
        self.left = tf.random.stateless_normal((size, size), seed=(1, 2))
        self.right = tf.random.stateless_normal((size, size), seed=(3, 4))
        self.matmul = tf.function(tf.linalg.matmul)
        self.matmul(self.left, self.right).numpy()  # trace before timing

    def gflops_per_second(self) -> float:
        """GFLOP/s over ``repeats`` back-to-back products (2 * size**3 FLOPs each)."""
        started = time.perf_counter()
        for _ in range(self.repeats):
            product = self.matmul(self.left, self.right)
        product.numpy()
        seconds = (time.perf_counter() - started) / self.repeats
        return 2 * self.size**3 / seconds / 1e9


class ProfileBench:
    """A fused trainer and a seed-style trainer sharing one G and D, ready to time steps of either."""

    def __init__(self, profile_name: str, steps: int, work_dir: Path):
        # The seed's loop runs the seed's head and recipe; both loops then do the same arithmetic.
        self.profile = get_profile(profile_name, batch_size=BATCH_SIZE, head="concat", **SEED_RECIPE)
        self.steps = steps
        faces = synthetic_dataset(BENCH_FACES, self.profile.image_size, seed=self.profile.seed, directory=work_dir)
        self.trainer = GANTrainer(self.profile, work_dir / f"run_{profile_name}")
        self.seed_style = SeedStyleTrainer(self.trainer.generator, self.trainer.discriminator, self.profile)
        stream = make_dataset(faces.images, faces.hair_ids, faces.eye_ids, BATCH_SIZE, self.profile.pixel_range,
                              seed=self.profile.seed, epochs=None)
        self.fused_batches = iter(self.trainer.strategy.experimental_distribute_dataset(stream))
        self.numpy_batches = list(stream.take(steps).as_numpy_iterator())  # the stream's first batches
        self.step_flops = fused_step_flops(forward_flops(self.trainer.generator),
                                           forward_flops(self.trainer.discriminator),
                                           BATCH_SIZE, self.profile.d_steps_per_g_step)

    def warm_up(self) -> None:
        """Trace the fused step and compile the seed-style loop's three Keras functions, untimed."""
        for _ in range(WARM_UP_STEPS):
            self.trainer.train_step(self.fused_batches)["d_loss"].numpy()
            self.seed_style.train_step(*self.numpy_batches[0])

    def fused_seconds_per_step(self) -> float:
        """Wall-clock seconds per fused step, over ``steps`` steps fed by the tf.data iterator."""
        started = time.perf_counter()
        for _ in range(self.steps):
            numbers = self.trainer.train_step(self.fused_batches)
        numbers["d_loss"].numpy()  # wait for the last step to finish
        return (time.perf_counter() - started) / self.steps

    def seed_style_seconds_per_step(self) -> float:
        """Wall-clock seconds per seed-style step, over the same batches as numpy arrays."""
        started = time.perf_counter()
        for real_images, hair_ids, eye_ids in self.numpy_batches:
            self.seed_style.train_step(real_images, hair_ids, eye_ids)  # returns floats: already synchronised
        return (time.perf_counter() - started) / len(self.numpy_batches)

    def measure_round(self, matmul: MatmulReference, reverse: bool) -> dict:
        """One round: fused steps, seed-style steps and the matmul, in this or the reverse order."""
        measurements = [
            ("fused_seconds_per_step", self.fused_seconds_per_step),
            ("seed_style_seconds_per_step", self.seed_style_seconds_per_step),
            ("matmul_gflops_per_s", matmul.gflops_per_second),
        ]
        measured = {name: measure() for name, measure in (reversed(measurements) if reverse else measurements)}
        result = {name: measured[name] for name, _ in measurements}  # the same key order every round
        images_per_step = 2 * BATCH_SIZE
        result["fused_images_per_s"] = images_per_step / result["fused_seconds_per_step"]
        result["seed_style_images_per_s"] = images_per_step / result["seed_style_seconds_per_step"]
        result["speed_up"] = result["fused_images_per_s"] / result["seed_style_images_per_s"]
        result["fused_gflops_per_s"] = self.step_flops / result["fused_seconds_per_step"] / 1e9
        result["percent_of_matmul"] = 100 * result["fused_gflops_per_s"] / result["matmul_gflops_per_s"]
        return result


def benchmark_profile(profile_name: str, steps: int, rounds: int, matmul: MatmulReference) -> dict:
    """Warm up both loops for one profile, measure ``rounds`` rounds, and summarise them by their medians."""
    with tempfile.TemporaryDirectory(prefix=f"bench_training_{profile_name}_") as work_dir:
        bench = ProfileBench(profile_name, steps, Path(work_dir))
        warm_up_started = time.perf_counter()
        bench.warm_up()
        warm_up_seconds = time.perf_counter() - warm_up_started
        measured = [bench.measure_round(matmul, reverse=index % 2 == 1) for index in range(rounds)]
    summary = {name: statistics.median(one_round[name] for one_round in measured) for name in measured[0]}
    return {
        "profile": profile_name,
        "batch_size": BATCH_SIZE,
        "steps_per_round": steps,
        "step_gflop": bench.step_flops / 1e9,
        "warm_up_seconds": warm_up_seconds,
        **summary,
        "least_disturbed_percent_of_matmul": least_disturbed_percent_of_matmul(measured),
        "rounds": measured,
    }


def least_disturbed_percent_of_matmul(rounds: list[dict]) -> float:
    """The best fused GFLOP/s of any round over the best matmul GFLOP/s of any round.

    Other processes only ever slow a measurement down, so the best figures are the least disturbed ones.
    """
    best_fused = max(one_round["fused_gflops_per_s"] for one_round in rounds)
    best_matmul = max(one_round["matmul_gflops_per_s"] for one_round in rounds)
    return 100 * best_fused / best_matmul


def peak_training_memory(profile_name: str, steps: int) -> dict:
    """Peak resident memory of ``python -m acgan_lib train`` for ``steps`` steps, dataset rendering included.

    The child gets an empty data folder, so it renders and caches its dataset as a first run would.
    ``RUSAGE_CHILDREN`` reports the largest child this process has waited for, so call this before
    starting any other child process.
    """
    with tempfile.TemporaryDirectory(prefix="bench_training_memory_") as work_dir:
        command = [sys.executable, "-m", "acgan_lib", "train", "--profile", profile_name, "--steps", str(steps),
                   "--out", str(Path(work_dir) / "run"), "--no-progress"]
        environment = {**os.environ, "ACGAN_DATA_DIR": str(Path(work_dir) / "data")}
        started = time.perf_counter()
        finished = subprocess.run(command, cwd=REPO_ROOT, env=environment, capture_output=True, text=True)
        seconds = time.perf_counter() - started
    if finished.returncode != 0:
        raise RuntimeError(f"{' '.join(command)} failed with status {finished.returncode}:\n{finished.stderr}")
    peak_kib = resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss  # KiB on Linux
    return {"profile": profile_name, "steps": steps, "seconds": seconds, "peak_rss_gb": peak_kib * 1024 / 1e9}


def target_checks(rows: list[dict], memory: dict | None) -> list[dict]:
    """The issue's targets that this run measured, each with the measured value and whether it was met."""
    checks = []
    for row in rows:
        checks.append(_check(f"{row['profile']}: fused step >= {TARGET_SPEED_UP:g}x the seed-style loop",
                             row["speed_up"], TARGET_SPEED_UP, at_least=True))
        if row["profile"] in TARGET_PERCENT_OF_MATMUL:
            target = TARGET_PERCENT_OF_MATMUL[row["profile"]]
            checks.append(_check(f"{row['profile']}: fused GFLOP/s >= {target:g}% of the matmul's",
                                 row["percent_of_matmul"], target, at_least=True))
    if memory is not None:
        checks.append(_check(f"{memory['profile']} training process peak memory < {TARGET_PEAK_MEMORY_GB:g} GB",
                             memory["peak_rss_gb"], TARGET_PEAK_MEMORY_GB, at_least=False))
    return checks


def _check(target: str, measured: float, limit: float, at_least: bool) -> dict:
    met = measured >= limit if at_least else measured < limit
    return {"target": target, "measured": round(measured, 3), "met": met}


def print_report(rows: list[dict], memory: dict | None, checks: list[dict]) -> None:
    print(f"{'profile':>8} {'fused img/s':>12} {'seed img/s':>11} {'ratio':>6} {'GFLOP/step':>11} "
          f"{'GFLOP/s':>8} {'matmul GFLOP/s':>15} {'% matmul':>9} {'% best/best':>12}")
    for row in rows:
        print(f"{row['profile']:>8} {row['fused_images_per_s']:>12.1f} {row['seed_style_images_per_s']:>11.1f} "
              f"{row['speed_up']:>6.2f} {row['step_gflop']:>11.2f} {row['fused_gflops_per_s']:>8.1f} "
              f"{row['matmul_gflops_per_s']:>15.1f} {row['percent_of_matmul']:>9.1f} "
              f"{row['least_disturbed_percent_of_matmul']:>12.1f}")
    if memory is not None:
        print(f"peak memory of `train --profile {memory['profile']} --steps {memory['steps']}` (dataset rendering "
              f"included): {memory['peak_rss_gb']:.2f} GB")
    for check in checks:
        print(f"target {'MET' if check['met'] else 'MISSED':>6}: {check['target']} (measured {check['measured']:g})")


def _rounded(value, digits: int = 3):
    """Floats in nested dicts and lists rounded for a readable JSON file."""
    if isinstance(value, float):
        return round(value, digits)
    if isinstance(value, dict):
        return {key: _rounded(item, digits) for key, item in value.items()}
    if isinstance(value, list):
        return [_rounded(item, digits) for item in value]
    return value


def _parse_arguments() -> argparse.Namespace:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--profiles", nargs="+", choices=tuple(PROFILES), default=["quick", "full"])
    parser.add_argument("--steps", type=int, default=None,
                        help=f"steps per loop and round (default per profile: {STEPS_PER_ROUND})")
    parser.add_argument("--rounds", type=int, default=ROUNDS, help="rounds; each figure is their median")
    parser.add_argument("--memory-steps", type=int, default=MEMORY_STEPS,
                        help="steps of the training process whose peak memory is measured (0: skip it)")
    arguments = parser.parse_args()
    for name in ("steps", "rounds"):
        value = getattr(arguments, name)
        if value is not None and value < 1:
            parser.error(f"--{name} must be a positive integer; got {value}")
    return arguments


def main() -> None:
    arguments = _parse_arguments()
    load_before = os.getloadavg()[0]
    memory = peak_training_memory(MEMORY_PROFILE, arguments.memory_steps) if arguments.memory_steps else None
    matmul = MatmulReference(MATMUL_SIZE, MATMUL_REPEATS)
    rows = [benchmark_profile(name, arguments.steps or STEPS_PER_ROUND[name], arguments.rounds, matmul)
            for name in arguments.profiles]
    load_after = os.getloadavg()[0]
    checks = target_checks(rows, memory)
    print_report(rows, memory, checks)
    print(f"load average (1 min) before/after: {load_before:.2f}/{load_after:.2f} on {os.cpu_count()} cores")
    report = {
        "benchmark": "training",
        "cpu_count": os.cpu_count(),
        "load_average_1min": {"before": load_before, "after": load_after},
        "machine": platform.machine(),
        "python": platform.python_version(),
        "tensorflow": tf.__version__,
        "keras": keras.__version__,
        "numpy": np.__version__,
        "matmul": {"size": MATMUL_SIZE, "repeats_per_round": MATMUL_REPEATS},
        "flop_convention": FLOP_CONVENTION,
        "results": rows,
        "peak_memory": memory,
        "targets": checks,
    }
    report = _rounded(report)
    RESULTS.parent.mkdir(parents=True, exist_ok=True)
    RESULTS.write_text(json.dumps(report, indent=2) + "\n")
    print(json.dumps(report, indent=2))


if __name__ == "__main__":
    main()
