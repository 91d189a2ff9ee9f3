"""Parameter sweeps: one notebook over the cross product of parameter values, through papermill.

``python -m acgan_lib batch --notebook 04_training --param seed=0,1 --param profile_name=smoke`` runs the
notebook once per combination, each into its own folder under ``--out`` (the executed copy, its HTML
export, its figures and the results it recorded: ``results``), and writes ``batch.csv`` (one row per
run: parameters, status, seconds, the recorded numbers) and ``batch.png``, the recorded numbers side by
side. Names and values are checked against the notebook's parameters cell before anything runs: an
unknown name or a value of the wrong type is an error that lists the parameters and their types. A run
that fails is recorded as failed and the others still run.
"""

from __future__ import annotations

import ast
import csv
import io
import itertools
import re
from dataclasses import dataclass, field
from pathlib import Path

from .checks import check_choice
from .notebook_runner import execute, headless, read_notebook, say_outcome
from .notebook_setup import assigned_literals, check_parameter
from .paths import NOTEBOOKS_DIR, write_text_atomic
from .profiles import PROFILES, SETTABLE_FIELDS, get_profile, parse_setting
from .results import read_results

MAX_RUNS = 64  # a sweep larger than this is almost certainly a typo


@dataclass(frozen=True)
class SweepRun:
    """One run of a sweep: its parameters, where it went, how it went, and what it recorded."""

    parameters: dict
    folder: Path
    status: str  # ran or failed
    seconds: float
    metrics: dict = field(default_factory=dict)  # recorded numbers, flattened: "section: name"
    error: str | None = None


def find_notebook(name: str, directory: Path = NOTEBOOKS_DIR) -> Path:
    """``name`` (``04_training``, ``04_training.ipynb`` or a path) as a notebook path; FileNotFoundError lists them."""
    for candidate in (Path(name), Path(directory) / name, Path(directory) / f"{name}.ipynb"):
        if candidate.is_file() and candidate.suffix == ".ipynb":
            return candidate
    known = ", ".join(sorted(path.stem for path in Path(directory).glob("*.ipynb")))
    raise FileNotFoundError(f"no notebook {name!r}; notebooks in {directory}: {known}")


def notebook_parameters(notebook: Path) -> dict:
    """The names and default values of the notebook's cell tagged ``parameters``."""
    for cell in read_notebook(notebook).cells:
        if cell.cell_type == "code" and "parameters" in cell.metadata.get("tags", []):
            return assigned_literals(cell.source)
    raise ValueError(f"{notebook.name} has no cell tagged 'parameters': it cannot be swept")


def parse_grid(notebook: Path, specs: list[str]) -> dict[str, list]:
    """``["seed=0,1", "rate=1e-4,3e-4"]`` as {name: values}, each value of its default's type; ValueError
    (naming the allowed parameters and types) for an unknown name, a bad value or a malformed spec."""
    defaults = notebook_parameters(notebook)
    grid: dict[str, list] = {}
    for spec in specs:
        name, equals, values = spec.partition("=")
        name = name.strip()
        if not equals or not name or not values.strip():
            raise ValueError(f"a sweep parameter is NAME=VALUE[,VALUE...]; got {spec!r}")
        if name in grid:
            raise ValueError(f"parameter {name!r} is given twice; give all its values in one --param")
        grid[name] = [_typed(name, token.strip(), defaults) for token in values.split(",")]
        if name == "profile_name":  # every notebook takes one; a wrong one would fail only once started
            for value in grid[name]:
                check_choice("parameter profile_name", value, tuple(PROFILES))
    runs = 1
    for values in grid.values():
        runs *= len(values)
    if runs > MAX_RUNS:
        raise ValueError(f"the sweep has {runs} runs; at most {MAX_RUNS} are allowed")
    return grid


