"""The command line: ``python -m acgan_lib <command>``.

- ``data``: render the built-in dataset into the ``data/`` cache (reused when it already exists).
- ``train``: train a GAN into a run folder (``--resume`` continues one); settings as flags.
- ``notebooks``: run every notebook headless with papermill into a report folder (what ``make run`` does).
- ``clean-notebooks``: strip stored outputs (keeping NBVAL_CHECK_OUTPUT cells), optionally refreshing
  the checked outputs by executing the notebooks in the smoke profile.

A mistake on the command line (a bad value, a missing file) prints one line saying what is allowed and
exits with status 2; a failing notebook exits with status 1.
"""

from __future__ import annotations

import argparse
import dataclasses
import sys
from pathlib import Path

from .profiles import PROFILES


def main(argv: list[str] | None = None) -> int:
    parser = _build_parser()
    arguments = parser.parse_args(argv)
    from .notebook_runner import NotebookFailed

    try:
        return arguments.handler(arguments)
    except (ValueError, FileNotFoundError) as error:
        print(f"error: {error}", file=sys.stderr)
        return 2
    except NotebookFailed as error:
        print(f"notebook run stopped: {error}", file=sys.stderr)
        return 1


def _build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(prog="python -m acgan_lib", description=__doc__.splitlines()[0])
    commands = parser.add_subparsers(dest="command", required=True)

    data = commands.add_parser("data", help="render the built-in anime-face dataset into the cache")
    data.add_argument("--count", type=int, required=True, help="number of faces")
    data.add_argument("--size", type=int, required=True, help="image side in pixels (32 to 128)")
    data.add_argument("--seed", type=int, default=0)
    data.add_argument("--distribution", choices=("uniform", "skewed"), default="uniform",
                      help="joint distribution of (hair, eye) labels")
    data.add_argument("--data-dir", type=Path, default=None, help="cache folder (default: data/)")
    data.set_defaults(handler=_data)

    _add_train_parser(commands)

    notebooks = commands.add_parser("notebooks", help="run all notebooks headless into a report folder")
    notebooks.add_argument("--profile", choices=tuple(PROFILES), default="quick")
    notebooks.add_argument("--out", type=Path, default=Path("report"))
    notebooks.add_argument("--notebooks-dir", type=Path, default=None)
    notebooks.set_defaults(handler=_notebooks)

    clean = commands.add_parser("clean-notebooks", help="strip outputs except NBVAL_CHECK_OUTPUT cells")
    clean.add_argument("paths", nargs="*", type=Path, help="notebooks (default: all in notebooks/)")
    clean.add_argument("--refresh", action="store_true",
                       help="execute each notebook (smoke profile) to refresh its checked outputs")
    clean.set_defaults(handler=_clean_notebooks)
    return parser


# Training flags and the profile fields they set; a flag left out keeps the profile's value.
TRAINING_FLAGS = {
    "steps": ("train_steps", int, "generator updates"),
    "batch_size": ("batch_size", int, "faces per batch"),
    "learning_rate_d": ("learning_rate_d", float, "Adam learning rate of D (seed: 1e-4)"),
    "learning_rate_g": ("learning_rate_g", float, "Adam learning rate of G (seed: 1e-4)"),
    "beta1": ("adam_beta_1", float, "Adam beta_1"),
    "beta2": ("adam_beta_2", float, "Adam beta_2"),
    "d_steps": ("d_steps_per_g_step", int, "D updates per G update"),
    "label_smoothing": ("label_smoothing", float, "one-sided: real targets become 1 - this"),
    "loss": ("loss", str, "bce or hinge"),
    "aux_weight": ("aux_weight", float, "weight of the hair and eye losses (acgan head)"),
    "head": ("head", str, "concat, acgan or projection"),
    "noise": ("noise_distribution", str, "uniform or gaussian"),
    "checkpoint_every": ("checkpoint_every", int, "steps between checkpoints"),
    "seed": ("seed", int, "random seed"),
}


