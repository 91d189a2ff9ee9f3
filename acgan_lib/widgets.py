"""The playground: steer a trained generator with colour pickers and see what the judge reads.

``Playground(Drawer(generator, judge))`` is an ipywidgets panel:

- two colour pickers, hair and eyes; a picked colour snaps to the nearest class in CIELAB
  (``labels.match_colour``), and the panel shows the class, its swatch, the distance, the runner-up, and
  a warning when the pick is far from every class;
- swatch buttons for the 12 hair and 11 eye classes, the other way to choose (a click sets the picker);
- a noise seed, a face count and a noise scale (truncation, see ``latent``);
- the faces for the chosen pair with the judge's reading under each, and the share it read right;
- "same face, other colours": one noise, every hair colour in one row and every eye colour in the other;
- a path between two noise seeds, straight (lerp) and on the great circle (slerp);
- a blend of two hair classes on the label vector, with a slider from one to the other.

Every picture comes from a plain function of this module (``faces_figure``, ``colour_sweep_figure``,
``interpolation_figure``, ``blend_figure``) that returns a matplotlib figure, so a notebook run headless
calls the same functions once and its saved copy shows the faces. The panel shows each figure as a PNG
in an ``ipywidgets.Image``, which tests and a browser can read back.
"""

from __future__ import annotations

from dataclasses import dataclass

import ipywidgets as w
import keras
import numpy as np
from matplotlib.colors import to_hex

from .checks import check_count
from .evaluation import draw, ms_ssim, output_pixel_range
from .judge import predict_labels
from .labels import (
    EYE_COLOURS,
    EYE_SWATCHES,
    HAIR_COLOURS,
    HAIR_SWATCHES,
    NUM_EYES,
    NUM_HAIR,
    ColourMatch,
    match_colour,
    one_hot,
)
from .latent import blend_labels, lerp, scaled_noise, slerp
from .viz import READ_RIGHT, READ_WRONG, figure_png, show_strips

FACES_PER_ROW = 8
MAX_FACES = 32
INTERPOLATION_STEPS = 9
BLEND_STEPS = 9


@dataclass(frozen=True)
class Drawer:
    """A generator, the judge that reads its faces, and how to feed it (noise distribution, pixel range)."""

    generator: keras.Model
    judge: keras.Model
    noise_distribution: str = "uniform"
    pixel_range: tuple[float, float] | None = None

    @property
    def noise_dim(self) -> int:
        return int(self.generator.input["noise"].shape[-1])

    def noise(self, count: int, seed: int, scale: float = 1.0) -> np.ndarray:
        return scaled_noise(count, self.noise_dim, self.noise_distribution, seed, scale)

    def faces(self, noise: np.ndarray, hair: np.ndarray, eyes: np.ndarray) -> np.ndarray:
        """uint8 faces for noise rows and label rows (one-hot or blended)."""
        pixel_range = self.pixel_range or output_pixel_range(self.generator)
        return draw(self.generator, noise, hair, eyes, pixel_range)


def rgb_hex(rgb) -> str:
    """'#rrggbb' of an (r, g, b) triple of 0-255 ints."""
    return "#{:02x}{:02x}{:02x}".format(*rgb)


# ----- the pictures (plain functions: the panel and a headless notebook call the same ones) -----------


def judged_faces(drawer: Drawer, hair: int, eye: int, count: int, seed: int, noise_scale: float = 1.0):
    """``count`` faces asked for (hair, eye) from ``seed``'s noise, and the hair and eyes the judge reads."""
    noise = drawer.noise(count, seed, noise_scale)
    faces = drawer.faces(noise, one_hot([hair] * count, NUM_HAIR), one_hot([eye] * count, NUM_EYES))
    return (faces, *predict_labels(drawer.judge, faces))


def faces_figure(drawer: Drawer, hair: int, eye: int, count: int = FACES_PER_ROW, seed: int = 0,
                 noise_scale: float = 1.0):
    """``count`` faces asked for (hair, eye), with the judge's reading under each (green: as asked) and,
    in the title, the share it read right. Returns (figure, {"hair": share, "eyes": share, "both": share})."""
    check_count("face count", count, maximum=MAX_FACES)
    faces, judged_hair, judged_eyes = judged_faces(drawer, hair, eye, count, seed, noise_scale)
    hair_right, eyes_right = judged_hair == hair, judged_eyes == eye
    shares = {"hair": float(hair_right.mean()), "eyes": float(eyes_right.mean()),
              "both": float((hair_right & eyes_right).mean())}
    captions = [f"{HAIR_COLOURS[h]}\n{EYE_COLOURS[e]}" for h, e in zip(judged_hair, judged_eyes)]
    colours = [READ_RIGHT if right else READ_WRONG for right in hair_right & eyes_right]
    strips = [("", faces[start : start + FACES_PER_ROW], captions[start : start + FACES_PER_ROW],
               colours[start : start + FACES_PER_ROW]) for start in range(0, count, FACES_PER_ROW)]
    title = (f"{HAIR_COLOURS[hair]} hair, {EYE_COLOURS[eye]} eyes (seed {seed}, noise scale {noise_scale:g}): "
             f"the judge read hair {hair_right.sum()}/{count}, eyes {eyes_right.sum()}/{count}, "
             f"both {(hair_right & eyes_right).sum()}/{count}")
    return show_strips(strips, title=title), shares


