"""Run the numbered notebooks headless with papermill, in reading order, into a report folder.

``run_notebooks("quick", "report/")`` executes ``notebooks/01_*.ipynb``, ``02_*`` ... with the profile
injected as the ``profile_name`` parameter, writes each executed copy and its HTML export into the report
folder, points ``ACGAN_REPORT_DIR`` at it so that notebooks save their figures and record their results
there (``results``), and writes the batch report (``report``: ``REPORT.md`` and ``index.html``). It stops at
the first notebook that fails, unless asked to keep going; either way the report names the notebook, its
cell and the error, and ``NotebookFailed`` is raised at the end.

Kernels are started with CurveZMQ transport encryption (nothing for ipykernel to warn about), with
acgan_lib imported first (TensorFlow's C++ start-up lines silenced), and with text progress bars
(``progress``) whose carriage returns nbclient folds, so a saved copy shows each bar's end.

This module also keeps the stored notebooks clean: ``strip_outputs`` removes every output except those of
cells marked ``# NBVAL_CHECK_OUTPUT``, whose stored output ``pytest --nbval-lax`` compares with a fresh run.
"""

from __future__ import annotations

import contextlib
import os
import re
import shutil
import time
from pathlib import Path

import nbformat
from jupyter_client.manager import AsyncKernelManager
from traitlets import default

from .paths import NOTEBOOKS_DIR, write_text_atomic
from .profiles import get_profile
from .progress import HEADLESS_VARIABLE
from .report import NotebookOutcome, run_environment, write_report
from .results import METRICS_FILE

CHECK_MARKER = "NBVAL_CHECK_OUTPUT"
# Each kernel imports acgan_lib before the notebook's first cell, so TensorFlow's C++ start-up lines are
# silenced (acgan_lib/_quiet_tensorflow.py) even in a notebook that imports TensorFlow or Keras first.
KERNEL_START_UP = "--IPKernelApp.exec_lines=import acgan_lib"
_NUMBERED = re.compile(r"^\d\d_.+\.ipynb$")


class NotebookFailed(RuntimeError):
    """A notebook raised an error; the message names the notebook, the cell and the error."""


class EncryptedKernelManager(AsyncKernelManager):
    """A kernel manager that gives kernels CurveZMQ keys when they support them (ipykernel does), so the
    kernel does not warn that it runs over TCP without encryption."""

    @default("transport_encryption")
    def _default_transport_encryption(self) -> str:
        return "auto"


def numbered_notebooks(directory: Path = NOTEBOOKS_DIR) -> list[Path]:
    """The notebooks ``NN_name.ipynb`` in ``directory``, in reading order."""
    return sorted(path for path in Path(directory).glob("*.ipynb") if _NUMBERED.match(path.name))


def run_notebooks(
    profile_name: str,
    out_dir: Path | str,
    notebooks_dir: Path | str = NOTEBOOKS_DIR,
    progress: bool = True,
    keep_going: bool = False,
) -> list[NotebookOutcome]:
    """Execute every numbered notebook in order and write the report; raise NotebookFailed if any failed.

    After a failure the rest are not run (the report says "not reached"), unless ``keep_going``.
    """
    get_profile(profile_name)  # a bad profile name fails here, before any notebook starts
    notebooks = numbered_notebooks(Path(notebooks_dir))
    if not notebooks:
        raise FileNotFoundError(f"no numbered notebooks (NN_name.ipynb) in {notebooks_dir}")
    out_dir = Path(out_dir).resolve()
    out_dir.mkdir(parents=True, exist_ok=True)
    (out_dir / METRICS_FILE).unlink(missing_ok=True)  # results and figures of an earlier run would mislead
    shutil.rmtree(out_dir / "figures", ignore_errors=True)
    started = time.perf_counter()
    outcomes: list[NotebookOutcome] = []
    try:
        with headless(out_dir):
            for number, notebook in enumerate(notebooks, start=1):
                if any(outcome.status == "failed" for outcome in outcomes) and not keep_going:
                    outcomes.append(NotebookOutcome(notebook.name, "not reached"))
                    continue
                label = f"[{number}/{len(notebooks)}] {notebook.name} ({profile_name})"
                outcomes.append(execute(notebook, out_dir / notebook.name, {"profile_name": profile_name},
                                        label if progress else None))
                say_outcome(label, outcomes[-1], progress)
    finally:
        outcomes += [NotebookOutcome(notebook.name, "not reached") for notebook in notebooks[len(outcomes):]]
        markdown, _ = write_report(out_dir, profile_name, outcomes, run_environment(), time.perf_counter() - started)
        ran = sum(outcome.status == "ran" for outcome in outcomes)
        print(f"{ran} of {len(outcomes)} notebooks ran in {time.perf_counter() - started:.0f} s; report: {markdown} "
              f"(and index.html beside it)", flush=True)
    failures = [outcome.error for outcome in outcomes if outcome.status == "failed"]
    if failures:
        raise NotebookFailed("\n".join(failures))
    return outcomes


