"""The command line: ``python -m acgan_lib <command>``.

- ``data``: render the built-in dataset into the ``data/`` cache (reused when it already exists).
- ``train``: train a GAN into a run folder (``--resume`` continues one); settings as flags.
- ``notebooks``: run every notebook headless with papermill into a report folder (what ``make run`` does).
- ``batch``: run one notebook over a grid of parameter values, a folder per run, and ``batch.csv``.
- ``clean-notebooks``: strip stored outputs (keeping NBVAL_CHECK_OUTPUT cells), optionally refreshing
  the checked outputs by executing the notebooks in the smoke profile.
- ``evaluate``: judge a saved generator (conditional accuracy, demo score, FID/KID in the judge's
  feature space, MS-SSIM diversity, confusion, memorisation); prints a table, optionally writes JSON.
- ``sample``: draw one face per line of a course tags file (``n,<hair> hair <eye> eyes``) into
  ``<n>.png`` files and a ``grid.png``.

A mistake on the command line or a problem with a file (a bad value, a missing, corrupt or unwritable
file, an output path that is a file or a link) prints one line saying what was wrong and exits with status
2, checked before any work starts where it can be; a failing notebook exits with status 1; Ctrl-C exits
with 130 and SIGTERM with 143, each with one line. ``--debug`` (before the command) shows the traceback instead.
"""

from __future__ import annotations

import argparse
import dataclasses
import re
import signal
import sys
import threading
import time
import zipfile
from pathlib import Path

from . import __version__
from .checks import check_count
from .distribution import STRATEGIES, make_strategy
from .label_sampling import LABEL_DISTRIBUTIONS
from .paths import check_output, write_atomic, write_text_atomic
from .profiles import FIELD_CHOICES, NOISE_DISTRIBUTIONS, PROFILES, SETTABLE_FIELDS, parse_setting
from .saved_generators import SHIPPED, generator_path


class Terminated(BaseException):
    """SIGTERM arrived (a scheduler or ``kill``); raised like Ctrl-C's KeyboardInterrupt, so that ``with``
    blocks (the run folder's lock) close and no ``except Exception`` swallows it."""


def _raise_terminated(signal_number, frame):
    raise Terminated


def main(argv: list[str] | None = None) -> int:
    parser = _build_parser()
    arguments = parser.parse_args(argv)
    if threading.current_thread() is not threading.main_thread():  # Python takes signals only there
        return _run(arguments)
    previous = signal.signal(signal.SIGTERM, _raise_terminated)
    try:
        return _run(arguments)
    finally:
        signal.signal(signal.SIGTERM, previous)  # main() may be called inside another program (the tests)


def _run(arguments) -> int:
    """The command's handler, with every expected failure turned into one line and an exit status."""
    import tensorflow as tf  # (already loaded by .training)

    from .notebook_runner import NotebookFailed
    from .training import TrainingDiverged

    try:
        return arguments.handler(arguments)
    except Exception as error:
        expected = EXPECTED_ERRORS + (NotebookFailed, TrainingDiverged, tf.errors.ResourceExhaustedError)
        if arguments.debug or not isinstance(error, expected):
            raise
        if isinstance(error, NotebookFailed):
            print(f"a notebook failed: {error}", file=sys.stderr)
            return 1
        print(f"error: {_one_line(error)}", file=sys.stderr)
        return 2
    except (KeyboardInterrupt, Terminated) as stop:
        if arguments.debug:
            raise
        what, status = ("interrupted", 130) if isinstance(stop, KeyboardInterrupt) else (
            "terminated (SIGTERM)", 128 + signal.SIGTERM)
        print(f"{what}: a run folder keeps its last checkpoint (continue a training with --resume)", file=sys.stderr)
        return status


# What a user's input or machine can cause: a bad value, a missing, unreadable or unwritable file, a
# corrupt image (PIL's errors are OSError or ValueError), a request too big for memory.
EXPECTED_ERRORS = (ValueError, OSError, MemoryError, EOFError, zipfile.BadZipFile)


