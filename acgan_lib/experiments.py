"""Experiments: named sets of short trainings that differ by a few settings, judged, and cached.

An ``Experiment`` is a name, the profile fields it changes, and how many steps it trains. It either
starts from scratch or continues another experiment of its set from that one's last checkpoint
(``start_from``), with its changes applied from there on: how notebook 05 retraces seed 000's path, a
baseline at one learning rate and copies of it that carry on at others.

``run_experiments`` trains each one (or takes it from the cache), judges the generator it ends with, and
returns one ``ExperimentResult`` per experiment: the settings, the whole history, the monitor's
findings, a summary of the last steps and the judge's reading. Everything is cached under
``data/experiments/`` by a key of the settings, the data, the judge and the code's version, so a second
run of a notebook takes seconds; a cache entry that cannot be read or does not match is trained again,
never trusted. ``run_toys`` does the same for the 2-D toy GAN of ``toy``.
"""

from __future__ import annotations

import contextlib
import dataclasses
import hashlib
import io
import json
import os
import shutil
from dataclasses import dataclass, field
from pathlib import Path

import numpy as np

from .checks import check_count
from .evaluation import RealReference, brief_evaluation, generator_source, load_generator, real_reference
from .flops import forward_flops, fused_step_flops
from .judge import CachedJudge
from .models import build_discriminator, build_generator
from .paths import data_dir, write_text_atomic
from .profiles import Profile, get_profile
from .progress import progress_bar
from .run_records import read_history
from .toy import ToyRun, ToySettings, train_toy
from .training import GANTrainer, train_or_continue

# The modules whose code decides what a training or a judgement produces: a change to any of them
# makes every cached experiment stale.
CODE_MODULES = ("blocks", "evaluation", "experiments", "judge", "losses", "models", "pipeline", "profiles",
                "training")
TOY_CODE_MODULES = ("losses", "toy")  # the same for the toy runs
RESULT_VERSION = 1
SUMMARY_SHARE = 5  # the summary averages the last fifth of a run's steps
JUDGED_PER_PAIR = 4  # faces judged per (hair, eye) pair: 528 in all
JUDGED_FACES = 132 * JUDGED_PER_PAIR  # real faces the Fréchet distance compares them with
SUMMARY_COLUMNS = ("d_accuracy", "g_accuracy", "d_grad_norm", "g_grad_norm", "fake_spread", "real_spread",
                   "hair_accuracy_real", "eye_accuracy_real", "hair_accuracy_fake", "eye_accuracy_fake")


@dataclass(frozen=True)
class Experiment:
    """One training of a set: ``changes`` to the base profile, ``steps`` generator updates.

    With ``start_from`` it continues that experiment's finished run for ``steps`` more steps, with
    ``changes`` applied on top of that experiment's settings.
    """

    name: str
    changes: dict = field(default_factory=dict)
    steps: int = 0  # 0: the profile's train_steps
    start_from: str | None = None

    def __post_init__(self):
        if not isinstance(self.name, str) or not self.name.strip():
            raise ValueError(f"an experiment needs a name; got {self.name!r}")
        check_count(f"experiment {self.name!r}: steps", self.steps, minimum=0)
        if not isinstance(self.changes, dict):
            raise ValueError(f"experiment {self.name!r}: changes must be a dict of profile fields")


@dataclass(frozen=True)
class ExperimentResult:
    """What an experiment produced. ``summary``: means over the last fifth of its steps; ``judged``: the
    judge's reading of its generator (``evaluation.brief_evaluation``); ``reused``: whether it came from the cache."""

    name: str
    changes: dict
    profile: dict
    start_step: int  # where the experiment took over: 0, or the step it continued from
    history: list[dict]
    findings: list[dict]
    summary: dict
    judged: dict
    reused: bool
    path: Path

    @property
    def finding_names(self) -> set[str]:
        """The monitor's findings in the experiment's own steps (not those of a run it continued)."""
        return {finding["name"] for finding in self.findings if finding["step"] > self.start_step}


def code_version(modules: tuple[str, ...] = CODE_MODULES) -> str:
    """A hash of the source of ``modules`` (of this package): changes whenever their code does."""
    digest = hashlib.sha256()
    for module in modules:
        digest.update((Path(__file__).with_name(f"{module}.py")).read_bytes())
    return digest.hexdigest()[:12]


def equal_flop_steps(profile: Profile, d_steps: tuple[int, ...], reference_steps: int) -> dict[int, int]:
    """Generator steps that cost the same FLOPs for each D:G ratio as ``reference_steps`` at ratio 1.

    A step with k D updates costs more than one with a single update, so an equal compute budget gives
    the higher ratios fewer G updates (``flops.fused_step_flops`` counts a step).
    """
    generator_flops = forward_flops(build_generator(profile))
    discriminator_flops = forward_flops(build_discriminator(profile))
    budget = reference_steps * fused_step_flops(generator_flops, discriminator_flops, profile.batch_size, 1)
    return {k: max(1, round(budget / fused_step_flops(generator_flops, discriminator_flops, profile.batch_size, k)))
            for k in d_steps}


