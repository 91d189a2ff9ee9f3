"""The built-in dataset: a procedural renderer of labelled anime-style faces, in numpy.

Every face shows one of the 12 hair colours and one of the 11 eye colours of ``labels``, and everything
else varies so that reading the colours is a real task: face position and scale, hair style (short,
long, bangs, twin tails), the fringe, skin tone, eye shape and gaze, mouth, blush, background and
lighting. Each colour class is a range of shades, never one RGB value, but every shade stays nearest to
its own class swatch, so a label never lies.

How it draws: each part of a face is a shape given by a signed distance (negative inside, positive
outside, in face units), and a pixel's coverage is how much of the pixel lies inside, read from the
distance in pixel units. That gives antialiased edges at every size from 32 to 128 pixels. Parts are
painted back to front (background, clothes, back hair, skin, eyes and mouth, front hair), each as
``canvas += coverage * (colour - canvas)``.

How it stays fast: every array is float32 and holds a chunk of a few dozen faces, so it stays in cache;
coordinates are separable (x varies along one axis, y along the other), so most terms are computed on
rows and columns and only broadcast to full images when combined; every part but the background and
the hair behind the head is drawn only in the region (rows and columns) it can cover; full-size arrays
are updated in place where that saves a temporary; and chunks are rendered by a pool of threads, since
numpy releases the GIL in elementwise work.

How it stays deterministic: all random choices for a batch (each face's geometry, style, shades, and a
seed for its pixel noise) are drawn up front from the one seed, in a fixed order. Chunks only read
them, and a part drawn in a region touches only each face's own pixels there, so the pixels depend
neither on the chunk size, nor on which faces share a chunk, nor on thread timing. The draws do not
depend on the labels either: with the same seed, changing a face's labels changes only its colours.
"""

from __future__ import annotations

import dataclasses
import os
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass

import numpy as np
from numpy.typing import ArrayLike

from .checks import check_count
from .label_sampling import sample_labels, seeded_generator
from .labels import EYE_SWATCHES, HAIR_SWATCHES, NUM_EYES, NUM_HAIR, srgb_to_lab
from .profiles import MAX_IMAGE_SIZE, MIN_IMAGE_SIZE
from .progress import progress_bar

RENDERER_VERSION: int = 2  # bump whenever the pixels drawn for a seed change (dataset caches key on it)

# Labels come from stream LABEL_STREAM of a seed (label_sampling) and faces from this one, so that
# render_dataset can pass one seed to both without tying a face's looks to its labels.
_FACE_STREAM = 1

# ---------------------------------------------------------------------------------------------------
# Per-face random parameters, drawn up front for a whole batch
# ---------------------------------------------------------------------------------------------------
# Geometry is in face units: the face oval is about 2 wide, its centre is near (0, 0), y points down.


@dataclass(frozen=True)
class _HairStyle:
    """The shape of one hair style (face units); each face jitters these a little."""

    back_half_width: float  # hair behind the head: half its width at the top...
    back_flare: float  # ...how much wider it gets per unit down...
    back_bottom: float  # ...where it ends...
    back_bottom_radius: float  # ...and how round its lower corners are (large: round, small: blunt cut)
    fringe_base: float  # where the fringe's strands start, above the eyes
    fringe_length: float  # how far the strands' tips hang below fringe_base
    lock_length: float  # how far the side locks reach below the crown's centre
    twin_tails: bool


_STYLES: dict[str, _HairStyle] = {
    "short": _HairStyle(1.30, 0.00, 0.75, 1.00, -0.45, 0.38, 1.00, False),
    "long": _HairStyle(1.34, 0.20, 4.00, 0.30, -0.42, 0.36, 1.30, False),
    "bangs": _HairStyle(1.32, 0.06, 1.05, 0.35, -0.14, 0.06, 1.30, False),
    "twin_tails": _HairStyle(1.28, 0.00, 0.65, 1.00, -0.45, 0.38, 1.00, True),
}
HAIR_STYLES: tuple[str, ...] = tuple(_STYLES)

_CROWN_CENTRE_Y = -0.15  # centre of the hair's crown ellipse
_CROWN_TOP = 1.30  # crown height above its centre: the top of the head is at about -1.45
_FACE_CENTRE_Y = 0.05
# Colours that are not drawn from a class.
_SCLERA = np.array([250, 250, 255], dtype=np.float32)
_LASH = np.array([46, 30, 36], dtype=np.float32)
_MOUTH = np.array([150, 56, 66], dtype=np.float32)
_BLUSH = np.array([246, 120, 132], dtype=np.float32)
_WHITE = np.array([255, 255, 255], dtype=np.float32)
_LIGHT_SKIN = np.array([255, 234, 218], dtype=np.float32)
_DARK_SKIN = np.array([198, 146, 112], dtype=np.float32)


@dataclass(frozen=True)
class _FaceParams:
    """Everything random about a batch of faces: one array entry (or row) per face."""

    centre_x: np.ndarray  # face centre in image units ([-1, 1] across the image)
    centre_y: np.ndarray
    scale: np.ndarray  # image units per face unit
    back_half_width: np.ndarray
    back_flare: np.ndarray
    back_bottom: np.ndarray
    back_bottom_radius: np.ndarray
    twin_tails: np.ndarray  # bool
    tail_x: np.ndarray
    tail_y: np.ndarray
    tail_width: np.ndarray
    tail_length: np.ndarray
    crown_width: np.ndarray
    lock_length: np.ndarray
    side_width: np.ndarray  # half width of the face left open between the side locks
    fringe_base: np.ndarray
    fringe_length: np.ndarray
    fringe_frequency: np.ndarray  # strands per face unit
    fringe_phase: np.ndarray
    fringe_tilt: np.ndarray  # a side parting: the fringe's edge slopes
    face_width: np.ndarray
    face_height: np.ndarray
    chin: np.ndarray  # how much the oval narrows to a point below its centre
    eye_spacing: np.ndarray
    eye_y: np.ndarray
    eye_width: np.ndarray  # half width of the eye opening
    eye_height: np.ndarray
    eye_tilt: np.ndarray  # positive: outer corners higher
    iris_width: np.ndarray
    iris_height: np.ndarray
    gaze_x: np.ndarray
    gaze_y: np.ndarray
    mouth_y: np.ndarray
    mouth_width: np.ndarray
    mouth_open: np.ndarray  # 0: a closed line
    mouth_curve: np.ndarray  # positive: a smile
    blush: np.ndarray  # strength, 0: none
    light_x: np.ndarray  # lighting gradient across the image (a brightness change per image unit)
    light_y: np.ndarray
    background_top: np.ndarray  # (N, 3) RGB
    background_bottom: np.ndarray  # (N, 3)
    gradient_x: np.ndarray  # background gradient direction
    gradient_y: np.ndarray
    clothes: np.ndarray  # (N, 3)
    skin: np.ndarray  # (N, 3)
    hair: np.ndarray  # (N, 3): a shade of the face's hair class
    eye: np.ndarray  # (N, 3): a shade of the face's eye class
    noise_seed: np.ndarray  # (N,) uint64: each face's own pixel noise

    def take(self, faces: slice | np.ndarray) -> _FaceParams:
        """The parameters of some of the faces (a slice or indices)."""
        return _FaceParams(
            **{field.name: getattr(self, field.name)[faces] for field in dataclasses.fields(self)}
        )


