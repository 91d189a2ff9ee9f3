"""Benchmark of the quick profile's promise: a default quick run, judged while it trains.

Run from the repository root:

    .venv/bin/python bench/bench_quick_profile.py                   # the quick profile as shipped
    .venv/bin/python bench/bench_quick_profile.py --set mode_seeking_weight=1.0 --set train_steps=3000

It trains the profile with ``GANTrainer`` on the built-in faces, the same code and data as
``python -m acgan_lib train --profile quick``, and every ``--judge-every`` steps judges the generator
(with the cached judge of ``judge.load_or_train_judge``):

- hair and eye accuracy: the judge's reading of ``--faces-per-pair`` faces for each of the 132 pairs;
- diversity: mean within-class MS-SSIM of those faces beside the same figure for real faces.

Training seconds are counted without the judging. It prints the training time and step at which each
target of the "Evaluation" issue was first met (hair >= 0.90, eyes >= 0.85, MS-SSIM at most 0.05 above
real, and all three at once), the within-class MS-SSIM of real faces blurred by 0.5 and 0.8 px (at 32 px
softness alone raises MS-SSIM, see ``evaluation.blurred_ms_ssim``), then the full ``evaluate_generator`` table
of the final generator, and the same as JSON, which it also writes to bench/results/quick_profile.json.
The run folder (history, sample grids, generator.keras) is kept in bench/results/quick_run unless
``--run-dir`` says otherwise.
"""

from __future__ import annotations

import argparse
import json
import platform
import shutil
import time
from pathlib import Path

import numpy as np

from acgan_lib.data_cache import synthetic_dataset
from acgan_lib.evaluation import (
    BLUR_SIGMAS,
    all_pairs,
    blurred_ms_ssim,
    conditional_accuracy,
    diversity,
    evaluate_generator,
    format_table,
    generator_source,
    pair_class_ids,
)
from acgan_lib.judge import load_or_train_judge, predict_labels
from acgan_lib.profiles import get_profile, parse_setting
from acgan_lib.training import GANTrainer

TARGETS = {"hair_accuracy": 0.90, "eye_accuracy": 0.85, "ms_ssim_above_real": 0.05}
TRAINING_MINUTES_ALLOWED = 15
JUDGE_EVERY = 250
FACES_PER_PAIR = 4
REAL_FACES_FOR_DIVERSITY = 4000
REPO_ROOT = Path(__file__).resolve().parents[1]
RESULTS = REPO_ROOT / "bench" / "results" / "quick_profile.json"
RUN_DIR = REPO_ROOT / "bench" / "results" / "quick_run"


def main() -> None:
    arguments = _parse_arguments()
    profile = get_profile(arguments.profile, **dict(arguments.set))
    dataset = synthetic_dataset(profile.dataset_size, profile.image_size, seed=profile.seed)
    judge = load_or_train_judge(profile.image_size, verbose=2).model
    shutil.rmtree(arguments.run_dir, ignore_errors=True)
    trainer = GANTrainer(profile, arguments.run_dir)
    judgement = ProgressJudge(judge, dataset, trainer, arguments.faces_per_pair, arguments.judge_every)
    started = time.perf_counter()
    trainer.fit(dataset.images, dataset.hair_ids, dataset.eye_ids, after_step=judgement.after_step)
    wall_seconds = time.perf_counter() - started
    final = evaluate_generator(
        generator_source(trainer.generator, profile.noise_distribution, profile.pixel_range), judge,
        dataset.images, dataset.hair_ids, dataset.eye_ids,
    )
    blurred = {f"sigma_{sigma}": value for sigma, value in
               blurred_ms_ssim(judgement.real_images, judgement.real_classes, BLUR_SIGMAS, pairs_per_class=4).items()}
    report = {
        "profile": profile.name,
        "overrides": dict(arguments.set),
        "machine": f"{platform.machine()}, {platform.processor() or 'cpu'}",
        "train_steps": profile.train_steps,
        "training_seconds": round(judgement.training_seconds, 1),
        "wall_seconds_with_judging": round(wall_seconds, 1),
        "training_minutes_allowed": TRAINING_MINUTES_ALLOWED,
        "targets": TARGETS,
        "first_met": judgement.first_met(),
        "progress": judgement.rows,
        "final": {key: value for key, value in final.items() if not key.endswith("_confusion")},
        "final_confusion": {key: final[key] for key in ("hair_confusion", "eye_confusion")},
        "ms_ssim_real_blurred": blurred,
        "run_dir": str(arguments.run_dir),
    }
    _print_report(report, final)
    RESULTS.parent.mkdir(parents=True, exist_ok=True)
    RESULTS.write_text(json.dumps(report, indent=2) + "\n")
    print(f"wrote {RESULTS}")


