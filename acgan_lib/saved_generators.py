"""Where a trained generator comes from, and what its run folder says about it.

A generator is named by a path to a ``.keras`` file or by a short name for one that ships with the
package (``SHIPPED``: ``pretrained`` is the quick profile's, made by ``make pretrained``, and
``pretrained-medium`` the medium profile's, made by ``make pretrained-medium``; see the README).
``train`` saves ``generator.keras`` beside the run's ``run.json``, and the shipped generators keep
theirs, so a generator's noise distribution and training faces are read from there rather than asked
for again.

Notebooks find the generator of the headless run they belong to with ``notebook_generator``: notebook 04
trains the profile into ``paths.runs_dir() / <profile>``; notebooks 06 and 07 judge and draw with it when
that run has finished, else with the shipped one, and say which.
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from pathlib import Path

from .paths import runs_dir
from .profiles import PROFILES, Profile, profile_from_dict
from .run_records import read_run_info

PRETRAINED_DIR = Path(__file__).resolve().parent / "pretrained"
# Short names of the shipped generators: the quick profile's (32 px) and the medium profile's (64 px).
SHIPPED = {"pretrained": PRETRAINED_DIR / "quick" / "generator.keras",
           "pretrained-medium": PRETRAINED_DIR / "medium" / "generator.keras"}


@dataclass(frozen=True)
class ChosenGenerator:
    """A generator file, the run.json beside it (None if there is none) and a sentence saying which it is."""

    path: Path
    run: dict | None
    description: str

    @property
    def noise_distribution(self) -> str:
        return noise_of(self.run, None)


def generator_path(name: str | Path) -> Path:
    """The file a generator name stands for: a short name of ``SHIPPED`` or a path to a .keras file."""
    text = str(name)
    if text in SHIPPED:
        return SHIPPED[text]
    if not text.strip():
        raise ValueError(f"a generator is a .keras file or one of: {', '.join(SHIPPED)}; got an empty name")
    return Path(text)


def shipped_judgements(name: str) -> list[dict]:
    """The judgements ``bench/bench_quick_profile.py`` made while it trained the shipped generator ``name``
    (``make pretrained-medium`` keeps them as ``judgements.json``): one row per judged step, the saved
    generator's figures and, when the moving average was on, G's own under keys starting with ``G_``.
    Empty for a generator shipped without them (``make pretrained`` trains with ``train``)."""
    path = generator_path(name).parent / "judgements.json"
    return json.loads(path.read_text())["rows"] if path.is_file() else []


def named_generator(name: str | Path) -> ChosenGenerator:
    """The generator a reader named (``generator_path`` in notebooks 06 and 07): a short name of ``SHIPPED``
    or a path to a .keras file, with the run.json beside it and a sentence saying which it is."""
    path = generator_path(name)
    run = run_beside(path)
    if str(name) in SHIPPED:
        return ChosenGenerator(path, run, _shipped_description(str(name), run))
    return ChosenGenerator(path, run, f"the generator you named ({path})")


def _shipped_description(name: str, run: dict) -> str:
    return (f"the shipped generator `{name}`: the {run['profile']['name']} profile, {run['step']:,} steps, "
            f"made by `make {name}`")


def run_beside(generator_file: Path) -> dict | None:
    """The run.json of the run folder a generator was saved in (``train`` writes both), or None."""
    return read_run_info(Path(generator_file).parent)


def noise_of(run: dict | None, chosen: str | None) -> str:
    """The noise to draw with: the one asked for, else the run's, else uniform (the seed's)."""
    if chosen is not None:
        return chosen
    return run["profile"]["noise_distribution"] if run else "uniform"


def run_profile(run: dict | None) -> Profile | None:
    """The profile a run was trained with, or None."""
    return profile_from_dict(run["profile"]) if run else None


def notebook_generator(profile: Profile) -> ChosenGenerator:
    """The generator notebook 04 trained for ``profile`` in this run's folder when that run has finished
    (``paths.runs_dir() / profile.name``), else the shipped generator that draws the profile's image size
    (the quick one for 32 px profiles, the medium one for 64 px)."""
    run_dir = runs_dir() / profile.name
    run = read_run_info(run_dir)
    if run is not None and run.get("status") == "finished" and (run_dir / "generator.keras").is_file():
        return ChosenGenerator(run_dir / "generator.keras", run,
                               f"the {profile.name} run notebook 04 trained, {run['step']:,} steps ({run_dir})")
    shipped = {name: (path, run_beside(path)) for name, path in SHIPPED.items()}
    fitting = [name for name, (_, trained) in shipped.items() if trained["profile"]["image_size"] == profile.image_size]
    if not fitting:
        sizes = ", ".join(f"{name} {trained['profile']['image_size']} px" for name, (_, trained) in shipped.items())
        raise FileNotFoundError(
            f"no finished {profile.name} run in {run_dir}, and no shipped generator draws {profile.image_size} px "
            f"faces ({sizes}): train the {profile.name} profile first (notebook 04), or name a generator "
            f"(generator_path)")
    name = fitting[0]
    path, trained = shipped[name]
    return ChosenGenerator(path, trained, f"{_shipped_description(name, trained)} (no finished run in {run_dir})")


def real_faces(run: dict | None, image_size: int, real_count: int | None = None, directory: Path | None = None):
    """Real faces to compare a generator with, and a description: the run's own training faces when the
    generator came from a run (unless ``real_count`` asks for built-in ones), else built-in faces."""
    from .data_cache import synthetic_dataset
    from .datasets import training_faces

    try:
        profile = run_profile(run) if real_count is None else None  # built-in faces need no profile
    except ValueError as error:  # a run of another version of the library
        raise ValueError(f"{error}; or pass --real-count to compare with built-in faces") from None
    if profile and profile.image_size == image_size:
        images, hair_ids, eye_ids = training_faces(profile, run["data"], directory)
        return images, hair_ids, eye_ids, f"the run's training faces ({next(iter(run['data']))})"
    count, seed = _built_in_faces_for(image_size, real_count)
    real = synthetic_dataset(count, image_size, seed=seed, directory=directory)
    return real.images, real.hair_ids, real.eye_ids, f"built-in faces (seed {seed})"


def _built_in_faces_for(image_size: int, real_count: int | None) -> tuple[int, int]:
    """How many built-in faces to compare with, and their seed: by default the dataset of the largest
    profile with this image size (what a default training run trains on)."""
    matching = [profile for profile in PROFILES.values() if profile.image_size == image_size]
    largest = max(matching, key=lambda profile: profile.dataset_size, default=None)  # quick over smoke
    seed = largest.seed if largest else 0
    if real_count is not None:
        return real_count, seed
    if largest is None:
        sizes = ", ".join(f"{profile.name} {profile.image_size} px" for profile in PROFILES.values())
        raise ValueError(f"no profile draws {image_size} px faces ({sizes}); pass --real-count")
    return largest.dataset_size, seed