def _draw_face_params(hair_ids: np.ndarray, eye_ids: np.ndarray, seed: int) -> _FaceParams:
    """Draw every face's parameters, in a fixed order that does not depend on the labels."""
    rng = seeded_generator(seed, _FACE_STREAM)
    count = len(hair_ids)

    def uniform(low: float, high: float) -> np.ndarray:
        return rng.uniform(low, high, count).astype(np.float32)

    def jitter(values: np.ndarray, spread: float) -> np.ndarray:
        return (values + rng.uniform(-spread, spread, count)).astype(np.float32)

    styles = [_STYLES[name] for name in HAIR_STYLES]
    style_ids = rng.integers(0, len(styles), count)

    def style_value(field: str) -> np.ndarray:
        return np.array([getattr(style, field) for style in styles], dtype=np.float32)[style_ids]

    eye_width = uniform(0.24, 0.3)
    eye_height = eye_width * uniform(1.1, 1.3)
    iris_width = eye_width * uniform(0.74, 0.86)
    light_angle, light_strength = uniform(0, 2 * np.pi), uniform(0.0, 0.08)
    gradient_angle, gradient_strength = uniform(-0.7, 0.7), uniform(0.0, 0.5)
    background_hue = uniform(0, 1)
    mouth_is_open = rng.random(count) < 0.4
    has_blush = rng.random(count) < 0.6
    return _FaceParams(
        centre_x=uniform(-0.07, 0.07),
        centre_y=uniform(0.0, 0.1),
        scale=uniform(0.5, 0.6),
        back_half_width=jitter(style_value("back_half_width"), 0.06),
        back_flare=style_value("back_flare"),
        back_bottom=jitter(style_value("back_bottom"), 0.1),
        back_bottom_radius=style_value("back_bottom_radius"),
        twin_tails=np.array([style.twin_tails for style in styles])[style_ids],
        tail_x=uniform(1.22, 1.38),
        tail_y=uniform(0.25, 0.5),
        tail_width=uniform(0.32, 0.42),
        tail_length=uniform(1.0, 1.4),
        crown_width=uniform(1.18, 1.28),
        lock_length=jitter(style_value("lock_length"), 0.1),
        side_width=uniform(0.8, 0.88),
        fringe_base=jitter(style_value("fringe_base"), 0.05),
        fringe_length=jitter(style_value("fringe_length"), 0.04),
        fringe_frequency=uniform(1.6, 2.4),
        fringe_phase=uniform(0, 1),
        fringe_tilt=uniform(-0.12, 0.12),
        face_width=uniform(0.95, 1.04),
        face_height=uniform(1.04, 1.14),
        chin=uniform(0.3, 0.6),
        eye_spacing=uniform(0.4, 0.46),
        eye_y=uniform(0.14, 0.22),
        eye_width=eye_width,
        eye_height=eye_height,
        eye_tilt=uniform(-0.2, 0.35),
        iris_width=iris_width,
        iris_height=eye_height * uniform(0.98, 1.08),
        gaze_x=uniform(-0.04, 0.04),
        gaze_y=uniform(-0.01, 0.04),
        mouth_y=uniform(0.64, 0.74),
        mouth_width=uniform(0.07, 0.13),
        mouth_open=np.where(mouth_is_open, uniform(0.03, 0.07), 0).astype(np.float32),
        mouth_curve=uniform(-0.5, 3.0),
        blush=np.where(has_blush, uniform(0.2, 0.5), 0).astype(np.float32),
        light_x=light_strength * np.cos(light_angle),
        light_y=light_strength * np.sin(light_angle),
        background_top=_muted_colours(background_hue, uniform(0.03, 0.2), uniform(0.65, 0.95)),
        background_bottom=_muted_colours(
            background_hue + uniform(-0.1, 0.1), uniform(0.03, 0.2), uniform(0.55, 0.9)
        ),
        gradient_x=gradient_strength * np.sin(gradient_angle),
        gradient_y=gradient_strength * np.cos(gradient_angle),
        clothes=_muted_colours(uniform(0, 1), uniform(0.0, 0.3), uniform(0.3, 0.75)),
        skin=_skin_tones(uniform(0, 1) ** 2, rng.normal(0, 3, (count, 3))),
        hair=_class_shades(HAIR_SWATCHES, hair_ids, uniform(0.88, 1.12), rng.normal(0, 8, (count, 3))),
        eye=_class_shades(EYE_SWATCHES, eye_ids, uniform(0.85, 1.12), rng.normal(0, 12, (count, 3))),
        noise_seed=rng.integers(0, 2**63, count, dtype=np.uint64),
    )


def _muted_colours(hue: np.ndarray, saturation: np.ndarray, value: np.ndarray) -> np.ndarray:
    """(N, 3) RGB colours of low saturation: a grey of brightness ``value`` tinted towards ``hue``."""
    wheel = 0.5 + 0.5 * np.cos(2 * np.pi * (hue[:, None] - np.array([0.0, 1 / 3, 2 / 3])))
    tint = 1 - saturation[:, None] + saturation[:, None] * wheel
    return (255 * value[:, None] * tint).astype(np.float32)


