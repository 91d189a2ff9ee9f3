"""Pictures for the notebooks: image grids, faces by class, label distributions.

Plotting code lives here, not in notebook cells, so every notebook draws the same way and a cell stays one
line. Functions return the matplotlib Figure; ``save_figure`` also writes it into the report folder when a
headless run asked for one.
"""

from __future__ import annotations

import matplotlib.pyplot as plt
import numpy as np

from .labels import EYE_COLOURS, EYE_SWATCHES, HAIR_COLOURS, HAIR_SWATCHES
from .paths import report_dir


def image_grid(images: np.ndarray, columns: int, padding: int = 1, fill: int = 255) -> np.ndarray:
    """Tile uint8 images (count, size, size, 3) into one uint8 picture, row by row, ``columns`` wide."""
    images = np.asarray(images)
    if images.ndim != 4 or images.dtype != np.uint8:
        raise ValueError(f"images must be a uint8 array (count, height, width, 3); got {images.dtype} {images.shape}")
    count, height, width, channels = images.shape
    rows = -(-count // columns)
    grid = np.full(
        (rows * (height + padding) + padding, columns * (width + padding) + padding, channels),
        fill,
        dtype=np.uint8,
    )
    for index, image in enumerate(images):
        top = padding + (index // columns) * (height + padding)
        left = padding + (index % columns) * (width + padding)
        grid[top : top + height, left : left + width] = image
    return grid


def show_grid(images: np.ndarray, columns: int, title: str | None = None, row_labels=None,
              column_labels=None, scale: float = 1.0):
    """Show a grid of uint8 images, optionally naming each row (left) and column (top)."""
    grid = image_grid(images, columns)
    rows = -(-len(images) // columns)
    figure, axes = plt.subplots(figsize=(scale * columns * 0.9 + 1.2, scale * rows * 0.9 + 0.8))
    axes.imshow(grid, interpolation="nearest")
    _label_cells(axes.set_yticks, grid.shape[0], rows, row_labels)
    _label_cells(axes.set_xticks, grid.shape[1], columns, column_labels)
    axes.xaxis.tick_top()
    plt.setp(axes.get_xticklabels(), rotation=45, ha="left")
    axes.tick_params(length=0)
    for side in axes.spines.values():
        side.set_visible(False)
    if title:
        axes.set_title(title)
    figure.tight_layout()
    return figure


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


def save_figure(figure, name: str) -> None:
    """Write ``figure`` as ``<report>/figures/<name>.png`` when a headless run set a report folder.

    Returns nothing, so that a notebook cell can end with it without printing a path.
    """
    folder = report_dir()
    if folder is None:
        return
    path = folder / "figures" / f"{name}.png"
    path.parent.mkdir(parents=True, exist_ok=True)
    figure.savefig(path, dpi=120, bbox_inches="tight")


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
