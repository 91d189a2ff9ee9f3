"""Tests of the procedural anime-face renderer (acgan_lib.synthetic)."""

import numpy as np
import pytest

from acgan_lib.label_sampling import sample_labels
from acgan_lib.labels import EYE_COLOURS, HAIR_COLOURS, NUM_EYES, NUM_HAIR, nearest_eye, nearest_hair
from acgan_lib.synthetic import HAIR_STYLES, RENDERER_VERSION, preview_sheet, render_dataset, render_faces

FACES_PER_CLASS = 6


def some_labels(count: int, seed: int = 0) -> tuple[np.ndarray, np.ndarray]:
    rng = np.random.default_rng(seed)
    return rng.integers(0, NUM_HAIR, count), rng.integers(0, NUM_EYES, count)


def mean_colour(image: np.ndarray, mask: np.ndarray) -> np.ndarray:
    """The mean RGB of the pixels the mask covers fully (edge pixels mix in their neighbours)."""
    covered = mask > 0.99
    assert covered.sum() >= 5, "too few fully covered pixels to judge a colour"
    return image[covered].mean(axis=0)


@pytest.fixture(scope="module")
def faces_per_hair_class():
    hair_ids = np.repeat(np.arange(NUM_HAIR), FACES_PER_CLASS)
    eye_ids = np.arange(len(hair_ids)) % NUM_EYES
    images, masks = render_faces(hair_ids, eye_ids, size=64, seed=3, return_masks=True)
    return hair_ids, images, masks


@pytest.fixture(scope="module")
def faces_per_eye_class():
    eye_ids = np.repeat(np.arange(NUM_EYES), FACES_PER_CLASS)
    hair_ids = np.arange(len(eye_ids)) % NUM_HAIR
    images, masks = render_faces(hair_ids, eye_ids, size=64, seed=4, return_masks=True)
    return eye_ids, images, masks


# --- shapes, types and argument checks ----------------------------------------------------------------


@pytest.mark.parametrize("size", [32, 64, 96, 128])
def test_images_have_the_requested_shape_and_dtype(size):
    hair_ids, eye_ids = some_labels(3)
    images, masks = render_faces(hair_ids, eye_ids, size=size, return_masks=True)
    assert images.shape == (3, size, size, 3)
    assert images.dtype == np.uint8
    assert set(masks) == {"hair", "iris", "skin"}
    for mask in masks.values():
        assert mask.shape == (3, size, size)
        assert mask.dtype == np.float32
        assert 0.0 <= mask.min() and mask.max() <= 1.0


def test_no_labels_give_no_images():
    assert render_faces([], [], size=32).shape == (0, 32, 32, 3)


@pytest.mark.parametrize("size", [31, 129, 0, 64.0, "64"])
def test_a_size_outside_32_to_128_is_refused(size):
    with pytest.raises(ValueError, match="32 to 128"):
        render_faces([0], [0], size=size)


@pytest.mark.parametrize(
    ("hair_ids", "eye_ids", "message"),
    [
        ([12], [0], r"hair_ids must be in \[0, 12\)"),
        ([-1], [0], r"hair_ids must be in \[0, 12\)"),
        ([0], [11], r"eye_ids must be in \[0, 11\)"),
        ([0.5], [0], "hair_ids must be integers"),
        ([0, 1], [0], "same length"),
        ([[0]], [[0]], "1-D"),
    ],
)
def test_bad_ids_are_refused(hair_ids, eye_ids, message):
    with pytest.raises(ValueError, match=message):
        render_faces(hair_ids, eye_ids)


@pytest.mark.parametrize("pixel_noise", [-0.1, 1.5])
def test_pixel_noise_outside_0_to_1_is_refused(pixel_noise):
    with pytest.raises(ValueError, match="pixel_noise"):
        render_faces([0], [0], pixel_noise=pixel_noise)


@pytest.mark.parametrize(("name", "value"), [("chunk_size", 0), ("workers", 0), ("chunk_size", 2.5)])
def test_chunk_size_and_workers_must_be_positive_integers(name, value):
    with pytest.raises(ValueError, match=name):
        render_faces([0], [0], **{name: value})


def test_a_negative_seed_is_refused():
    with pytest.raises(ValueError, match="seed"):
        render_faces([0], [0], seed=-1)


def test_renderer_version_is_an_integer():
    assert isinstance(RENDERER_VERSION, int) and RENDERER_VERSION >= 1


# --- determinism --------------------------------------------------------------------------------------


def test_the_same_seed_gives_the_same_pixels_and_another_seed_others():
    hair_ids, eye_ids = some_labels(8)
    first = render_faces(hair_ids, eye_ids, size=48, seed=5)
    again = render_faces(hair_ids, eye_ids, size=48, seed=5)
    other = render_faces(hair_ids, eye_ids, size=48, seed=6)
    np.testing.assert_array_equal(first, again)
    assert not np.array_equal(first, other)


@pytest.mark.parametrize(("chunk_size", "workers"), [(1, 1), (3, 2), (64, 1)])
def test_chunking_and_threads_do_not_change_pixels(chunk_size, workers):
    hair_ids, eye_ids = some_labels(10)
    reference, reference_masks = render_faces(hair_ids, eye_ids, size=40, seed=2, return_masks=True)
    images, masks = render_faces(
        hair_ids, eye_ids, size=40, seed=2, return_masks=True, chunk_size=chunk_size, workers=workers
    )
    np.testing.assert_array_equal(images, reference)
    for name in reference_masks:
        np.testing.assert_array_equal(masks[name], reference_masks[name])


