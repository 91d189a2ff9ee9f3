"""Image grids as arrays, with NumPy only: what training saves as sample grids and ``sample`` writes.

Kept apart from ``viz`` so that training and the command line never import matplotlib.
"""

from __future__ import annotations

import numpy as np


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
