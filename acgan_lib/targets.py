"""Issue 14's quality targets for a judged generator: what bench/bench_quick_profile.py checks a run
against and what notebook 04 draws beside a run's judgements.

A judgement (``evaluation.brief_evaluation``'s keys) meets them when its judged hair and eye accuracies
reach their bounds and its Fréchet distance and within-class MS-SSIM stay at or under theirs. The last two
bounds move with the real faces measured beside the judgement, so they are read from it.
"""

from __future__ import annotations

AT_LEAST = ("hair_accuracy", "eye_accuracy")  # the other targets are upper bounds


def target_bounds(judgement: dict) -> dict[str, float]:
    """Each target's bound for one judgement: hair 0.95 and eyes 0.90; the Fréchet distance 5 x its
    real-vs-real floor; MS-SSIM the real faces' own + 0.05."""
    return {"hair_accuracy": 0.95, "eye_accuracy": 0.90, "fid": 5 * judgement["fid_real_floor"],
            "ms_ssim_generated": judgement["ms_ssim_real"] + 0.05}


def meets_target(judgement: dict, key: str) -> bool:
    """Whether the judgement's ``key`` (a key of ``target_bounds``) is on the right side of its bound."""
    bound = target_bounds(judgement)[key]
    return judgement[key] >= bound if key in AT_LEAST else judgement[key] <= bound
