"""The batch report of a headless run: ``REPORT.md`` and ``index.html``, readable without Jupyter.

It says when and how the run was made (date, commit, profile, versions, CPUs, total time), how each
notebook went (ran, failed with its cell and error, or not reached; links to the executed notebook and
its HTML export), the results the notebooks recorded (``results``: the judged generator, its training,
the monitor's findings, the failure analysis), and every figure with its caption. The HTML page is the
same Markdown rendered with mistune (which nbconvert uses), so the two never disagree.
"""

from __future__ import annotations

import datetime
import html
import os
import platform
import subprocess
from dataclasses import dataclass
from importlib.metadata import version
from pathlib import Path

from .paths import PROJECT_ROOT, write_text_atomic
from .results import read_captions, read_results

STATUSES = ("ran", "failed", "not reached")
# The sections notebooks record, in the order and with the titles the report gives them; any other
# recorded section follows under its own name.
SECTION_TITLES = {
    "training": "Training (notebook 04)",
    "monitor_findings": "The training monitor's findings (notebook 04)",
    "evaluation": "The trained generator, judged (notebook 06)",
    "failure_analysis": "Failure analysis (notebook 05)",
}


@dataclass(frozen=True)
class NotebookOutcome:
    """How one notebook of a headless run went. ``error``: for a failure, the cell and the error."""

    name: str
    status: str  # one of STATUSES
    seconds: float | None = None
    output: Path | None = None  # the executed copy
    html: Path | None = None  # its HTML export
    error: str | None = None


def run_environment() -> dict:
    """What a reader needs to reproduce a run: date, commit, versions and CPUs (the versions read from the
    installed packages' metadata: importing TensorFlow would add seconds)."""
    try:
        commit = subprocess.run(["git", "rev-parse", "--short=12", "HEAD"], cwd=PROJECT_ROOT, capture_output=True,
                                text=True, timeout=10, check=True).stdout.strip()
    except (OSError, subprocess.SubprocessError):
        commit = "unknown (not a git checkout)"
    return {
        "date": datetime.datetime.now(datetime.timezone.utc).strftime("%Y-%m-%d %H:%M UTC"),
        "commit": commit,
        "python": platform.python_version(),
        "tensorflow": version("tensorflow"),
        "keras": version("keras"),
        "cpus": os.cpu_count(),
    }


def write_report(out_dir: Path, profile_name: str, outcomes: list[NotebookOutcome], environment: dict,
                 total_seconds: float) -> tuple[Path, Path]:
    """Write ``REPORT.md`` and ``index.html`` into ``out_dir``; returns both paths."""
    out_dir = Path(out_dir)
    markdown = report_markdown(out_dir, profile_name, outcomes, environment, total_seconds)
    markdown_path, html_path = out_dir / "REPORT.md", out_dir / "index.html"
    write_text_atomic(markdown_path, markdown)
    write_text_atomic(html_path, _html_page(markdown, f"ACGAN suite: headless run ({profile_name})"))
    return markdown_path, html_path


def report_markdown(out_dir: Path, profile_name: str, outcomes: list[NotebookOutcome], environment: dict,
                    total_seconds: float) -> str:
    """The report as Markdown, links relative to ``out_dir``."""
    ran = sum(outcome.status == "ran" for outcome in outcomes)
    failed = [outcome for outcome in outcomes if outcome.status == "failed"]
    lines = [
        "# ACGAN suite: headless run",
        "",
        f"{environment['date']} · commit `{environment['commit']}` · profile `{profile_name}` · "
        f"Python {environment['python']}, TensorFlow {environment['tensorflow']}, Keras {environment['keras']} · "
        f"{environment['cpus']} CPUs · {total_seconds:,.0f} s in all",
        "",
        f"**{ran} of {len(outcomes)} notebooks ran**" + (f"; {len(failed)} failed." if failed else "."),
        "",
        "## Notebooks",
        "",
        "| notebook | status | seconds | executed copy | HTML |",
        "|---|---|---|---|---|",
    ]
    for outcome in outcomes:
        seconds = "" if outcome.seconds is None else f"{outcome.seconds:,.1f}"
        lines.append(f"| {outcome.name} | {outcome.status} | {seconds} | {_link(outcome.output, out_dir)} | "
                     f"{_link(outcome.html, out_dir)} |")
    for outcome in failed:
        lines += ["", f"**{outcome.name} failed.** {outcome.error}"]
    results = read_results(out_dir)
    if results:
        lines += ["", "## Results"]
        for section in [*[name for name in SECTION_TITLES if name in results],
                        *sorted(name for name in results if name not in SECTION_TITLES)]:
            lines += ["", f"### {SECTION_TITLES.get(section, section)}", "", *_render(results[section])]
    figures = sorted((out_dir / "figures").glob("*.png"))
    if figures:
        captions = read_captions(out_dir)
        lines += ["", "## Figures"]
        for figure in figures:
            caption = captions.get(figure.stem, figure.stem)
            lines += ["", f"![{caption}](figures/{figure.name})", "", f"*{figure.stem}: {caption}*"]
    return "\n".join(lines) + "\n"


