"""Loaders for the course's real datasets and its test-tags request file.

The course ships faces in two layouts under a folder the user names (``root``); nothing is downloaded:

- 2017 set: ``root/faces/<id>.jpg`` and ``root/tags_clean.csv``, one row per face:
  ``id,tag:count<TAB>tag:count...`` (e.g. ``3,blonde hair:1523<TAB>long hair:1004<TAB>blue eyes:987``).
- 2018 set: ``root/extra_data/images/<id>.jpg`` and ``root/extra_data/tags.csv``, one row per face:
  ``id,<hair> hair <eye> eyes``.

Both loaders keep a face only when its row names exactly one known hair colour and exactly one known
eye colour (see ``labels``), and return the faces as one uint8 array with their class ids.

Real data is messy, so a bad row is counted, not fatal: each reason in ``SKIP_REASONS`` has its own
counter and keeps its first few rows as examples in a ``LoadReport``. Pass ``strict=True`` to stop at the
first bad row instead. A row with several problems is counted once, under the first reason in
``SKIP_REASONS`` order (cheap checks on the text come before any file is opened).

2017 tag rule. Counts are checked to be whole numbers and otherwise ignored. Tag names are compared in
lower case with runs of spaces made single. A tag ``<word> hair`` is a hair colour when the word is one
of ``HAIR_COLOURS``, is ignored when the word is in ``HAIR_STYLE_WORDS`` (long, short, ...), and makes
the row an "unknown colour" otherwise (e.g. ``silver hair``). Tags ``<word> eyes`` follow the same rule
with ``EYE_COLOURS`` and ``EYE_NON_COLOUR_WORDS`` (closed, ...). Every other tag (smile, ...) is
ignored. A colour named twice counts once.

Header lines. Neither tags file has a header. A first line ``id,tags`` is not a face, so it is counted
as a malformed row (its "tags" are not readable) rather than skipped silently.
"""

from __future__ import annotations

import warnings
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

import numpy as np
from PIL import Image, ImageOps, UnidentifiedImageError

from .checks import check_count
from .labels import (
    EYE_COLOURS,
    HAIR_COLOURS,
    UnknownColourError,
    eye_id,
    format_tags,
    hair_id,
    parse_tags,
)
from .progress import progress_bar

# Reasons a row is skipped, in the order they are checked.
MALFORMED_ROW = "malformed row"
UNSAFE_ID = "unsafe id"
UNKNOWN_COLOUR = "unknown colour"
SEVERAL_HAIR_COLOURS = "several hair colours"
NO_HAIR_COLOUR = "no hair colour"
SEVERAL_EYE_COLOURS = "several eye colours"
NO_EYE_COLOUR = "no eye colour"
MISSING_IMAGE = "missing image"
NOT_A_FILE = "not a regular file"  # a link (which could lead out of the folder), a FIFO, a folder
CORRUPT_IMAGE = "corrupt image"  # unreadable, or too many pixels to decode safely
SKIP_REASONS: tuple[str, ...] = (
    MALFORMED_ROW, UNSAFE_ID, UNKNOWN_COLOUR, SEVERAL_HAIR_COLOURS, NO_HAIR_COLOUR,
    SEVERAL_EYE_COLOURS, NO_EYE_COLOUR, MISSING_IMAGE, NOT_A_FILE, CORRUPT_IMAGE,
)

# Words in "<word> hair" / "<word> eyes" tags that describe style or state, not colour: ignored.
# Any other word that is not a colour makes the row an "unknown colour". Extend these when a real
# tags file shows a common non-colour word.
HAIR_STYLE_WORDS: tuple[str, ...] = (
    "long", "short", "very long", "medium", "twin", "messy", "wavy", "curly", "straight", "drill",
)
EYE_NON_COLOUR_WORDS: tuple[str, ...] = ("closed", "half-closed", "hair between")

EXAMPLES_PER_REASON = 3  # rows kept as examples for each skip reason
PROGRESS_BAR_MIN_ROWS = 500  # smaller files load too fast for a progress bar to help
# An id names a file inside the image folder: a path separator (or a drive colon) could lead "<id>.jpg"
# elsewhere, and no file name holds a NUL.
_UNSAFE_ID_CHARACTERS = ("/", "\\", ":", "\0")


