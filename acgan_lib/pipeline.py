"""The tf.data input pipeline: uint8 faces and labels in, shuffled batches in the model's pixel range out.

Either source feeds it the same way: the built-in renderer (``data_cache.synthetic_dataset``) or a real
dataset (``datasets.load_2017`` / ``load_2018``) both give uint8 images with (hair_id, eye_id).
Images stay uint8 until a batch is formed, so the shuffle buffer holds a quarter of the bytes that
float32 would.
"""

from __future__ import annotations

import numpy as np
import tensorflow as tf

from .labels import NUM_EYES, NUM_HAIR


def scale_images(images: tf.Tensor, pixel_range: tuple[float, float]) -> tf.Tensor:
    """uint8 pixels (0..255) to float32 in ``pixel_range``: (0, 1) for a sigmoid generator, (-1, 1) for tanh."""
    low, high = pixel_range
    return tf.cast(images, tf.float32) * ((high - low) / 255.0) + low


def unscale_images(images, pixel_range: tuple[float, float]) -> np.ndarray:
    """The inverse of ``scale_images``: model-range floats back to uint8 pixels for display or saving."""
    low, high = pixel_range
    pixels = (np.asarray(images, dtype=np.float32) - low) * (255.0 / (high - low))
    return np.clip(np.rint(pixels), 0, 255).astype(np.uint8)


def make_dataset(
    images: np.ndarray,
    hair_ids: np.ndarray,
    eye_ids: np.ndarray,
    batch_size: int,
    pixel_range: tuple[float, float] = (0.0, 1.0),
    seed: int = 0,
    shuffle: bool = True,
    drop_remainder: bool = True,
) -> tf.data.Dataset:
    """Batches of ``(images, hair_ids, eye_ids)``, reshuffled every epoch in an order fixed by ``seed``.

    Iterate it once per epoch (``for images, hair, eyes in dataset``) or call ``.repeat()`` for a stream.
    ``drop_remainder`` keeps every batch the same size, which a compiled training step wants.
    """
    _check_inputs(images, hair_ids, eye_ids, batch_size)
    dataset = tf.data.Dataset.from_tensor_slices(
        (images, np.asarray(hair_ids, np.int32), np.asarray(eye_ids, np.int32))
    )
    if shuffle:
        dataset = dataset.shuffle(len(images), seed=seed, reshuffle_each_iteration=True)
    dataset = dataset.batch(batch_size, drop_remainder=drop_remainder)
    dataset = dataset.map(
        lambda batch, hair, eyes: (scale_images(batch, pixel_range), hair, eyes),
        num_parallel_calls=tf.data.AUTOTUNE,
        deterministic=True,
    )
    return dataset.prefetch(tf.data.AUTOTUNE)


def _check_inputs(images, hair_ids, eye_ids, batch_size: int) -> None:
    if images.dtype != np.uint8 or images.ndim != 4 or images.shape[-1] != 3:
        raise ValueError(
            f"images must be uint8 with shape (count, size, size, 3); got {images.dtype} {images.shape}"
        )
    if not len(images) == len(hair_ids) == len(eye_ids):
        raise ValueError(
            f"images, hair_ids and eye_ids must have one entry per face; got "
            f"{len(images)}, {len(hair_ids)}, {len(eye_ids)}"
        )
    if not isinstance(batch_size, int) or not 1 <= batch_size <= len(images):
        raise ValueError(f"batch_size must be an integer in [1, {len(images)}]; got {batch_size!r}")
    for name, ids, depth in (("hair_ids", hair_ids, NUM_HAIR), ("eye_ids", eye_ids, NUM_EYES)):
        ids = np.asarray(ids)
        if ids.min() < 0 or ids.max() >= depth:
            raise ValueError(f"{name} must be in [0, {depth}); got {ids.min()}..{ids.max()}")