def _skin_tones(darkness: np.ndarray, tint: np.ndarray) -> np.ndarray:
    """(N, 3) skin colours between light and tanned anime skin, with a little tint."""
    colours = _LIGHT_SKIN + darkness[:, None] * (_DARK_SKIN - _LIGHT_SKIN) + tint
    return np.clip(colours, 0, 255).astype(np.float32)


# A shade may move at most this far from its class swatch, as a fraction of the distance to the nearest
# other swatch (in CIELAB). The margin keeps the shading a face adds on top (lighting, highlights)
# from tipping the colour into a neighbouring class.
_SHADE_MARGIN = 0.45
# Darker shades lose more blue than red, as painted shadows do (dark yellow reads golden, not olive).
_WARM_SHADING = np.array([0.75, 1.0, 1.3])
_SHADE_HALVINGS = 6


def _class_shades(
    swatches: dict[str, tuple[int, int, int]],
    class_ids: np.ndarray,
    brightness: np.ndarray,
    tint: np.ndarray,
) -> np.ndarray:
    """(N, 3) shades of each face's class: the swatch brightened or darkened and tinted.

    Shades that stray too close to another class are pulled back towards their swatch (the change is
    halved until the shade is safely inside its class), so every shade is still read as its class.
    """
    centres = np.array(list(swatches.values()), dtype=np.float32)
    swatch = centres[class_ids]
    change = swatch * (brightness[:, None] ** _WARM_SHADING - 1) + tint
    centres_lab = srgb_to_lab(centres.astype(np.float64))
    for _ in range(_SHADE_HALVINGS):
        straying = ~_safely_inside(np.clip(swatch + change, 0, 255), class_ids, centres_lab)
        change[straying] *= 0.5
    straying = ~_safely_inside(np.clip(swatch + change, 0, 255), class_ids, centres_lab)
    change[straying] = 0
    return np.clip(swatch + change, 0, 255).astype(np.float32)


def _safely_inside(colours: np.ndarray, class_ids: np.ndarray, centres_lab: np.ndarray) -> np.ndarray:
    """Which colours lie well inside their class (see ``_SHADE_MARGIN``)."""
    distances = np.linalg.norm(srgb_to_lab(colours.astype(np.float64))[:, None] - centres_lab, axis=-1)
    rows = np.arange(len(colours))
    own = distances[rows, class_ids].copy()
    distances[rows, class_ids] = np.inf
    return own <= _SHADE_MARGIN * distances.min(axis=1)


# ---------------------------------------------------------------------------------------------------
# Shapes as signed distances, and painting with coverage
# ---------------------------------------------------------------------------------------------------

_REGION_MARGIN_PIXELS = 3
# Full-size arrays are updated in place (``out=``, ``+=``) where that saves a temporary: besides the
# arithmetic, allocating fresh memory for every temporary (and the page faults that follow) would cost
# as much as the drawing itself.


@dataclass(frozen=True)
class _Frame:
    """Face-unit coordinates of pixel centres for a chunk of faces (whole images or regions of them).

    ``x`` has shape (B, 1, W) and ``y`` (B, H, 1), so terms in one of them stay small and only combined
    terms become full (B, H, W) arrays.
    """

    x: np.ndarray
    y: np.ndarray
    pixel: np.ndarray  # (B, 1, 1): the width of one pixel in face units
    own: np.ndarray | None = None  # in a region: (B, H, W), 1 where a pixel is in the face's own part

    def coverage(self, distance: np.ndarray, softness: float = 1.0) -> np.ndarray:
        """How much of each pixel lies inside a shape, from its signed distance (antialiasing).

        A pixel whose centre is on the edge is half covered; coverage ramps over one pixel (times
        ``softness``, for blurred shapes such as blush and shadows).
        """
        coverage = distance * (-1.0 / (self.pixel * softness))
        coverage += 0.5
        return self._keep_own(np.clip(coverage, 0.0, 1.0, out=coverage))

    def line(self, distance: np.ndarray, width_pixels: float) -> np.ndarray:
        """Coverage of a line ``width_pixels`` wide along the zero contour of a signed distance."""
        coverage = np.abs(distance)
        coverage *= -1.0 / self.pixel
        coverage += 0.5 + 0.5 * width_pixels
        return self._keep_own(np.clip(coverage, 0.0, 1.0, out=coverage))

    def _keep_own(self, coverage: np.ndarray) -> np.ndarray:
        """Coverage with pixels outside each face's own part of a region set to zero."""
        if self.own is None:
            return coverage
        if coverage.shape == self.own.shape:
            return np.multiply(coverage, self.own, out=coverage)
        return coverage * self.own

    def region(
        self, half_width: np.ndarray, top: np.ndarray, bottom: np.ndarray
    ) -> tuple[tuple[slice, slice], _Frame]:
        """The rows and columns a part can touch, and their frame.

        The part spans ``-half_width <= x <= half_width`` and ``top <= y <= bottom`` (face units, per
        face). The region holds the rows and columns where some face of the chunk has pixels in its
        span, widened by a margin for antialiased or blurred edges. Its frame covers nothing outside
        each face's own span, so a face's pixels never depend on which other faces share its chunk.
        """
        margin = _REGION_MARGIN_PIXELS * self.pixel[:, :, 0]
        y = self.y[:, :, 0]
        rows, own_rows = _own_span((y >= top[:, None] - margin) & (y <= bottom[:, None] + margin))
        columns, own_columns = _own_span(np.abs(self.x[:, 0, :]) <= half_width[:, None] + margin)
        own = own_rows[:, :, None].astype(np.float32) * own_columns[:, None, :]
        if self.own is not None:
            own *= self.own[:, rows, columns]
        region_frame = _Frame(x=self.x[:, :, columns], y=self.y[:, rows], pixel=self.pixel, own=own)
        return (rows, columns), region_frame

    def take(self, faces: np.ndarray) -> _Frame:
        """The frame of some of the faces (by index)."""
        own = None if self.own is None else self.own[faces]
        return _Frame(x=self.x[faces], y=self.y[faces], pixel=self.pixel[faces], own=own)


def _same_for_all(params: _FaceParams, value: float) -> np.ndarray:
    """One value per face, the same for all."""
    return np.full(len(params.scale), value, dtype=np.float32)


def _own_span(own: np.ndarray) -> tuple[slice, np.ndarray]:
    """From (B, N) flags of each face's own pixels along one axis: the slice of positions that some face
    owns, and the flags within it."""
    positions = np.flatnonzero(own.any(axis=0))
    span = slice(positions[0], positions[-1] + 1) if positions.size else slice(0, 0)
    return span, own[:, span]


