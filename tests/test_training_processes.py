"""Training tests that need a process of their own: two logical CPU devices (set before TensorFlow
starts), and a training process killed with SIGKILL part-way and resumed."""

import os
import signal
import subprocess
import sys
import textwrap
import time

import keras
import numpy as np
import pytest

from acgan_lib.cli import main
from acgan_lib.run_records import read_history, read_run_info

pytestmark = pytest.mark.slow

MIRRORED_SCRIPT = textwrap.dedent("""
    import sys
    import numpy as np
    import tensorflow as tf
    cpu = tf.config.list_physical_devices("CPU")[0]
    tf.config.set_logical_device_configuration(cpu, [tf.config.LogicalDeviceConfiguration()] * 2)
    from acgan_lib.data_cache import synthetic_dataset
    from acgan_lib.profiles import get_profile
    from acgan_lib.training import GANTrainer

    strategy = tf.distribute.MirroredStrategy(["/cpu:0", "/cpu:1"])
    profile = get_profile("smoke", train_steps=3)
    data = synthetic_dataset(profile.dataset_size, profile.image_size)
    trainer = GANTrainer(profile, sys.argv[1], strategy=strategy)
    before = trainer.generator.trainable_variables[0].numpy().copy()
    rows = trainer.fit(data.images, data.hair_ids, data.eye_ids, progress=False)
    changed = not np.array_equal(before, trainer.generator.trainable_variables[0].numpy())
    finite = all(np.isfinite([row["d_loss"], row["g_loss"]]).all() for row in rows)
    print("replicas", strategy.num_replicas_in_sync, "steps", len(rows), "changed", changed, "finite", finite)
""")


def run_python(*arguments, timeout=600):
    return subprocess.run([sys.executable, *arguments], capture_output=True, text=True, timeout=timeout,
                          env={**os.environ, "TF_CPP_MIN_LOG_LEVEL": "2"})


def test_mirrored_strategy_over_two_cpu_devices_trains(tmp_path):
    result = run_python("-c", MIRRORED_SCRIPT, str(tmp_path / "run"))
    assert result.returncode == 0, result.stderr[-3000:]
    assert "replicas 2 steps 3 changed True finite True" in result.stdout


def train_command(run_dir, *extra):
    """The quick profile's models and settings (batch norm, cosine schedule, mode seeking, minibatch spread,
    the ACGAN head) at a small batch, so that every piece of state a real run depends on is resumed."""
    return ["-m", "acgan_lib", "train", "--profile", "quick", "--batch-size", "8", "--out", str(run_dir),
            "--steps", "80", "--checkpoint-every", "10", "--deterministic", "--no-progress", *extra]


def test_a_killed_run_resumes_to_the_same_weights_as_an_uninterrupted_one(tmp_path):
    uninterrupted, killed = tmp_path / "uninterrupted", tmp_path / "killed"
    result = run_python(*train_command(uninterrupted))
    assert result.returncode == 0, result.stderr[-3000:]

    process = subprocess.Popen([sys.executable, *train_command(killed)], stdout=subprocess.DEVNULL,
                               stderr=subprocess.DEVNULL)
    deadline = time.monotonic() + 300
    while not (killed / "checkpoints" / "ckpt-20.index").exists():
        assert process.poll() is None and time.monotonic() < deadline, "the run ended before it could be killed"
        time.sleep(0.02)
    process.send_signal(signal.SIGKILL)
    assert process.wait() == -signal.SIGKILL
    assert read_run_info(killed)["status"] == "running" and not (killed / "generator.keras").exists()

    resumed = run_python(*train_command(killed, "--resume"))
    assert resumed.returncode == 0, resumed.stderr[-3000:]
    assert "resuming" in resumed.stdout and read_run_info(killed)["status"] == "finished"
    assert [row["step"] for row in read_history(killed / "history.csv")] == list(range(1, 81))
    expected = keras.models.load_model(uninterrupted / "generator.keras", safe_mode=True).get_weights()
    got = keras.models.load_model(killed / "generator.keras", safe_mode=True).get_weights()
    for expected_weights, got_weights in zip(expected, got, strict=True):
        np.testing.assert_array_equal(expected_weights, got_weights)


def test_resuming_a_finished_run_says_so(tmp_path, capsys):
    assert main(["train", "--profile", "smoke", "--out", str(tmp_path), "--steps", "2", "--no-progress"]) == 0
    printed = capsys.readouterr().out  # the folder's contents and what to do next
    assert "generator.keras, history.csv" in printed and "checkpoints/" in printed and ".lock" not in printed
    assert f"tensorboard --logdir {tmp_path / 'tensorboard'}" in printed and "acgan_lib evaluate --generator" in printed
    assert main(["train", "--out", str(tmp_path), "--resume", "--no-progress"]) == 0
    assert "already finished 2 steps; nothing changed" in capsys.readouterr().out


@pytest.mark.parametrize("flags, message", [
    (["--loss", "wasserstein"], "loss must be one of bce, hinge"),
    (["--learning-rate-g", "3"], r"learning_rate_g must be a number in (0, 1)"),
    (["--head", "aux"], "head must be one of concat, acgan, projection"),
    (["--resume"], "nothing to resume"),
])
def test_bad_training_flags_say_what_is_allowed(tmp_path, capsys, flags, message):
    assert main(["train", "--profile", "smoke", "--out", str(tmp_path / "run"), *flags]) == 2
    assert message in capsys.readouterr().err


def test_resume_refuses_another_profile_or_data_folder_instead_of_ignoring_them(tmp_path, capsys):
    assert main(["train", "--profile", "smoke", "--out", str(tmp_path / "run"), "--steps", "2", "--no-progress"]) == 0
    capsys.readouterr()
    assert main(["train", "--profile", "quick", "--out", str(tmp_path / "run"), "--resume"]) == 2
    assert "drop --profile quick (the run's is smoke)" in capsys.readouterr().err
    (tmp_path / "faces").mkdir()
    assert main(["train", "--data-2017", str(tmp_path / "faces"), "--out", str(tmp_path / "run"), "--resume"]) == 2
    assert "the data folder" in capsys.readouterr().err
    assert main(["train", "--profile", "smoke", "--out", str(tmp_path / "run"), "--resume", "--steps", "3",
                 "--no-progress"]) == 0  # the run's own profile, named, is fine