def _one_line(error: BaseException) -> str:
    """The error as one line: an OSError as its reason and file, anything else as its message."""
    if isinstance(error, OSError) and error.strerror:
        return f"{error.strerror}: {error.filename}" if error.filename else error.strerror
    if isinstance(error, MemoryError):
        return "not enough memory for that request; ask for fewer or smaller items"
    import tensorflow as tf  # (loaded by main already)

    if isinstance(error, tf.errors.ResourceExhaustedError):  # a tensor too big for the device's memory
        allocation = re.search(r"OOM when allocating tensor with shape\[[^\]]*\]", str(error))
        return (f"not enough memory ({allocation.group() if allocation else 'TensorFlow ran out'}); ask for "
                f"smaller models or batches (noise_dim, channels, batch_size)")
    return " ".join(str(error).split()) or type(error).__name__


def whole_number(minimum: int):
    """An argparse type: a whole number of at least ``minimum`` (``checks.check_count``)."""

    def parse(text: str) -> int:
        try:
            value = int(text)
            check_count("the value", value, minimum=minimum)
        except ValueError:
            raise argparse.ArgumentTypeError(f"must be a whole number of at least {minimum}; got {text!r}") from None
        return value

    return parse


_positive_int = whole_number(1)
_seed = whole_number(0)  # NumPy refuses a negative seed, and only once the work is under way


def _output(kind: str):
    """An argparse type for an output ``kind`` ("file" or "folder"), checked before any work starts."""

    def parse(text: str) -> Path:
        if not text.strip():
            raise argparse.ArgumentTypeError(f"is empty; give a {kind} path")
        try:
            return check_output(Path(text), kind)
        except ValueError as error:
            raise argparse.ArgumentTypeError(str(error)) from None

    return parse


def _dataset_folder(text: str) -> Path:
    """An argparse type for --data-2017/--data-2018: an empty one would read the current folder."""
    if not text.strip():
        raise argparse.ArgumentTypeError("is empty; give the folder that holds the course's dataset")
    return Path(text)


class _HelpFormatter(argparse.RawDescriptionHelpFormatter):
    """Examples keep their lines, and a flag's help ends with its default where it has one to say."""

    def _get_help_string(self, action) -> str:
        text = action.help or ""
        if action.required or action.default in (None, False, [], argparse.SUPPRESS) or "default" in text:
            return text
        return f"{text} (default: %(default)s)"


EXAMPLES = """examples:
  python -m acgan_lib data --count 3000 --size 32                  # the built-in faces, cached in data/
  python -m acgan_lib train --out runs/first                       # train the quick profile
  python -m acgan_lib evaluate --generator runs/first/generator.keras --out runs/first/evaluation.json
  python -m acgan_lib sample --generator pretrained --tags testing_tags.txt --out samples
  python -m acgan_lib notebooks --profile quick --out report       # what make run does
  python -m acgan_lib batch --notebook 04_training --param seed=0,1,2

python -m acgan_lib COMMAND --help says more about each command."""