def _per_face(values: np.ndarray) -> np.ndarray:
    """Per-face values shaped (B, 1, 1) to broadcast against a chunk's (B, H, W) arrays."""
    return values[:, None, None]


def _ellipse_distance(x, y, half_width, half_height) -> np.ndarray:
    """Signed distance to an axis-aligned ellipse centred at (0, 0), in the units of x and y.

    It is the level (x/a)^2 + (y/b)^2 - 1 divided by the length of its gradient: exact to first order
    near the boundary, which is all antialiasing needs, and cheap (no root finding).
    """
    across = x / half_width
    across *= across
    down = y / half_height
    down *= down
    level = (across - 1) + down
    # |gradient|^2 = (2x/a^2)^2 + (2y/b^2)^2, written with the squares above to save full-size work
    gradient = across * (4 / half_width**2) + down * (4 / half_height**2)
    np.sqrt(gradient, out=gradient)
    np.maximum(gradient, 1e-6, out=gradient)
    level /= gradient
    return level


def _circle_distance(x, y, radius) -> np.ndarray:
    """Signed distance to a circle centred at (0, 0)."""
    distance = x * x + y * y
    np.sqrt(distance, out=distance)
    distance -= radius
    return distance


def _paint(
    canvas: np.ndarray,
    coverage: np.ndarray,
    colour: np.ndarray,
    shade: np.ndarray | None = None,
) -> None:
    """Paint ``colour`` over a (B, 3, H, W) canvas where ``coverage`` (B, H, W) says, in place.

    ``colour`` is one RGB for all faces, (3,), or one per face, (B, 3); ``shade`` (B, H, W) optionally
    darkens or lightens it pixel by pixel (a factor). Each channel is
    ``canvas += coverage * (colour - canvas)``.
    """
    colours = np.broadcast_to(colour, (len(canvas), 3)).astype(np.float32)
    change = np.empty_like(coverage)
    for channel in range(3):
        plane = canvas[:, channel]
        channel_colour = _per_face(colours[:, channel])
        if shade is None:
            np.subtract(channel_colour, plane, out=change)
        else:
            np.multiply(shade, channel_colour, out=change)
            change -= plane
        change *= coverage
        plane += change


_Painter = Callable[[np.ndarray, _Frame, _FaceParams], np.ndarray | None]
_Extent = Callable[[_FaceParams], tuple[np.ndarray, np.ndarray, np.ndarray]]


@dataclass(frozen=True)
class _RegionCoverage:
    """A part's coverage within the region of a chunk where it was drawn."""

    rows: slice
    columns: slice
    coverage: np.ndarray  # (B, rows, columns)

    def full_size(self, size: int) -> np.ndarray:
        """The coverage in whole (B, size, size) images: zero outside the region."""
        full = np.zeros((len(self.coverage), size, size), dtype=np.float32)
        full[:, self.rows, self.columns] = self.coverage
        return full


def _paint_within(
    canvas: np.ndarray, frame: _Frame, params: _FaceParams, painter: _Painter, extent: _Extent
) -> _RegionCoverage | None:
    """Paint a small part only in the region it can touch (see ``_Frame.region``).

    ``extent(params)`` gives each face's half width, top and bottom of the part (face units), and
    ``painter(canvas, frame, params)`` paints it, returning its coverage (or None), which is returned
    with the region it is in.
    """
    (rows, columns), region_frame = frame.region(*extent(params))
    coverage = painter(canvas[:, :, rows, columns], region_frame, params)
    return None if coverage is None else _RegionCoverage(rows, columns, coverage)


# ---------------------------------------------------------------------------------------------------
# The parts of a face, back to front
# ---------------------------------------------------------------------------------------------------

_BACK_HAIR_SHADE = 0.85  # hair behind the head is in shadow
_HAIR_STRAND_SHADE = 0.72  # the dark lines between fringe strands
_HAIR_SHINE = 0.4  # how far the shine band lightens the hair towards white
_SHINE_BOTTOM = -0.3  # the shine fades out towards this height
_STRAND_LINE_LENGTH = 0.45
_CROWN_HEAD_TOP = _CROWN_CENTRE_Y - _CROWN_TOP
_NECK_HALF_WIDTH = 0.36
_NECK_TOP = 0.3
_NECK_BOTTOM = 2.5  # the neck's region ends below the bottom of every image
_SHOULDERS_Y, _SHOULDERS_HALF_WIDTH, _SHOULDERS_HALF_HEIGHT = 2.0, 1.8, 0.75


def _background(params: _FaceParams, grid: np.ndarray) -> np.ndarray:
    """A (B, 3, S, S) canvas holding each face's muted background: a colour or a soft gradient."""
    across = _per_face(params.gradient_x) * grid[None, None, :]
    down = _per_face(params.gradient_y) * grid[None, :, None]
    mix = 0.5 + across + down
    canvas = np.empty((len(mix), 3, len(grid), len(grid)), dtype=np.float32)
    for channel in range(3):
        top = _per_face(params.background_top[:, channel])
        bottom = _per_face(params.background_bottom[:, channel])
        np.multiply(mix, bottom - top, out=canvas[:, channel])
        canvas[:, channel] += top
    return canvas


def _clothes_extent(params: _FaceParams) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """The shoulders' half width, top and bottom (the same for every face)."""
    return (
        _same_for_all(params, _SHOULDERS_HALF_WIDTH),
        _same_for_all(params, _SHOULDERS_Y - _SHOULDERS_HALF_HEIGHT),
        _same_for_all(params, _SHOULDERS_Y + _SHOULDERS_HALF_HEIGHT),
    )


def _paint_clothes(canvas: np.ndarray, frame: _Frame, params: _FaceParams) -> None:
    """The shoulders, an ellipse below the neck."""
    shoulders = _ellipse_distance(
        frame.x, frame.y - _SHOULDERS_Y, _SHOULDERS_HALF_WIDTH, _SHOULDERS_HALF_HEIGHT
    )
    _paint(canvas, frame.coverage(shoulders), params.clothes)


