"""Where the suite keeps files, resolved from the project root so that a notebook finds ``data/``
whether it runs from ``notebooks/`` (JupyterLab, papermill) or from the repository root (the CLI), and
how it writes them: whole or not at all.

``ACGAN_DATA_DIR`` and ``ACGAN_REPORT_DIR`` override the defaults (tests point them at temporary folders).
"""

from __future__ import annotations

import errno
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


def partial_path(path: Path) -> Path:
    """Where to write ``path`` before renaming it into place: a name of this process (``<stem>.<pid>.partial``
    plus the suffix, which some writers need, such as Keras's ``.keras``)."""
    path = Path(path)
    return path.with_name(f"{path.stem}.{os.getpid()}.partial{path.suffix}")


def write_atomic(path: Path, write) -> None:
    """Write ``path`` whole or not at all: ``write(temporary_path)`` writes a file of this process, which
    is then renamed into place, so a reader (or a run killed halfway) never sees half a file."""
    path = Path(path)
    partial = partial_path(path)
    try:
        write(partial)
        os.replace(partial, path)
    finally:
        partial.unlink(missing_ok=True)


def write_text_atomic(path: Path, text: str) -> None:
    """Write ``text`` to ``path`` whole or not at all (``write_atomic``)."""
    write_atomic(path, lambda partial: partial.write_text(text))


def remove_orphans(folder: Path, pattern: str) -> None:
    """Remove the temporary files matching ``pattern`` (names from ``partial_path``) that processes no
    longer running left in ``folder``; a live process's own file is left alone."""
    for leftover in Path(folder).glob(pattern):
        pid = leftover.name.split(".partial")[0].rsplit(".", 1)[-1]
        if pid.isdigit() and not _running(int(pid)):
            leftover.unlink(missing_ok=True)


def _running(pid: int) -> bool:
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:
        return True
    return True


def check_output(path: Path, kind: str, option: str = "") -> Path:
    """Check, before any work, that ``path`` can be written as a ``kind`` ("file" or "folder"): not a
    symlink, not the other kind of thing, and inside a writable folder. Returns the path; a problem is a
    ValueError that says what was wrong and what is allowed (naming ``option``, such as "--out", if given)."""
    if kind not in ("file", "folder"):
        raise ValueError(f"kind must be 'file' or 'folder'; got {kind!r}")
    path = Path(path)
    name = f"{option} {path}" if option else str(path)
    try:
        return _check_output(path, kind, name)
    except OSError as error:  # the system cannot even look the path up, e.g. a name over 255 bytes
        advice = "give a shorter path" if error.errno == errno.ENAMETOOLONG else "give another path"
        raise ValueError(f"{name} cannot be used ({error.strerror or error}); {advice}") from None


def _check_output(path: Path, kind: str, name: str) -> Path:
    """The checks of ``check_output``; a path the system cannot look up raises its OSError."""
    if any(ord(character) < 32 or ord(character) == 127 for character in str(path)):
        # A newline or tab is legal in a name but is almost always a paste or quoting slip, and a
        # name holding one breaks every listing and log line it appears in.
        raise ValueError(f"{name!r} holds a control character (a newline or tab, say); give a path without one")
    if path.is_symlink():
        raise ValueError(f"{name} is a symbolic link; give a {kind} path that is not a link")
    if path.exists() and kind == "folder" and not path.is_dir():
        raise ValueError(f"{name} is a file; give a folder")
    if path.exists() and kind == "file" and not path.is_file():
        raise ValueError(f"{name} is {'a folder' if path.is_dir() else 'not a regular file'}; give a file name")
    ancestor = path if path.is_dir() else path.parent  # the folder that gets the new entries
    while not ancestor.exists():
        ancestor = ancestor.parent
    if not ancestor.is_dir():
        raise ValueError(f"{name} lies under {ancestor}, which is a file; give a path inside a folder")
    if not os.access(ancestor, os.W_OK | os.X_OK):
        raise ValueError(f"{name}: {ancestor} is not writable; choose a folder you can write to")
    return path