def _build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(prog="python -m acgan_lib",
                                     description="The ACGAN teaching suite: render faces, train a conditional "
                                                 "GAN, judge and sample it, run the notebooks.",
                                     epilog=EXAMPLES, formatter_class=_HelpFormatter)
    parser.add_argument("--version", action="version", version=f"acgan_lib {__version__}")
    parser.add_argument("--debug", action="store_true", help="show the full traceback of an error")
    commands = parser.add_subparsers(dest="command", required=True, metavar="COMMAND",
                                     help="what to do (COMMAND --help says more)")

    data = commands.add_parser("data", formatter_class=_HelpFormatter, help="render the built-in anime-face dataset into the cache")
    data.add_argument("--count", type=_positive_int, required=True, help="number of faces")
    data.add_argument("--size", type=int, required=True, help="image side in pixels (32 to 128)")
    data.add_argument("--seed", type=_seed, default=0, help="seed of the faces and their labels")
    data.add_argument("--distribution", choices=LABEL_DISTRIBUTIONS, default="uniform",
                      help="joint distribution of (hair, eye) labels")
    data.add_argument("--data-dir", type=_output("folder"), default=None, help="cache folder (default: data/)")
    data.set_defaults(handler=_data)

    _add_train_parser(commands)

    notebooks = commands.add_parser("notebooks", formatter_class=_HelpFormatter, help="run all notebooks headless into a report folder")
    notebooks.add_argument("--profile", choices=tuple(PROFILES), default="quick",
                           help="the profile every notebook runs in (smoke: tests, under a minute each)")
    notebooks.add_argument("--out", type=_output("folder"), default=Path("report"),
                           help="the report folder: executed notebooks, REPORT.md, index.html")
    notebooks.add_argument("--notebooks-dir", type=Path, default=None,
                           help="where the numbered notebooks are (default: notebooks/ of this project)")
    notebooks.add_argument("--keep-going", action="store_true",
                           help="run the remaining notebooks after a failure (the exit code is still 1)")
    notebooks.set_defaults(handler=_notebooks)

    batch = commands.add_parser("batch", formatter_class=_HelpFormatter, help="run one notebook over a grid of parameters (papermill)",
                                description="Run one notebook over the cross product of parameter values; "
                                            "writes a folder per run, batch.csv and batch.png.")
    batch.add_argument("--notebook", required=True, help="a notebook name such as 04_training, or a path")
    batch.add_argument("--param", action="append", default=[], metavar="NAME=V1[,V2...]",
                       help="a parameter of the notebook's parameters cell and its values (repeatable); "
                            "e.g. --param seed=0,1 --param profile_name=smoke")
    batch.add_argument("--out", type=_output("folder"), default=Path("report/batch"), help="a folder per run, batch.csv and batch.png")
    batch.set_defaults(handler=_batch)

    clean = commands.add_parser("clean-notebooks", formatter_class=_HelpFormatter, help="strip outputs except NBVAL_CHECK_OUTPUT cells")
    clean.add_argument("paths", nargs="*", type=Path, help="notebooks (default: all in notebooks/)")
    clean.add_argument("--refresh", action="store_true",
                       help="execute each notebook (smoke profile) to refresh its checked outputs")
    clean.set_defaults(handler=_clean_notebooks)
    _add_evaluation_commands(commands)
    return parser


# Training flags and the profile fields they set; a flag left out keeps the profile's value.
# Flags for the settings most often changed: flag -> (profile field, type, what it is). Every other field
# of the profile can be set with --set FIELD=VALUE.
TRAINING_FLAGS = {
    "steps": ("train_steps", int, "generator updates"),
    "batch_size": ("batch_size", int, "faces per batch"),
    "learning_rate_d": ("learning_rate_d", float, "Adam learning rate of D (seed: 1e-4)"),
    "learning_rate_g": ("learning_rate_g", float, "Adam learning rate of G (seed: 1e-4)"),
    "lr_schedule": ("learning_rate_schedule", str, "constant, or cosine: down to 0 at the last step"),
    "beta1": ("adam_beta_1", float, "Adam beta_1"),
    "beta2": ("adam_beta_2", float, "Adam beta_2"),
    "d_steps": ("d_steps_per_g_step", int, "D updates per G update"),
    "label_smoothing": ("label_smoothing", float, "one-sided: real targets become 1 - this"),
    "loss": ("loss", str, "D's and G's loss"),
    "aux_weight": ("aux_weight", float, "weight of the hair and eye losses (acgan head)"),
    "head": ("head", str, "how D is conditioned on the labels"),
    "noise": ("noise_distribution", str, "the distribution of G's noise"),
    "g_norm": ("generator_normalisation", str, "normalisation in G's blocks"),
    "d_norm": ("discriminator_normalisation", str, "normalisation in D's blocks"),
    "checkpoint_every": ("checkpoint_every", int, "steps between checkpoints"),
    "seed": ("seed", int, "random seed"),
}