def _back_hair_distance(frame: _Frame, params: _FaceParams) -> np.ndarray:
    """Hair behind the head: a box with rounded corners whose size and cut set the style, plus tails."""
    bottom = _per_face(params.back_bottom)
    half_height = (bottom - _CROWN_HEAD_TOP) / 2
    below_centre = frame.y - (_CROWN_HEAD_TOP + half_height)
    half_width = _per_face(params.back_half_width) + _per_face(params.back_flare) * np.maximum(frame.y, 0)
    corner = np.where(below_centre < 0, half_width, _per_face(params.back_bottom_radius))
    corner = np.minimum(corner, np.minimum(half_width, half_height))
    # The rounded box's distance: outside, to the nearest rounded corner or side; inside, to the
    # nearest side (negative).
    across = np.abs(frame.x) - (half_width - corner)
    down = np.abs(below_centre) - (half_height - corner)
    box = np.maximum(across, 0)
    box *= box
    box += np.maximum(down, 0) ** 2
    np.sqrt(box, out=box)
    box += np.minimum(np.maximum(across, down), 0)
    box -= corner
    with_tails = np.flatnonzero(params.twin_tails)
    if with_tails.size:
        tails = _twin_tails_distance(frame.take(with_tails), params.take(with_tails))
        box[with_tails] = np.minimum(box[with_tails], tails)
    return box


def _twin_tails_distance(frame: _Frame, params: _FaceParams) -> np.ndarray:
    """Two tails hanging beside the head, tapering downwards."""
    beside = np.abs(frame.x) - _per_face(params.tail_x)
    down = frame.y - _per_face(params.tail_y)
    length = _per_face(params.tail_length)
    width = _per_face(params.tail_width) * (1 - 0.35 * np.clip(down / length, -1, 1))
    return _ellipse_distance(beside, down, width, length)


def _skin_extent(params: _FaceParams) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """The half width, top and bottom of the face and neck."""
    return params.face_width, _FACE_CENTRE_Y - params.face_height, _same_for_all(params, _NECK_BOTTOM)


def _paint_skin(canvas: np.ndarray, frame: _Frame, params: _FaceParams) -> np.ndarray:
    """Paint the face and neck; return their coverage."""
    face, face_and_neck = _skin_distances(frame, params)
    skin = frame.coverage(face_and_neck)
    _paint(canvas, skin, params.skin, shade=_skin_shading(frame, face, _fringe(frame, params)))
    return skin


def _skin_distances(frame: _Frame, params: _FaceParams) -> tuple[np.ndarray, np.ndarray]:
    """The face (an oval narrowing to a soft point at the chin) and the face and neck together."""
    below_centre = frame.y - _FACE_CENTRE_Y
    narrowing = 1 + _per_face(params.chin) * np.clip(below_centre, 0, _per_face(params.face_height)) ** 2
    face = _ellipse_distance(
        frame.x, below_centre, _per_face(params.face_width) / narrowing, _per_face(params.face_height)
    )
    neck = np.maximum(np.abs(frame.x) - _NECK_HALF_WIDTH * _per_face(params.face_width), _NECK_TOP - frame.y)
    return face, np.minimum(neck, face, out=neck)


@dataclass(frozen=True)
class _Fringe:
    """The lower edge of the fringe along x: pointed strands, alternately long and short."""

    edge: np.ndarray  # (B, 1, W): the y of the edge
    slant: np.ndarray  # (B, 1, W): 1 / sqrt(1 + slope^2), turning vertical gaps into distances
    tip: np.ndarray  # (B, 1, W): 1 at a strand's centre (its tip), 0 at the gap between two strands
    gap_distance: np.ndarray  # (B, 1, W): distance along x to the nearest gap between strands


def _fringe(frame: _Frame, params: _FaceParams) -> _Fringe:
    """The fringe's edge: each strand's tip hangs below ``fringe_base`` by a length that alternates."""
    frequency = _per_face(params.fringe_frequency)
    position = frame.x * frequency + _per_face(params.fringe_phase)
    strand = np.floor(position)
    across_strand = position - strand  # 0 to 1 across one strand
    tip = 1 - np.abs(2 * across_strand - 1)
    length = _per_face(params.fringe_length) * (1 - 0.3 * (strand % 2))
    tilt = _per_face(params.fringe_tilt)
    edge = _per_face(params.fringe_base) + tilt * frame.x + length * tip**2
    slope = tilt + length * 4 * tip * frequency * np.sign(0.5 - across_strand)
    return _Fringe(edge=edge, slant=1 / np.sqrt(1 + slope**2), tip=tip, gap_distance=tip / (2 * frequency))


def _front_hair_distance(frame: _Frame, params: _FaceParams, fringe: _Fringe) -> np.ndarray:
    """The crown and side locks: an ellipse over the head, with the face's opening cut out of it."""
    below_crown = frame.y - _CROWN_CENTRE_Y
    crown_height = np.where(below_crown < 0, _CROWN_TOP, _per_face(params.lock_length))
    crown = _ellipse_distance(frame.x, below_crown, _per_face(params.crown_width), crown_height)
    # The opening is below the fringe and between the side locks; the hair is the crown outside it.
    above_fringe = frame.y * fringe.slant - fringe.edge * fringe.slant
    outside_locks = _per_face(params.side_width) - np.abs(frame.x)
    return np.maximum(crown, np.minimum(above_fringe, outside_locks, out=above_fringe), out=crown)


def _front_hair_extent(params: _FaceParams) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """The half width, top and bottom of the crown and side locks."""
    return params.crown_width, _same_for_all(params, _CROWN_HEAD_TOP), _CROWN_CENTRE_Y + params.lock_length


def _paint_front_hair(canvas: np.ndarray, frame: _Frame, params: _FaceParams) -> np.ndarray:
    """Paint the front hair, with dark lines between the strands and a band of shine; return its coverage."""
    fringe = _fringe(frame, params)
    front_hair = frame.coverage(_front_hair_distance(frame, params, fringe))
    # The lines rise from the gaps between strands, darkest at the fringe's edge and fading upwards.
    height_above_edge = np.clip(fringe.edge - frame.y, 0, _STRAND_LINE_LENGTH)
    strand_lines = frame.line(fringe.gap_distance, 0.8) * (1 - height_above_edge / _STRAND_LINE_LENGTH)
    _paint(canvas, front_hair, params.hair, shade=1 - (1 - _HAIR_STRAND_SHADE) * strand_lines)
    _paint_shine(canvas, frame, params, fringe, front_hair)
    return front_hair