def colour_sweep_figure(drawer: Drawer, hair: int, eye: int, seed: int = 0, noise_scale: float = 1.0):
    """One noise, drawn with every hair colour (eyes fixed) and with every eye colour (hair fixed)."""
    noise = drawer.noise(1, seed, noise_scale)
    hair_row = drawer.faces(np.repeat(noise, NUM_HAIR, axis=0), np.eye(NUM_HAIR, dtype=np.float32),
                            one_hot([eye] * NUM_HAIR, NUM_EYES))
    eye_row = drawer.faces(np.repeat(noise, NUM_EYES, axis=0), one_hot([hair] * NUM_EYES, NUM_HAIR),
                           np.eye(NUM_EYES, dtype=np.float32))
    strips = [(f"{EYE_COLOURS[eye]} eyes,\nevery hair", hair_row, list(HAIR_COLOURS), None),
              (f"{HAIR_COLOURS[hair]} hair,\nevery eye", eye_row, list(EYE_COLOURS), None)]
    return show_strips(strips, title=f"the same face (seed {seed}), other colours")


def interpolation_figure(drawer: Drawer, hair: int, eye: int, seed: int, other_seed: int,
                         noise_scale: float = 1.0, steps: int = INTERPOLATION_STEPS):
    """The faces on the straight path (lerp) and on the great circle (slerp) from one seed's noise to
    another's, for one (hair, eye) pair; the caption is the noise length at each point."""
    start, end = drawer.noise(1, seed, noise_scale)[0], drawer.noise(1, other_seed, noise_scale)[0]
    hair_rows, eye_rows = one_hot([hair] * steps, NUM_HAIR), one_hot([eye] * steps, NUM_EYES)
    strips = []
    for name, path in (("lerp", lerp(start, end, steps)), ("slerp", slerp(start, end, steps))):
        lengths = [f"|z| {length:.1f}" for length in np.linalg.norm(path, axis=1)]
        strips.append((name, drawer.faces(path, hair_rows, eye_rows), lengths, None))
    return show_strips(strips, title=f"from seed {seed} to seed {other_seed}: {HAIR_COLOURS[hair]} hair, "
                                     f"{EYE_COLOURS[eye]} eyes")


def blend_figure(drawer: Drawer, first: int, second: int, weight: float, eye: int, count: int = FACES_PER_ROW,
                 seed: int = 0, noise_scale: float = 1.0, steps: int = BLEND_STEPS):
    """Hair asked as a blend of two classes: ``count`` faces at ``weight`` (0: all ``first``, 1: all
    ``second``), and one face along the whole blend; the captions are the hair the judge reads."""
    noise = drawer.noise(count, seed, noise_scale)
    faces = drawer.faces(noise, blend_labels(first, second, weight, NUM_HAIR, count), one_hot([eye] * count, NUM_EYES))
    weights = np.linspace(0.0, 1.0, steps)
    rows = np.concatenate([blend_labels(first, second, float(t), NUM_HAIR) for t in weights])
    sweep = drawer.faces(np.repeat(noise[:1], steps, axis=0), rows, one_hot([eye] * steps, NUM_EYES))
    read_faces, read_sweep = predict_labels(drawer.judge, faces)[0], predict_labels(drawer.judge, sweep)[0]
    strips = [(f"weight {weight:.2f}", faces, [HAIR_COLOURS[hair] for hair in read_faces], None),
              ("0 to 1", sweep, [f"{t:.2f}\n{HAIR_COLOURS[hair]}" for t, hair in zip(weights, read_sweep)], None)]
    title = (f"hair {1 - weight:.2f} x {HAIR_COLOURS[first]} + {weight:.2f} x {HAIR_COLOURS[second]}, "
             f"{EYE_COLOURS[eye]} eyes: the judge's reading under each face")
    return show_strips(strips, title=title)