TRAIN_EXAMPLES = """examples:
  python -m acgan_lib train --out runs/first                       # the quick profile, about 15 minutes
  python -m acgan_lib train --out runs/first --resume              # continue after a stop
  python -m acgan_lib train --profile smoke --out runs/try --steps 20 --loss hinge
  python -m acgan_lib train --out runs/wide --set generator_channels=128,64,32 --set minibatch_spread=false
  python -m acgan_lib train --data-2017 ~/anime --profile full --out runs/seed --strategy mirrored"""


def _profile_values(field: str) -> str:
    """Each profile's value of ``field``, for a flag's help: its default depends on --profile."""
    return ", ".join(f"{name}: {_shown(getattr(profile, field))}" for name, profile in PROFILES.items())


def _shown(value) -> str:
    return ",".join(map(str, value)) if isinstance(value, tuple) else str(value).lower() if isinstance(value, bool) else str(value)


def _add_train_parser(commands) -> None:
    train = commands.add_parser(
        "train", help="train a GAN into a run folder", epilog=TRAIN_EXAMPLES, formatter_class=_HelpFormatter,
        description="Train a GAN into a run folder: checkpoints, history, sample grids, TensorBoard logs, "
                    "and generator.keras at the end. A flag left out takes the profile's value.")
    train.add_argument("--profile", choices=tuple(PROFILES), default=None,
                       help="named sizes and settings (default: quick; a resumed run keeps its own)")
    train.add_argument("--out", type=_output("folder"), required=True, help="the run folder, e.g. runs/first")
    train.add_argument("--resume", action="store_true", help="continue the run in --out from its last checkpoint")
    for flag, (field, kind, description) in TRAINING_FLAGS.items():
        train.add_argument(f"--{flag.replace('_', '-')}", dest=flag, type=kind, default=None,
                           choices=FIELD_CHOICES.get(field), help=f"{description} ({_profile_values(field)})")
    train.add_argument("--set", action="append", default=[], type=profile_setting, metavar="FIELD=VALUE", dest="settings",
                       help=f"any profile field, repeatable: {', '.join(SETTABLE_FIELDS)} (profiles.Profile "
                            f"says what each does; tuples as 64,32,16, switches as true/false)")
    source = train.add_mutually_exclusive_group()
    source.add_argument("--data-2017", type=_dataset_folder, help="train on the 2017 set in this folder (faces/ + tags_clean.csv) "
                                                       "instead of the built-in faces")
    source.add_argument("--data-2018", type=_dataset_folder, help="train on the 2018 set in this folder (extra_data/) "
                                                       "instead of the built-in faces")
    train.add_argument("--strategy", choices=STRATEGIES, default="default",
                       help="default: one device; mirrored: split each batch over all local GPUs "
                            "(MirroredStrategy); multi-worker: over the machines that TF_CONFIG lists "
                            "(MultiWorkerMirroredStrategy; README, 'Several GPUs or machines')")
    train.add_argument("--deterministic", action="store_true",
                       help="turn on TensorFlow op determinism: the same run gives the same weights")
    train.add_argument("--no-progress", action="store_true", help="no progress bar (for logs)")
    train.set_defaults(handler=_train)


def profile_setting(text: str) -> tuple[str, object]:
    """An argparse type for --set FIELD=VALUE (``profiles.parse_setting``)."""
    try:
        return parse_setting(text)
    except ValueError as error:
        raise argparse.ArgumentTypeError(str(error)) from None