@dataclass(frozen=True)
class LoadReport:
    """What a loader kept and why it skipped the rest.

    ``skipped`` maps every reason in ``SKIP_REASONS`` to its count (zero included); ``examples`` maps a
    reason to its first few rows as "line N: id X: reason (detail)" strings; ``converted`` counts kept
    images that were grayscale, palette or had alpha and were converted to RGB.
    """

    kept: int
    skipped: dict[str, int]
    converted: int
    examples: dict[str, list[str]]

    def summary(self) -> str:
        """One line for a notebook, e.g. "kept 812 of 840 rows; skipped: 12 unknown colour, ..."."""
        total = self.kept + sum(self.skipped.values())
        skipped = ", ".join(f"{count} {reason}" for reason, count in self.skipped.items() if count)
        return (
            f"kept {self.kept} of {total} rows; skipped: {skipped or 'none'}; "
            f"converted to RGB: {self.converted}"
        )


@dataclass(frozen=True)
class RealDataset:
    """Faces as uint8 (N, S, S, 3) with their hair and eye class ids (int64, N), and the load report."""

    images: np.ndarray
    hair_ids: np.ndarray
    eye_ids: np.ndarray
    report: LoadReport


# A request's number names its image, <n>.png: a file name must stay far below the system's 255 bytes.
MAX_REQUEST_DIGITS = 9


@dataclass(frozen=True)
class TagRequest:
    """One line of a test-tags file: draw request ``n`` in hair colour ``hair`` and eye colour ``eye``."""

    n: int
    hair: int
    eye: int
    line_number: int


class _RowProblem(Exception):
    """Why one row of a tags file cannot become a face; caught by the loader, which counts it."""

    def __init__(self, reason: str, detail: str = "") -> None:
        super().__init__(reason, detail)
        self.reason = reason
        self.detail = detail
        self.row_id: str | None = None  # filled in once the row's id has been read

    def describe(self, line_number: int) -> str:
        """The row as "line N: id X: reason (detail)", leaving out the id or detail when unknown."""
        parts = [f"line {line_number}"]
        if self.row_id is not None:
            parts.append(f"id {self.row_id}")
        parts.append(f"{self.reason} ({self.detail})" if self.detail else self.reason)
        return ": ".join(parts)

    def as_error(self, tags_path: Path, line_number: int) -> Exception:
        """The exception strict mode raises: FileNotFoundError for a missing image, else ValueError."""
        error_type = FileNotFoundError if self.reason == MISSING_IMAGE else ValueError
        return error_type(f"{tags_path}: {self.describe(line_number)}")


@dataclass(frozen=True)
class _Layout:
    """Where one dataset format keeps its tags file and images, and how it reads a row's tags."""

    name: str
    tags_file: str  # relative to root
    image_folder: str  # relative to root
    read_labels: Callable[[str], tuple[int, int]]  # the text after the id's comma -> (hair, eye)


def load_2017(root: str | Path, image_size: int, strict: bool = False) -> RealDataset:
    """Load the 2017 set (``faces/<id>.jpg`` + ``tags_clean.csv``) as square RGB faces.

    Each image is centre-cropped to a square (the middle of its longer side), then resized to
    ``image_size`` pixels per side with Lanczos filtering. Grayscale, palette and transparent images are
    converted to RGB (transparency over white) and kept. Bad rows are counted in the report; with
    ``strict=True`` the first one raises instead (see the module docstring for the tag rule).
    """
    return _load(root, image_size, strict, _LAYOUT_2017)


def load_2018(root: str | Path, image_size: int, strict: bool = False) -> RealDataset:
    """Load the 2018 set (``extra_data/images/<id>.jpg`` + ``extra_data/tags.csv``) as square RGB faces.

    Rows read ``id,<hair> hair <eye> eyes`` (``labels.parse_tags`` forgives case and extra spaces).
    Images are handled exactly as in ``load_2017``: centre-crop to square, Lanczos resize, RGB.
    """
    return _load(root, image_size, strict, _LAYOUT_2018)