def _paint_shine(
    canvas: np.ndarray, frame: _Frame, params: _FaceParams, fringe: _Fringe, front_hair: np.ndarray
) -> None:
    """A band of shine on the front hair that follows the crown's curve, zig-zagging with the strands.

    It is drawn only in the region above the forehead, where it can be.
    """
    shine_extent = (
        params.crown_width,
        _same_for_all(params, _CROWN_HEAD_TOP),
        _same_for_all(params, _SHINE_BOTTOM),
    )
    (rows, columns), crown_frame = frame.region(*shine_extent)
    across = crown_frame.x / _per_face(params.crown_width)
    down = (crown_frame.y - _CROWN_CENTRE_Y) / _CROWN_TOP
    from_band = _circle_distance(across, down, 0.74 + 0.05 * fringe.tip[:, :, columns])
    from_band *= _CROWN_TOP
    shine = crown_frame.line(from_band, 0.09 / crown_frame.pixel)
    shine *= np.clip((_SHINE_BOTTOM - crown_frame.y) / 0.3, 0, 1) * _HAIR_SHINE
    shine *= front_hair[:, rows, columns]
    _paint(canvas[:, :, rows, columns], shine, _WHITE)


# Eyes, blush and mouth are small, so each is drawn only in the region it covers (see _paint_within).
_LID_THICKNESS = 0.32  # the upper lid line, as a fraction of the eye's height...
_LID_REACH = 1.18  # ...and how far it reaches beyond the eye's corners, as a fraction of its width
_BLUSH_HALF_WIDTH, _BLUSH_HALF_HEIGHT = 0.19, 0.07


def _blush_centre(params: _FaceParams) -> tuple[np.ndarray, np.ndarray]:
    """Where the right cheek's blush sits (the left one mirrors it): below and outside the eye."""
    return params.eye_spacing + 0.1, params.eye_y + params.eye_height + 0.13


def _blush_extent(params: _FaceParams) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """The half width, top and bottom of the two cheeks' blush."""
    blush_x, blush_y = _blush_centre(params)
    return blush_x + _BLUSH_HALF_WIDTH, blush_y - _BLUSH_HALF_HEIGHT, blush_y + _BLUSH_HALF_HEIGHT


def _paint_blush(canvas: np.ndarray, frame: _Frame, params: _FaceParams) -> None:
    """Soft pink ovals on the cheeks (of varying strength; none on some faces)."""
    blush_x, blush_y = _blush_centre(params)
    blush = _ellipse_distance(
        np.abs(frame.x) - _per_face(blush_x),
        frame.y - _per_face(blush_y),
        _BLUSH_HALF_WIDTH,
        _BLUSH_HALF_HEIGHT,
    )
    _paint(canvas, frame.coverage(blush, softness=3.0) * _per_face(params.blush), _BLUSH)


def _mouth_extent(params: _FaceParams) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """The half width, top and bottom of the mouth, curve included."""
    reach = params.mouth_open + np.abs(params.mouth_curve) * params.mouth_width**2
    return params.mouth_width, params.mouth_y - reach, params.mouth_y + reach


def _paint_mouth(canvas: np.ndarray, frame: _Frame, params: _FaceParams) -> None:
    """A closed line or a small open mouth, curved up into a smile or down."""
    along_curve = frame.y - _per_face(params.mouth_y) + _per_face(params.mouth_curve) * frame.x**2
    half_height = np.maximum(_per_face(params.mouth_open), 0.6 * frame.pixel)
    mouth = _ellipse_distance(frame.x, along_curve, _per_face(params.mouth_width), half_height)
    _paint(canvas, frame.coverage(mouth), _MOUTH)


def _eye_extent(params: _FaceParams) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """The half width, top and bottom of the eyes, lids included (tilted eyes reach higher and lower)."""
    reach = _LID_REACH * params.eye_width
    tilt_rise = np.abs(params.eye_tilt) * reach
    top = params.eye_y - (1 + _LID_THICKNESS) * params.eye_height - tilt_rise
    return params.eye_spacing + reach, top, params.eye_y + params.eye_height + tilt_rise


def _paint_eyes(canvas: np.ndarray, frame: _Frame, params: _FaceParams) -> np.ndarray:
    """Both eyes (mirrored): white, iris, pupil, two highlights and the upper lid line.

    Returns the coverage of the visible iris (not pupil, highlight or lid), for the "iris" mask.
    """
    side = np.where(frame.x < 0, -1.0, 1.0).astype(np.float32)  # which eye, so gaze and light agree
    outward = np.abs(frame.x) - _per_face(params.eye_spacing)
    down = (frame.y - _per_face(params.eye_y)) + _per_face(params.eye_tilt) * outward
    eye_width, eye_height = _per_face(params.eye_width), _per_face(params.eye_height)
    opening = _ellipse_distance(outward, down, eye_width, eye_height)
    _paint(canvas, frame.coverage(opening), _SCLERA)

    iris_width, iris_height = _per_face(params.iris_width), _per_face(params.iris_height)
    iris_x = outward - _per_face(params.gaze_x) * side
    iris_y = down - (_per_face(params.gaze_y) + 0.06 * eye_height)
    iris = frame.coverage(np.maximum(_ellipse_distance(iris_x, iris_y, iris_width, iris_height), opening))
    darker_at_top = np.clip(1.0 + 0.3 * iris_y / iris_height, 0.78, 1.15)
    _paint(canvas, iris, params.eye, shade=darker_at_top)

    pupil_distance = _ellipse_distance(
        iris_x, iris_y - 0.1 * iris_height, 0.45 * iris_width, 0.5 * iris_height
    )
    pupil = frame.coverage(np.maximum(pupil_distance, opening))
    _paint(canvas, pupil, params.eye * 0.3)

    # A large highlight high on one side and a small glint low on the other, as if lit from above.
    highlight = _circle_distance(
        iris_x + 0.35 * iris_width * side, iris_y + 0.42 * iris_height, 0.3 * iris_width
    )
    glint = _circle_distance(
        iris_x - 0.35 * iris_width * side, iris_y - 0.45 * iris_height, 0.13 * iris_width
    )
    highlights = frame.coverage(
        np.maximum(np.minimum(highlight, glint, out=highlight), opening, out=highlight)
    )
    _paint(canvas, highlights, _WHITE)

    lid_outer = _ellipse_distance(
        outward, down + _LID_THICKNESS * eye_height, _LID_REACH * eye_width, eye_height
    )
    lid = frame.coverage(np.maximum(np.maximum(lid_outer, -opening), down - 0.15 * eye_height))
    _paint(canvas, lid, _LASH)
    return iris * (1 - pupil) * (1 - highlights) * (1 - lid)