def _training_overrides(arguments) -> dict:
    """The profile fields given on the command line, by flag or by --set; one field given twice with two
    values is refused."""
    given = [(field, getattr(arguments, flag), f"--{flag.replace('_', '-')}")
             for flag, (field, _, _) in TRAINING_FLAGS.items() if getattr(arguments, flag) is not None]
    given += [(field, value, f"--set {field}") for field, value in arguments.settings]
    overrides, named_by = {}, {}
    for field, value, name in given:
        if field in overrides and overrides[field] != value:
            raise ValueError(f"{field} is given twice with different values ({named_by[field]} "
                             f"{_shown(overrides[field])}, {name} {_shown(value)}); give it once")
        overrides[field], named_by[field] = value, name
    return overrides


def _train(arguments) -> int:
    import tensorflow as tf

    from .datasets import training_faces
    from .profiles import get_profile, profile_from_dict
    from .run_records import read_run_info
    from .training import GANTrainer

    overrides = _training_overrides(arguments)
    data_source = {"2017": arguments.data_2017, "2018": arguments.data_2018}  # stored absolute, for --resume
    data_source = {name: str(root.resolve()) for name, root in data_source.items() if root is not None} or {"synthetic": None}
    if arguments.resume:
        info = read_run_info(arguments.out)
        if info is None:
            raise FileNotFoundError(f"nothing to resume: {arguments.out / 'run.json'} does not exist")
        stored = profile_from_dict(info["profile"])
        changed = sorted(field for field, value in overrides.items()
                         if field != "train_steps" and getattr(stored, field) != value)
        if arguments.profile not in (None, stored.name):
            changed.insert(0, f"--profile {arguments.profile} (the run's is {stored.name})")
        given = arguments.data_2017 or arguments.data_2018
        if given is not None and data_source != info.get("data"):
            changed.append(f"the data folder {given} (the run's is {info.get('data')})")
        if changed:
            raise ValueError(f"a resumed run keeps its settings; drop {', '.join(changed)} or start a new run")
        profile = dataclasses.replace(stored, **overrides)
        data_source = info.get("data", data_source)
    else:
        profile = get_profile(arguments.profile or "quick", **overrides)
    if arguments.deterministic:
        tf.config.experimental.enable_op_determinism()
    strategy = make_strategy(arguments.strategy)  # first: a worker starts its server before other work
    images, hair_ids, eye_ids = training_faces(profile, data_source)
    trainer = GANTrainer(profile, arguments.out, strategy=strategy, data_source=data_source)
    if strategy is not None:
        replicas = strategy.num_replicas_in_sync
        print(f"{arguments.strategy}: each batch of {profile.batch_size} split over {replicas} replicas")
    started = time.perf_counter()
    rows = trainer.fit(images, hair_ids, eye_ids, resume=arguments.resume, progress=not arguments.no_progress)
    if rows:
        last = rows[-1]
        print(f"step {last['step']}: d_loss {last['d_loss']:.3f}, g_loss {last['g_loss']:.3f}, "
              f"D accuracy {last['d_accuracy']:.2f}, G accuracy {last['g_accuracy']:.2f}")
    out = arguments.out
    print(f"{out} ({time.perf_counter() - started:.0f} s this time): "
          + ", ".join(sorted(path.name + ("/" if path.is_dir() else "") for path in out.iterdir()
                             if not path.name.startswith("."))))
    print("next:\n"
          f"  tensorboard --logdir {out / 'tensorboard'}\n"
          f"  python -m acgan_lib evaluate --generator {out / 'generator.keras'} --out {out / 'evaluation.json'}\n"
          f"  python -m acgan_lib sample --generator {out / 'generator.keras'} --tags testing_tags.txt "
          f"--out {out / 'samples_asked'}")
    return 0


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

    run_notebooks(arguments.profile, arguments.out, arguments.notebooks_dir or NOTEBOOKS_DIR,
                  keep_going=arguments.keep_going)
    return 0