def export_2018(root: str | Path, images: np.ndarray, hair_ids, eye_ids) -> Path:
    """Write faces in the 2018 layout (``extra_data/images/<id>.jpg`` + ``extra_data/tags.csv``).

    Handy for seeing the format from the inside, and for training code that reads only the course
    layout: ``load_2018`` reads back what this writes (JPEG is lossy, so pixels differ slightly).
    Returns the tags file. Ids are 0, 1, 2, ... in the order given.
    """
    image_folder = Path(root) / _LAYOUT_2018.image_folder
    image_folder.mkdir(parents=True, exist_ok=True)
    rows = []
    for index, (image, hair, eye) in enumerate(zip(images, hair_ids, eye_ids, strict=True)):
        Image.fromarray(image).save(image_folder / f"{index}.jpg", quality=95)
        rows.append(f"{index},{format_tags(hair, eye)}\n")
    tags_path = Path(root) / _LAYOUT_2018.tags_file
    tags_path.write_text("".join(rows))
    return tags_path


def read_test_tags(path: str | Path) -> list[TagRequest]:
    """Read a ``testing_tags.txt`` request file: rows ``n,<hair> hair <eye> eyes``, blank lines skipped.

    Unlike a dataset, a request file is what the user asks for, so the first bad line raises ValueError
    naming the file and line (and, for an unknown colour, the valid colours) instead of being skipped.
    """
    path = Path(path)
    if path.is_dir():
        raise ValueError(f"{path} is a folder; give the test-tags file itself (rows 'n,<hair> hair <eye> eyes')")
    if not path.is_file():
        raise FileNotFoundError(f"no test-tags file at {path}")
    requests = [_read_request(path, line_number, line) for line_number, line in _read_lines(path)]
    if not requests:
        raise ValueError(f"{path} holds no requests; expected rows 'n,<hair> hair <eye> eyes'")
    return requests


def to_rgb(image: Image.Image) -> tuple[Image.Image, bool]:
    """The image in RGB mode, and whether it had to be converted.

    Transparent images (RGBA, LA, or palette with a transparent colour) are composited on white, so that
    a transparent background reads as white rather than as whatever colour hides under the alpha.
    """
    if image.mode == "RGB":
        return image, False
    if image.mode in ("RGBA", "LA", "PA") or "transparency" in image.info:
        rgba = image.convert("RGBA")
        white = Image.new("RGBA", rgba.size, (255, 255, 255, 255))
        return Image.alpha_composite(white, rgba).convert("RGB"), True
    return image.convert("RGB"), True


def _labels_from_2017_tags(text: str) -> tuple[int, int]:
    """(hair, eye) from ``tag:count<TAB>tag:count...`` by the 2017 tag rule (module docstring)."""
    names = [_tag_name(field) for field in text.split("\t") if field.strip()]
    hairs = _colour_ids(names, "hair", hair_id, HAIR_STYLE_WORDS)
    eyes = _colour_ids(names, "eyes", eye_id, EYE_NON_COLOUR_WORDS)
    hair = _only_one(hairs, HAIR_COLOURS, SEVERAL_HAIR_COLOURS, NO_HAIR_COLOUR)
    eye = _only_one(eyes, EYE_COLOURS, SEVERAL_EYE_COLOURS, NO_EYE_COLOUR)
    return hair, eye


def _tag_name(field: str) -> str:
    """The normalised name of one ``tag:count`` field (lower case, single spaces)."""
    name, colon, count = field.rpartition(":")
    if not colon or not name.strip() or not count.strip().isdecimal():
        raise _RowProblem(MALFORMED_ROW, f"tag {field.strip()!r} is not '<tag>:<count>'")
    return " ".join(name.lower().split())


def _colour_ids(
    names: list[str], noun: str, colour_id: Callable[[str], int], non_colour_words: tuple[str, ...]
) -> set[int]:
    """Class ids named by the ``<colour> <noun>`` tags among ``names``.

    A ``<word> <noun>`` tag whose word is neither a colour nor a known non-colour word is an unknown
    colour: the face has a colour the vocabulary cannot label, so it must not be labelled at all.
    """
    suffix = f" {noun}"
    ids = set()
    for name in names:
        if not name.endswith(suffix):
            continue
        word = name.removesuffix(suffix)
        if word in non_colour_words:
            continue
        try:
            ids.add(colour_id(word))
        except UnknownColourError:
            raise _RowProblem(UNKNOWN_COLOUR, repr(name)) from None
    return ids


