"""The course's colour vocabularies: 12 hair colours, 11 eye colours, and how to read and write them.

Everything that turns a colour name, a tags line or a picked RGB colour into a class id lives here, so
that the renderer, the dataset loaders, the models and the widgets all agree on one numbering.

The order of each vocabulary is the course's (see DESIGN.md) and is part of the file formats: a model
trained with these ids expects hair id 0 to mean orange.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

import numpy as np

HAIR_COLOURS: tuple[str, ...] = (
    "orange", "white", "aqua", "gray", "green", "red",
    "purple", "pink", "blue", "black", "brown", "blonde",
)
EYE_COLOURS: tuple[str, ...] = (
    "gray", "black", "orange", "pink", "yellow", "aqua",
    "purple", "green", "brown", "red", "blue",
)
NUM_HAIR = len(HAIR_COLOURS)
NUM_EYES = len(EYE_COLOURS)

# Display swatches (sRGB, 0-255): the centre of each class. The renderer varies shade around them and
# the colour picker maps any colour to the nearest one.
HAIR_SWATCHES: dict[str, tuple[int, int, int]] = {
    "orange": (244, 132, 36),
    "white": (238, 238, 242),
    "aqua": (64, 208, 206),
    "gray": (128, 128, 138),
    "green": (58, 158, 72),
    "red": (206, 36, 40),
    "purple": (124, 62, 176),
    "pink": (248, 150, 192),
    "blue": (46, 86, 216),
    "black": (34, 32, 38),
    "brown": (118, 72, 38),
    "blonde": (244, 218, 118),
}
EYE_SWATCHES: dict[str, tuple[int, int, int]] = {
    "gray": (130, 130, 140),
    "black": (28, 26, 32),
    "orange": (240, 136, 28),
    "pink": (244, 124, 178),
    "yellow": (238, 218, 44),
    "aqua": (48, 206, 208),
    "purple": (136, 64, 188),
    "green": (46, 166, 66),
    "brown": (128, 78, 38),
    "red": (208, 32, 36),
    "blue": (38, 88, 220),
}

# Spellings that real tag files use for a class of ours.
SPELLING_ALIASES = {"grey": "gray", "blond": "blonde"}

_TAGS_PATTERN = re.compile(r"^\s*([a-z]+)\s+hair\s+([a-z]+)\s+eyes?\s*$", re.IGNORECASE)


class UnknownColourError(ValueError):
    """A colour name outside the vocabulary; the message lists the valid ones."""


def hair_id(name: str) -> int:
    """The class id of a hair colour name (case, surrounding spaces and "blond" for "blonde" forgiven)."""
    return _lookup(name, HAIR_COLOURS, "hair")


def eye_id(name: str) -> int:
    """The class id of an eye colour name (case, surrounding spaces and "grey" for "gray" forgiven)."""
    return _lookup(name, EYE_COLOURS, "eye")


def _lookup(name: str, vocabulary: tuple[str, ...], part: str) -> int:
    key = name.strip().lower()
    key = SPELLING_ALIASES.get(key, key)
    if key not in vocabulary:
        raise UnknownColourError(
            f"unknown {part} colour {name!r}; valid {part} colours: {', '.join(vocabulary)}"
        )
    return vocabulary.index(key)


def parse_tags(text: str) -> tuple[int, int]:
    """Read "blue hair red eyes" into (hair_id, eye_id).

    Case and runs of spaces are forgiven, and "eye" is accepted for "eyes". Text of another form raises
    ValueError saying what the form is; an unknown colour raises UnknownColourError (a ValueError).
    """
    match = _TAGS_PATTERN.match(text)
    if match is None:
        raise ValueError(
            f"cannot read {text!r}: expected '<hair> hair <eye> eyes', e.g. 'blue hair red eyes'"
        )
    return hair_id(match.group(1)), eye_id(match.group(2))


def format_tags(hair: int, eye: int) -> str:
    """Write (hair_id, eye_id) as the course writes it: "blue hair red eyes"."""
    return f"{HAIR_COLOURS[hair]} hair {EYE_COLOURS[eye]} eyes"


def one_hot(ids, depth: int) -> np.ndarray:
    """One-hot rows (float32) for a sequence of class ids; ids outside [0, depth) raise ValueError."""
    ids = np.asarray(ids, dtype=np.int64)
    if ids.size and (ids.min() < 0 or ids.max() >= depth):
        raise ValueError(f"class ids must be in [0, {depth}); got {ids.min()}..{ids.max()}")
    return np.eye(depth, dtype=np.float32)[ids]


def decode_one_hot(rows) -> np.ndarray:
    """Class ids from one-hot (or probability, or logit) rows: the index of the largest entry."""
    return np.asarray(rows).argmax(axis=-1)


def nearest_hair(rgb) -> int:
    """The hair class whose swatch is perceptually closest (CIELAB distance) to an sRGB colour."""
    return match_colour(rgb, "hair").class_id


def nearest_eye(rgb) -> int:
    """The eye class whose swatch is perceptually closest (CIELAB distance) to an sRGB colour."""
    return match_colour(rgb, "eye").class_id


# Neighbouring swatches lie 25 to 58 CIELAB units apart (40 to 45 for most), so a colour more than 25
# units from the nearest swatch is about as far from it as from the space between two classes: the
# class it snaps to is a guess, and a colour picker should say so.
FAR_FROM_EVERY_CLASS = 25.0
PARTS = {"hair": (HAIR_COLOURS, HAIR_SWATCHES), "eye": (EYE_COLOURS, EYE_SWATCHES)}


@dataclass(frozen=True)
class ColourMatch:
    """What a picked colour snaps to: the nearest class, how far it is (CIELAB ΔE), and the runner-up."""

    part: str  # "hair" or "eye"
    picked: tuple[int, int, int]
    class_id: int
    name: str
    distance: float
    runner_up: str
    runner_up_distance: float

    @property
    def far(self) -> bool:
        """True when the pick is far from every class (see FAR_FROM_EVERY_CLASS)."""
        return self.distance > FAR_FROM_EVERY_CLASS


def match_colour(rgb, part: str) -> ColourMatch:
    """Snap an sRGB colour (a triple or '#rrggbb') to the nearest ``part`` class ("hair" or "eye").

    Distances are Euclidean in CIELAB (ΔE*76), where equal distances look about equally different.
    """
    if part not in PARTS:
        raise ValueError(f"unknown part {part!r}; valid parts: {', '.join(PARTS)}")
    names, swatches = PARTS[part]
    colour = parse_rgb(rgb)
    lab = srgb_to_lab(np.array([colour], dtype=np.float64))
    centres = srgb_to_lab(np.array(list(swatches.values()), dtype=np.float64))
    distances = np.sqrt(((centres - lab) ** 2).sum(axis=1))
    first, second = np.argsort(distances, kind="stable")[:2]
    return ColourMatch(part, colour, int(first), names[first], float(distances[first]),
                       names[second], float(distances[second]))


def parse_rgb(rgb) -> tuple[int, int, int]:
    """An (r, g, b) triple of 0-255 ints from a triple or a '#rrggbb' string (what a colour picker gives)."""
    if isinstance(rgb, str):
        text = rgb.strip()
        if not re.fullmatch(r"#[0-9a-fA-F]{6}", text):
            raise ValueError(f"cannot read colour {rgb!r}: expected '#rrggbb' (six hex digits), e.g. '#3366cc'")
        return tuple(int(text[i : i + 2], 16) for i in (1, 3, 5))
    values = tuple(int(v) for v in rgb)
    if len(values) != 3 or not all(0 <= v <= 255 for v in values):
        raise ValueError(f"an RGB colour is three integers in 0..255; got {rgb!r}")
    return values


def srgb_to_lab(rgb: np.ndarray) -> np.ndarray:
    """CIELAB (D65) coordinates of sRGB colours given as 0-255 values in the last axis."""
    linear = rgb / 255.0
    linear = np.where(linear <= 0.04045, linear / 12.92, ((linear + 0.055) / 1.055) ** 2.4)
    to_xyz = np.array(
        [[0.4124, 0.3576, 0.1805], [0.2126, 0.7152, 0.0722], [0.0193, 0.1192, 0.9505]]
    )
    xyz = linear @ to_xyz.T / np.array([0.95047, 1.0, 1.08883])
    f = np.where(xyz > (6 / 29) ** 3, np.cbrt(xyz), xyz / (3 * (6 / 29) ** 2) + 4 / 29)
    return np.stack(
        [116 * f[..., 1] - 16, 500 * (f[..., 0] - f[..., 1]), 200 * (f[..., 1] - f[..., 2])],
        axis=-1,
    )


def all_pairs() -> tuple[np.ndarray, np.ndarray]:
    """Every (hair, eye) pair once: 12 x 11 = 132 pairs, hair-major (hair 0 with eyes 0..10 first)."""
    hair_ids, eye_ids = np.divmod(np.arange(NUM_HAIR * NUM_EYES), NUM_EYES)
    return hair_ids, eye_ids