def truncation_effect(drawer: Drawer, hair: int, eye: int, scales=(0.0, 0.25, 0.5, 1.0, 1.5), count: int = 32,
                      seed: int = 0) -> list[dict]:
    """What narrowing the noise does to ``count`` faces of one pair, scale by scale: the share whose
    colours the judge reads as asked, and the mean MS-SSIM between two halves of the faces (1: identical)."""
    rows = []
    for scale in scales:
        faces, judged_hair, judged_eyes = judged_faces(drawer, hair, eye, count, seed, scale)
        rows.append({"noise_scale": scale,
                     "both_read_right": float(np.mean((judged_hair == hair) & (judged_eyes == eye))),
                     "ms_ssim_between_faces": float(ms_ssim(faces[: count // 2], faces[count // 2 : 2 * (count // 2)]).mean())})
    return rows


def describe_match(match: ColourMatch) -> str:
    """One line on what a picked colour snapped to (plain text, for print)."""
    part = "hair" if match.part == "hair" else "eyes"
    line = (f"{rgb_hex(match.picked)} -> {match.name} {part} (CIELAB distance {match.distance:.1f}; "
            f"runner-up {match.runner_up}, {match.runner_up_distance:.1f})")
    if match.far:
        line += "; far from every class, so the nearest is a guess"
    return line


# ----- the panel ------------------------------------------------------------------------------------


class Playground:
    """The interactive panel (display it, or its ``.panel``, in a notebook). See the module docstring.

    The parts are attributes so that code (and the tests) can drive them as a reader would:
    ``hair_picker.value = "#3050e0"``, ``hair_buttons["red"].click()``, ``seed.value = 3``...
    """

    def __init__(self, drawer: Drawer, hair_colour: str = "#2e56d8", eye_colour: str = "#d02024", seed: int = 0,
                 count: int = FACES_PER_ROW, about: str = ""):
        self.drawer = drawer
        self.hair_match = match_colour(hair_colour, "hair")
        self.eye_match = match_colour(eye_colour, "eye")
        self.hair_picker = w.ColorPicker(value=hair_colour, description="hair", concise=False)
        self.eye_picker = w.ColorPicker(value=eye_colour, description="eyes", concise=False)
        self.hair_info, self.eye_info = w.HTML(), w.HTML()
        self.hair_buttons = _swatch_buttons(HAIR_SWATCHES, self.hair_picker)
        self.eye_buttons = _swatch_buttons(EYE_SWATCHES, self.eye_picker)
        seeds = max(999, seed + 1)  # the sliders reach any seed the notebook's parameters name
        self.seed = w.IntSlider(value=seed, min=0, max=seeds, description="noise seed", continuous_update=False)
        self.count = w.IntSlider(value=count, min=1, max=MAX_FACES, description="faces", continuous_update=False)
        self.noise_scale = w.FloatSlider(value=1.0, min=0.0, max=1.5, step=0.05, description="noise scale",
                                         continuous_update=False, readout_format=".2f")
        self.other_seed = w.IntSlider(value=seed + 1, min=0, max=seeds, description="to seed", continuous_update=False)
        self.blend_from = w.Dropdown(options=_options(HAIR_COLOURS), value=HAIR_COLOURS.index("blue"),
                                     description="hair from")
        self.blend_to = w.Dropdown(options=_options(HAIR_COLOURS), value=HAIR_COLOURS.index("red"), description="to")
        self.blend_weight = w.FloatSlider(value=0.5, min=0.0, max=1.0, step=0.05, description="weight",
                                          continuous_update=False, readout_format=".2f")
        self.faces_image, self.sweep_image = w.Image(format="png"), w.Image(format="png")
        self.interpolation_image, self.blend_image = w.Image(format="png"), w.Image(format="png")
        self.read_right = w.HTML()
        self.shares: dict[str, float] = {}
        self.panel = self._layout(about)
        self._show_matches()
        self.redraw()
        self._connect()

    def _ipython_display_(self):
        from IPython.display import display

        display(self.panel)

    # ----- wiring

    def _connect(self) -> None:
        self.hair_picker.observe(lambda change: self._picked("hair", change["new"]), names="value")
        self.eye_picker.observe(lambda change: self._picked("eye", change["new"]), names="value")
        for control in (self.seed, self.noise_scale):
            control.observe(lambda _: self.redraw(), names="value")
        self.count.observe(lambda _: self.redraw(("faces", "blend")), names="value")
        self.other_seed.observe(lambda _: self.redraw(("interpolation",)), names="value")
        for control in (self.blend_from, self.blend_to, self.blend_weight):
            control.observe(lambda _: self.redraw(("blend",)), names="value")

    def _picked(self, part: str, value: str) -> None:
        """A picker changed (it checks the value itself): snap to the nearest class and redraw."""
        match = match_colour(_as_hex(value), part)
        if part == "hair":
            self.hair_match = match
        else:
            self.eye_match = match
        self._show_matches()
        self.redraw()

    def _show_matches(self) -> None:
        self.hair_info.value = _match_html(self.hair_match)
        self.eye_info.value = _match_html(self.eye_match)

    def redraw(self, parts=("faces", "sweep", "interpolation", "blend")) -> None:
        """Draw the named pictures again from the controls' current values."""
        hair, eye = self.hair_match.class_id, self.eye_match.class_id
        seed, scale = self.seed.value, self.noise_scale.value
        if "faces" in parts:
            figure, self.shares = faces_figure(self.drawer, hair, eye, self.count.value, seed, scale)
            self.faces_image.value = figure_png(figure)
            self.read_right.value = (f"the judge read as asked: hair {self.shares['hair']:.0%}, "
                                     f"eyes {self.shares['eyes']:.0%}, both {self.shares['both']:.0%}")
        if "sweep" in parts:
            self.sweep_image.value = figure_png(colour_sweep_figure(self.drawer, hair, eye, seed, scale))
        if "interpolation" in parts:
            self.interpolation_image.value = figure_png(
                interpolation_figure(self.drawer, hair, eye, seed, self.other_seed.value, scale))
        if "blend" in parts:
            self.blend_image.value = figure_png(blend_figure(
                self.drawer, self.blend_from.value, self.blend_to.value, self.blend_weight.value, eye,
                min(self.count.value, FACES_PER_ROW), seed, scale))

    def _layout(self, about: str) -> w.Widget:
        choose = w.VBox([
            w.HBox([self.hair_picker, self.hair_info]),
            w.HBox(list(self.hair_buttons.values()), layout=w.Layout(flex_flow="row wrap")),
            w.HBox([self.eye_picker, self.eye_info]),
            w.HBox(list(self.eye_buttons.values()), layout=w.Layout(flex_flow="row wrap")),
            w.HBox([self.seed, self.count, self.noise_scale], layout=w.Layout(flex_flow="row wrap")),
        ])
        tabs = w.Tab(children=[
            w.VBox([self.read_right, self.faces_image]),
            self.sweep_image,
            w.VBox([self.other_seed, self.interpolation_image]),
            w.VBox([w.HBox([self.blend_from, self.blend_to, self.blend_weight]), self.blend_image]),
        ])
        for index, title in enumerate(("faces", "same face, other colours", "interpolation", "label blend")):
            tabs.set_title(index, title)
        return w.VBox([w.HTML(about), choose, tabs])


def _swatch_buttons(swatches: dict, picker: w.ColorPicker) -> dict[str, w.Button]:
    """A button per class in its swatch colour; a click puts the swatch into the picker."""
    buttons = {}
    for name, rgb in swatches.items():
        colour = rgb_hex(rgb)
        button = w.Button(description=name, tooltip=f"{name}: {colour}", layout=w.Layout(width="78px"))
        button.style.button_color = colour
        button.style.text_color = "white" if sum(rgb) < 3 * 140 else "black"
        button.on_click(lambda _, colour=colour: setattr(picker, "value", colour))
        buttons[name] = button
    return buttons


def _options(names: tuple[str, ...]) -> list[tuple[str, int]]:
    return [(name, index) for index, name in enumerate(names)]


def _as_hex(value: str) -> str:
    """A picker's value as '#rrggbb': the picker also accepts '#rgb' and CSS colour names ("teal")."""
    return to_hex(value)


def _match_html(match: ColourMatch) -> str:
    """The class a pick snapped to, with both swatches, the distances and a warning when it is far."""
    swatches = HAIR_SWATCHES if match.part == "hair" else EYE_SWATCHES
    chip = ("<span style='display:inline-block;width:14px;height:14px;border:1px solid #888;"
            "vertical-align:middle;background:{}'></span>")
    text = (f"{chip.format(rgb_hex(match.picked))} &rarr; {chip.format(rgb_hex(swatches[match.name]))} "
            f"<b class='class-name'>{match.name}</b> (distance {match.distance:.1f}; runner-up "
            f"{match.runner_up}, {match.runner_up_distance:.1f})")
    if match.far:
        text += f" <span style='color:{READ_WRONG}'>far from every class: the nearest is a guess</span>"
    return text
