"""Image grids as arrays, with NumPy and Pillow: what training saves as sample grids and ``sample`` writes.

Kept apart from ``viz`` so that training and the command line never import matplotlib. A sample grid
that training saves carries its labels (the hair colour of each row at the left, the eye colour of each
column above), so the PNG files and ``progress.gif`` read on their own; the PNG also records the width of
that label margin, so ``unlabelled`` can take the bare grid back for the notebooks' figures.
"""

from __future__ import annotations

import numpy as np
from PIL import Image, ImageDraw, ImageFont
from PIL.PngImagePlugin import PngInfo

# Pixels left of and above a labelled grid for the row and column names ("yellow eyes" is about 55 px
# in Pillow's default font). Fixed, so that the bare grid's place does not depend on the font.
LABEL_MARGIN = 64
_MARGIN_KEY = "acgan_lib label margin"  # the PNG text field that records LABEL_MARGIN


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


def labelled_grid(grid: np.ndarray, row_labels: list[str], column_labels: list[str]) -> np.ndarray:
    """A grid (``image_grid``) with ``row_labels`` written left of its rows and ``column_labels`` above its
    columns (turned to read upwards), in a white margin of ``LABEL_MARGIN`` pixels; a uint8 array."""
    grid = np.asarray(grid)
    height, width = grid.shape[:2]
    picture = Image.new("RGB", (LABEL_MARGIN + width, LABEL_MARGIN + height), "white")
    picture.paste(Image.fromarray(grid), (LABEL_MARGIN, LABEL_MARGIN))
    draw, font = ImageDraw.Draw(picture), ImageFont.load_default()
    row_height, column_width = height / len(row_labels), width / len(column_labels)
    for index, name in enumerate(row_labels):
        draw.text((LABEL_MARGIN - 3, LABEL_MARGIN + (index + 0.5) * row_height), name, fill="black", font=font,
                  anchor="rm")
    for index, name in enumerate(column_labels):
        label = Image.new("RGB", (LABEL_MARGIN, int(column_width)), "white")
        ImageDraw.Draw(label).text((3, column_width / 2), name, fill="black", font=font, anchor="lm")
        picture.paste(label.rotate(90, expand=True), (LABEL_MARGIN + int(index * column_width), 0))
    return np.asarray(picture)


def save_labelled_grid(picture: np.ndarray, path) -> None:
    """Save a ``labelled_grid`` as PNG, recording its label margin for ``unlabelled``."""
    info = PngInfo()
    info.add_text(_MARGIN_KEY, str(LABEL_MARGIN))
    Image.fromarray(picture).save(path, format="PNG", pnginfo=info)


def unlabelled(picture: Image.Image) -> np.ndarray:
    """The bare grid of a saved sample grid, as a uint8 array: without the label margin its PNG records
    (a grid saved without labels comes back whole)."""
    margin = int(picture.info.get(_MARGIN_KEY, 0))
    return np.asarray(picture.convert("RGB"))[margin:, margin:]
