"""Walking the generator's inputs: narrower noise (truncation), paths between two noises, blended labels.

A generator is a function of its noise z and its labels, so everything the playground shows is a choice
of inputs:

- **Truncation** (``noise_scale``): drawing z from a narrower range than training did (uniform in
  [-s, s] instead of [-1, 1], or a normal with standard deviation s). BigGAN (Brock et al. 2019) made
  the trick famous: it trades variety for typical faces when G has learned the middle of its noise
  space. Draws of many numbers all have nearly one length, though, so narrowed noise can lie where G
  never looked (see lerp below). At s = 0 every face of a pair is the same face; above 1, G sees values
  it never trained on.
- **lerp and slerp** between two noise vectors. A straight line (lerp) between two draws passes near
  the middle of the noise space, where high-dimensional draws almost never lie (their length
  concentrates around a typical value), so the faces halfway can look washed out; the great-circle path
  (slerp, White 2016) keeps the length typical all the way.
- **Soft labels**: a label row need not be one-hot. ``blend_labels`` mixes two classes' rows, which asks
  G for something it never saw in training; what it draws shows how it arranged the classes.

Pure numpy, so the widgets, the notebooks and the tests share one definition.
"""

from __future__ import annotations

import numpy as np

from .checks import check_count
from .labels import one_hot
from .models import sample_noise


def scaled_noise(count: int, dim: int, distribution: str, seed: int, scale: float = 1.0) -> np.ndarray:
    """``count`` noise vectors drawn with ``seed`` and multiplied by ``scale`` (1: training's range)."""
    if isinstance(seed, bool) or not isinstance(seed, (int, np.integer)) or seed < 0:
        raise ValueError(f"a noise seed is a non-negative integer; got {seed!r}")
    if not 0 <= scale <= 4:
        raise ValueError(f"noise scale must be in [0, 4] (1 is the range G was trained on); got {scale!r}")
    return (sample_noise(count, dim, distribution, rng=seed) * np.float32(scale)).astype(np.float32)


def lerp(start: np.ndarray, end: np.ndarray, steps: int) -> np.ndarray:
    """``steps`` points on the straight line from ``start`` to ``end`` (both included): (steps, dim)."""
    fractions = _fractions(steps)[:, None]
    return ((1 - fractions) * start[None] + fractions * end[None]).astype(np.float32)


def slerp(start: np.ndarray, end: np.ndarray, steps: int) -> np.ndarray:
    """``steps`` points on the great circle from ``start`` to ``end``, their length interpolated linearly.

    Falls back to ``lerp`` when the two directions are (nearly) the same or opposite, where the great
    circle is undefined.
    """
    start_length, end_length = np.linalg.norm(start), np.linalg.norm(end)
    if min(start_length, end_length) == 0:
        return lerp(start, end, steps)
    cosine = float(np.clip(np.dot(start, end) / (start_length * end_length), -1.0, 1.0))
    angle = np.arccos(cosine)
    if np.sin(angle) < 1e-6:
        return lerp(start, end, steps)
    fractions = _fractions(steps)[:, None]
    directions = (np.sin((1 - fractions) * angle) * start[None] / start_length
                  + np.sin(fractions * angle) * end[None] / end_length) / np.sin(angle)
    lengths = (1 - fractions) * start_length + fractions * end_length
    return (directions * lengths).astype(np.float32)


def blend_labels(first: int, second: int, weight: float, depth: int, count: int = 1) -> np.ndarray:
    """``count`` label rows (1 - weight) x one-hot(first) + weight x one-hot(second), float32 (count, depth)."""
    if not 0 <= weight <= 1:
        raise ValueError(f"blend weight must be in [0, 1]; got {weight!r}")
    rows = (1 - weight) * one_hot([first], depth) + weight * one_hot([second], depth)
    return np.repeat(rows, count, axis=0).astype(np.float32)


def _fractions(steps: int) -> np.ndarray:
    check_count("an interpolation's steps", steps, minimum=2)
    return np.linspace(0.0, 1.0, steps)
