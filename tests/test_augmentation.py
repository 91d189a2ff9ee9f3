import numpy as np
import pytest
import tensorflow as tf

from acgan_lib.augmentation import CUTOUT_RATIO, TRANSLATION_RATIO, augment, cut_out, translate
from acgan_lib.profiles import AUGMENTATIONS, get_profile

SIDE = 16


def numbered_images(count: int) -> tf.Tensor:
    """Images whose every pixel value (all above 0) says where it came from."""
    return tf.reshape(tf.range(1, count * SIDE * SIDE * 2 + 1, dtype=tf.float32), [count, SIDE, SIDE, 2])


def shifted(image: np.ndarray, rows: int, columns: int) -> np.ndarray:
    """``image`` moved down by ``rows`` and right by ``columns``, zeros coming in."""
    out = np.zeros_like(image)
    source = image[max(0, -rows): SIDE - max(0, rows), max(0, -columns): SIDE - max(0, columns)]
    out[max(0, rows): max(0, rows) + source.shape[0], max(0, columns): max(0, columns) + source.shape[1]] = source
    return out


def test_translation_moves_each_image_by_its_own_shift_within_an_eighth_of_the_side():
    images = numbered_images(64)
    moved = translate(images, tf.random.Generator.from_seed(3)).numpy()
    most = round(SIDE * TRANSLATION_RATIO)
    shifts = []
    for image, result in zip(images.numpy(), moved):
        matches = [(rows, columns) for rows in range(-most, most + 1) for columns in range(-most, most + 1)
                   if np.array_equal(result, shifted(image, rows, columns))]
        assert len(matches) == 1  # the image, moved whole, and nothing else
        shifts.append(matches[0])
    assert len(set(shifts)) > 10  # each image draws its own shift


def test_cutout_zeroes_one_square_clipped_by_the_border():
    ones = tf.ones([64, SIDE, SIDE, 3])
    cut = round(SIDE * CUTOUT_RATIO)
    kept = cut_out(ones, tf.random.Generator.from_seed(4)).numpy()
    assert np.all(kept == kept[..., :1])  # the same hole in every channel
    corners = set()
    for image in kept[..., 0]:
        rows, columns = np.nonzero(image == 0)
        top, bottom, left, right = rows.min(), rows.max() + 1, columns.min(), columns.max() + 1
        assert np.all(image[top:bottom, left:right] == 0) and (image == 0).sum() == (bottom - top) * (right - left)
        assert cut // 2 <= bottom - top <= cut and cut // 2 <= right - left <= cut
        corners.add((top, left))
    assert len(corners) > 10


def test_augmentation_lets_the_gradient_through_to_the_pixels_it_keeps():
    images = numbered_images(4)
    with tf.GradientTape() as tape:
        tape.watch(images)
        moved = augment(images, "translation", tf.random.Generator.from_seed(5))
        total = tf.reduce_sum(moved)
    slopes = tape.gradient(total, images).numpy()
    assert set(np.unique(slopes)) <= {0.0, 1.0}
    assert slopes.sum() == np.count_nonzero(moved.numpy())  # every pixel still shown, once


def test_none_is_the_images_themselves_and_the_profile_lists_the_kinds():
    images = numbered_images(2)
    assert augment(images, "none", tf.random.Generator.from_seed(0)) is images
    assert get_profile("quick").augmentation == "none"
    with pytest.raises(ValueError, match="augmentation must be one of none, translation, translation_cutout; got 'colour'"):
        get_profile("quick", augmentation="colour")
    assert AUGMENTATIONS == ("none", "translation", "translation_cutout")
