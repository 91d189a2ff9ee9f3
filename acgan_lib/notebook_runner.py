"""Run the numbered notebooks headless with papermill, in reading order, into a report folder.

``run_notebooks("quick", "report/")`` executes ``notebooks/01_*.ipynb``, ``02_*`` ... with the profile
injected as the ``profile_name`` parameter, writes each executed copy into the report folder, points
``ACGAN_REPORT_DIR`` at it so notebooks save their figures there, and writes ``REPORT.md`` with a line per
notebook. It stops at the first notebook that fails and names it, its cell and the error.

This module also keeps the stored notebooks clean: ``strip_outputs`` removes every output except those of
cells marked ``# NBVAL_CHECK_OUTPUT``, whose stored output ``pytest --nbval-lax`` compares with a fresh run.
"""

from __future__ import annotations

import os
import re
import time
from dataclasses import dataclass
from pathlib import Path

import nbformat

from .paths import NOTEBOOKS_DIR
from .profiles import get_profile

CHECK_MARKER = "NBVAL_CHECK_OUTPUT"
_NUMBERED = re.compile(r"^\d\d_.+\.ipynb$")


class NotebookFailed(RuntimeError):
    """A notebook raised an error; the message names the notebook, the cell and the error."""


@dataclass(frozen=True)
class NotebookResult:
    name: str
    output: Path
    seconds: float


def numbered_notebooks(directory: Path = NOTEBOOKS_DIR) -> list[Path]:
    """The notebooks ``NN_name.ipynb`` in ``directory``, in reading order."""
    return sorted(path for path in Path(directory).glob("*.ipynb") if _NUMBERED.match(path.name))


def run_notebooks(
    profile_name: str,
    out_dir: Path | str,
    notebooks_dir: Path | str = NOTEBOOKS_DIR,
    progress: bool = True,
) -> list[NotebookResult]:
    """Execute every numbered notebook in order; raise NotebookFailed at the first failure."""
    get_profile(profile_name)  # a bad profile name fails here, before any notebook starts
    notebooks = numbered_notebooks(Path(notebooks_dir))
    if not notebooks:
        raise FileNotFoundError(f"no numbered notebooks (NN_name.ipynb) in {notebooks_dir}")
    out_dir = Path(out_dir).resolve()
    out_dir.mkdir(parents=True, exist_ok=True)
    results: list[NotebookResult] = []
    previous_report_dir = os.environ.get("ACGAN_REPORT_DIR")
    os.environ["ACGAN_REPORT_DIR"] = str(out_dir)
    try:
        for number, notebook in enumerate(notebooks, start=1):
            print(f"[{number}/{len(notebooks)}] {notebook.name} (profile {profile_name})", flush=True)
            results.append(_run_one(notebook, out_dir, profile_name, progress))
            print(f"    done in {results[-1].seconds:.1f} s -> {results[-1].output}", flush=True)
    finally:
        _restore_variable("ACGAN_REPORT_DIR", previous_report_dir)
        write_report_index(out_dir, profile_name, results, len(notebooks))
    return results


def _run_one(notebook: Path, out_dir: Path, profile_name: str, progress: bool) -> NotebookResult:
    import papermill
    from papermill.exceptions import PapermillExecutionError

    output = out_dir / notebook.name
    started = time.perf_counter()
    try:
        papermill.execute_notebook(
            str(notebook),
            str(output),
            parameters={"profile_name": profile_name},
            progress_bar=progress,
            cwd=str(notebook.parent),
        )
    except PapermillExecutionError as error:
        first_line = error.source.strip().splitlines()[0] if error.source.strip() else ""
        raise NotebookFailed(
            f"{notebook.name} failed in cell {_cell_number(notebook, error.source)} ({first_line!r}; "
            f"In [{error.exec_count}] in the executed copy): {error.ename}: {error.evalue}\n"
            f"the executed copy with the traceback: {output}"
        ) from None
    return NotebookResult(notebook.name, output, time.perf_counter() - started)


def _cell_number(notebook: Path, source: str) -> str:
    """The 1-based position of the cell with this source in the stored notebook, as a reader counts."""
    cells = nbformat.read(notebook, as_version=4).cells
    numbers = [number for number, cell in enumerate(cells, start=1) if cell.source == source]
    return str(numbers[0]) if numbers else "?"


def write_report_index(out_dir: Path, profile_name: str, results: list[NotebookResult], planned: int) -> Path:
    """Write ``REPORT.md``: which notebooks ran, how long each took, and the figures they saved."""
    lines = [
        "# ACGAN suite: headless run",
        "",
        f"Profile `{profile_name}`: {len(results)} of {planned} notebooks executed.",
        "",
        "| notebook | seconds |",
        "|---|---|",
        *[f"| [{result.name}]({result.name}) | {result.seconds:.1f} |" for result in results],
    ]
    figures = sorted((out_dir / "figures").glob("*.png"))
    if figures:
        lines += ["", "## Figures", ""]
        lines += [f"![{figure.stem}](figures/{figure.name})" for figure in figures]
    path = out_dir / "REPORT.md"
    path.write_text("\n".join(lines) + "\n")
    return path


def strip_outputs(notebook: nbformat.NotebookNode) -> nbformat.NotebookNode:
    """Remove outputs and execution counts, keeping the outputs of cells marked NBVAL_CHECK_OUTPUT.

    nbval compares only cells that were run, so checked cells keep a count: 1, 2, 3... in order, which
    keeps the stored file the same from one refresh to the next.
    """
    checked_cells = 0
    for cell in notebook.cells:
        if cell.cell_type != "code":
            continue
        cell.metadata.pop("execution", None)
        if CHECK_MARKER not in cell.source:
            cell.execution_count = None
            cell.outputs = []
            continue
        checked_cells += 1
        cell.execution_count = checked_cells
        for output in cell.outputs:
            if "execution_count" in output:
                output.execution_count = checked_cells
    notebook.metadata.pop("papermill", None)
    return notebook


def unexpected_outputs(notebook: nbformat.NotebookNode) -> list[int]:
    """Indices of code cells that store outputs without the NBVAL_CHECK_OUTPUT marker."""
    return [
        index
        for index, cell in enumerate(notebook.cells)
        if cell.cell_type == "code" and cell.outputs and CHECK_MARKER not in cell.source
    ]


def refresh_checked_outputs(notebook_path: Path, profile_name: str = "smoke") -> None:
    """Execute a stored notebook and write it back with only its checked cells' outputs.

    Run this after editing a notebook so that the outputs nbval compares are the ones the code gives now.
    """
    import papermill

    notebook_path = Path(notebook_path)
    executed_path = notebook_path.with_suffix(".executed.ipynb")
    try:
        papermill.execute_notebook(
            str(notebook_path), str(executed_path),
            parameters={"profile_name": profile_name}, progress_bar=False, cwd=str(notebook_path.parent),
        )
        executed = nbformat.read(executed_path, as_version=4)
    finally:
        executed_path.unlink(missing_ok=True)
    stored = nbformat.read(notebook_path, as_version=4)
    executed_by_id = {cell.get("id"): cell for cell in executed.cells}
    for cell in stored.cells:
        if cell.cell_type == "code" and CHECK_MARKER in cell.source:
            cell.outputs = executed_by_id[cell.get("id")].outputs
    nbformat.write(strip_outputs(stored), notebook_path)


def _restore_variable(name: str, value: str | None) -> None:
    if value is None:
        os.environ.pop(name, None)
    else:
        os.environ[name] = value