def _only_one(ids: set[int], colours: tuple[str, ...], several: str, missing: str) -> int:
    """The single id in ``ids``; several or none is a row problem with the given reason."""
    if len(ids) > 1:
        raise _RowProblem(several, ", ".join(colours[i] for i in sorted(ids)))
    if not ids:
        raise _RowProblem(missing)
    return next(iter(ids))


def _labels_from_2018_tags(text: str) -> tuple[int, int]:
    """(hair, eye) from ``<hair> hair <eye> eyes``, read by ``labels.parse_tags``."""
    try:
        return parse_tags(text)
    except UnknownColourError as error:
        raise _RowProblem(UNKNOWN_COLOUR, str(error)) from None
    except ValueError as error:
        raise _RowProblem(MALFORMED_ROW, str(error)) from None


_LAYOUT_2017 = _Layout("2017", "tags_clean.csv", "faces", _labels_from_2017_tags)
_LAYOUT_2018 = _Layout("2018", "extra_data/tags.csv", "extra_data/images", _labels_from_2018_tags)


def _load(root: str | Path, image_size: int, strict: bool, layout: _Layout) -> RealDataset:
    """The one loading path both formats share: locate files, read every row, report, stack."""
    _check_image_size(image_size)
    tags_path, image_folder = _locate(Path(root), layout)
    rows = _read_lines(tags_path)
    images, hair_ids, eye_ids = [], [], []
    converted = 0
    skipped = dict.fromkeys(SKIP_REASONS, 0)
    examples: dict[str, list[str]] = {}
    progress = progress_bar(
        rows, desc=f"loading the {layout.name} set", unit="row", disable=len(rows) < PROGRESS_BAR_MIN_ROWS
    )
    with progress:
        for line_number, line in progress:
            try:
                image, hair, eye, was_converted = _read_row(line, layout, image_folder, image_size)
            except _RowProblem as problem:
                if strict:
                    raise problem.as_error(tags_path, line_number) from None
                skipped[problem.reason] += 1
                reason_examples = examples.setdefault(problem.reason, [])
                if len(reason_examples) < EXAMPLES_PER_REASON:
                    reason_examples.append(problem.describe(line_number))
                continue
            images.append(image)
            hair_ids.append(hair)
            eye_ids.append(eye)
            converted += was_converted
    report = LoadReport(kept=len(images), skipped=skipped, converted=converted, examples=examples)
    if not images:
        first_examples = "".join(f"; e.g. {found[0]}" for found in examples.values())
        raise ValueError(f"no usable faces in {tags_path}: {report.summary()}{first_examples}")
    return RealDataset(
        images=np.stack(images),
        hair_ids=np.array(hair_ids, dtype=np.int64),
        eye_ids=np.array(eye_ids, dtype=np.int64),
        report=report,
    )


def _read_row(
    line: str, layout: _Layout, image_folder: Path, image_size: int
) -> tuple[np.ndarray, int, int, bool]:
    """One row as (image, hair id, eye id, converted); any problem raises _RowProblem."""
    row_id, comma, tags_text = line.partition(",")
    row_id = row_id.strip()
    if not comma or not row_id:
        raise _RowProblem(MALFORMED_ROW, f"expected '<id>,<tags>', got {line.strip()!r}")
    try:
        if row_id in (".", "..") or any(character in row_id for character in _UNSAFE_ID_CHARACTERS):
            raise _RowProblem(UNSAFE_ID, f"an id is a file name in {image_folder}, not a path")
        hair, eye = layout.read_labels(tags_text)
        image, converted = _read_image(image_folder / f"{row_id}.jpg", image_size)
    except _RowProblem as problem:
        problem.row_id = row_id
        raise
    return image, hair, eye, converted


