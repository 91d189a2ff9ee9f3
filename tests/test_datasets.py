"""Tests for the real-dataset loaders, built on tiny dataset folders written with PIL in tmp_path."""

import io
import os
from dataclasses import dataclass
from pathlib import Path

import numpy as np
import pytest
from PIL import Image

from acgan_lib import datasets
from acgan_lib.datasets import (
    EXAMPLES_PER_REASON,
    SKIP_REASONS,
    TagRequest,
    load_2017,
    load_2018,
    read_test_tags,
    to_rgb,
)
from acgan_lib.labels import eye_id, hair_id

# Where each format keeps its tags file and its images, relative to the root folder.
LAYOUTS = {"2017": ("tags_clean.csv", "faces"), "2018": ("extra_data/tags.csv", "extra_data/images")}
LOADERS = {"2017": load_2017, "2018": load_2018}
SIDE_COLOURS = ((255, 0, 0), (0, 0, 255))  # the strips a centre crop must cut off


def write_image(path: Path, kind: str, colour: tuple[int, int, int] = (90, 140, 200)) -> None:
    """Write one fixture file of a given kind; solid colours let tests check which image was kept."""
    path.parent.mkdir(parents=True, exist_ok=True)
    if kind == "rgb":
        Image.new("RGB", (16, 16), colour).save(path, "JPEG", quality=95)
    elif kind == "gray":
        Image.new("L", (16, 16), colour[0]).save(path, "JPEG", quality=95)
    elif kind == "palette":  # PIL opens by content, so PNG bytes under a .jpg name are fine
        Image.new("RGB", (16, 16), colour).convert("P", palette=Image.Palette.ADAPTIVE).save(path, "PNG")
    elif kind == "rgba":
        Image.new("RGBA", (16, 16), (*colour, 128)).save(path, "PNG")
    elif kind in ("wide", "tall"):
        image = Image.new("RGB", (60, 20), SIDE_COLOURS[0])
        image.paste(colour, (12, 0, 48, 20))
        image.paste(SIDE_COLOURS[1], (48, 0, 60, 20))
        (image if kind == "wide" else image.transpose(Image.Transpose.ROTATE_90)).save(path, "PNG")
    elif kind == "truncated":
        buffer = io.BytesIO()
        Image.new("RGB", (64, 64), colour).save(buffer, "JPEG")
        path.write_bytes(buffer.getvalue()[: len(buffer.getvalue()) // 2])
    elif kind == "text":
        path.write_text("this is not an image\n")
    else:
        raise ValueError(f"unknown fixture image kind {kind!r}")


@pytest.fixture
def make_dataset(tmp_path):
    """A builder of dataset folders: (year, tag lines, {id: (kind, colour)}) -> root folder."""

    def build(year: str, lines: list[str], images: dict[str, tuple]) -> Path:
        root = tmp_path / f"set_{year}"
        tags_file, image_folder = LAYOUTS[year]
        (root / image_folder).mkdir(parents=True)
        (root / tags_file).write_text("\n".join(lines) + "\n", encoding="utf-8")
        for face_id, (kind, *colour) in images.items():
            write_image(root / image_folder / f"{face_id}.jpg", kind, *colour)
        return root

    return build


@dataclass
class FixtureSet:
    """A built dataset folder and everything a correct loader must report about it."""

    year: str
    root: Path
    kept: list[tuple[str, str, tuple[int, int, int]]]  # hair name, eye name, expected mean colour
    skipped: dict[str, int]
    converted: int
    first_bad: tuple[int, str, str]  # line number, id, reason


def rows_2017(outside: Path) -> tuple[list[str], dict, dict]:
    """Every kind of good and bad row in the 2017 format; ``outside`` is a folder outside the set."""
    lines = [
        "1,blonde hair:10\tlong hair:5\tblue eyes:3\thair between eyes:2\tsmile:2",
        "2,Red  Hair:4\tgreen eyes:1\tred hair:1",
        "",
        "3,aqua hair:1\tvery long hair:1\tpurple eyes:2\tclosed eyes:1",
        "4,pink hair:1\tbrown eyes:1\t",
        "5,black hair:1\tred eyes:1",
        "6,silver hair:3\tblue eyes:1",
        "7,blue hair:1\tred hair:1\tblue eyes:1",
        "8,blue hair:1\tred eyes:1\tblue eyes:1",
        "9,long hair:1\tblue eyes:1",
        "10,blue hair:1\tsmile:1",
        "11,blue hair:1\tred eyes:1",
        "12,blue hair:1\tred eyes:1",
        "13,blue hair:1\tred eyes:1",
        "../x,blue hair:1\tred eyes:1",
        f"{outside / 'y'},blue hair:1\tred eyes:1",
        "no comma here",
        ",blue hair:1\tred eyes:1",
        "18,blue hair\tred eyes:1",
        "19,blue hair:1\tgreen eyes:many",
    ]
    images = {str(i): ("rgb",) for i in (6, 7, 8, 9, 10, 18, 19)}
    images |= {
        "1": ("rgb", (250, 220, 120)),
        "2": ("gray", (70, 70, 70)),
        "3": ("rgba", (0, 200, 200)),
        "4": ("palette", (250, 150, 190)),
        "5": ("wide", (30, 30, 40)),
        "12": ("truncated",),
        "13": ("text",),
        "../x": ("rgb",),
        str(outside / "y"): ("rgb",),
    }
    expected = dict(
        kept=[
            ("blonde", "blue", (250, 220, 120)),
            ("red", "green", (70, 70, 70)),
            ("aqua", "purple", (127, 227, 227)),  # 50 % alpha over white
            ("pink", "brown", (250, 150, 190)),
            ("black", "red", (30, 30, 40)),
        ],
        skipped={
            "malformed row": 4, "unsafe id": 2, "unknown colour": 1, "several hair colours": 1,
            "no hair colour": 1, "several eye colours": 1, "no eye colour": 1, "missing image": 1,
            "not a regular file": 0, "corrupt image": 2,
        },
        converted=3,
        first_bad=(7, "6", "unknown colour"),
    )
    return lines, images, expected


def rows_2018(outside: Path) -> tuple[list[str], dict, dict]:
    """Every kind of good and bad row in the 2018 format, starting with a header line."""
    lines = [
        "id,tags",
        "1,blonde hair blue eyes",
        "2,Red  hair green eye",
        "3,aqua hair purple eyes",
        "",
        "4,black hair red eyes",
        "5,silver hair blue eyes",
        "6,blue hair",
        "7,blue hair red eyes",
        "8,blue hair red eyes",
        "../x,blue hair red eyes",
        f"{outside / 'y'},blue hair red eyes",
        "no comma here",
    ]
    images = {
        "1": ("rgb", (250, 220, 120)),
        "2": ("gray", (70, 70, 70)),
        "3": ("rgba", (0, 200, 200)),
        "4": ("tall", (30, 30, 40)),
        "5": ("rgb",),
        "6": ("rgb",),
        "8": ("truncated",),
        "../x": ("rgb",),
        str(outside / "y"): ("rgb",),
    }
    expected = dict(
        kept=[
            ("blonde", "blue", (250, 220, 120)),
            ("red", "green", (70, 70, 70)),
            ("aqua", "purple", (127, 227, 227)),
            ("black", "red", (30, 30, 40)),
        ],
        skipped=dict.fromkeys(SKIP_REASONS, 0)
        | {"malformed row": 3, "unsafe id": 2, "unknown colour": 1, "missing image": 1, "corrupt image": 1},
        converted=2,
        first_bad=(1, "id", "malformed row"),
    )
    return lines, images, expected


@pytest.fixture(params=["2017", "2018"])
def fixture_set(request, make_dataset, tmp_path) -> FixtureSet:
    """One dataset folder per format holding every kind of bad row, with what a loader must report."""
    rows = rows_2017 if request.param == "2017" else rows_2018
    lines, images, expected = rows(tmp_path / "outside")
    root = make_dataset(request.param, lines, images)
    return FixtureSet(year=request.param, root=root, **expected)


def test_each_skip_reason_is_counted(fixture_set):
    report = LOADERS[fixture_set.year](fixture_set.root, 8).report
    assert report.skipped == fixture_set.skipped
    assert list(report.skipped) == list(SKIP_REASONS)
    assert report.kept == len(fixture_set.kept)
    assert report.converted == fixture_set.converted


def test_kept_faces_have_shape_dtype_labels_and_their_own_pixels(fixture_set):
    dataset = LOADERS[fixture_set.year](fixture_set.root, 8)
    assert dataset.images.shape == (len(fixture_set.kept), 8, 8, 3)
    assert dataset.images.dtype == np.uint8
    assert dataset.hair_ids.tolist() == [hair_id(hair) for hair, _, _ in fixture_set.kept]
    assert dataset.eye_ids.tolist() == [eye_id(eye) for _, eye, _ in fixture_set.kept]
    mean_colours = dataset.images.reshape(len(fixture_set.kept), -1, 3).mean(axis=1)
    expected_colours = np.array([colour for _, _, colour in fixture_set.kept])
    np.testing.assert_allclose(mean_colours, expected_colours, atol=6)


def test_examples_name_the_line_the_id_and_the_reason(fixture_set):
    examples = LOADERS[fixture_set.year](fixture_set.root, 8).report.examples
    line_number, row_id, reason = fixture_set.first_bad
    assert examples[reason][0].startswith(f"line {line_number}: id {row_id}: {reason}")
    assert set(examples) == {reason for reason, count in fixture_set.skipped.items() if count}


def test_summary_lists_what_was_kept_skipped_and_converted(fixture_set):
    summary = LOADERS[fixture_set.year](fixture_set.root, 8).report.summary()
    total = len(fixture_set.kept) + sum(fixture_set.skipped.values())
    assert summary.startswith(f"kept {len(fixture_set.kept)} of {total} rows; skipped: ")
    for reason, count in fixture_set.skipped.items():
        assert (f"{count} {reason}" in summary) == (count > 0)
    assert summary.endswith(f"converted to RGB: {fixture_set.converted}")


def test_strict_mode_raises_on_the_first_bad_row(fixture_set):
    line_number, row_id, reason = fixture_set.first_bad
    with pytest.raises(ValueError) as raised:
        LOADERS[fixture_set.year](fixture_set.root, 8, strict=True)
    message = str(raised.value)
    assert str(fixture_set.root / LAYOUTS[fixture_set.year][0]) in message
    assert f"line {line_number}: id {row_id}: {reason}" in message


def test_strict_mode_raises_file_not_found_for_a_missing_image(make_dataset):
    root = make_dataset("2018", ["1,blue hair red eyes", "2,blue hair red eyes"], {"1": ("rgb",)})
    with pytest.raises(FileNotFoundError, match="line 2: id 2: missing image"):
        load_2018(root, 8, strict=True)


def test_strict_mode_keeps_converted_images(make_dataset):
    root = make_dataset("2017", ["1,blue hair:1\tred eyes:1"], {"1": ("gray",)})
    report = load_2017(root, 8, strict=True).report
    assert (report.kept, report.converted) == (1, 1)


@pytest.mark.parametrize(
    ("tags", "hair", "eye"),
    [
        ("blonde hair:1\tblue eyes:1", "blonde", "blue"),
        ("BLONDE  Hair:1\tblue eyes:1\tblonde hair:7", "blonde", "blue"),
        ("short hair:1\tvery long hair:1\ttwin hair:1\tred hair:1\tclosed eyes:1\tred eyes:1", "red", "red"),
        ("re:zero:3\thair ornament:2\tblue hair:1\teyes:1\tblue eyes:1", "blue", "blue"),
    ],
)
def test_2017_tag_rule_finds_one_hair_and_one_eye_colour(make_dataset, tags, hair, eye):
    root = make_dataset("2017", [f"1,{tags}"], {"1": ("rgb",)})
    dataset = load_2017(root, 8, strict=True)
    assert (dataset.hair_ids.tolist(), dataset.eye_ids.tolist()) == ([hair_id(hair)], [eye_id(eye)])


@pytest.mark.parametrize(
    ("tags", "reason"),
    [
        ("light brown hair:1\tblue eyes:1", "unknown colour"),
        ("red hair:1\tblue eyes:1\tmulticolored eyes:1", "unknown colour"),
        ("red hair:1\tblue eyes:1", None),
        ("red hair:1\tblue eyes", "malformed row"),
        ("red hair:1\t:4\tblue eyes:1", "malformed row"),
    ],
)
def test_2017_tag_rule_rejects_unknown_colours_and_tags_without_counts(make_dataset, tags, reason):
    root = make_dataset("2017", [f"1,{tags}"], {"1": ("rgb",)})
    if reason is None:
        assert load_2017(root, 8, strict=True).report.kept == 1
    else:
        with pytest.raises(ValueError, match=f"line 1: id 1: {reason}"):
            load_2017(root, 8, strict=True)


@pytest.mark.parametrize("row_id", ["../x", "/tmp/x", "..", "sub\\x", "c:x", "x\0y"])
def test_ids_that_are_paths_are_rejected_before_opening_a_file(make_dataset, row_id):
    root = make_dataset("2018", [f"{row_id},blue hair red eyes"], {})
    with pytest.raises(ValueError, match=r"line 1: id .*: unsafe id \(an id is a file name in"):
        load_2018(root, 8, strict=True)


@pytest.mark.parametrize("kind", ["wide", "tall"])
def test_non_square_images_are_centre_cropped_then_resized(make_dataset, kind):
    centre = (40, 200, 60)
    root = make_dataset("2017", ["1,blue hair:1\tred eyes:1"], {"1": (kind, centre)})
    image = load_2017(root, 10).images[0]
    assert image.shape == (10, 10, 3)
    assert np.abs(image.astype(int) - centre).max() <= 8  # no trace of the red and blue side strips


def test_a_file_without_usable_rows_raises_with_the_reason(make_dataset):
    lines = [f"{i},silver hair:1\tred eyes:1" for i in range(1, 6)]
    root = make_dataset("2017", lines, {str(i): ("rgb",) for i in range(1, 6)})
    with pytest.raises(ValueError, match="no usable faces .* kept 0 of 5 rows; skipped: 5 unknown colour"):
        load_2017(root, 8)


def test_examples_are_capped_per_reason(make_dataset):
    lines = ["1,blue hair:1\tred eyes:1"] + [f"{i},silver hair:1\tred eyes:1" for i in range(2, 8)]
    root = make_dataset("2017", lines, {str(i): ("rgb",) for i in range(1, 8)})
    report = load_2017(root, 8).report
    assert report.skipped["unknown colour"] == 6
    assert report.examples["unknown colour"] == [
        f"line {i}: id {i}: unknown colour ('silver hair')" for i in range(2, 2 + EXAMPLES_PER_REASON)
    ]


@pytest.mark.parametrize("year", ["2017", "2018"])
@pytest.mark.parametrize("missing", ["dataset folder", "tags file", "image folder"])
def test_missing_paths_raise_file_not_found_naming_the_path(make_dataset, year, missing):
    root = make_dataset(year, ["1,blue hair red eyes"], {})
    tags_file, image_folder = LAYOUTS[year]
    absent = {"dataset folder": root / "nowhere", "tags file": root / tags_file, "image folder": root / image_folder}
    if missing == "tags file":
        absent[missing].unlink()
    elif missing == "image folder":
        absent[missing].rmdir()
    with pytest.raises(FileNotFoundError, match=f"no {missing} at") as raised:
        LOADERS[year](absent[missing] if missing == "dataset folder" else root, 8)
    assert str(absent[missing]) in str(raised.value)


def test_loading_shows_a_progress_bar_for_large_files(make_dataset, monkeypatch, capsys):
    root = make_dataset("2017", ["1,blue hair:1\tred eyes:1"], {"1": ("rgb",)})
    load_2017(root, 8)
    assert "loading the 2017 set" not in capsys.readouterr().err
    monkeypatch.setattr(datasets, "PROGRESS_BAR_MIN_ROWS", 1)
    load_2017(root, 8)
    assert "loading the 2017 set" in capsys.readouterr().err


@pytest.mark.parametrize("image_size", [0, -4, 2.5, True, "32"])
def test_image_size_must_be_a_positive_integer(make_dataset, image_size):
    root = make_dataset("2018", ["1,blue hair red eyes"], {"1": ("rgb",)})
    with pytest.raises(ValueError, match="image_size must be a positive integer"):
        load_2018(root, image_size)


def test_to_rgb_composites_transparency_on_white_and_says_when_it_converted():
    half_red = Image.new("RGBA", (2, 2), (255, 0, 0, 128))
    transparent_gray = Image.new("LA", (2, 2), (0, 0))
    rgb = Image.new("RGB", (2, 2), (1, 2, 3))
    assert np.asarray(to_rgb(half_red)[0])[0, 0].tolist() == [255, 127, 127]
    assert np.asarray(to_rgb(transparent_gray)[0])[0, 0].tolist() == [255, 255, 255]
    assert to_rgb(half_red)[1] and to_rgb(Image.new("L", (2, 2)))[1]
    assert to_rgb(rgb) == (rgb, False)


def test_read_test_tags_reads_requests_and_skips_blank_lines(tmp_path):
    path = tmp_path / "testing_tags.txt"
    path.write_text("1,blue hair red eyes\n\n2, Blonde hair  green eyes \n")
    assert read_test_tags(path) == [
        TagRequest(n=1, hair=hair_id("blue"), eye=eye_id("red"), line_number=1),
        TagRequest(n=2, hair=hair_id("blonde"), eye=eye_id("green"), line_number=3),
    ]


@pytest.mark.parametrize(
    ("text", "message"),
    [
        ("1,blue hair red eyes\n2,silver hair red eyes\n", "line 2: unknown hair colour 'silver'; valid hair colours: orange"),
        ("1,blue hair violet eyes\n", "line 1: unknown eye colour 'violet'; valid eye colours: gray"),
        ("1,blue hair red eyes\n\nblue hair red eyes\n", "line 3: expected 'n,<hair> hair <eye> eyes'"),
        ("x,blue hair red eyes\n", "line 1: expected 'n,<hair> hair <eye> eyes' with n a whole number"),
        (f"{'9' * 300},blue hair red eyes\n", "line 1: request number 99999.* has 300 digits; at most 9"),
        ("1,blue hair\n", "line 1: cannot read"),
        ("\n\n", "holds no requests"),
    ],
)
def test_read_test_tags_rejects_the_first_bad_line(tmp_path, text, message):
    path = tmp_path / "testing_tags.txt"
    path.write_text(text)
    with pytest.raises(ValueError, match=message) as raised:
        read_test_tags(path)
    assert str(path) in str(raised.value)


def test_read_test_tags_needs_the_file(tmp_path):
    with pytest.raises(FileNotFoundError, match="no test-tags file at"):
        read_test_tags(tmp_path / "testing_tags.txt")


def test_export_2018_round_trips_through_the_loader(tmp_path):
    rng = np.random.default_rng(0)
    colours = rng.integers(0, 256, (5, 1, 1, 3), dtype=np.uint8)
    images = np.broadcast_to(colours, (5, 16, 16, 3)).copy()
    hair_ids, eye_ids = np.array([0, 3, 11, 5, 8]), np.array([10, 0, 4, 9, 2])
    datasets.export_2018(tmp_path, images, hair_ids, eye_ids)
    loaded = datasets.load_2018(tmp_path, image_size=16, strict=True)
    assert loaded.report.kept == 5
    np.testing.assert_array_equal(loaded.hair_ids, hair_ids)
    np.testing.assert_array_equal(loaded.eye_ids, eye_ids)
    np.testing.assert_allclose(loaded.images.mean(axis=(1, 2)), colours[:, 0, 0], atol=3)


def test_links_fifos_and_folders_named_like_images_are_skipped_not_followed(make_dataset, tmp_path):
    outside = tmp_path / "outside.jpg"
    write_image(outside, "rgb", (250, 0, 0))
    root = make_dataset("2018", [f"{face},blue hair red eyes" for face in ("1", "2", "3", "4")], {"1": ("rgb",)})
    images = root / "extra_data" / "images"
    (images / "2.jpg").symlink_to(outside)  # would read a file from outside the dataset
    os.mkfifo(images / "3.jpg")  # would block the loader forever
    (images / "4.jpg").mkdir()
    dataset = load_2018(root, 8)
    assert dataset.report.kept == 1 and dataset.report.skipped["not a regular file"] == 3


def test_an_image_past_pillows_pixel_limit_is_a_counted_skip(make_dataset, monkeypatch):
    root = make_dataset("2018", ["1,blue hair red eyes", "2,blue hair red eyes"], {"1": ("rgb",), "2": ("wide",)})
    monkeypatch.setattr(Image, "MAX_IMAGE_PIXELS", 16 * 16)  # the 16x16 face passes, the 60x20 one does not
    dataset = load_2018(root, 8)
    assert dataset.report.kept == 1 and dataset.report.skipped["corrupt image"] == 1