def _batch(arguments) -> int:
    from .batch import find_notebook, parse_grid, run_sweep

    notebook = find_notebook(arguments.notebook)
    grid = parse_grid(notebook, arguments.param)  # every name and value checked before anything runs
    runs = run_sweep(notebook, grid, arguments.out)
    failed = [run for run in runs if run.status == "failed"]
    print(f"{len(runs) - len(failed)} of {len(runs)} runs ran; {arguments.out / 'batch.csv'}")
    return 1 if failed else 0


def _clean_notebooks(arguments) -> int:
    import nbformat

    from .notebook_runner import numbered_notebooks, read_notebook, refresh_checked_outputs, strip_outputs

    notebooks = [(path, read_notebook(path)) for path in arguments.paths or numbered_notebooks()]  # all first
    for path, notebook in notebooks:
        if arguments.refresh:
            refresh_checked_outputs(path)
        else:
            nbformat.write(strip_outputs(notebook), path)
        print(f"cleaned {path}")
    return 0


SAMPLE_GRID_COLUMNS = 8
def _generator_argument(text: str) -> Path:
    """--generator: a .keras file or a shipped generator's short name (argparse reports a bad one)."""
    try:
        return generator_path(text)
    except ValueError as error:
        raise argparse.ArgumentTypeError(str(error)) from None


GENERATOR_HELP = (f"a generator .keras file (train writes runs/NAME/generator.keras), or a shipped one: "
                  f"{', '.join(SHIPPED)}")


def _add_evaluation_commands(commands) -> None:
    """The ``evaluate`` and ``sample`` subcommands, which read a saved generator."""
    evaluate = commands.add_parser("evaluate", formatter_class=_HelpFormatter, help="judge a saved generator; print a table, write JSON")
    evaluate.add_argument("--generator", type=_generator_argument, required=True, help=GENERATOR_HELP)
    evaluate.add_argument("--tags", type=Path, default=None,
                          help="draw the (hair, eye) pairs of this tags file (default: all 132 pairs)")
    evaluate.add_argument("--out", type=_output("file"), default=None, help="write the results as JSON here")
    evaluate.add_argument("--samples-per-pair", type=whole_number(2), default=10,
                          help="faces drawn per requested pair (two at least: diversity compares two of a pair)")
    evaluate.add_argument("--seed", type=_seed, default=0, help="noise and sampling seed")
    evaluate.add_argument("--noise", choices=NOISE_DISTRIBUTIONS, default=None,
                          help="the noise the generator was trained with (default: from the run.json beside "
                               "the generator, else uniform)")
    evaluate.add_argument("--real-count", type=_positive_int, default=None,
                          help="built-in real faces to compare with (default: the run's training faces when a "
                               "run.json lies beside the generator, else the dataset of the profile with the "
                               "generator's image size)")
    evaluate.add_argument("--judge-dataset-size", type=_positive_int, default=None,
                          help="faces the judge trains on (default: judge.JudgeSettings; it is trained once "
                               "per setting and cached)")
    evaluate.add_argument("--judge-epochs", type=_positive_int, default=None,
                          help="most epochs the judge trains for (default: judge.JudgeSettings)")
    evaluate.add_argument("--data-dir", type=_output("folder"), default=None, help="cache folder (default: data/)")
    evaluate.set_defaults(handler=_evaluate)

    sample = commands.add_parser("sample", formatter_class=_HelpFormatter, help="draw one face per line of a tags file, and a grid")
    sample.add_argument("--generator", type=_generator_argument, required=True, help=GENERATOR_HELP)
    sample.add_argument("--tags", type=Path, required=True, help="rows 'n,<hair> hair <eye> eyes'")
    sample.add_argument("--out", type=_output("folder"), required=True, help="folder for <n>.png and grid.png")
    sample.add_argument("--seed", type=_seed, default=0, help="noise seed")
    sample.add_argument("--noise", choices=NOISE_DISTRIBUTIONS, default=None,
                        help="the noise the generator was trained with (default: from the run.json beside "
                             "the generator, else uniform)")
    sample.set_defaults(handler=_sample)