def run_sweep(notebook: Path, grid: dict[str, list], out_dir: Path, progress: bool = True) -> list[SweepRun]:
    """Run every combination of ``grid`` (from ``parse_grid``) into ``out_dir``; write batch.csv and batch.png."""
    out_dir = Path(out_dir).resolve()
    out_dir.mkdir(parents=True, exist_ok=True)
    combinations = [dict(zip(grid, values)) for values in itertools.product(*grid.values())] or [{}]
    runs = []
    for number, parameters in enumerate(combinations, start=1):
        folder = out_dir / _folder_name(parameters)
        folder.mkdir(parents=True, exist_ok=True)
        label = f"[{number}/{len(combinations)}] {notebook.name} {_describe(parameters)}"
        with headless(folder):
            outcome = execute(notebook, folder / notebook.name, parameters, label if progress else None)
        runs.append(SweepRun(parameters, folder, outcome.status, outcome.seconds,
                             _flatten(read_results(folder)), outcome.error))
        say_outcome(label, outcome, progress)
    write_text_atomic(out_dir / "batch.csv", sweep_csv(runs))
    _comparison_figure(runs, out_dir / "batch.png")
    return runs


def sweep_csv(runs: list[SweepRun]) -> str:
    """One row per run: its parameters, status, seconds, and every number any run recorded."""
    parameters = list(dict.fromkeys(name for run in runs for name in run.parameters))
    metrics = list(dict.fromkeys(name for run in runs for name in run.metrics))
    text = io.StringIO()
    writer = csv.writer(text)
    writer.writerow([*parameters, "status", "seconds", *metrics, "folder"])
    for run in runs:
        writer.writerow([*[run.parameters.get(name) for name in parameters], run.status, f"{run.seconds:.1f}",
                         *[run.metrics.get(name, "") for name in metrics], run.folder.name])
    return text.getvalue()


def _typed(name: str, token: str, defaults: dict):
    """``token`` read as the type of ``name``'s default, then checked like a papermill parameter. A
    parameter whose default is None but which names a profile field (04's ``learning_rate_g``) is read
    and range-checked as that field, so a bad value is refused here, not inside the notebook."""
    default = defaults.get(name)
    if default is None and name in SETTABLE_FIELDS and token != "None":
        value = parse_setting(f"{name}={token}")[1]
        get_profile(defaults.get("profile_name", "quick"), **{name: value})
        return value
    try:
        if isinstance(default, bool):
            value = {"true": True, "false": False}.get(token.lower(), token)
        elif isinstance(default, int):
            value = int(token)
        elif isinstance(default, float):
            value = float(token)
        elif default is None:
            value = ast.literal_eval(token)  # a None default takes any literal ...
        else:
            value = token
    except (ValueError, SyntaxError):
        value = token  # ... or text; a token that is not of the default's type fails the check below
    check_parameter(name, value, defaults)
    return value


def _flatten(results: dict) -> dict:
    """The numbers of recorded sections, as {"section: name": value} ({"section: row: column"} for tables)."""
    flat = {}
    for section, values in results.items():
        if not isinstance(values, dict):
            continue
        for name, value in values.items():
            if isinstance(value, dict):
                flat.update({f"{section}: {name}: {column}": item for column, item in value.items()
                             if isinstance(item, (int, float)) and not isinstance(item, bool)})
            elif isinstance(value, (int, float)) and not isinstance(value, bool):
                flat[f"{section}: {name}"] = value
    return flat


def _comparison_figure(runs: list[SweepRun], path: Path) -> None:
    """Each recorded number as a panel of bars, one bar per run that recorded it (up to eight numbers)."""
    from . import viz

    shared = [name for name in dict.fromkeys(name for run in runs for name in run.metrics)
              if all(name in run.metrics for run in runs if run.status == "ran")][:8]
    table = {_describe(run.parameters): {name: run.metrics[name] for name in shared} for run in runs
             if run.status == "ran"}
    if not shared or not table:
        return
    figure = viz.plot_bars(table, shared, title="the sweep's recorded numbers, run by run")
    figure.savefig(path, dpi=120, bbox_inches="tight")


def _describe(parameters: dict) -> str:
    return ", ".join(f"{name}={value}" for name, value in parameters.items()) or "(defaults)"


def _folder_name(parameters: dict) -> str:
    name = "_".join(f"{key}-{value}" for key, value in parameters.items()) or "defaults"
    return re.sub(r"[^A-Za-z0-9_.+-]", "-", name)
