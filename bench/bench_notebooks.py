"""Notebook run times against their budgets, scaled by the machine's speed.

For each profile asked for, it runs a notebook (default: 05, failure analysis) headless twice in a fresh
data folder: the first run trains and caches everything the notebook caches (experiments, toy runs), the
second reads it all back. The data folder starts with links to what ``data/`` holds already (rendered
datasets, trained judges), as it does in ``make run`` after notebooks 01 to 04; anything missing is made
by the first run and counted in it.

A shared machine is not always the same speed, so a 2048² float32 matmul is timed before and after the
runs (best of several), and every time is also given scaled to the reference machine: seconds x (measured
GFLOP/s / ``REFERENCE_GFLOPS``). The budgets (issue 10) hold on the scaled figures:

- quick: first run at most 600 s, cached rerun under 60 s;
- smoke: first run under 60 s.

Prints a table and the same as JSON, which it also writes to bench/results/notebooks.json.
"""

from __future__ import annotations

import argparse
import json
import os
import platform
import tempfile
import time
from pathlib import Path

from bench_training import MATMUL_SIZE, REFERENCE_GFLOPS, MatmulReference

REPO_ROOT = Path(__file__).resolve().parents[1]
RESULTS = REPO_ROOT / "bench" / "results" / "notebooks.json"
BUDGETS = {"quick": {"first": 600.0, "cached": 60.0}, "smoke": {"first": 60.0}}  # scaled seconds
MATMUL_ROUNDS = 5


def machine_gflops() -> float:
    """The best of ``MATMUL_ROUNDS`` timings of the reference matmul (the least disturbed one)."""
    reference = MatmulReference(MATMUL_SIZE, repeats=5)
    return max(reference.gflops_per_second() for _ in range(MATMUL_ROUNDS))


def run_notebook(notebook: Path, profile_name: str, data_dir: Path) -> float:
    """Seconds for one headless run of ``notebook`` with ``ACGAN_DATA_DIR`` at ``data_dir``."""
    import papermill

    os.environ["ACGAN_DATA_DIR"] = str(data_dir)
    with tempfile.TemporaryDirectory() as scratch:
        started = time.perf_counter()
        papermill.execute_notebook(str(notebook), str(Path(scratch) / notebook.name),
                                   parameters={"profile_name": profile_name}, progress_bar=False,
                                   cwd=str(notebook.parent))
        return time.perf_counter() - started


def fresh_data_dir(scratch: Path) -> Path:
    """A data folder linking every file ``data/`` holds (datasets, judges), without any cached experiment."""
    folder = scratch / "data"
    folder.mkdir()
    for path in (REPO_ROOT / "data").glob("*"):
        if path.is_file():
            (folder / path.name).symlink_to(path)
    return folder


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--notebook", default="05_failure_analysis.ipynb", help="in notebooks/ (default: %(default)s)")
    parser.add_argument("--profile", action="append", choices=sorted(BUDGETS),
                        help="repeatable; default: smoke and quick")
    arguments = parser.parse_args()
    notebook = REPO_ROOT / "notebooks" / arguments.notebook
    if not notebook.is_file():
        parser.error(f"no notebook {notebook}; choose one of: "
                     + ", ".join(sorted(path.name for path in notebook.parent.glob("*.ipynb"))))
    gflops_before = machine_gflops()
    rows = []
    for profile_name in arguments.profile or ["smoke", "quick"]:
        with tempfile.TemporaryDirectory() as scratch:
            data_dir = fresh_data_dir(Path(scratch))
            for run in ("first", "cached"):
                print(f"{notebook.name}, {profile_name}, {run} run ...", flush=True)
                rows.append({"profile": profile_name, "run": run,
                             "seconds": run_notebook(notebook, profile_name, data_dir)})
    gflops = (gflops_before + machine_gflops()) / 2
    for row in rows:
        row["scaled_seconds"] = row["seconds"] * gflops / REFERENCE_GFLOPS
        budget = BUDGETS[row["profile"]].get(row["run"])
        row["budget_scaled_seconds"] = budget
        row["met"] = None if budget is None else row["scaled_seconds"] <= budget
    print(f"\n{notebook.name}; matmul {gflops:.0f} GFLOP/s (reference {REFERENCE_GFLOPS:.0f}), "
          f"{os.cpu_count()} CPUs, {platform.processor() or platform.machine()}")
    print(f"{'profile':8s} {'run':7s} {'seconds':>8s} {'scaled':>8s} {'budget':>8s}  met")
    for row in rows:
        budget = "-" if row["budget_scaled_seconds"] is None else f"{row['budget_scaled_seconds']:.0f}"
        met = "-" if row["met"] is None else ("yes" if row["met"] else "NO")
        print(f"{row['profile']:8s} {row['run']:7s} {row['seconds']:8.1f} {row['scaled_seconds']:8.1f} {budget:>8s}  {met}")
    report = {"notebook": notebook.name, "matmul_gflops": {"before": gflops_before, "mean": gflops},
              "reference_gflops": REFERENCE_GFLOPS, "cpus": os.cpu_count(), "results": rows}
    RESULTS.parent.mkdir(parents=True, exist_ok=True)
    RESULTS.write_text(json.dumps(report, indent=2) + "\n")
    print(json.dumps(report, indent=2))


if __name__ == "__main__":
    main()
