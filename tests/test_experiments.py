"""Experiments: validation before training, continuing a run with new settings, and the cache."""

import json
from pathlib import Path

import pytest

from acgan_lib.data_cache import synthetic_dataset
from acgan_lib.experiments import Experiment, equal_flop_steps, run_experiments
from acgan_lib.flops import forward_flops, fused_step_flops
from acgan_lib.judge import CachedJudge, load_or_train_judge, notebook_judge_settings
from acgan_lib.models import build_discriminator, build_generator
from acgan_lib.profiles import get_profile

SMOKE = get_profile("smoke")
NO_JUDGE = CachedJudge(model=None, path=Path("unused"), manifest={}, reused=False)  # enough for the checks


@pytest.fixture(scope="module")
def dataset():
    return synthetic_dataset(SMOKE.dataset_size, SMOKE.image_size, seed=0)


@pytest.fixture(scope="module")
def judge():
    return load_or_train_judge(SMOKE.image_size, notebook_judge_settings(SMOKE))


def run(experiments, dataset, judge, directory):
    return run_experiments(SMOKE, experiments, dataset.images, dataset.hair_ids, dataset.eye_ids, judge,
                           dataset.manifest, directory=directory, progress=False)


@pytest.mark.parametrize("experiments, message", [
    ([Experiment("a", {"learning_rate": 1e-3})], "experiment 'a': unknown profile field.*valid fields: adam_beta_1"),
    ([Experiment("a", {"loss": "mse"})], "experiment 'a': profile loss must be one of bce, hinge, clipped_bce"),
    ([Experiment("a"), Experiment("b", start_from="c")], "starts from 'c'.*earlier ones: a"),
    ([Experiment("a"), Experiment("a")], "two experiments are called 'a'"),
    ([Experiment("a", {"train_steps": 5})], "set its length with steps="),
])
def test_bad_experiments_are_refused_before_anything_trains(experiments, message, dataset, tmp_path):
    with pytest.raises(ValueError, match=message):
        run(experiments, dataset, NO_JUDGE, tmp_path)
    assert not (tmp_path / "experiments").exists()


def test_an_experiment_needs_a_name_and_whole_steps():
    with pytest.raises(ValueError, match="needs a name"):
        Experiment(" ")
    with pytest.raises(ValueError, match="steps must be a non-negative integer"):
        Experiment("a", steps=2.5)


def test_a_continued_experiment_carries_on_from_its_parent_with_its_changes_and_the_cache_returns_both(
        dataset, judge, tmp_path):
    experiments = [Experiment("baseline", {"learning_rate_schedule": "constant"}, steps=4),
                   Experiment("faster G", {"learning_rate_g": 3e-4}, steps=2, start_from="baseline")]
    first = run(experiments, dataset, judge, tmp_path)
    baseline, faster = first["baseline"], first["faster G"]
    assert not baseline.reused and not faster.reused
    assert [row["step"] for row in faster.history] == [1, 2, 3, 4, 5, 6]
    assert faster.history[:4] == baseline.history  # the parent's steps, then its own
    assert faster.start_step == 4 and faster.profile["learning_rate_g"] == 3e-4
    assert faster.profile["learning_rate_schedule"] == "constant"  # inherited from the parent
    assert faster.changes == {"learning_rate_g": 3e-4} and len(faster.history) - faster.start_step == 2
    assert 0 <= faster.judged["hair_accuracy"] <= 1 and faster.judged["demo_score"] in range(101)
    again = run(experiments, dataset, judge, tmp_path)
    assert again["faster G"].reused and again["faster G"].history == faster.history
    assert again["faster G"].judged == faster.judged


def test_a_corrupt_or_unfinished_cache_entry_is_trained_again(dataset, judge, tmp_path):
    experiments = [Experiment("only", steps=2)]
    first = run(experiments, dataset, judge, tmp_path)["only"]
    entry = first.path
    (entry / "result.json").write_text("{ half a file")
    again = run(experiments, dataset, judge, tmp_path)["only"]
    assert not again.reused and json.loads((entry / "result.json").read_text())["key"] == entry.name
    assert [row["d_loss"] for row in again.history] == [row["d_loss"] for row in first.history]  # deterministic
    (entry / "result.json").unlink()  # a notebook killed after training, before judging
    assert not run(experiments, dataset, judge, tmp_path)["only"].reused


def test_changed_settings_get_their_own_cache_entry_and_a_new_name_for_old_settings_does_not(
        dataset, judge, tmp_path):
    first = run([Experiment("x", steps=2)], dataset, judge, tmp_path)["x"]
    other = run([Experiment("x", {"noise_dim": 8}, steps=2)], dataset, judge, tmp_path)["x"]
    assert not other.reused and other.path != first.path
    renamed = run([Experiment("the same as x", {"noise_dim": SMOKE.noise_dim}, steps=2)], dataset, judge, tmp_path)
    assert renamed["the same as x"].reused and renamed["the same as x"].path == first.path
    assert renamed["the same as x"].changes == {"noise_dim": SMOKE.noise_dim}


def test_equal_flop_steps_give_higher_ratios_fewer_steps_of_the_same_total_cost():
    profile = get_profile("quick")
    steps = equal_flop_steps(profile, (1, 2, 5), reference_steps=600)
    assert steps[1] == 600 and steps[1] > steps[2] > steps[5]
    g, d = forward_flops(build_generator(profile)), forward_flops(build_discriminator(profile))
    budget = 600 * fused_step_flops(g, d, profile.batch_size, 1)
    for ratio, count in steps.items():
        step_cost = fused_step_flops(g, d, profile.batch_size, ratio)
        assert abs(count * step_cost - budget) <= step_cost / 2


def test_toy_runs_are_cached_by_settings_and_a_corrupt_entry_is_trained_again(tmp_path, monkeypatch):
    from acgan_lib import experiments
    from acgan_lib.toy import ToySettings

    trained = []
    real_train_toy = experiments.train_toy
    monkeypatch.setattr(experiments, "train_toy", lambda settings: trained.append(settings) or real_train_toy(settings))
    runs = {"short": ToySettings(steps=20, record_every=10, seed=1), "other seed": ToySettings(steps=20, seed=2)}
    first = experiments.run_toys(runs, directory=tmp_path)
    assert trained == list(runs.values())
    again = experiments.run_toys(runs, directory=tmp_path)
    assert len(trained) == 2  # both read from the cache, and equal to what was trained
    for name, run in first.items():
        assert again[name].history == run.history and again[name].settings == run.settings
        assert sorted(again[name].snapshots) == sorted(run.snapshots) == list(run.settings.snapshots_at)
        assert all((again[name].snapshots[step] == points).all() for step, points in run.snapshots.items())
        assert (again[name].real == run.real).all() and (again[name].centres == run.centres).all()
    entries = sorted((tmp_path / "experiments" / "toy").glob("*.json"))
    assert len(entries) == 2
    entries[0].write_text(entries[0].read_text()[:100])  # a torn file
    experiments.run_toys(runs, directory=tmp_path)
    assert len(trained) == 3
