import subprocess
import sys

import numpy as np
import pytest

from acgan_lib.pipeline import make_dataset, scale_images, unscale_images


def faces(count=40, size=32, seed=0):
    rng = np.random.default_rng(seed)
    images = rng.integers(0, 256, (count, size, size, 3), dtype=np.uint8)
    return images, rng.integers(0, 12, count), rng.integers(0, 11, count)


def batches_of(dataset):
    return [(images.numpy(), hair.numpy(), eyes.numpy()) for images, hair, eyes in dataset]


@pytest.mark.parametrize("pixel_range", [(0.0, 1.0), (-1.0, 1.0)])
def test_scaling_round_trips_and_hits_the_range(pixel_range):
    pixels = np.array([0, 128, 255], dtype=np.uint8)
    scaled = scale_images(pixels, pixel_range).numpy()
    assert scaled[0] == pytest.approx(pixel_range[0]) and scaled[-1] == pytest.approx(pixel_range[1])
    assert unscale_images(scaled, pixel_range).tolist() == pixels.tolist()


def test_batches_have_the_right_shapes_and_keep_labels_with_their_images():
    images, hair, eyes = faces()
    batches = batches_of(make_dataset(images, hair, eyes, batch_size=8, seed=1))
    assert len(batches) == 5
    lookup = {image.tobytes(): (h, e) for image, h, e in zip(images, hair, eyes)}
    for batch, batch_hair, batch_eyes in batches:
        assert batch.shape == (8, 32, 32, 3) and batch.dtype == np.float32
        assert 0.0 <= batch.min() and batch.max() <= 1.0
        for image, h, e in zip(batch, batch_hair, batch_eyes):
            assert lookup[unscale_images(image, (0, 1)).tobytes()] == (h, e)


def test_each_epoch_is_a_new_order_fixed_by_the_seed():
    images, hair, eyes = faces()

    def two_epochs(seed):
        return [batch[1] for batch in batches_of(make_dataset(images, hair, eyes, 40, seed=seed, epochs=2))]

    first, second = two_epochs(seed=3)
    assert sorted(first) == sorted(hair.tolist()) and first.tolist() != second.tolist()
    again_first, again_second = two_epochs(seed=3)
    assert first.tolist() == again_first.tolist() and second.tolist() == again_second.tolist()
    assert two_epochs(seed=4)[0].tolist() != first.tolist()


def test_a_stream_started_at_batch_k_continues_the_uninterrupted_stream():
    images, hair, eyes = faces()
    whole = batches_of(make_dataset(images, hair, eyes, 8, seed=2, epochs=None).take(13))
    resumed = batches_of(make_dataset(images, hair, eyes, 8, seed=2, epochs=None, start_batch=7).take(6))
    for expected, got in zip(whole[7:], resumed, strict=True):
        np.testing.assert_array_equal(expected[0], got[0])
        np.testing.assert_array_equal(expected[1], got[1])


def test_unshuffled_keeps_order_and_can_keep_the_remainder():
    images, hair, eyes = faces(count=10)
    batches = batches_of(make_dataset(images, hair, eyes, batch_size=4, shuffle=False, drop_remainder=False))
    assert [len(batch[1]) for batch in batches] == [4, 4, 2]
    assert np.concatenate([batch[1] for batch in batches]).tolist() == hair.tolist()


def test_bad_inputs_say_what_is_allowed():
    images, hair, eyes = faces(count=10)
    with pytest.raises(ValueError, match="uint8"):
        make_dataset(images.astype(np.float32), hair, eyes, 4)
    with pytest.raises(ValueError, match="one entry per face"):
        make_dataset(images, hair[:5], eyes, 4)
    with pytest.raises(ValueError, match=r"the data hold 10 faces, fewer than one batch of 11; .* at most 10"):
        make_dataset(images, hair, eyes, 11)
    with pytest.raises(ValueError, match=r"hair_ids must be in \[0, 12\)"):
        make_dataset(images, np.full(10, 12), eyes, 4)
    with pytest.raises(ValueError, match=r"epochs \(None: forever\) must be a positive integer"):
        make_dataset(images, hair, eyes, 4, epochs=0)
    with pytest.raises(ValueError, match="start_batch must be a non-negative integer"):
        make_dataset(images, hair, eyes, 4, start_batch=-1)


def test_the_pipeline_logs_nothing_under_op_determinism():
    """With op determinism on (notebooks 04 and 05), tf.data rewrote a parallel map into a sequential one
    and TensorFlow's C++ log printed "NodeDef mentions attribute use_unbounded_threadpool" into the
    notebook for every new pipeline."""
    script = (
        "import acgan_lib, numpy as np, tensorflow as tf\n"
        "from acgan_lib.pipeline import make_dataset\n"
        "tf.config.experimental.enable_op_determinism()\n"
        "images, ids = np.zeros((16, 32, 32, 3), np.uint8), np.zeros(16, np.int32)\n"
        "batches = list(make_dataset(images, ids, ids, 4, (0.0, 1.0), seed=0, epochs=1))\n"
        "print(len(batches))\n"
    )
    finished = subprocess.run([sys.executable, "-c", script], capture_output=True, text=True, timeout=300)
    assert finished.returncode == 0 and finished.stdout.strip() == "4", finished.stderr
    assert "NodeDef" not in finished.stderr and "E0000" not in finished.stderr, finished.stderr
