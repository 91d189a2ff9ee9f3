"""Training tests that need a process of their own: two logical CPU devices (set before TensorFlow
starts), two workers of a multi-worker cluster on this machine, and a training process killed with
SIGKILL part-way and resumed."""

import json
import os
import signal
import socket
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
    # With conditional batch norm in G and the moving average of G's weights, whose update runs across the replicas.
    profile = get_profile("smoke", train_steps=3, generator_normalisation="conditional_batch_norm",
                          generator_average=0.9)
    data = synthetic_dataset(profile.dataset_size, profile.image_size)
    trainer = GANTrainer(profile, sys.argv[1], strategy=strategy)
    before = trainer.generator.trainable_variables[0].numpy().copy()
    rows = trainer.fit(data.images, data.hair_ids, data.eye_ids, progress=False)
    changed = not np.array_equal(before, trainer.generator.trainable_variables[0].numpy())
    finite = all(np.isfinite([row["d_loss"], row["g_loss"]]).all() for row in rows)
    averaged = all(np.isfinite(weight).all() for weight in trainer.sampler.get_weights()) and not np.array_equal(
        trainer.sampler.get_weights()[0], trainer.generator.get_weights()[0])
    print("replicas", strategy.num_replicas_in_sync, "steps", len(rows), "changed", changed, "finite", finite,
          "averaged", averaged)
