"""Pictures for the notebooks: image grids, faces by class, label distributions, training curves.

Plotting code lives here, not in notebook cells, so every notebook draws the same way and a cell stays one
line. Functions return the matplotlib Figure; ``save_figure`` also writes it into the report folder when a
headless run asked for one.
"""

from __future__ import annotations

from pathlib import Path

import matplotlib.pyplot as plt
import numpy as np
from PIL import Image

from .checks import check_count
from .grids import image_grid, unlabelled
from .labels import EYE_COLOURS, EYE_SWATCHES, HAIR_COLOURS, HAIR_SWATCHES
from .paths import report_dir
from .results import record_caption
from .targets import target_bounds


def show_grid(images: np.ndarray, columns: int, title: str | None = None, row_labels=None,
              column_labels=None, scale: float = 1.0):
    """Show a grid of uint8 images, optionally naming each row (left) and column (top)."""
    rows = -(-len(images) // columns)
    return show_picture(image_grid(images, columns), rows=rows, columns=columns, row_labels=row_labels,
                        column_labels=column_labels, title=title, scale=scale)


def _label_cells(set_ticks, extent: int, cells: int, names) -> None:
    """Put one tick label at the middle of each grid cell along an axis (none when names is None)."""
    if names is None:
        set_ticks([])
        return
    cell = extent / cells
    set_ticks([(index + 0.5) * cell for index in range(cells)], labels=list(names))


def plot_swatches():
    """The 12 hair and 11 eye colour classes as coloured squares with their ids and names."""
    figure, axes = plt.subplots(2, 1, figsize=(10, 2.6))
    for row, (part, swatches) in zip(axes, (("hair", HAIR_SWATCHES), ("eyes", EYE_SWATCHES))):
        row.imshow(np.array([list(swatches.values())], dtype=np.uint8), aspect="equal")
        row.set_xticks(range(len(swatches)), labels=[f"{index}\n{name}" for index, name in enumerate(swatches)],
                       fontsize=8)
        row.set_yticks([0], labels=[part])
        row.tick_params(length=0)
    figure.tight_layout()
    return figure


def plot_label_distribution(hair_ids, eye_ids, title: str = "faces per (hair, eye) pair"):
    """A 12 x 11 heatmap of how many faces carry each (hair, eye) pair, with the counts written in."""
    counts = label_counts(hair_ids, eye_ids)
    figure, axes = plt.subplots(figsize=(7.5, 6))
    picture = axes.imshow(counts, cmap="viridis")
    axes.set_xticks(range(len(EYE_COLOURS)), labels=[f"{name} eyes" for name in EYE_COLOURS], rotation=60, ha="right")
    axes.set_yticks(range(len(HAIR_COLOURS)), labels=[f"{name} hair" for name in HAIR_COLOURS])
    threshold = counts.max() / 2
    for (hair, eye), count in np.ndenumerate(counts):
        axes.text(eye, hair, str(count), ha="center", va="center", fontsize=7,
                  color="black" if count > threshold else "white")
    figure.colorbar(picture, ax=axes, label="faces")
    axes.set_title(title)
    figure.tight_layout()
    return figure


def label_counts(hair_ids, eye_ids) -> np.ndarray:
    """How many faces carry each (hair, eye) pair: a (12, 11) integer table."""
    counts = np.zeros((len(HAIR_COLOURS), len(EYE_COLOURS)), dtype=np.int64)
    np.add.at(counts, (np.asarray(hair_ids), np.asarray(eye_ids)), 1)
    return counts


def save_figure(figure, name: str, caption: str) -> None:
    """Write ``figure`` as ``<report>/figures/<name>.png``, with its caption for the report, when a
    headless run set a report folder (``results``).

    Returns nothing, so that a notebook cell can end with it without printing a path.
    """
    folder = report_dir()
    if folder is None:
        return
    path = folder / "figures" / f"{name}.png"
    path.parent.mkdir(parents=True, exist_ok=True)
    figure.savefig(path, dpi=120, bbox_inches="tight")
    record_caption(name, caption)


def stretch_contrast(images, per_image: bool = True) -> np.ndarray:
    """Float images (count, height, width, channels) to uint8, stretched to use the full 0..255 range.

    An untrained generator's output barely departs from one grey; stretching from the minimum to the
    maximum makes that small structure visible. ``per_image`` stretches each image by its own range;
    ``False`` uses one range for the whole batch, so that images stay comparable with each other. A flat
    image becomes mid-grey.
    """
    images = np.asarray(images, dtype=np.float64)
    if images.ndim != 4:
        raise ValueError(f"images must be an array (count, height, width, channels); got shape {images.shape}")
    axes = (1, 2, 3) if per_image else (0, 1, 2, 3)
    low = images.min(axis=axes, keepdims=True)
    spread = images.max(axis=axes, keepdims=True) - low
    stretched = np.where(spread > 0, (images - low) / np.where(spread > 0, spread, 1.0), 0.5)
    return np.rint(stretched * 255).astype(np.uint8)


def show_maps(maps, titles=None, annotate: bool = False, cmap: str = "viridis", title: str | None = None,
              scale: float = 1.0):
    """Show 2-D arrays side by side as heatmaps, each with its own colour scale and optionally its values."""
    maps = [np.asarray(values) for values in maps]
    if not maps or any(values.ndim != 2 for values in maps):
        raise ValueError("maps must be a non-empty list of 2-D arrays")
    titles = [None] * len(maps) if titles is None else list(titles)
    if len(titles) != len(maps):
        raise ValueError(f"got {len(titles)} titles for {len(maps)} maps")
    figure, axes = plt.subplots(1, len(maps), figsize=(scale * 3.2 * len(maps), scale * 3.4), squeeze=False)
    for axis, values, name in zip(axes[0], maps, titles):
        axis.imshow(values, cmap=cmap, interpolation="nearest")
        axis.set_xticks([])
        axis.set_yticks([])
        if name:
            axis.set_title(name, fontsize=10)
        if annotate:
            threshold = (values.min() + values.max()) / 2
            for (row, column), value in np.ndenumerate(values):
                axis.text(column, row, f"{value:g}", ha="center", va="center", fontsize=7,
                          color="black" if value > threshold else "white")
    if title:
        figure.suptitle(title)
    figure.tight_layout()
    return figure


def plot_parameter_breakdown(breakdowns: dict, title: str = "parameters per layer group"):
    """Horizontal bars of parameters per layer group, one colour per model, counts written at the bars.

    ``breakdowns`` maps a model's name to its ``models.parameter_breakdown``; the groups are listed in the
    order they first appear, and a model without a group gets no bar there.
    """
    if not breakdowns:
        raise ValueError("breakdowns must name at least one model")
    groups = list(dict.fromkeys(group for counts in breakdowns.values() for group in counts))
    height = 0.8 / len(breakdowns)
    figure, axes = plt.subplots(figsize=(8, 0.5 + 0.45 * len(groups) * max(1.0, len(breakdowns) * 0.6)))
    for index, (model_name, counts) in enumerate(breakdowns.items()):
        positions = [row + index * height for row, group in enumerate(groups) if group in counts]
        values = [counts[group] for group in groups if group in counts]
        bars = axes.barh(positions, values, height=height, label=model_name)
        axes.bar_label(bars, labels=[f"{value:,}" for value in values], padding=3, fontsize=7)
    axes.set_yticks([row + height * (len(breakdowns) - 1) / 2 for row in range(len(groups))], labels=groups)
    axes.invert_yaxis()
    axes.set_xlabel("parameters")
    axes.margins(x=0.2)
    axes.set_title(title)
    if len(breakdowns) > 1:
        axes.legend(loc="lower right")
    figure.tight_layout()
    return figure


def plot_histograms(samples: dict, bins: int = 60, title: str | None = None, xlabel: str | None = None):
    """Overlaid density histograms of several samples, one per name in ``samples`` (values are flattened)."""
    if not samples:
        raise ValueError("samples must name at least one array")
    figure, axes = plt.subplots(figsize=(6, 3.2))
    for name, values in samples.items():
        axes.hist(np.ravel(values), bins=bins, density=True, alpha=0.55, label=name)
    axes.set_ylabel("density")
    if xlabel:
        axes.set_xlabel(xlabel)
    if title:
        axes.set_title(title)
    axes.legend()
    figure.tight_layout()
    return figure


# ----- training runs: history curves, sample grids over a run -------------------------------------------

HISTORY_PANELS = {  # panel title -> how to recognise its columns, tried in this order
    "class accuracy": ("hair_accuracy", "eye_accuracy"),
    "accuracy": ("accuracy",),
    "D's probability of real": ("_probability",),
    "loss": ("_loss",),
    "gradient norm": ("_grad_norm",),
    "batch spread": ("_spread",),
}
DEFAULT_HISTORY_COLUMNS = (
    "d_loss", "g_loss", "d_accuracy", "g_accuracy", "d_grad_norm", "g_grad_norm", "real_spread", "fake_spread",
)


def plot_history(rows, columns=DEFAULT_HISTORY_COLUMNS, smooth: int | None = None, title: str | None = None,
                 marks: dict | None = None):
    """Training curves from history rows (``run_records`` columns), one panel per kind of number.

    Columns are grouped into panels by name: losses, D's and G's accuracies (drawn with the 0.5 line where
    D can no longer tell real from fake), class accuracies (with the hair classes' chance level), gradient
    norms (log scale) and batch spread. ``smooth`` is the width of a
    trailing moving average; None picks one for long runs (about 1/40 of the run, none under 100 steps),
    and the raw values stay visible behind it. A column that is all NaN (the class accuracies of a head
    without classifiers) is left out. ``marks`` maps a label to a step drawn as a dotted vertical line.
    """
    rows = list(rows)
    if not rows:
        raise ValueError("rows is empty: there is no history to plot yet")
    columns = [columns] if isinstance(columns, str) else list(columns)
    unknown = [column for column in columns if column not in rows[0] or column == "step"]
    if unknown:
        valid = ", ".join(name for name in rows[0] if name != "step")
        raise ValueError(f"unknown history column(s) {', '.join(unknown)}; valid: {valid}")
    steps = np.array([row["step"] for row in rows])
    values = {column: np.array([row[column] for row in rows], dtype=float) for column in columns}
    values = {column: series for column, series in values.items() if not np.isnan(series).all()}
    if not values:
        raise ValueError(f"every one of the columns {', '.join(columns)} is NaN: nothing to plot")
    panels: dict[str, list[str]] = {}
    for column in values:
        panels.setdefault(_panel_of(column), []).append(column)
    width = smooth if smooth is not None else (max(2, len(rows) // 40) if len(rows) >= 100 else 1)
    check_count("smooth", width)
    count = len(panels)
    grid_columns = 2 if count == 4 else min(count, 3)
    grid_rows = -(-count // grid_columns)
    figure, axes = plt.subplots(grid_rows, grid_columns, figsize=(5.2 * grid_columns, 3.2 * grid_rows),
                                squeeze=False)
    for axis, (panel, names) in zip(axes.ravel(), panels.items()):
        for name in names:
            _plot_series(axis, steps, values[name], name, width)
        _dress_panel(axis, panel, marks)
    for axis in axes.ravel()[count:]:
        axis.set_visible(False)
    if title:
        figure.suptitle(title)
    figure.tight_layout()
    return figure


def plot_histories(histories: dict, columns=("d_accuracy", "g_accuracy"), notes: dict | None = None,
                   title: str | None = None, smooth: int = 1, marks: dict | None = None):
    """Several histories side by side: one column of panels per history, one row per kind of number
    (accuracies, gradient norms, ...), the same columns in every panel of a row, so runs compare at a glance.

    ``notes`` maps a history's name to a line written under its panels (for example what the monitor
    said about it); ``smooth`` is the width of a trailing mean; ``marks`` maps a history's name to
    {label: step}, drawn as dotted vertical lines (where a setting changed).
    """
    if not histories:
        raise ValueError("histories must name at least one history")
    columns = [columns] if isinstance(columns, str) else list(columns)
    check_count("smooth", smooth)
    kinds = list(dict.fromkeys(_panel_of(column) for column in columns))
    figure, axes = plt.subplots(len(kinds), len(histories), figsize=(3.6 * len(histories), 3.0 * len(kinds) + 0.4),
                                squeeze=False, sharey="row")
    for index, (name, rows) in enumerate(histories.items()):
        rows = list(rows)
        if not rows:
            raise ValueError(f"history {name!r} is empty")
        missing = [column for column in columns if column not in rows[0]]
        if missing:
            raise ValueError(f"history {name!r} has no column(s) {', '.join(missing)}")
        steps = np.array([row["step"] for row in rows])
        for axis, kind in zip(axes[:, index], kinds):
            for column in (column for column in columns if _panel_of(column) == kind):
                _plot_series(axis, steps, np.array([row[column] for row in rows], dtype=float), column, smooth)
            _dress_panel(axis, kind, (marks or {}).get(name))
        axes[0, index].set_title(name, fontsize=10)
        if notes and notes.get(name):
            axes[-1, index].text(0.5, -0.3, notes[name], transform=axes[-1, index].transAxes, ha="center",
                                 va="top", fontsize=8, wrap=True)
    if title:
        figure.suptitle(title)
    figure.tight_layout()
    return figure


def plot_points(snapshots: dict, real: np.ndarray, notes: dict | None = None, title: str | None = None):
    """Points in the plane: one row per run, one panel per snapshot step, generated points (blue) over the
    real ones (grey). ``snapshots`` maps a run's name to {step: (n, 2) points}."""
    if not snapshots or not all(snapshots.values()):
        raise ValueError("snapshots must map each run's name to at least one {step: points}")
    columns = max(len(steps) for steps in snapshots.values())
    figure, axes = plt.subplots(len(snapshots), columns, figsize=(2.3 * columns, 2.4 * len(snapshots)),
                                squeeze=False)
    limit = 1.15 * np.abs(real).max()
    for row, (name, by_step) in zip(axes, snapshots.items()):
        for axis, (step, points) in zip(row, sorted(by_step.items())):
            axis.scatter(real[:, 0], real[:, 1], s=2, color="lightgrey")
            axis.scatter(points[:, 0], points[:, 1], s=2, color="tab:blue", alpha=0.5)
            axis.set(xlim=(-limit, limit), ylim=(-limit, limit), xticks=[], yticks=[], aspect="equal")
            axis.set_title(f"step {step:,}", fontsize=8)
        row[0].set_ylabel(name + (f"\n{notes[name]}" if notes and notes.get(name) else ""), fontsize=8)
        for axis in row[len(by_step):]:
            axis.set_visible(False)
    if title:
        figure.suptitle(title)
    figure.tight_layout()
    return figure


def plot_bars(table: dict, metrics, reference: dict | None = None, title: str | None = None):
    """Horizontal bars: one panel per metric, one bar per row of ``table`` ({row name: {metric: value}}).
    ``reference`` maps a metric to a value drawn as a dashed line (real faces' figure, chance level)."""
    if not table:
        raise ValueError("table must have at least one row")
    metrics = [metrics] if isinstance(metrics, str) else list(metrics)
    missing = sorted({metric for values in table.values() for metric in metrics if metric not in values})
    if missing:
        raise ValueError(f"table rows lack the metric(s) {', '.join(missing)}")
    names = list(table)
    figure, axes = plt.subplots(1, len(metrics), figsize=(3.2 * len(metrics) + 1.5, 0.35 * len(names) + 1.3),
                                squeeze=False, sharey=True)
    for axis, metric in zip(axes[0], metrics):
        values = [table[name][metric] for name in names]
        axis.barh(range(len(names)), values, color="tab:blue")
        for position, value in enumerate(values):
            axis.annotate(f"{value:.2f}", (value, position), xytext=(3, 0), textcoords="offset points",
                          va="center", fontsize=7)
        if reference and metric in reference:
            axis.axvline(reference[metric], color="grey", linestyle="--", linewidth=1)
        axis.set_title(metric, fontsize=9)
        axis.set_yticks(range(len(names)), names, fontsize=8)
        axis.invert_yaxis()
    if title:
        figure.suptitle(title)
    figure.tight_layout()
    return figure


def plot_judgements(rows, title: str | None = None):
    """A run judged as it trained (the bench's rows, ``saved_generators.shipped_judgements``): the judged eye
    accuracy, the Fréchet distance and the within-class MS-SSIM, each beside its target (``targets``,
    dotted), for the generator the run saved and, when the moving average was on, for G itself (its figures
    under keys starting with ``G_``)."""
    rows = list(rows)
    if not rows:
        raise ValueError("rows must hold at least one judgement")
    steps = [row["step"] for row in rows]
    series = {"the moving average (saved)": ""}
    if "G_eye_accuracy" in rows[0]:
        series["G itself"] = "G_"
    panels = {"eye_accuracy": "eye accuracy (judge)", "fid": "Fréchet distance (log)",
              "ms_ssim_generated": "MS-SSIM within class"}
    figure, axes = plt.subplots(1, len(panels), figsize=(11, 3.2))
    for axis, (key, label) in zip(axes, panels.items()):
        for name, prefix in series.items():
            axis.plot(steps, [row[prefix + key] for row in rows], marker="o", linewidth=1.2,
                      linestyle="-" if not prefix else "--", label=name)
        axis.plot(steps, [target_bounds(row)[key] for row in rows], color="grey", linestyle=":", linewidth=1,
                  label="target")
        if key == "fid":
            axis.set_yscale("log")
        axis.set_title(label, fontsize=9)
        axis.set_xlabel("step")
        axis.legend(fontsize=7, loc="best")
    if title:
        figure.suptitle(title)
    figure.tight_layout()
    return figure


def _panel_of(column: str) -> str:
    for panel, markers in HISTORY_PANELS.items():
        if any(marker in column for marker in markers):
            return panel
    return column


def _plot_series(axis, steps, series, name: str, width: int) -> None:
    if width == 1:
        axis.plot(steps, series, label=name, linewidth=1.2)
        return
    (line,) = axis.plot(steps, series, linewidth=0.8, alpha=0.25)
    axis.plot(steps, trailing_mean(series, width), color=line.get_color(), linewidth=1.5,
              label=f"{name} (mean of {width})")


def _dress_panel(axis, panel: str, marks: dict | None) -> None:
    if panel in ("accuracy", "D's probability of real"):
        axis.axhline(0.5, color="grey", linestyle="--", linewidth=1, label="0.5")
        axis.set_ylim(-0.05, 1.05)
    elif panel == "class accuracy":
        axis.axhline(1 / len(HAIR_COLOURS), color="grey", linestyle="--", linewidth=1, label="chance, hair (1/12)")
        axis.set_ylim(-0.05, 1.05)
    elif panel == "gradient norm":
        axis.set_yscale("log")
    for label, step in (marks or {}).items():
        axis.axvline(step, color="black", linestyle=":", linewidth=1)
        axis.annotate(label, (step, 1.0), xycoords=("data", "axes fraction"), xytext=(3, -10),
                      textcoords="offset points", fontsize=8)
    axis.set_xlabel("step")
    if panel:
        axis.set_ylabel(panel)
    axis.legend(fontsize=7, loc="best")


def trailing_mean(values, width: int) -> np.ndarray:
    """The mean of each value and the ``width - 1`` before it (fewer at the start); NaNs are skipped."""
    values = np.asarray(values, dtype=float)
    present = ~np.isnan(values)
    sums = np.cumsum(np.where(present, values, 0.0))
    counts = np.cumsum(present)
    shifted_sums = np.concatenate([np.zeros(width), sums])[: len(values)]
    shifted_counts = np.concatenate([np.zeros(width), counts])[: len(values)]
    window_counts = counts - shifted_counts
    with np.errstate(invalid="ignore", divide="ignore"):
        return np.where(window_counts > 0, (sums - shifted_sums) / window_counts, np.nan)


def show_picture(picture, rows: int | None = None, columns: int | None = None, row_labels=None,
                 column_labels=None, title: str | None = None, scale: float = 1.0):
    """Show a picture that is already a grid (a sample grid a run saved, say), naming its cells.

    ``picture`` is a uint8 array or a path to an image file. ``rows`` and ``columns`` say how many cells
    the grid has; they are needed only to place ``row_labels`` and ``column_labels``.
    """
    if isinstance(picture, (str, Path)):
        picture = np.asarray(Image.open(picture).convert("RGB"))
    picture = np.asarray(picture)
    if picture.ndim != 3 or picture.dtype != np.uint8:
        raise ValueError(f"picture must be a uint8 array (height, width, 3); got {picture.dtype} {picture.shape}")
    for names, cells, what in ((row_labels, rows, "rows"), (column_labels, columns, "columns")):
        if names is not None and (cells is None or len(names) != cells):
            raise ValueError(f"{len(names)} labels for {what}={cells}: give one label per cell")
    height, width = picture.shape[:2]
    inches = float(np.clip(max(height, width) / 80, 4.0, 11.0)) * scale
    figure, axes = plt.subplots(figsize=(inches * width / max(height, width) + 1.2,
                                         inches * height / max(height, width) + 0.8))
    axes.imshow(picture, interpolation="nearest")
    _label_cells(axes.set_yticks, height, rows or 1, row_labels)
    _label_cells(axes.set_xticks, width, columns or 1, column_labels)
    axes.xaxis.tick_top()
    plt.setp(axes.get_xticklabels(), rotation=45, ha="left", fontsize=8)
    plt.setp(axes.get_yticklabels(), fontsize=8)
    axes.tick_params(length=0)
    for side in axes.spines.values():
        side.set_visible(False)
    if title:
        axes.set_title(title)
    figure.tight_layout()
    return figure


def show_samples(picture, title: str | None = None, scale: float = 1.0):
    """Show a training sample grid (``GANTrainer.sample_grid``, ``samples/step_*.png``): one row per hair
    colour, one column per eye colour, each cell drawn from the same fixed noise."""
    return show_picture(picture, rows=len(HAIR_COLOURS), columns=len(EYE_COLOURS),
                        row_labels=[f"{name} hair" for name in HAIR_COLOURS],
                        column_labels=[f"{name} eyes" for name in EYE_COLOURS], title=title, scale=scale)


def sample_grids(samples_dir) -> dict[int, np.ndarray]:
    """The sample grids a run saved (``samples/step_NNNNNN.png``) as {step: uint8 picture}, in step order."""
    samples_dir = Path(samples_dir)
    paths = sorted(samples_dir.glob("step_*.png"))
    if not paths:
        raise FileNotFoundError(f"no sample grids (step_NNNNNN.png) in {samples_dir}")
    return {int(path.stem.removeprefix("step_")): unlabelled(Image.open(path)) for path in paths}


def show_progress(grids, panels: int = 5, rows: int | None = None, columns: int | None = None,
                  title: str | None = "samples over the run"):
    """A strip of sample grids over a run, from ``{step: picture}`` or a run's ``samples/`` folder.

    Shows ``panels`` grids evenly spaced over the run, the first and the last included. ``rows`` and
    ``columns`` keep only the top-left corner of each grid (the first hair and eye colours), so that the
    faces stay large enough to see; the grids must be laid out as ``GANTrainer.sample_grid`` lays them.
    """
    if not isinstance(grids, dict):
        grids = sample_grids(grids)
    if not grids:
        raise ValueError("grids is empty: the run has saved no sample grid yet")
    check_count("panels", panels)
    steps = sorted(grids)
    chosen = sorted({steps[round(index)] for index in np.linspace(0, len(steps) - 1, min(panels, len(steps)))})
    pictures = [_grid_corner(grids[step], rows, columns) for step in chosen]
    height, width = pictures[0].shape[:2]
    panel_width = 3.0 if width >= height else 3.0 * width / height
    figure, axes = plt.subplots(1, len(chosen), figsize=(panel_width * len(chosen), 3.0 * height / max(height, width) + 0.7),
                                squeeze=False)
    for axis, step, picture in zip(axes[0], chosen, pictures):
        axis.imshow(picture, interpolation="nearest")
        axis.set_title(f"step {step}", fontsize=10)
        axis.axis("off")
    if title:
        figure.suptitle(title)
    figure.tight_layout()
    return figure


def _grid_corner(picture: np.ndarray, rows: int | None, columns: int | None) -> np.ndarray:
    """The top-left ``rows`` x ``columns`` cells of a 12 x 11 sample grid with 1-pixel padding."""
    cell_height = (picture.shape[0] - 1) / len(HAIR_COLOURS)
    cell_width = (picture.shape[1] - 1) / len(EYE_COLOURS)
    bottom = picture.shape[0] if rows is None else int(round(rows * cell_height)) + 1
    right = picture.shape[1] if columns is None else int(round(columns * cell_width)) + 1
    return picture[:bottom, :right]


def plot_confusion(hair_confusion, eye_confusion, title: str | None = "what the judge read on generated faces"):
    """The judge's confusion matrices for hair and eyes side by side: rows are the requested colour,
    columns the colour read, each row as shares of its faces (a perfect generator fills the diagonal)."""
    figure, axes = plt.subplots(1, 2, figsize=(12, 5.4))
    for axis, matrix, names, part in ((axes[0], hair_confusion, HAIR_COLOURS, "hair"),
                                      (axes[1], eye_confusion, EYE_COLOURS, "eyes")):
        matrix = np.asarray(matrix, dtype=float)
        if matrix.shape != (len(names), len(names)):
            raise ValueError(f"the {part} confusion matrix must be {len(names)} x {len(names)}; got {matrix.shape}")
        shares = matrix / np.maximum(matrix.sum(axis=1, keepdims=True), 1)
        axis.imshow(shares, cmap="Blues", vmin=0, vmax=1)
        axis.set_xticks(range(len(names)), labels=names, rotation=60, ha="right", fontsize=8)
        axis.set_yticks(range(len(names)), labels=names, fontsize=8)
        axis.set_xlabel(f"{part} the judge read")
        axis.set_ylabel(f"{part} requested")
        for (row, column), share in np.ndenumerate(shares):
            if share >= 0.05:
                axis.text(column, row, f"{share:.0%}".rstrip("%"), ha="center", va="center", fontsize=6,
                          color="white" if share > 0.5 else "black")
    if title:
        figure.suptitle(title)
    figure.tight_layout()
    return figure


def show_neighbours(queries: np.ndarray, references: np.ndarray, indices, distances=None,
                    title: str | None = "generated faces (left) and their nearest training faces"):
    """Each query face followed by its nearest reference faces, one row per query.

    ``indices`` (and ``distances``) are what ``evaluation.nearest_neighbours`` returns: (queries, k).
    """
    indices = np.asarray(indices)
    if indices.ndim != 2 or len(indices) != len(queries):
        raise ValueError(f"indices must be (queries, k) with one row per query; got {indices.shape} "
                         f"for {len(queries)} queries")
    rows = [np.concatenate([queries[row : row + 1], references[indices[row]]]) for row in range(len(queries))]
    neighbours = indices.shape[1]
    labels = None
    if distances is not None:
        labels = [f"{np.asarray(distances)[row, 0]:.1f}" for row in range(len(queries))]
    return show_grid(np.concatenate(rows), columns=1 + neighbours, title=title, row_labels=labels,
                     column_labels=["generated"] + [f"nearest {rank}" for rank in range(1, neighbours + 1)])


# ----- the playground: rows of faces with a caption under each -----------------------------------------

# Caption colours of judged faces: read as requested, or not.
READ_RIGHT, READ_WRONG = "#1a7f37", "#cf222e"


def show_strips(strips, title: str | None = None, scale: float = 1.0):
    """Rows of faces, each with a name on the left and an optional caption under every face.

    ``strips`` is a list of ``(name, faces, captions, colours)``: uint8 faces (count, size, size, 3), one
    caption per face (or None), and one colour per caption (or None for black). Each row is one picture,
    so a figure of many faces still draws quickly (the playground redraws on every change).
    """
    if not strips:
        raise ValueError("strips is empty: pass at least one (name, faces, captions, colours) row")
    widest = max(len(faces) for _, faces, _, _ in strips)
    caption_lines = max(caption.count("\n") + 1 for _, _, captions, _ in strips for caption in captions or [""])
    cell, names, caption_space, title_space = 0.85 * scale, 1.3, 0.16 * caption_lines + 0.12, 0.4 if title else 0.05
    width, height = names + cell * widest + 0.1, (cell + caption_space) * len(strips) + title_space
    figure = plt.figure(figsize=(width, height))
    for row, (name, faces, captions, colours) in enumerate(strips):
        faces = np.asarray(faces)
        if captions is not None and len(captions) != len(faces):
            raise ValueError(f"strip {name!r}: {len(captions)} captions for {len(faces)} faces")
        top = height - title_space - row * (cell + caption_space)
        axis = figure.add_axes(((names) / width, (top - cell) / height, cell * len(faces) / width, cell / height))
        axis.imshow(image_grid(faces, columns=len(faces)), interpolation="nearest", extent=(0, len(faces), 1, 0))
        axis.set_yticks([0.5], labels=[name], fontsize=9)
        axis.set_xticks([index + 0.5 for index in range(len(faces))], labels=captions or [""] * len(faces), fontsize=7)
        for label, colour in zip(axis.get_xticklabels(), colours or []):
            label.set_color(colour)
        axis.tick_params(length=0, pad=2)
        for side in axis.spines.values():
            side.set_visible(False)
    if title:
        figure.suptitle(title, fontsize=10, y=1 - 0.1 / height, va="top")
    return figure


def figure_png(figure, dpi: int = 100) -> bytes:
    """A figure as PNG bytes (what an ipywidgets.Image shows), closing it so that it is not shown twice."""
    import io

    buffer = io.BytesIO()
    figure.savefig(buffer, format="png", dpi=dpi, bbox_inches="tight")
    plt.close(figure)
    return buffer.getvalue()