# ---------------------------------------------------------------------------------------------------
# Rendering a chunk of faces
# ---------------------------------------------------------------------------------------------------

MASK_NAMES: tuple[str, ...] = ("hair", "iris", "skin")


def _pixel_grid(size: int) -> np.ndarray:
    """Image units ([-1, 1]) of the pixel centres along one side."""
    return (np.arange(size, dtype=np.float32) + 0.5) * np.float32(2.0 / size) - 1


def _face_frame(params: _FaceParams, columns: np.ndarray, rows: np.ndarray, size: int) -> _Frame:
    """Face-unit coordinates of pixels given by their image units: ``columns`` (B, W), ``rows`` (B, H)."""
    scale = params.scale[:, None]
    return _Frame(
        x=((columns - params.centre_x[:, None]) / scale)[:, None, :],
        y=((rows - params.centre_y[:, None]) / scale)[:, :, None],
        pixel=_per_face(np.float32(2.0 / size) / params.scale),
    )


def _render_chunk(
    params: _FaceParams, size: int, pixel_noise: float, images: np.ndarray, masks: dict[str, np.ndarray]
) -> None:
    """Render a chunk of faces into ``images`` (B, S, S, 3) uint8, and into ``masks`` if it holds any."""
    grid = _pixel_grid(size)
    whole_rows = np.broadcast_to(grid, (len(params.scale), size))
    frame = _face_frame(params, whole_rows, whole_rows, size)

    canvas = _background(params, grid)
    _paint_within(canvas, frame, params, _paint_clothes, _clothes_extent)
    back_hair = frame.coverage(_back_hair_distance(frame, params))
    _paint(canvas, back_hair, params.hair * _BACK_HAIR_SHADE)

    skin = _paint_within(canvas, frame, params, _paint_skin, _skin_extent)
    _paint_within(canvas, frame, params, _paint_blush, _blush_extent)
    _paint_within(canvas, frame, params, _paint_mouth, _mouth_extent)
    iris = _paint_within(canvas, frame, params, _paint_eyes, _eye_extent)

    front_hair = _paint_within(canvas, frame, params, _paint_front_hair, _front_hair_extent)

    _light(canvas, params, grid)
    if pixel_noise > 0:
        _add_pixel_noise(canvas, params.noise_seed, pixel_noise)
    _write_uint8(canvas, images)
    if masks:
        skin, iris, front_hair = (part.full_size(size) for part in (skin, iris, front_hair))
        masks["hair"][:] = front_hair + (1 - front_hair) * (1 - skin) * back_hair
        masks["iris"][:] = iris * (1 - front_hair)
        masks["skin"][:] = skin * (1 - front_hair)


def _skin_shading(frame: _Frame, face: np.ndarray, fringe: _Fringe) -> np.ndarray:
    """The skin's shade: a shadow under the fringe, a darker neck and a thin line along the jaw."""
    shade = frame.coverage(frame.y - fringe.edge - 0.1, softness=2.0)
    shade *= -0.12
    shade -= 0.12 * (1 - frame.coverage(face))
    shade -= 0.4 * frame.line(face + 0.6 * frame.pixel, 1.0)
    shade += 1
    return shade


def _light(canvas: np.ndarray, params: _FaceParams, grid: np.ndarray) -> None:
    """Lighting: brightness changing linearly across the image, from a per-face direction."""
    lighting = (
        1 + _per_face(params.light_x) * grid[None, None, :] + _per_face(params.light_y) * grid[None, :, None]
    )
    canvas *= lighting[:, None]


def _add_pixel_noise(canvas: np.ndarray, noise_seeds: np.ndarray, pixel_noise: float) -> None:
    """Add Gaussian noise to each face from its own seed, so that noise does not depend on chunking."""
    for face_canvas, noise_seed in zip(canvas, noise_seeds):
        noise = np.random.default_rng(noise_seed).standard_normal(face_canvas.shape, dtype=np.float32)
        noise *= 255 * pixel_noise
        face_canvas += noise


def _write_uint8(canvas: np.ndarray, images: np.ndarray) -> None:
    """Write (B, 3, S, S) float colours in 0..255 into (B, S, S, 3) uint8 images, rounded."""
    np.clip(canvas, 0, 255, out=canvas)
    canvas += 0.5
    for channel in range(3):
        np.copyto(images[..., channel], canvas[:, channel], casting="unsafe")


# ---------------------------------------------------------------------------------------------------
# Public rendering functions
# ---------------------------------------------------------------------------------------------------

# Faces are drawn in chunks of about this many pixels (56 faces at 96x96): large enough that numpy's
# per-call overhead is small, small enough that the temporaries stay in cache.
CHUNK_PIXELS = 2**19
_PROGRESS_THRESHOLD = 2_000  # render_dataset shows a progress bar from this many faces