""")


def run_python(*arguments, timeout=600):
    return subprocess.run([sys.executable, *arguments], capture_output=True, text=True, timeout=timeout,
                          env={**os.environ, "TF_CPP_MIN_LOG_LEVEL": "2"})


def test_mirrored_strategy_over_two_cpu_devices_trains(tmp_path):
    result = run_python("-c", MIRRORED_SCRIPT, str(tmp_path / "run"))
    assert result.returncode == 0, result.stderr[-3000:]
    assert "replicas 2 steps 3 changed True finite True averaged True" in result.stdout


def free_ports(count: int) -> list[int]:
    """Ports that nothing listens on now (the system picks them; closed again for the workers to use)."""
    sockets = [socket.socket() for _ in range(count)]
    for listener in sockets:
        listener.bind(("127.0.0.1", 0))
    ports = [listener.getsockname()[1] for listener in sockets]
    for listener in sockets:
        listener.close()
    return ports


def train_on_two_workers(run_dirs, *extra):
    """``train --strategy multi-worker`` as two processes of one cluster on 127.0.0.1, each with its own
    run folder, as on two machines; returns their completed processes."""
    workers = [f"127.0.0.1:{port}" for port in free_ports(2)]
    processes = []
    for index, run_dir in enumerate(run_dirs):
        tf_config = json.dumps({"cluster": {"worker": workers}, "task": {"type": "worker", "index": index}})
        processes.append(subprocess.Popen(
            [sys.executable, "-m", "acgan_lib", "train", "--profile", "smoke", "--strategy", "multi-worker",
             "--out", str(run_dir), "--no-progress", *extra],
            stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True,
            env={**os.environ, "TF_CPP_MIN_LOG_LEVEL": "2", "TF_CONFIG": tf_config},
        ))
    outputs = [process.communicate(timeout=600) for process in processes]
    return [subprocess.CompletedProcess(process.args, process.returncode, *output)
            for process, output in zip(processes, outputs, strict=True)]


def generator_weights(run_dir):
    return keras.models.load_model(run_dir / "generator.keras", safe_mode=True).get_weights()


def test_two_workers_train_in_step_and_the_chiefs_run_folder_resumes(tmp_path):
    chief, worker = tmp_path / "chief", tmp_path / "worker"
    for process in train_on_two_workers([chief, worker], "--steps", "3"):
        assert process.returncode == 0, process.stderr[-3000:]
        assert "multi-worker: each batch of 8 split over 2 replicas" in process.stdout  # one cluster, not two runs
    assert read_run_info(chief)["step"] == 3
    for process in train_on_two_workers([chief, worker], "--steps", "5", "--resume"):
        assert process.returncode == 0, process.stderr[-3000:]
        assert "resuming" in process.stdout
    # Both workers applied the same summed gradients at every step: the same weights and the same losses.
    for chief_weights, worker_weights in zip(generator_weights(chief), generator_weights(worker), strict=True):
        np.testing.assert_array_equal(chief_weights, worker_weights)
    chief_history, worker_history = read_history(chief / "history.csv"), read_history(worker / "history.csv")
    assert [row["step"] for row in chief_history] == [1, 2, 3, 4, 5]
    assert [row["d_loss"] for row in chief_history] == [row["d_loss"] for row in worker_history]
    assert read_run_info(chief)["status"] == "finished"
    for name in ("generator.keras", "discriminator.keras", "history.json", "monitor.json", "samples", "tensorboard"):
        assert (chief / name).exists(), name

    uninterrupted = [tmp_path / "uninterrupted_chief", tmp_path / "uninterrupted_worker"]
    for process in train_on_two_workers(uninterrupted, "--steps", "5"):
        assert process.returncode == 0, process.stderr[-3000:]
    for resumed_weights, expected_weights in zip(generator_weights(chief), generator_weights(uninterrupted[0]),
                                                 strict=True):
        np.testing.assert_array_equal(resumed_weights, expected_weights)


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


def test_sigterm_stops_a_training_in_one_line_with_status_143_and_the_run_resumes(tmp_path):
    """A scheduler's SIGTERM (or ``kill``) is a stop like Ctrl-C: one line, status 143, no traceback (it
    used to end silently), the lock released and the folder resumable."""
    run_dir = tmp_path / "run"
    command = ["-m", "acgan_lib", "train", "--profile", "smoke", "--checkpoint-every", "2", "--no-progress",
               "--out", str(run_dir)]
    process = subprocess.Popen([sys.executable, *command, "--steps", "100000"], stdout=subprocess.DEVNULL,
                               stderr=subprocess.PIPE, text=True)
    deadline = time.monotonic() + 300
    while not (run_dir / "checkpoints" / "ckpt-2.index").exists():
        assert process.poll() is None and time.monotonic() < deadline, "the run ended before it could be stopped"
        time.sleep(0.02)
    process.send_signal(signal.SIGTERM)
    stderr = process.communicate(timeout=120)[1]
    assert process.returncode == 128 + signal.SIGTERM, stderr[-3000:]
    assert "Traceback" not in stderr
    assert stderr.strip().splitlines()[-1].startswith("terminated (SIGTERM): a run folder keeps its last checkpoint")
    done = [row["step"] for row in read_history(run_dir / "history.csv")]
    assert done == list(range(1, len(done) + 1))
    resumed = run_python(*command, "--steps", str(done[-1] + 3), "--resume")
    assert resumed.returncode == 0, resumed.stderr[-3000:]
    assert read_run_info(run_dir)["status"] == "finished"


def test_resuming_a_finished_run_says_so(tmp_path, capsys):
    assert main(["train", "--profile", "smoke", "--out", str(tmp_path), "--steps", "2", "--no-progress"]) == 0
    printed = capsys.readouterr().out  # the folder's contents and what to do next
    assert "generator.keras, history.csv" in printed and "checkpoints/" in printed and ".lock" not in printed
    assert f"tensorboard --logdir {tmp_path / 'tensorboard'}" in printed and "acgan_lib evaluate --generator" in printed
    assert main(["train", "--out", str(tmp_path), "--resume", "--no-progress"]) == 0
    assert "already finished 2 steps; nothing changed" in capsys.readouterr().out


@pytest.mark.parametrize("flags, message", [
    (["--learning-rate-g", "3"], r"learning_rate_g must be a number in (0, 1)"),
    (["--resume"], "nothing to resume"),
])
def test_bad_training_flags_say_what_is_allowed(tmp_path, capsys, flags, message):
    assert main(["train", "--profile", "smoke", "--out", str(tmp_path / "run"), *flags]) == 2
    assert message in capsys.readouterr().err


@pytest.mark.parametrize("flags, message", [
    (["--loss", "wasserstein"], "argument --loss: invalid choice: 'wasserstein' (choose from 'bce', 'hinge', 'clipped_bce')"),
    (["--head", "aux"], "argument --head: invalid choice: 'aux' (choose from 'concat', 'acgan', 'projection')"),
])
def test_a_choice_flag_lists_its_choices_before_anything_runs(tmp_path, capsys, flags, message):
    with pytest.raises(SystemExit) as exited:
        main(["train", "--profile", "smoke", "--out", str(tmp_path / "run"), *flags])
    assert exited.value.code == 2 and capsys.readouterr().err.strip().splitlines()[-1].endswith(message)
    assert not (tmp_path / "run").exists()


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


def test_a_run_on_a_relative_data_folder_resumes_from_another_directory(tmp_path, monkeypatch, capsys):
    """run.json stores the data folder absolute: resumed from elsewhere, the run finds the same faces."""
    from PIL import Image

    faces = tmp_path / "set_2017" / "faces"
    faces.mkdir(parents=True)
    lines = []
    for face_id in range(16):
        Image.new("RGB", (40, 40), (10 * face_id, 90, 200)).save(faces / f"{face_id}.jpg")
        lines.append(f"{face_id},{('blonde', 'blue')[face_id % 2]} hair:1\tred eyes:1")
    (tmp_path / "set_2017" / "tags_clean.csv").write_text("\n".join(lines) + "\n")
    monkeypatch.chdir(tmp_path)
    assert main(["train", "--profile", "smoke", "--data-2017", "set_2017", "--out", "run", "--steps", "2",
                 "--no-progress"]) == 0
    assert read_run_info(tmp_path / "run")["data"] == {"2017": str(tmp_path / "set_2017")}
    (tmp_path / "elsewhere").mkdir()
    monkeypatch.chdir(tmp_path / "elsewhere")
    capsys.readouterr()
    assert main(["train", "--out", str(tmp_path / "run"), "--resume", "--steps", "3", "--no-progress"]) == 0
    assert read_run_info(tmp_path / "run")["step"] == 3 and "resuming" in capsys.readouterr().out


def test_set_reaches_the_profile_of_the_run_and_a_resume_refuses_another_value(tmp_path, capsys):
    run = tmp_path / "run"
    assert main(["train", "--profile", "smoke", "--out", str(run), "--steps", "2", "--no-progress",
                 "--set", "minibatch_spread=true", "--set", "discriminator_channels=4,8,8,8",
                 "--set", "mode_seeking_weight=0.5"]) == 0
    profile = read_run_info(run)["profile"]
    assert profile["minibatch_spread"] is True and profile["mode_seeking_weight"] == 0.5
    assert profile["discriminator_channels"] == [4, 8, 8, 8]
    capsys.readouterr()
    assert main(["train", "--out", str(run), "--resume", "--set", "mode_seeking_weight=1.0"]) == 2
    assert "a resumed run keeps its settings; drop mode_seeking_weight" in capsys.readouterr().err
