"""The command line: ``python -m acgan_lib <command>``.

- ``data``: render the built-in dataset into the ``data/`` cache (reused when it already exists).
- ``notebooks``: run every notebook headless with papermill into a report folder (what ``make run`` does).
- ``clean-notebooks``: strip stored outputs (keeping NBVAL_CHECK_OUTPUT cells), optionally refreshing
  the checked outputs by executing the notebooks in the smoke profile.

A mistake on the command line (a bad value, a missing file) prints one line saying what is allowed and
exits with status 2; a failing notebook exits with status 1.
"""

from __future__ import annotations

import argparse
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
