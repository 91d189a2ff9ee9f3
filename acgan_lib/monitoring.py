"""A training monitor: reads the recent history and names what it sees.

Three patterns, each with the numbers that gave it away and a pointer to the section of the
failure-analysis notebook that reruns it (``SECTIONS``):

- ``seed_failure``: D's accuracy pinned near 0.5 while G's "accuracy" (the share of fakes D calls real)
  sits near 1. This is what seed 000 saw after raising the learning rate: D has stopped telling real
  from fake, so G gets no useful gradient and learning stops.
- ``d_overpowering``: D near 1 while G's "accuracy" is near 0 and G's loss climbs: D wins every round and
  G's gradient is too small to catch up.
- ``collapse``: the fakes in a batch are far less varied than the real faces (pixel spread across the
  batch): G draws nearly one image whatever the noise.

The thresholds are deliberate round numbers for teaching, not tuned constants: a run that trips one
deserves a look at its curves, not an automatic verdict.
"""

from __future__ import annotations

from dataclasses import asdict, dataclass

import numpy as np

FAILURE_NOTEBOOK = "notebooks/05_failure_analysis.ipynb"
SECTIONS = {  # where notebook 05 shows each pattern happen
    "seed_failure": "section 2, the seed's own failure",
    "d_overpowering": "section 2, the seed's path, and 3a, the D:G ratio",
    "collapse": "section 1, mode dropping, and 4, the mode-seeking penalty",
}
WINDOW = 50  # steps of history the monitor looks at
HALF_BAND = 0.1  # D accuracy within 0.5 +- this counts as "pinned at 0.5"
NEAR_ONE = 0.9
NEAR_ZERO = 0.1
COLLAPSE_RATIO = 0.25  # fake spread below this share of the real spread counts as collapse


@dataclass(frozen=True)
class Finding:
    name: str
    step: int
    message: str

    def as_dict(self) -> dict:
        return asdict(self)


def diagnose(history: list[dict], window: int = WINDOW) -> list[Finding]:
    """What the last ``window`` rows of a history show; [] for a healthy run or too short a history."""
    if len(history) < window:
        return []
    recent = history[-window:]
    step = recent[-1]["step"]
    findings = []
    for check in (_seed_failure, _d_overpowering, _collapse):
        message = check(recent)
        if message:
            name = check.__name__.lstrip("_")
            findings.append(Finding(name, step, f"{message} See {FAILURE_NOTEBOOK}, {SECTIONS[name]}."))
    return findings


def _mean(rows: list[dict], column: str) -> float:
    return float(np.mean([row[column] for row in rows]))


def _seed_failure(rows: list[dict]) -> str | None:
    d_accuracy, g_accuracy = _mean(rows, "d_accuracy"), _mean(rows, "g_accuracy")
    if abs(d_accuracy - 0.5) < HALF_BAND and g_accuracy > NEAR_ONE:
        return (
            f"D accuracy is pinned near 0.5 ({d_accuracy:.2f}) while G accuracy is near 1 ({g_accuracy:.2f}) "
            f"over the last {len(rows)} steps: D calls everything real, so G learns nothing (the seed's "
            f"failure after raising the learning rate)."
        )
    return None


def _d_overpowering(rows: list[dict]) -> str | None:
    d_accuracy, g_accuracy = _mean(rows, "d_accuracy"), _mean(rows, "g_accuracy")
    quarter = max(1, len(rows) // 4)
    early, late = _mean(rows[:quarter], "g_loss"), _mean(rows[-quarter:], "g_loss")
    if d_accuracy > NEAR_ONE and g_accuracy < NEAR_ZERO and late > early:
        return (
            f"D overpowers G: D accuracy {d_accuracy:.2f}, G accuracy {g_accuracy:.2f}, and G loss climbing "
            f"from {early:.2f} to {late:.2f} over the last {len(rows)} steps."
        )
    return None


def _collapse(rows: list[dict]) -> str | None:
    ratio = _mean(rows, "fake_spread") / max(_mean(rows, "real_spread"), 1e-8)
    if ratio < COLLAPSE_RATIO:
        return (
            f"possible mode collapse: the fakes in a batch vary only {ratio:.0%} as much as real faces "
            f"over the last {len(rows)} steps."
        )
    return None