def run_experiments(base: Profile, experiments: list[Experiment], images: np.ndarray, hair_ids, eye_ids,
                    judge: CachedJudge, data_manifest: dict, directory: Path | None = None,
                    progress: bool = True, reference: RealReference | None = None) -> dict[str, ExperimentResult]:
    """Train (or read from the cache) every experiment in order and judge it; results by name.

    ``data_manifest`` identifies the training faces (a ``data_cache`` manifest) for the cache key; the
    judge's manifest is part of the key too. A bad setting raises ValueError before anything trains.
    ``reference``: the real faces' judged features (``evaluation.real_reference`` of ``images`` with
    ``JUDGED_FACES`` faces and the base profile's seed), if the caller has it already; else measured here.
    """
    directory = (Path(directory) if directory is not None else data_dir()) / "experiments"
    plans = _plan(base, experiments, data_manifest, judge)
    results: dict[str, ExperimentResult] = {}
    bar = progress_bar(plans, desc="experiments", disable=not progress)
    for plan in bar:
        bar.set_postfix_str(plan.experiment.name)
        entry = directory / plan.key  # keyed by what was trained, so two names for one setting share it
        result = _read_result(entry, plan)
        if result is None:
            if reference is None:  # measured when an experiment first needs judging
                reference = real_reference(judge.model, images, hair_ids, eye_ids,
                                           min(JUDGED_FACES, len(images) // 2), seed=base.seed)
            parent = results[plan.experiment.start_from] if plan.experiment.start_from else None
            result = _train_and_judge(entry, plan, parent, images, hair_ids, eye_ids, judge.model, reference)
        results[plan.experiment.name] = result
    return results


@dataclass(frozen=True)
class _Plan:
    experiment: Experiment
    profile: Profile
    start_step: int
    key: str


def _plan(base: Profile, experiments: list[Experiment], data_manifest: dict, judge: CachedJudge) -> list[_Plan]:
    """Every experiment's full profile and cache key, checked before anything trains."""
    plans: dict[str, _Plan] = {}
    for experiment in experiments:
        if experiment.name in plans:
            raise ValueError(f"two experiments are called {experiment.name!r}; names must differ")
        if experiment.start_from is not None and experiment.start_from not in plans:
            raise ValueError(f"experiment {experiment.name!r} starts from {experiment.start_from!r}, which is not "
                             f"an earlier experiment of the set; earlier ones: {', '.join(plans) or 'none'}")
        parent = plans[experiment.start_from].profile if experiment.start_from else base
        start_step = parent.train_steps if experiment.start_from else 0
        fields = {**dataclasses.asdict(parent), **experiment.changes}
        fields.pop("name")
        if "train_steps" in experiment.changes:
            raise ValueError(f"experiment {experiment.name!r}: set its length with steps=, not train_steps")
        steps = experiment.steps or base.train_steps
        fields["train_steps"] = start_step + steps
        # Short runs: a checkpoint at the end is enough (each save costs a few tenths of a second)
        fields["checkpoint_every"] = max(fields["checkpoint_every"], steps)
        try:
            profile = get_profile(base.name, **fields)
        except ValueError as error:
            raise ValueError(f"experiment {experiment.name!r}: {error}") from None
        parent_key = plans[experiment.start_from].key if experiment.start_from else None
        request = {"version": RESULT_VERSION, "code": code_version(), "profile": dataclasses.asdict(profile),
                   "start_from": parent_key, "data": data_manifest,
                   "judge": {key: judge.manifest.get(key) for key in ("judge_version", "dataset", "settings")}}
        key = hashlib.sha256(json.dumps(request, sort_keys=True).encode()).hexdigest()[:12]
        plans[experiment.name] = _Plan(experiment, profile, start_step, key)
    return list(plans.values())


def _read_result(entry: Path, plan: _Plan) -> ExperimentResult | None:
    """The cached result if it is whole and made by this plan; None means train again."""
    try:
        stored = json.loads((entry / "result.json").read_text())
        if stored["key"] != plan.key:
            return None
        return ExperimentResult(
            name=plan.experiment.name, changes=plan.experiment.changes, profile=stored["profile"],
            start_step=int(stored["start_step"]), history=list(stored["history"]), findings=list(stored["findings"]),
            summary=dict(stored["summary"]), judged=dict(stored["judged"]),
            reused=True, path=entry)
    except (OSError, ValueError, KeyError, TypeError):
        return None


def _train_and_judge(entry: Path, plan: _Plan, parent: ExperimentResult | None, images, hair_ids, eye_ids,
                     judge, reference: RealReference) -> ExperimentResult:
    """Train the plan's run in ``entry/run`` (continuing a run a killed notebook left there), judge it,
    and write ``result.json`` last, so an entry without one is never read as finished."""
    if (entry / "result.json").exists():  # unreadable or stale: start the entry afresh
        shutil.rmtree(entry)
    run_dir = entry / "run"
    if parent is not None:
        _copy_parent_run(parent.path / "run", run_dir, plan.profile)
    with contextlib.redirect_stdout(io.StringIO()):  # the monitor's lines are kept in the result instead
        if parent is None:
            train_or_continue(plan.profile, run_dir, images, hair_ids, eye_ids, progress=False)
        else:
            GANTrainer(plan.profile, run_dir).fit(images, hair_ids, eye_ids, resume=True, progress=False)
    history = read_history(run_dir / "history.csv")
    findings = json.loads((run_dir / "monitor.json").read_text())
    generator = generator_source(load_generator(run_dir / "generator.keras"), plan.profile.noise_distribution)
    own = [row for row in history if row["step"] > plan.start_step]
    last = own[-max(1, len(own) // SUMMARY_SHARE):]
    result = {
        "key": plan.key, "profile": dataclasses.asdict(plan.profile), "start_step": plan.start_step,
        "history": history, "findings": findings,
        "summary": {column: float(np.mean([row[column] for row in last])) for column in SUMMARY_COLUMNS},
        "judged": brief_evaluation(generator, judge, reference, JUDGED_PER_PAIR, seed=plan.profile.seed),
    }
    write_text_atomic(entry / "result.json", json.dumps(result, indent=1) + "\n")
    return dataclasses.replace(_read_result(entry, plan), reused=False)


def _copy_parent_run(parent_run: Path, run_dir: Path, profile: Profile) -> None:
    """Give a continuing experiment its own copy of the run it continues, unless a copy already holds
    its own settings (a notebook killed while it trained: it carries on from its last checkpoint)."""
    info_path = run_dir / "run.json"
    with contextlib.suppress(OSError, ValueError):
        if json.loads(info_path.read_text())["profile"] == json.loads(json.dumps(dataclasses.asdict(profile))):
            return
    shutil.rmtree(run_dir, ignore_errors=True)
    partial = run_dir.with_name(f"{run_dir.name}.{os.getpid()}.partial")
    shutil.rmtree(partial, ignore_errors=True)
    # Not the parent's models or animation, nor its monitor's findings: the copy's monitor starts afresh,
    # so it names what it sees after the change even when the parent saw the same earlier.
    shutil.copytree(parent_run, partial, ignore=shutil.ignore_patterns("*.keras", "*.gif", "monitor.json", ".lock"))
    os.replace(partial, run_dir)



def run_toys(runs: dict[str, ToySettings], directory: Path | None = None) -> dict[str, ToyRun]:
    """Train each toy run (``toy.train_toy``) or read it from ``data/experiments/toy/``; runs by name.

    Keyed by the settings and the code of ``TOY_CODE_MODULES``; an entry that cannot be read is trained again.
    """
    directory = (Path(directory) if directory is not None else data_dir()) / "experiments" / "toy"
    directory.mkdir(parents=True, exist_ok=True)
    results = {}
    for name, settings in runs.items():
        request = {"version": RESULT_VERSION, "code": code_version(TOY_CODE_MODULES),
                   "settings": dataclasses.asdict(settings)}
        key = hashlib.sha256(json.dumps(request, sort_keys=True).encode()).hexdigest()[:12]
        path = directory / f"{key}.json"
        run = _read_toy(path, settings)
        if run is None:
            run = train_toy(settings)
            stored = {"key": key, "history": run.history, "centres": run.centres.tolist(), "real": run.real.tolist(),
                      "snapshots": {str(step): points.tolist() for step, points in run.snapshots.items()}}
            write_text_atomic(path, json.dumps(stored) + "\n")
        results[name] = run
    return results


def _read_toy(path: Path, settings: ToySettings) -> ToyRun | None:
    """A cached toy run if it is whole; None means train again."""
    try:
        stored = json.loads(path.read_text())
        if stored["key"] != path.stem:
            return None
        snapshots = {int(step): np.asarray(points, np.float32) for step, points in stored["snapshots"].items()}
        if sorted(snapshots) != sorted(settings.snapshots_at) or any(points.ndim != 2 for points in snapshots.values()):
            return None
        return ToyRun(settings, history=[dict(row) for row in stored["history"]], snapshots=snapshots,
                      centres=np.asarray(stored["centres"], np.float32), real=np.asarray(stored["real"], np.float32))
    except (OSError, ValueError, KeyError, TypeError, AttributeError):
        return None