def _evaluate(arguments) -> int:
    import json

    import numpy as np

    from .datasets import read_test_tags
    from .evaluation import (
        check_real_faces,
        evaluate_generator,
        format_table,
        generator_source,
        load_generator,
    )
    from .judge import JudgeSettings, load_or_train_judge
    from .saved_generators import noise_of, real_faces, run_beside

    generator = load_generator(arguments.generator)
    requests = read_test_tags(arguments.tags) if arguments.tags else None
    image_size = generator.output.shape[1]
    run = run_beside(arguments.generator)
    chosen = {"dataset_size": arguments.judge_dataset_size, "epochs": arguments.judge_epochs}
    settings = JudgeSettings(**{field: value for field, value in chosen.items() if value is not None})
    real_images, real_hair, real_eyes, real_source = real_faces(run, image_size, arguments.real_count,
                                                                 arguments.data_dir)
    check_real_faces(real_hair, real_eyes)  # before the judge, which may take minutes to train
    print(f"real faces to compare with: {len(real_images)}, {real_source}")
    print(f"judge for {image_size} px: loading it, or training it once (cached in the data folder)")
    judge = load_or_train_judge(image_size, settings, directory=arguments.data_dir, verbose=2)
    held_out = judge.manifest["held_out"]
    print(f"judge {'reused' if judge.reused else 'trained'}: {judge.path.name}, held-out accuracy "
          f"hair {held_out['hair_accuracy']:.4f}, eyes {held_out['eye_accuracy']:.4f}")
    pairs = None if requests is None else (np.array([request.hair for request in requests]),
                                           np.array([request.eye for request in requests]))
    noise = noise_of(run, arguments.noise)
    results = evaluate_generator(
        generator_source(generator, noise), judge.model, real_images, real_hair, real_eyes,
        requests=pairs, samples_per_pair=arguments.samples_per_pair, seed=arguments.seed,
    )
    results = {"generator": str(arguments.generator), "image_size": image_size, "noise": noise,
               "real_faces": len(real_images), "real_source": real_source, "judge": judge.path.name,
               "judge_held_out": held_out, **results}
    print(format_table(results))
    if arguments.out:
        arguments.out.parent.mkdir(parents=True, exist_ok=True)
        write_text_atomic(arguments.out, json.dumps(results, indent=2) + "\n")
        print(f"wrote {arguments.out}")
    return 0


def _sample(arguments) -> int:
    from PIL import Image

    from .datasets import read_test_tags
    from .evaluation import generate, load_generator
    from .grids import image_grid
    from .saved_generators import noise_of, run_beside

    requests = read_test_tags(arguments.tags)
    _check_unique_numbers(requests, arguments.tags)
    generator = load_generator(arguments.generator)
    images = generate(generator, [request.hair for request in requests], [request.eye for request in requests],
                      seed=arguments.seed, noise_distribution=noise_of(run_beside(arguments.generator), arguments.noise))
    arguments.out.mkdir(parents=True, exist_ok=True)
    # Each file is written beside its name and renamed into place, so a link already standing there is
    # replaced, never followed out of the folder.
    for request, image in zip(requests, images):
        write_atomic(arguments.out / f"{request.n}.png", Image.fromarray(image).save)
    grid = image_grid(images, columns=min(len(images), SAMPLE_GRID_COLUMNS))
    write_atomic(arguments.out / "grid.png", Image.fromarray(grid).save)
    print(f"wrote {len(images)} faces and grid.png to {arguments.out}")
    return 0


def _check_unique_numbers(requests, tags_path: Path) -> None:
    """Each request is written to <n>.png, so two lines with one n would overwrite each other."""
    first_line: dict[int, int] = {}
    for request in requests:
        if request.n in first_line:
            raise ValueError(f"{tags_path}, line {request.line_number}: request number {request.n} is already "
                             f"used on line {first_line[request.n]}; each line needs its own n")
        first_line[request.n] = request.line_number