class ProgressJudge:
    """Judges a trainer's generator every few steps, keeping the training clock apart from the judging."""

    def __init__(self, judge, dataset, trainer, faces_per_pair: int, every: int):
        self.judge, self.trainer, self.profile, self.every = judge, trainer, trainer.profile, every
        hair_ids, eye_ids = all_pairs()
        self.hair_ids, self.eye_ids = np.repeat(hair_ids, faces_per_pair), np.repeat(eye_ids, faces_per_pair)
        real = np.random.default_rng(0).permutation(len(dataset.images))[:REAL_FACES_FOR_DIVERSITY]
        self.real_images = dataset.images[real]
        self.real_classes = pair_class_ids(dataset.hair_ids[real], dataset.eye_ids[real])
        self.rows: list[dict] = []
        self.training_seconds = 0.0
        self._clock = time.perf_counter()  # reset after each judgement, so judging is not counted

    def after_step(self, row: dict) -> None:
        """The training callback: add the time since the last call, and judge every ``every`` steps."""
        now = time.perf_counter()
        self.training_seconds += now - self._clock
        if row["step"] % self.every == 0 or row["step"] == self.profile.train_steps:
            self.rows.append({"step": row["step"], "training_seconds": round(self.training_seconds, 1),
                              **self.judge_generator()})
            print(_progress_line(self.rows[-1]), flush=True)
        self._clock = time.perf_counter()

    def judge_generator(self) -> dict:
        """Hair, eye and both accuracy of all 132 pairs, and within-class MS-SSIM against real faces."""
        source = generator_source(self.trainer.generator, self.profile.noise_distribution, self.profile.pixel_range)
        images = source(self.hair_ids, self.eye_ids, seed=0)
        accuracy = conditional_accuracy(self.hair_ids, self.eye_ids, *predict_labels(self.judge, images))
        spread = diversity(images, pair_class_ids(self.hair_ids, self.eye_ids), self.real_images,
                           self.real_classes, pairs_per_class=4, seed=0)
        return {**accuracy, "ms_ssim_generated": spread["ms_ssim_generated"], "ms_ssim_real": spread["ms_ssim_real"]}

    def first_met(self) -> dict:
        """For each target and for all at once: the first judged step that met it, and its training time."""
        checks = {
            "hair_accuracy": lambda row: row["hair_accuracy"] >= TARGETS["hair_accuracy"],
            "eye_accuracy": lambda row: row["eye_accuracy"] >= TARGETS["eye_accuracy"],
            "ms_ssim": lambda row: row["ms_ssim_generated"] <= row["ms_ssim_real"] + TARGETS["ms_ssim_above_real"],
        }
        checks["all"] = lambda row: all(check(row) for check in list(checks.values())[:3])
        met = {}
        for name, check in checks.items():
            row = next((row for row in self.rows if check(row)), None)
            met[name] = None if row is None else {"step": row["step"], "training_seconds": row["training_seconds"]}
        return met


def _progress_line(row: dict) -> str:
    return (f"step {row['step']:>5}  {row['training_seconds']:>6.0f} s  hair {row['hair_accuracy']:.3f}  "
            f"eyes {row['eye_accuracy']:.3f}  both {row['both_accuracy']:.3f}  MS-SSIM {row['ms_ssim_generated']:.3f} "
            f"(real {row['ms_ssim_real']:.3f})")


def _print_report(report: dict, final: dict) -> None:
    print(f"\n{report['profile']} profile {report['overrides'] or ''}: {report['train_steps']} steps in "
          f"{report['training_seconds']:.0f} s of training (allowed: {TRAINING_MINUTES_ALLOWED * 60} s)")
    print(f"{'target':<34}{'first met at step':>18}{'training s':>12}")
    labels = {"hair_accuracy": "hair accuracy >= 0.90", "eye_accuracy": "eye accuracy >= 0.85",
              "ms_ssim": "MS-SSIM <= real + 0.05", "all": "all three"}
    for name, label in labels.items():
        met = report["first_met"][name]
        step, seconds = ("not met", "") if met is None else (met["step"], f"{met['training_seconds']:.0f}")
        print(f"{label:<34}{step:>18}{seconds:>12}")
    blurred = ", ".join(f"{sigma.replace('sigma_', 'sigma ')} px: {value:.3f}"
                        for sigma, value in report["ms_ssim_real_blurred"].items())
    print(f"MS-SSIM of real faces after a Gaussian blur (no collapse, only softness): {blurred}")
    print("\nfinal generator, all 132 pairs x 10 faces:")
    print(format_table(final))


def _parse_arguments() -> argparse.Namespace:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--profile", default="quick")
    parser.add_argument("--set", action="append", default=[], type=_setting, metavar="FIELD=VALUE",
                        help="change one profile field, as train --set does (e.g. learning_rate_g=2e-4 or "
                             "generator_channels=64,32,16); repeat for more")
    parser.add_argument("--judge-every", type=int, default=JUDGE_EVERY, help="steps between judgements")
    parser.add_argument("--faces-per-pair", type=int, default=FACES_PER_PAIR,
                        help="faces per (hair, eye) pair in each judgement")
    parser.add_argument("--run-dir", type=Path, default=RUN_DIR, help="the run folder (emptied first)")
    return parser.parse_args()


def _setting(text: str) -> tuple[str, object]:
    """An argparse type for --set FIELD=VALUE, read as the CLI's ``train --set`` reads it."""
    try:
        return parse_setting(text)
    except ValueError as error:
        raise argparse.ArgumentTypeError(str(error)) from None


if __name__ == "__main__":
    main()