def _add_train_parser(commands) -> None:
    train = commands.add_parser("train", help="train a GAN into a run folder")
    train.add_argument("--profile", choices=tuple(PROFILES), default="quick")
    train.add_argument("--out", type=Path, required=True, help="the run folder, e.g. runs/first")
    train.add_argument("--resume", action="store_true", help="continue the run in --out from its last checkpoint")
    for flag, (_, kind, description) in TRAINING_FLAGS.items():
        train.add_argument(f"--{flag.replace('_', '-')}", dest=flag, type=kind, default=None, help=description)
    source = train.add_mutually_exclusive_group()
    source.add_argument("--data-2017", type=Path, help="train on the 2017 set in this folder (faces/ + tags_clean.csv)")
    source.add_argument("--data-2018", type=Path, help="train on the 2018 set in this folder (extra_data/)")
    train.add_argument("--strategy", choices=("default", "mirrored"), default="default",
                       help="mirrored: split each batch over all local GPUs (tf.distribute.MirroredStrategy)")
    train.add_argument("--deterministic", action="store_true", help="turn on TensorFlow op determinism")
    train.add_argument("--no-progress", action="store_true", help="no progress bar (for logs)")
    train.set_defaults(handler=_train)


def _train(arguments) -> int:
    import tensorflow as tf

    from .profiles import get_profile, profile_from_dict
    from .run_records import read_run_info
    from .training import GANTrainer

    overrides = {field: getattr(arguments, flag) for flag, (field, _, _) in TRAINING_FLAGS.items()
                 if getattr(arguments, flag) is not None}
    data_source = {"2017": arguments.data_2017, "2018": arguments.data_2018}
    data_source = {name: str(root) for name, root in data_source.items() if root is not None} or {"synthetic": None}
    if arguments.resume:
        info = read_run_info(arguments.out)
        if info is None:
            raise FileNotFoundError(f"nothing to resume: {arguments.out / 'run.json'} does not exist")
        stored = profile_from_dict(info["profile"])
        changed = sorted(field for field, value in overrides.items()
                         if field != "train_steps" and getattr(stored, field) != value)
        if changed:
            raise ValueError(f"a resumed run keeps its settings; drop {', '.join(changed)} or start a new run")
        profile = dataclasses.replace(stored, **overrides)
        data_source = info.get("data", data_source)
    else:
        profile = get_profile(arguments.profile, **overrides)
    if arguments.deterministic:
        tf.config.experimental.enable_op_determinism()
    images, hair_ids, eye_ids = _training_data(profile, data_source)
    strategy = tf.distribute.MirroredStrategy() if arguments.strategy == "mirrored" else None
    trainer = GANTrainer(profile, arguments.out, strategy=strategy, data_source=data_source)
    rows = trainer.fit(images, hair_ids, eye_ids, resume=arguments.resume, progress=not arguments.no_progress)
    if rows:
        last = rows[-1]
        print(f"step {last['step']}: d_loss {last['d_loss']:.3f}, g_loss {last['g_loss']:.3f}, "
              f"D accuracy {last['d_accuracy']:.2f}, G accuracy {last['g_accuracy']:.2f}; "
              f"generator: {arguments.out / 'generator.keras'}")
    return 0


def _training_data(profile, data_source: dict):
    """(images, hair_ids, eye_ids) from the built-in renderer or a course dataset folder."""
    from .data_cache import synthetic_dataset
    from .datasets import load_2017, load_2018

    name, root = next(iter(data_source.items()))
    if name == "synthetic":
        dataset = synthetic_dataset(profile.dataset_size, profile.image_size, seed=profile.seed)
        return dataset.images, dataset.hair_ids, dataset.eye_ids
    real = (load_2017 if name == "2017" else load_2018)(root, profile.image_size)
    print(real.report.summary())
    return real.images, real.hair_ids, real.eye_ids


def _data(arguments) -> int:
    from .data_cache import synthetic_dataset

    dataset = synthetic_dataset(
        arguments.count, arguments.size, seed=arguments.seed,
        distribution=arguments.distribution, directory=arguments.data_dir,
    )
    verb = "reused" if dataset.reused else "wrote"
    print(f"{verb} {dataset.path} ({len(dataset.images)} faces, {arguments.size}x{arguments.size} px)")
    return 0


def _notebooks(arguments) -> int:
    from .notebook_runner import NOTEBOOKS_DIR, run_notebooks

    results = run_notebooks(arguments.profile, arguments.out, arguments.notebooks_dir or NOTEBOOKS_DIR)
    print(f"{len(results)} notebooks executed; report: {arguments.out / 'REPORT.md'}")
    return 0


def _clean_notebooks(arguments) -> int:
    import nbformat

    from .notebook_runner import numbered_notebooks, refresh_checked_outputs, strip_outputs

    for path in arguments.paths or numbered_notebooks():
        if arguments.refresh:
            refresh_checked_outputs(path)
        else:
            nbformat.write(strip_outputs(nbformat.read(path, as_version=4)), path)
        print(f"cleaned {path}")
    return 0