def render_faces(
    hair_ids: ArrayLike,
    eye_ids: ArrayLike,
    size: int = 64,
    seed: int = 0,
    pixel_noise: float = 0.0,
    return_masks: bool = False,
    *,
    chunk_size: int | None = None,
    workers: int | None = None,
    progress: bool = False,
) -> np.ndarray | tuple[np.ndarray, dict[str, np.ndarray]]:
    """Render one face per (hair_id, eye_id) pair as a (N, size, size, 3) uint8 array.

    ``size`` is the side in pixels, 32 to 128. ``seed`` fixes everything about the faces but their
    colour classes, which the ids give: with one seed, other ids recolour the same faces.
    ``pixel_noise`` adds Gaussian noise with this standard deviation, as a fraction of the 0-255 range
    (0, the default, adds none). With ``return_masks`` the result is ``(images, masks)``: ``masks``
    maps "hair" (all visible hair), "iris" (the coloured part of the eyes, without pupil, highlights
    or lid) and "skin" (face and neck, with what is drawn on them) to (N, size, size) float32
    coverages of each image's pixels.

    ``chunk_size`` (faces drawn together; by default about ``CHUNK_PIXELS`` pixels' worth) and
    ``workers`` (threads; by default up to 2) change only the speed, never the pixels; ``progress``
    shows a progress bar. Ids out of range, ids that do not pair up and sizes out of range raise
    ValueError.
    """
    hair_ids, eye_ids = _check_labels(hair_ids, eye_ids)
    check_size(size)
    _check_pixel_noise(pixel_noise)
    chunk_size = default_chunk_size(size) if chunk_size is None else chunk_size
    check_count("chunk_size", chunk_size)
    workers = min(2, os.cpu_count() or 1) if workers is None else workers
    check_count("workers", workers)
    params = _draw_face_params(hair_ids, eye_ids, seed)
    count = len(hair_ids)
    _keep_freed_memory_for_reuse()
    images = np.empty((count, size, size, 3), dtype=np.uint8)
    masks = (
        {name: np.empty((count, size, size), dtype=np.float32) for name in MASK_NAMES} if return_masks else {}
    )

    def render_chunk(first: int) -> int:
        rows = slice(first, min(first + chunk_size, count))
        chunk_masks = {name: mask[rows] for name, mask in masks.items()}
        _render_chunk(params.take(rows), size, pixel_noise, images[rows], chunk_masks)
        return rows.stop - rows.start

    with (
        ThreadPoolExecutor(max_workers=workers) as pool,
        progress_bar(total=count, unit="face", disable=not progress) as bar,
    ):
        for faces in pool.map(render_chunk, range(0, count, chunk_size)):
            bar.update(faces)
    return (images, masks) if return_masks else images


def default_chunk_size(size: int) -> int:
    """How many faces of ``size`` x ``size`` pixels render_faces draws together by default."""
    return max(1, CHUNK_PIXELS // (size * size))


# glibc's malloc (Linux) raises its "give memory back to the system" limit to twice the largest block
# that it has unmapped, up to this size.
_MALLOC_MAX_DYNAMIC_THRESHOLD = 32 * 2**20


def _keep_freed_memory_for_reuse() -> None:
    """Let the C allocator keep the memory of a chunk's temporaries for the next chunk.

    By default glibc hands freed memory back to the system once a few megabytes are free, so every
    chunk would fault its temporaries' pages in afresh, which costs about as much as the drawing.
    Freeing one (untouched, so free) block just under 32 MiB raises that limit for the process. On
    other systems this allocates and frees a block and changes nothing.
    """
    np.empty(_MALLOC_MAX_DYNAMIC_THRESHOLD - 2**16, dtype=np.uint8)


def render_dataset(
    count: int,
    size: int = 64,
    seed: int = 0,
    distribution: str | ArrayLike = "uniform",
    pixel_noise: float = 0.0,
) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """A labelled dataset: ``(images, hair_ids, eye_ids)``, labels drawn by ``label_sampling.sample_labels``.

    One seed fixes both the labels and the faces (they use separate random streams). A progress bar
    shows for large counts.
    """
    hair_ids, eye_ids = sample_labels(count, seed=seed, distribution=distribution)
    images = render_faces(
        hair_ids,
        eye_ids,
        size=size,
        seed=seed,
        pixel_noise=pixel_noise,
        progress=count >= _PROGRESS_THRESHOLD,
    )
    return images, hair_ids, eye_ids


def preview_sheet(size: int = 64, columns: int = 8, seed: int = 0, gap: int = 2) -> np.ndarray:
    """A picture of the dataset: one row per hair colour, eye colours and everything else varying."""
    check_count("columns", columns)
    hair_ids = np.repeat(np.arange(NUM_HAIR), columns)
    eye_ids = (hair_ids + np.tile(np.arange(columns), NUM_HAIR)) % NUM_EYES
    faces = render_faces(hair_ids, eye_ids, size=size, seed=seed)
    step = size + gap
    sheet = np.full((NUM_HAIR * step + gap, columns * step + gap, 3), 255, dtype=np.uint8)
    for index, face in enumerate(faces):
        row, column = divmod(index, columns)
        top, left = gap + row * step, gap + column * step
        sheet[top : top + size, left : left + size] = face
    return sheet


# ---------------------------------------------------------------------------------------------------
# Checks of what a user passes
# ---------------------------------------------------------------------------------------------------


def _check_labels(hair_ids: ArrayLike, eye_ids: ArrayLike) -> tuple[np.ndarray, np.ndarray]:
    """The ids as 1-D int64 arrays, after checking they are integers in range and pair up."""
    checked = []
    for part, ids, count in (("hair", hair_ids, NUM_HAIR), ("eye", eye_ids, NUM_EYES)):
        array = np.asarray(ids)
        if array.ndim != 1:
            raise ValueError(f"{part}_ids must be a 1-D sequence of class ids; got shape {array.shape}")
        if array.size and not np.issubdtype(array.dtype, np.integer):
            raise ValueError(f"{part}_ids must be integers; got dtype {array.dtype}")
        array = array.astype(np.int64)
        if array.size and (array.min() < 0 or array.max() >= count):
            raise ValueError(f"{part}_ids must be in [0, {count}); got {array.min()}..{array.max()}")
        checked.append(array)
    if len(checked[0]) != len(checked[1]):
        raise ValueError(
            f"hair_ids and eye_ids must have the same length; got {len(checked[0])} and {len(checked[1])}"
        )
    return checked[0], checked[1]


def check_size(size: int) -> None:
    """Raise ValueError unless ``size`` is a whole number of pixels the renderer draws at."""
    if (
        isinstance(size, bool)
        or not isinstance(size, (int, np.integer))
        or not (MIN_IMAGE_SIZE <= size <= MAX_IMAGE_SIZE)
    ):
        raise ValueError(
            f"size must be an integer from {MIN_IMAGE_SIZE} to {MAX_IMAGE_SIZE} pixels; got {size!r}"
        )


def _check_pixel_noise(pixel_noise: float) -> None:
    is_number = isinstance(pixel_noise, (int, float, np.floating)) and not isinstance(pixel_noise, bool)
    if not (is_number and 0 <= pixel_noise <= 1):
        raise ValueError(
            "pixel_noise is a standard deviation from 0 (off) to 1 (the whole 0-255 range); "
            f"got {pixel_noise!r}"
        )


