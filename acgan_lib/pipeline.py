"""The tf.data input pipeline: uint8 faces and labels in, shuffled batches in the model's pixel range out.

Either source feeds it the same way: the built-in renderer (``data_cache.synthetic_dataset``) or a real
dataset (``datasets.load_2017`` / ``load_2018``) both give uint8 images with (hair_id, eye_id).

The order of epoch ``e`` is a permutation fixed by ``(seed, e)`` alone, with no hidden shuffle-buffer
state, so a stream can start at any batch: a resumed training run (``start_batch``) sees exactly the
batches that the uninterrupted run would have seen. Images stay uint8 until a batch is formed.
"""

from __future__ import annotations

import numpy as np
import tensorflow as tf

from .checks import check_count
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


def batches_per_epoch(count: int, batch_size: int, drop_remainder: bool = True) -> int:
    """How many batches one pass over ``count`` faces gives."""
    return count // batch_size if drop_remainder else -(-count // batch_size)


def make_dataset(
    images: np.ndarray,
    hair_ids: np.ndarray,
    eye_ids: np.ndarray,
    batch_size: int,
    pixel_range: tuple[float, float] = (0.0, 1.0),
    seed: int = 0,
    shuffle: bool = True,
    drop_remainder: bool = True,
    epochs: int | None = 1,
    start_batch: int = 0,
) -> tf.data.Dataset:
    """Batches of ``(images, hair_ids, eye_ids)`` for ``epochs`` passes (None: forever).

    Every epoch has its own order, fixed by ``seed`` and the epoch number. ``start_batch`` skips that many
    batches of the whole stream, so ``make_dataset(..., start_batch=k)`` continues where a run that took
    ``k`` batches stopped. ``drop_remainder`` keeps every batch the same size, which a compiled step wants.
    """
    check_inputs(images, hair_ids, eye_ids, batch_size)
    if epochs is not None:  # None: forever
        check_count("epochs (None: forever)", epochs)
    check_count("start_batch", start_batch, minimum=0)
    hair_ids = np.asarray(hair_ids, np.int32)
    eye_ids = np.asarray(eye_ids, np.int32)
    size = images.shape[1]
    first_epoch, skip = divmod(start_batch, batches_per_epoch(len(images), batch_size, drop_remainder))

    def epoch_indices(epoch):
        indices = tf.range(len(images), dtype=tf.int64)
        if shuffle:
            indices = tf.random.experimental.stateless_shuffle(indices, seed=tf.stack([tf.cast(seed, tf.int64), epoch]))
        return tf.data.Dataset.from_tensor_slices(indices).batch(batch_size, drop_remainder=drop_remainder)

    def gather(indices):
        batch, hair, eyes = tf.numpy_function(
            lambda rows: (images[rows], hair_ids[rows], eye_ids[rows]),
            [indices], [tf.uint8, tf.int32, tf.int32],
        )
        batch.set_shape([None, size, size, 3])
        hair.set_shape([None])
        eyes.set_shape([None])
        return scale_images(batch, pixel_range), hair, eyes

    if epochs is None:
        epoch_numbers = tf.data.Dataset.counter(first_epoch)
    else:
        epoch_numbers = tf.data.Dataset.range(first_epoch, first_epoch + epochs)
    dataset = epoch_numbers.flat_map(epoch_indices).skip(skip)
    dataset = dataset.map(gather)  # in order; prefetch overlaps it with training (numpy_function holds the GIL)
    return dataset.prefetch(tf.data.AUTOTUNE)


def check_inputs(images, hair_ids, eye_ids, batch_size: int) -> None:
    """Raise ValueError unless the faces and labels make batches of ``batch_size`` (what is wrong and allowed)."""
    if images.dtype != np.uint8 or images.ndim != 4 or images.shape[-1] != 3:
        raise ValueError(
            f"images must be uint8 with shape (count, size, size, 3); got {images.dtype} {images.shape}"
        )
    if not len(images) == len(hair_ids) == len(eye_ids):
        raise ValueError(
            f"images, hair_ids and eye_ids must have one entry per face; got "
            f"{len(images)}, {len(hair_ids)}, {len(eye_ids)}"
        )
    check_count("batch_size", batch_size)
    if batch_size > len(images):
        raise ValueError(f"the data hold {len(images)} faces, fewer than one batch of {batch_size}; use more faces "
                         f"or a batch_size of at most {len(images)}")
    for name, ids, depth in (("hair_ids", hair_ids, NUM_HAIR), ("eye_ids", eye_ids, NUM_EYES)):
        ids = np.asarray(ids)
        if ids.min() < 0 or ids.max() >= depth:
            raise ValueError(f"{name} must be in [0, {depth}); got {ids.min()}..{ids.max()}")
