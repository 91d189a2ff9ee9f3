"""What a notebook hands to the batch report: its results and its figures' captions, as files.

A headless run (``notebook_runner``) points ``ACGAN_REPORT_DIR`` at its report folder. There a notebook
records what the report should show: ``record_results("evaluation", {...})`` sets one section of
``metrics.json``, and ``viz.save_figure(figure, name, caption)`` writes the figure with its caption into
``figures/captions.json``. The report is written from these files, never by scraping a notebook's
outputs, so what a teacher reads is what the notebook chose to hand over. In JupyterLab, with no report
folder, recording does nothing.
"""

from __future__ import annotations

import json
import math
from pathlib import Path

from .paths import report_dir, write_text_atomic

METRICS_FILE = "metrics.json"
CAPTIONS_FILE = Path("figures") / "captions.json"


def record_results(section: str, values) -> None:
    """Set ``section`` of the report's ``metrics.json`` to ``values`` (numbers, strings, lists, dicts).

    NumPy numbers become plain ones and NaN becomes null, so the file is strict JSON.
    """
    folder = report_dir()
    if folder is not None:
        _update(folder / METRICS_FILE, section, _plain(values))


def record_caption(name: str, caption: str) -> None:
    """Keep the caption of the figure saved as ``figures/<name>.png`` for the report."""
    folder = report_dir()
    if folder is not None:
        _update(folder / CAPTIONS_FILE, name, str(caption))


def read_results(folder: Path) -> dict:
    """The sections recorded in ``folder/metrics.json``; {} when there are none or the file is unreadable."""
    return _read(Path(folder) / METRICS_FILE)


def read_captions(folder: Path) -> dict[str, str]:
    """Figure name -> caption, as recorded in ``folder``; {} when none were."""
    return _read(Path(folder) / CAPTIONS_FILE)


def _read(path: Path) -> dict:
    try:
        stored = json.loads(path.read_text())
    except (OSError, ValueError):
        return {}
    return stored if isinstance(stored, dict) else {}


def _update(path: Path, key: str, value) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    stored = _read(path)
    stored[key] = value
    write_text_atomic(path, json.dumps(stored, indent=1, ensure_ascii=False) + "\n")


def _plain(value):
    """``value`` with NumPy scalars and arrays as Python numbers and lists, NaN and infinities as None."""
    if isinstance(value, dict):
        return {str(key): _plain(item) for key, item in value.items()}
    if isinstance(value, (list, tuple)):
        return [_plain(item) for item in value]
    if hasattr(value, "tolist"):  # NumPy scalars and arrays
        return _plain(value.tolist())
    if isinstance(value, float) and not math.isfinite(value):
        return None
    if value is None or isinstance(value, (bool, int, float, str)):
        return value
    raise TypeError(f"a result must be numbers, strings, lists or dicts; got {type(value).__name__}: {value!r}")
