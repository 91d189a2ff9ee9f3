"""Issue 14's targets: which side of each bound a judgement must be on, and bounds that move with the real
faces measured beside it."""

import pytest

from acgan_lib.targets import meets_target, target_bounds

JUDGEMENT = {"hair_accuracy": 0.95, "eye_accuracy": 0.90, "fid": 40.0, "fid_real_floor": 8.0,
             "ms_ssim_generated": 0.50, "ms_ssim_real": 0.45}


def test_a_judgement_on_every_bound_meets_every_target():
    assert target_bounds(JUDGEMENT) == pytest.approx({"hair_accuracy": 0.95, "eye_accuracy": 0.90, "fid": 40.0,
                                                      "ms_ssim_generated": 0.50})
    assert all(meets_target(JUDGEMENT, key) for key in target_bounds(JUDGEMENT))


@pytest.mark.parametrize("key, worse", [("hair_accuracy", 0.949), ("eye_accuracy", 0.899), ("fid", 40.1),
                                        ("ms_ssim_generated", 0.501)])
def test_a_judgement_just_past_a_bound_misses_that_target_only(key, worse):
    judgement = {**JUDGEMENT, key: worse}
    assert [name for name in target_bounds(judgement) if not meets_target(judgement, name)] == [key]


def test_the_distance_and_variety_bounds_follow_the_real_faces():
    bounds = target_bounds({**JUDGEMENT, "fid_real_floor": 10.0, "ms_ssim_real": 0.40})
    assert bounds["fid"] == 50.0 and bounds["ms_ssim_generated"] == pytest.approx(0.45)
