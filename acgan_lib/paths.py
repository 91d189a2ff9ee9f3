"""Where the suite keeps files, resolved from the project root so that a notebook finds ``data/``
whether it runs from ``notebooks/`` (JupyterLab, papermill) or from the repository root (the CLI), and
how it writes them: whole or not at all.

``ACGAN_DATA_DIR`` and ``ACGAN_REPORT_DIR`` override the defaults (tests point them at temporary folders).
"""

from __future__ import annotations

import os
from pathlib import Path

PROJECT_ROOT = Path(__file__).resolve().parents[1]
NOTEBOOKS_DIR = PROJECT_ROOT / "notebooks"


def data_dir() -> Path:
    """The folder for rendered datasets and other caches (git-ignored)."""
    return Path(os.environ.get("ACGAN_DATA_DIR", PROJECT_ROOT / "data"))


def report_dir() -> Path | None:
    """The folder a headless run writes figures to, or None when no run asked for one."""
    value = os.environ.get("ACGAN_REPORT_DIR")
    return Path(value) if value else None


def runs_dir() -> Path:
    """Where notebooks keep the runs they train: ``<report>/runs`` in a headless run (so the report holds
    the trained generator), else ``runs/`` at the project root (git-ignored)."""
    folder = report_dir()
    return (folder if folder is not None else PROJECT_ROOT) / "runs"


def write_text_atomic(path: Path, text: str) -> None:
    """Write ``text`` to ``path`` whole or not at all: a temporary file named for this process, then a
    rename, so a reader (or a run killed halfway) never sees half a file."""
    path = Path(path)
    partial = path.with_name(f"{path.name}.{os.getpid()}.partial")
    partial.write_text(text)
    os.replace(partial, path)
