"""Which (hair, eye) pairs a dataset or a request draws: the label distributions, and sampling from them.

Two named distributions: ``uniform`` (every pair equally likely: the built-in dataset) and ``skewed``
(imbalanced like the course's scraped data, for notebook 01's lesson on imbalance). A (12, 11) table of
weights works too. The renderer draws its faces' labels here, and evaluation draws its requests here,
without depending on the renderer.
"""

from __future__ import annotations

import numpy as np
from numpy.typing import ArrayLike

from .checks import check_count
from .labels import EYE_COLOURS, HAIR_COLOURS, NUM_EYES, NUM_HAIR

LABEL_DISTRIBUTIONS: tuple[str, ...] = ("uniform", "skewed")

# Random numbers of one seed come in streams: labels are drawn from this one, and the renderer draws a
# face's looks from another, so that one seed fixes both without tying a face's looks to its labels.
LABEL_STREAM = 0

# How common each colour is in the skewed distribution, in the spirit of the course's scraped data:
# blonde, brown and black hair and blue eyes are common; orange, aqua, gray and green hair are rare.
# fmt: off
_HAIR_POPULARITY: dict[str, float] = {
    "orange": 3, "white": 4, "aqua": 3, "gray": 3, "green": 3, "red": 5,
    "purple": 5, "pink": 6, "blue": 7, "black": 15, "brown": 18, "blonde": 20,
}
_EYE_POPULARITY: dict[str, float] = {
    "gray": 3, "black": 5, "orange": 4, "pink": 4, "yellow": 6, "aqua": 5,
    "purple": 8, "green": 8, "brown": 12, "red": 12, "blue": 20,
}
# fmt: on
# Characters are often drawn with matching hair and eyes: those pairs are twice as likely...
_MATCHING_PAIR_BOOST = 2.0
# ...and a few pairs are ten times rarer than their colours' popularity alone would make them.
_RARE_PAIR_FACTOR = 0.1
# fmt: off
_RARE_PAIRS: tuple[tuple[str, str], ...] = (
    ("orange", "gray"), ("white", "brown"), ("aqua", "brown"), ("gray", "orange"), ("green", "red"),
    ("red", "green"), ("purple", "orange"), ("pink", "black"), ("blue", "yellow"), ("blonde", "black"),
)
# fmt: on


def _skewed_table() -> np.ndarray:
    """The skewed (hair, eye) table: popularity products, matching pairs boosted, rare pairs damped."""
    hair = np.array([_HAIR_POPULARITY[name] for name in HAIR_COLOURS], dtype=np.float64)
    eye = np.array([_EYE_POPULARITY[name] for name in EYE_COLOURS], dtype=np.float64)
    table = np.outer(hair, eye)
    for hair_index, name in enumerate(HAIR_COLOURS):
        if name in EYE_COLOURS:
            table[hair_index, EYE_COLOURS.index(name)] *= _MATCHING_PAIR_BOOST
    for hair_name, eye_name in _RARE_PAIRS:
        table[HAIR_COLOURS.index(hair_name), EYE_COLOURS.index(eye_name)] *= _RARE_PAIR_FACTOR
    return table / table.sum()


SKEWED_DISTRIBUTION: np.ndarray = _skewed_table()
SKEWED_DISTRIBUTION.flags.writeable = False


def label_distribution(name_or_table: str | ArrayLike) -> np.ndarray:
    """The joint (hair, eye) distribution as a (12, 11) float64 table that sums to 1.

    ``"uniform"`` gives every pair the same chance; ``"skewed"`` gives ``SKEWED_DISTRIBUTION``, which
    is imbalanced like the course's data; a (12, 11) table of non-negative weights is normalised.
    """
    if isinstance(name_or_table, str):
        if name_or_table == "uniform":
            return np.full((NUM_HAIR, NUM_EYES), 1.0 / (NUM_HAIR * NUM_EYES))
        if name_or_table == "skewed":
            return SKEWED_DISTRIBUTION.copy()
        raise ValueError(
            f"unknown label distribution {name_or_table!r}; valid names: {', '.join(LABEL_DISTRIBUTIONS)}, "
            f"or a ({NUM_HAIR}, {NUM_EYES}) table of non-negative weights"
        )
    table = np.asarray(name_or_table, dtype=np.float64)
    if table.shape != (NUM_HAIR, NUM_EYES):
        raise ValueError(
            f"a label distribution table must have shape ({NUM_HAIR}, {NUM_EYES}) (hair x eye); "
            f"got {table.shape}"
        )
    if not np.all(np.isfinite(table)) or np.any(table < 0):
        raise ValueError("a label distribution table must hold finite, non-negative weights")
    total = table.sum()
    if total <= 0:
        raise ValueError("a label distribution table must have a positive sum")
    return table / total


def sample_labels(
    count: int, seed: int = 0, distribution: str | ArrayLike = "uniform"
) -> tuple[np.ndarray, np.ndarray]:
    """Draw ``count`` (hair_id, eye_id) pairs from a label distribution (see ``label_distribution``)."""
    check_count("count", count, minimum=0)
    table = label_distribution(distribution)
    pairs = seeded_generator(seed, LABEL_STREAM).choice(table.size, size=count, p=table.ravel())
    hair_ids, eye_ids = np.divmod(pairs, NUM_EYES)
    return hair_ids.astype(np.int64), eye_ids.astype(np.int64)


def seeded_generator(seed: int, stream: int) -> np.random.Generator:
    """NumPy's generator for one stream of one seed (seeds must be non-negative integers)."""
    check_count("seed", seed, minimum=0)
    return np.random.default_rng([int(seed), stream])