@contextlib.contextmanager
def headless(report_folder: Path):
    """Run notebooks as a headless run does: ``ACGAN_REPORT_DIR`` at ``report_folder`` (figures and
    results go there) and text progress bars; the variables are restored afterwards."""
    saved = {name: os.environ.get(name) for name in ("ACGAN_REPORT_DIR", HEADLESS_VARIABLE)}
    os.environ["ACGAN_REPORT_DIR"] = str(report_folder)
    os.environ[HEADLESS_VARIABLE] = "1"
    try:
        yield
    finally:
        for name, value in saved.items():
            _restore_variable(name, value)


def say_outcome(label: str, outcome: NotebookOutcome, progress: bool) -> None:
    """After a notebook, the console's line for it: its progress bar already ended on it when it ran, so
    only a failure (or a run without bars) adds one, with the error."""
    if outcome.status != "ran" or not progress:
        print(f"{label}: {outcome.status} in {outcome.seconds:.1f} s", flush=True)
    if outcome.error:
        print(f"    {outcome.error}", flush=True)


def execute(notebook: Path, output: Path, parameters: dict, progress_label: str | None = None) -> NotebookOutcome:
    """Execute ``notebook`` into ``output`` with ``parameters``, and export it to HTML, failed or not.

    With ``progress_label``, one progress bar of the cells, labelled so, that ends on the notebook's line."""
    import papermill
    from papermill.exceptions import PapermillExecutionError

    started = time.perf_counter()
    error = None
    try:
        papermill.execute_notebook(
            str(notebook),
            str(output),
            parameters=parameters,
            progress_bar={"desc": progress_label, "unit": "cell", "leave": True} if progress_label else False,
            cwd=str(notebook.parent),
            kernel_manager_class=EncryptedKernelManager,
            extra_arguments=[KERNEL_START_UP],
            coalesce_streams=True,
        )
    except PapermillExecutionError as failure:
        first_line = failure.source.strip().splitlines()[0] if failure.source.strip() else ""
        error = (f"{notebook.name} failed in cell {_cell_number(notebook, failure.source)} ({first_line!r}; "
                 f"In [{failure.exec_count}] in the executed copy): {failure.ename}: {failure.evalue}; "
                 f"the executed copy with the traceback: {output}")
    seconds = time.perf_counter() - started
    return NotebookOutcome(notebook.name, "failed" if error else "ran", seconds, output, export_html(output), error)


def export_html(executed: Path) -> Path | None:
    """Write ``executed``'s HTML export beside it (nbconvert's lab template); None if there is no copy."""
    from nbconvert import HTMLExporter

    if not executed.exists():
        return None
    body, _ = HTMLExporter(template_name="lab").from_notebook_node(nbformat.read(executed, as_version=4))
    path = executed.with_suffix(".html")
    write_text_atomic(path, body)
    return path


def _cell_number(notebook: Path, source: str) -> str:
    """The 1-based position of the cell with this source in the stored notebook, as a reader counts."""
    cells = nbformat.read(notebook, as_version=4).cells
    numbers = [number for number, cell in enumerate(cells, start=1) if cell.source == source]
    return str(numbers[0]) if numbers else "?"


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


def read_notebook(path: Path) -> nbformat.NotebookNode:
    """The notebook in ``path``; a file that is not one is a ValueError naming it."""
    try:
        return nbformat.read(path, as_version=4)
    except ValueError as error:  # not JSON (nbformat's NotJSONError), or not UTF-8
        raise ValueError(f"{path} is not a notebook ({' '.join(str(error).split())[:200]}); give .ipynb files") from None


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
            kernel_manager_class=EncryptedKernelManager, extra_arguments=[KERNEL_START_UP],
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