def markdown_table(rows: dict[str, dict]) -> list[str]:
    """A Markdown table with a row per key of ``rows`` and a column per key of their values."""
    columns = list(dict.fromkeys(column for row in rows.values() for column in row))
    lines = ["| | " + " | ".join(columns) + " |", "|---|" + "---|" * len(columns)]
    for name, row in rows.items():
        lines.append(f"| {name} | " + " | ".join(_cell(row.get(column)) for column in columns) + " |")
    return lines


def show_table(rows: dict[str, dict]) -> None:
    """Show ``rows`` in a notebook as a table: Markdown that Jupyter and the HTML exports render, the same
    table ``markdown_table`` writes into the report."""
    from IPython.display import Markdown, display

    display(Markdown("\n".join(markdown_table(rows))))


def _render(value) -> list[str]:
    """A recorded section as Markdown: a name-value table for its single values, a table for its rows
    (values that are dicts), bullets for a list."""
    if isinstance(value, dict):
        single = {name: item for name, item in value.items() if not isinstance(item, dict)}
        rows = {name: item for name, item in value.items() if isinstance(item, dict)}
        lines = ["| | value |", "|---|---|", *[f"| {name} | {_cell(item)} |" for name, item in single.items()]]
        if not single:
            lines = []
        if rows:
            lines += ([""] if lines else []) + markdown_table(rows)
        return lines or ["(none)"]
    if isinstance(value, list):
        return [f"- {_cell(item)}" for item in value] or ["(none)"]
    return [_cell(value)]


def _cell(value) -> str:
    if value is None:
        return ""
    if isinstance(value, bool):
        return "yes" if value else "no"
    if isinstance(value, float):  # three decimals, or three significant digits for small figures (KID)
        if value != 0 and abs(value) < 0.01:
            return f"{value:.3g}"
        return f"{value:,.3f}" if abs(value) < 1000 else f"{value:,.0f}"
    if isinstance(value, int):
        return f"{value:,}"
    return str(value).replace("|", "\\|").replace("\n", " ")


def _link(path: Path | None, out_dir: Path) -> str:
    if path is None or not Path(path).exists():
        return ""
    relative = os.path.relpath(path, out_dir)
    return f"[{Path(path).name}]({relative})"


def _html_page(markdown: str, title: str) -> str:
    import mistune

    body = mistune.create_markdown(plugins=["table"])(markdown)
    return f"""<!DOCTYPE html>
<html lang="en">
<head>
<meta charset="utf-8">
<title>{html.escape(title)}</title>
<style>
body {{ font-family: system-ui, sans-serif; max-width: 60rem; margin: 2rem auto; padding: 0 1rem; line-height: 1.45; }}
table {{ border-collapse: collapse; margin: 0.5rem 0; }}
th, td {{ border: 1px solid #ccc; padding: 0.2rem 0.6rem; text-align: left; }}
img {{ max-width: 100%; }}
code {{ background: #f3f3f3; padding: 0 0.2rem; }}
</style>
</head>
<body>
{body}
</body>
</html>
"""