def _read_image(path: Path, image_size: int) -> tuple[np.ndarray, bool]:
    """A square uint8 RGB face from ``path``: centre-cropped, Lanczos-resized; and whether converted.

    Only a regular file inside the folder is read: a link or a FIFO named like an image is skipped (a
    FIFO would block the read forever), and so is an image with more pixels than Pillow decodes safely."""
    if path.is_symlink() or (path.exists() and not path.is_file()):
        raise _RowProblem(NOT_A_FILE, str(path))
    try:
        with warnings.catch_warnings():  # Pillow warns, then decodes, between its limit and twice it
            warnings.simplefilter("error", Image.DecompressionBombWarning)
            with Image.open(path) as opened:
                rgb, converted = to_rgb(opened)
                square = ImageOps.fit(rgb, (image_size, image_size), method=Image.Resampling.LANCZOS)
    except FileNotFoundError:
        raise _RowProblem(MISSING_IMAGE, str(path)) from None
    except (UnidentifiedImageError, OSError, Image.DecompressionBombError, Image.DecompressionBombWarning) as error:
        raise _RowProblem(CORRUPT_IMAGE, f"{path}: {error}") from None
    return np.asarray(square, dtype=np.uint8), converted


def _read_request(path: Path, line_number: int, line: str) -> TagRequest:
    """One ``n,<hair> hair <eye> eyes`` line as a TagRequest; anything else raises ValueError."""
    n_text, comma, tags_text = line.partition(",")
    if not comma or not n_text.strip().isdecimal():
        raise ValueError(
            f"{path}, line {line_number}: expected 'n,<hair> hair <eye> eyes' with n a whole number, "
            f"e.g. '1,blue hair red eyes'; got {line.strip()!r}"
        )
    digits = len(n_text.strip())
    if digits > MAX_REQUEST_DIGITS:
        raise ValueError(f"{path}, line {line_number}: request number {n_text.strip()[:12]}... has {digits} digits; "
                         f"at most {MAX_REQUEST_DIGITS} (it names the file <n>.png)")
    try:
        hair, eye = parse_tags(tags_text)
    except ValueError as error:
        raise ValueError(f"{path}, line {line_number}: {error}") from None
    return TagRequest(n=int(n_text), hair=hair, eye=eye, line_number=line_number)


def _check_image_size(image_size: int) -> None:
    """Reject anything but a positive whole number of pixels (bool is not a size)."""
    check_count("image_size", image_size)


def _locate(root: Path, layout: _Layout) -> tuple[Path, Path]:
    """The tags file and image folder of a dataset, or FileNotFoundError naming what is missing."""
    expected = f"the {layout.name} set keeps {layout.tags_file} and {layout.image_folder}/<id>.jpg"
    if not root.is_dir():
        raise FileNotFoundError(f"no dataset folder at {root}; {expected} in it")
    tags_path = root / layout.tags_file
    if not tags_path.is_file():
        raise FileNotFoundError(f"no tags file at {tags_path}; {expected} under its root")
    image_folder = root / layout.image_folder
    if not image_folder.is_dir():
        raise FileNotFoundError(f"no image folder at {image_folder}; {expected} under its root")
    return tags_path, image_folder


def _read_lines(path: Path) -> list[tuple[int, str]]:
    """The non-blank lines of a UTF-8 text file with their 1-based line numbers."""
    try:
        text = path.read_text(encoding="utf-8-sig")
    except UnicodeDecodeError as error:
        raise ValueError(f"{path} is not UTF-8 text: {error}") from None
    return [(number, line) for number, line in enumerate(text.splitlines(), start=1) if line.strip()]


def training_faces(profile, data_source: dict, directory: Path | None = None):
    """(images, hair_ids, eye_ids) a run trains on, by its data source as ``run.json`` records it:
    ``{"synthetic": None}`` (the built-in faces of the profile, cached in ``directory``, default data/),
    ``{"2017": folder}`` or ``{"2018": folder}``."""
    from .data_cache import synthetic_dataset

    name, root = next(iter(data_source.items()))
    if name == "synthetic":
        dataset = synthetic_dataset(profile.dataset_size, profile.image_size, seed=profile.seed, directory=directory)
        return dataset.images, dataset.hair_ids, dataset.eye_ids
    if name not in ("2017", "2018"):
        raise ValueError(f"unknown data source {name!r}; valid sources: synthetic, 2017, 2018")
    real = (load_2017 if name == "2017" else load_2018)(root, profile.image_size)
    print(real.report.summary())
    return real.images, real.hair_ids, real.eye_ids