def test_labels_change_only_the_colours_of_a_face():
    hair_ids, eye_ids = some_labels(6)
    _, masks = render_faces(hair_ids, eye_ids, size=48, seed=9, return_masks=True)
    _, recoloured_masks = render_faces(
        (hair_ids + 5) % NUM_HAIR, (eye_ids + 3) % NUM_EYES, size=48, seed=9, return_masks=True
    )
    for name in masks:
        np.testing.assert_array_equal(masks[name], recoloured_masks[name])


# --- colours ------------------------------------------------------------------------------------------


def test_hair_pixels_are_read_as_the_requested_hair_colour(faces_per_hair_class):
    hair_ids, images, masks = faces_per_hair_class
    read = [nearest_hair(mean_colour(image, mask)) for image, mask in zip(images, masks["hair"])]
    wrong = [(HAIR_COLOURS[want], HAIR_COLOURS[got]) for want, got in zip(hair_ids, read) if want != got]
    assert wrong == []


def test_iris_pixels_are_read_as_the_requested_eye_colour(faces_per_eye_class):
    eye_ids, images, masks = faces_per_eye_class
    read = [nearest_eye(mean_colour(image, mask)) for image, mask in zip(images, masks["iris"])]
    wrong = [(EYE_COLOURS[want], EYE_COLOURS[got]) for want, got in zip(eye_ids, read) if want != got]
    assert wrong == []


@pytest.mark.parametrize("part", ["hair", "eye"])
def test_a_colour_class_is_a_range_of_shades(part, faces_per_hair_class, faces_per_eye_class):
    class_ids, images, masks = faces_per_hair_class if part == "hair" else faces_per_eye_class
    mask_name = "hair" if part == "hair" else "iris"
    for class_id in np.unique(class_ids):
        faces = np.flatnonzero(class_ids == class_id)
        shades = np.array([mean_colour(images[face], masks[mask_name][face]) for face in faces])
        spread = np.abs(shades[:, None] - shades[None]).max()
        assert spread > 6, f"{part} class {class_id}: all faces have nearly one shade"


def test_edges_are_antialiased(faces_per_hair_class):
    _, _, masks = faces_per_hair_class
    partial = (masks["hair"] > 0.05) & (masks["hair"] < 0.95)
    assert partial.mean() > 0.01


# --- nuisance variation -------------------------------------------------------------------------------


def test_hair_styles_vary_the_hair_area(faces_per_hair_class):
    _, _, masks = faces_per_hair_class
    areas = masks["hair"].mean(axis=(1, 2))
    assert len(HAIR_STYLES) >= 4
    assert areas.max() > 1.5 * areas.min()


def test_faces_move_and_change_size(faces_per_hair_class):
    _, _, masks = faces_per_hair_class
    skin = masks["skin"]
    columns = np.arange(skin.shape[2])
    centres = (skin.sum(axis=1) * columns).sum(axis=1) / skin.sum(axis=(1, 2))
    assert centres.max() - centres.min() > 2  # pixels
    assert skin.mean(axis=(1, 2)).std() > 0.005


def test_backgrounds_are_muted_so_they_do_not_read_as_a_hair_colour(faces_per_hair_class):
    _, images, masks = faces_per_hair_class
    top_row = images[:, 0].astype(float)  # above the head: background only
    assert masks["hair"][:, 0].max() == 0 and masks["skin"][:, 0].max() == 0
    saturation = (top_row.max(axis=-1) - top_row.min(axis=-1)) / top_row.max(axis=-1)
    assert saturation.max() < 0.3


def test_pixel_noise_changes_pixels_only_when_on():
    hair_ids, eye_ids = some_labels(4)
    clean = render_faces(hair_ids, eye_ids, size=48, seed=1)
    np.testing.assert_array_equal(render_faces(hair_ids, eye_ids, size=48, seed=1, pixel_noise=0.0), clean)
    noisy = render_faces(hair_ids, eye_ids, size=48, seed=1, pixel_noise=0.05)
    difference = np.abs(noisy.astype(int) - clean.astype(int))
    assert 5 < difference.mean() < 15  # about 0.05 * 255 * sqrt(2 / pi), less where clipped
    np.testing.assert_array_equal(
        render_faces(hair_ids, eye_ids, size=48, seed=1, pixel_noise=0.05, chunk_size=1), noisy
    )


# --- datasets and the preview picture -----------------------------------------------------------------


def test_render_dataset_renders_sampled_labels():
    images, hair_ids, eye_ids = render_dataset(12, size=32, seed=8, distribution="skewed")
    expected_hair, expected_eyes = sample_labels(12, seed=8, distribution="skewed")
    np.testing.assert_array_equal(hair_ids, expected_hair)
    np.testing.assert_array_equal(eye_ids, expected_eyes)
    np.testing.assert_array_equal(images, render_faces(hair_ids, eye_ids, size=32, seed=8))


def test_preview_sheet_has_a_row_per_hair_colour():
    sheet = preview_sheet(size=32, columns=3, gap=2)
    assert sheet.shape == (NUM_HAIR * 34 + 2, 3 * 34 + 2, 3)
    assert sheet.dtype == np.uint8
