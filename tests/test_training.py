import json
import math

import keras
import numpy as np
import pytest
import tensorflow as tf
from PIL import Image

from acgan_lib import training
from acgan_lib.data_cache import synthetic_dataset
from acgan_lib.grids import unlabelled
from acgan_lib.models import generator_inputs
from acgan_lib.profiles import get_profile
from acgan_lib.run_records import HISTORY_COLUMNS, RunFolderBusy, RunLock, read_history
from acgan_lib.seed_style import SeedStyleTrainer
from acgan_lib.training import GANTrainer, TrainingDiverged


@pytest.fixture(scope="module")
def faces():
    profile = get_profile("smoke")
    dataset = synthetic_dataset(profile.dataset_size, profile.image_size, seed=0)
    return dataset.images, dataset.hair_ids, dataset.eye_ids


def test_fused_step_and_seed_style_combined_model_give_g_the_same_gradient(tmp_path):
    profile = get_profile("smoke")
    trainer = GANTrainer(profile, tmp_path)
    # With plain SGD at learning rate 1, the combined model's update to G is exactly minus its gradient.
    seed_style = SeedStyleTrainer(trainer.generator, trainer.discriminator, profile,
                                  generator_optimizer=keras.optimizers.SGD(learning_rate=1.0))
    rng = np.random.default_rng(0)
    hair, eyes = rng.integers(0, 12, profile.batch_size), rng.integers(0, 11, profile.batch_size)
    inputs = seed_style.generator_inputs(hair, eyes)
    fused_gradients, fused_loss, _ = trainer.generator_gradients(
        tf.constant(inputs["noise"]), tf.constant(hair, tf.int32), tf.constant(eyes, tf.int32))
    before = [variable.numpy().copy() for variable in trainer.generator.trainable_variables]
    discriminator_before = [variable.numpy().copy() for variable in trainer.discriminator.weights]
    combined_loss = seed_style.train_generator(inputs)
    after = [variable.numpy() for variable in trainer.generator.trainable_variables]
    assert combined_loss == pytest.approx(float(fused_loss), rel=1e-5)
    for old, new, gradient in zip(before, after, fused_gradients, strict=True):
        np.testing.assert_allclose(old - new, gradient.numpy(), atol=1e-6)
    assert any(np.abs(gradient.numpy()).max() > 1e-6 for gradient in fused_gradients)
    for old, variable in zip(discriminator_before, trainer.discriminator.weights, strict=True):
        np.testing.assert_array_equal(old, variable.numpy())  # D is frozen in the combined model


def test_discriminator_update_applies_the_gradient_discriminator_gradients_gives(tmp_path, faces):
    """With plain SGD at learning rate 1, D's update is exactly minus the gradient ``discriminator_gradients``
    gives for the same batch and the same fakes (drawn again from the noise generator's saved state)."""
    images, hair_ids, eye_ids = faces
    profile = get_profile("smoke", head="acgan")
    trainer = GANTrainer(profile, tmp_path)
    trainer.discriminator_optimizer = keras.optimizers.SGD(learning_rate=1.0)
    real = tf.constant(images[:8], tf.float32) / 255.0
    hair, eyes = tf.constant(hair_ids[:8], tf.int32), tf.constant(eye_ids[:8], tf.int32)
    state = trainer.noise_source.state.numpy()
    noise = trainer.noise_source.uniform((8, profile.noise_dim), minval=-1.0, maxval=1.0)
    fakes = trainer.generator(generator_inputs(noise, hair, eyes), training=True)
    gradients, loss, _, _ = trainer.discriminator_gradients(real, fakes, hair, eyes)
    trainer.noise_source.reset(state)
    before = [variable.numpy().copy() for variable in trainer.discriminator.trainable_variables]
    metrics = trainer.discriminator_update(real, hair, eyes)
    assert float(metrics["d_loss"]) == pytest.approx(float(loss), rel=1e-6)
    assert any(np.abs(gradient.numpy()).max() > 1e-6 for gradient in gradients)
    for old, variable, gradient in zip(before, trainer.discriminator.trainable_variables, gradients, strict=True):
        np.testing.assert_allclose(old - variable.numpy(), gradient.numpy(), atol=1e-6)


def test_seed_style_step_trains_both_models(tmp_path, faces):
    images, hair, eyes = faces
    profile = get_profile("smoke")
    trainer = GANTrainer(profile, tmp_path)
    seed_style = SeedStyleTrainer(trainer.generator, trainer.discriminator, profile)
    generator_before = trainer.generator.trainable_variables[0].numpy().copy()
    discriminator_before = trainer.discriminator.trainable_variables[0].numpy().copy()
    metrics = seed_style.train_step(images[:8] / np.float32(255), hair[:8], eyes[:8])
    assert math.isfinite(metrics["d_loss"]) and math.isfinite(metrics["g_loss"])
    assert not np.array_equal(generator_before, trainer.generator.trainable_variables[0].numpy())
    assert not np.array_equal(discriminator_before, trainer.discriminator.trainable_variables[0].numpy())
    with pytest.raises(ValueError, match="concat or projection"):
        SeedStyleTrainer(trainer.generator, trainer.discriminator, get_profile("smoke", head="acgan"))


@pytest.mark.slow
def test_a_run_writes_its_folder_and_a_finished_run_is_left_alone(tmp_path, faces, capsys):
    profile = get_profile("smoke", train_steps=6, head="acgan")
    rows = GANTrainer(profile, tmp_path).fit(*faces, progress=False)
    assert [row["step"] for row in rows] == [1, 2, 3, 4, 5, 6]
    history = read_history(tmp_path / "history.csv")
    assert list(history[0]) == list(HISTORY_COLUMNS) and len(history) == 6
    assert all(0.0 <= row["hair_accuracy_real"] <= 1.0 for row in history)  # the acgan head reports classes
    assert json.loads((tmp_path / "history.json").read_text()) == history
    assert json.loads((tmp_path / "run.json").read_text())["status"] == "finished"
    assert (tmp_path / "samples" / "step_000006.png").exists() and (tmp_path / "samples" / "progress.gif").exists()
    saved = Image.open(tmp_path / "samples" / "step_000006.png")  # labelled, and the bare grid 12 x 11 faces
    assert saved.size[0] > unlabelled(saved).shape[1] and unlabelled(saved).shape[:2] == (12 * 33 + 1, 11 * 33 + 1)
    assert list((tmp_path / "tensorboard").iterdir())
    generator = keras.models.load_model(tmp_path / "generator.keras", safe_mode=True)
    assert generator.output_shape == (None, 32, 32, 3)

    snapshot = {path: path.stat().st_mtime_ns for path in tmp_path.rglob("*") if path.is_file()}
    again = GANTrainer(profile, tmp_path).fit(*faces, resume=True, progress=False)
    assert "already finished 6 steps; nothing changed" in capsys.readouterr().out
    assert len(again) == 6
    assert snapshot == {path: path.stat().st_mtime_ns for path in tmp_path.rglob("*") if path.is_file()}
    with pytest.raises(ValueError, match="already holds a run"):
        GANTrainer(profile, tmp_path).fit(*faces, progress=False)


def test_resuming_keeps_what_the_monitor_noted_before_the_checkpoint(tmp_path, faces):
    profile = get_profile("smoke", train_steps=2)
    GANTrainer(profile, tmp_path).fit(*faces, progress=False)
    noted = [{"name": "collapse", "step": 2, "message": "noted before"},
             {"name": "seed_failure", "step": 9, "message": "after the checkpoint"}]
    (tmp_path / "monitor.json").write_text(json.dumps(noted))
    GANTrainer(profile, tmp_path).fit(*faces, steps=3, resume=True, progress=False)
    assert json.loads((tmp_path / "monitor.json").read_text()) == noted[:1]


def test_the_models_follow_the_profile_and_after_step_sees_every_row(tmp_path, faces):
    profile = get_profile("smoke", train_steps=3, generator_normalisation="batch_norm",
                          discriminator_normalisation="spectral_norm")
    trainer = GANTrainer(profile, tmp_path)
    assert any(isinstance(layer, keras.layers.BatchNormalization) for layer in trainer.generator.layers)
    assert any(isinstance(layer, keras.layers.SpectralNormalization) for layer in trainer.discriminator.layers)
    seen = []
    rows = trainer.fit(*faces, progress=False, after_step=lambda row: seen.append((row["step"], trainer.steps_done)))
    assert seen == [(1, 1), (2, 2), (3, 3)] and len(rows) == 3


def test_the_cosine_schedule_takes_the_learning_rate_to_zero_at_the_last_step(tmp_path):
    profile = get_profile("smoke", train_steps=10, d_steps_per_g_step=2, learning_rate_schedule="cosine")
    trainer = GANTrainer(profile, tmp_path)
    rates = {}
    for name, optimizer, updates in (("g", trainer.generator_optimizer, 10), ("d", trainer.discriminator_optimizer, 20)):
        for done in (0, updates // 2, updates):
            optimizer.iterations.assign(done)
            rates[name, done] = float(optimizer.learning_rate)
    assert rates["g", 0] == pytest.approx(profile.learning_rate_g) and rates["g", 10] == pytest.approx(0.0)
    assert rates["g", 5] == pytest.approx(profile.learning_rate_g / 2, rel=1e-5)
    assert rates["d", 10] == pytest.approx(profile.learning_rate_d / 2, rel=1e-5) and rates["d", 20] == pytest.approx(0.0)
    constant = GANTrainer(get_profile("smoke"), tmp_path / "constant").generator_optimizer
    constant.iterations.assign(1000)
    assert float(constant.learning_rate) == pytest.approx(get_profile("smoke").learning_rate_g)


def test_resume_without_a_checkpoint_says_so(tmp_path, faces):
    with pytest.raises(FileNotFoundError, match="nothing to resume"):
        GANTrainer(get_profile("smoke"), tmp_path).fit(*faces, resume=True, progress=False)


@pytest.mark.slow
def test_a_nan_loss_stops_training_and_keeps_the_last_good_checkpoint(tmp_path, faces, monkeypatch):
    profile = get_profile("smoke", train_steps=10, checkpoint_every=2)
    trainer = GANTrainer(profile, tmp_path)
    real_loss = training.generator_adversarial_loss

    def loss_that_turns_nan_at_step_4(fake_logits, loss):
        poison = tf.where(trainer.step >= 3, math.nan, 0.0)  # the step counter moves after the update
        return real_loss(fake_logits, loss) + poison

    monkeypatch.setattr(training, "generator_adversarial_loss", loss_that_turns_nan_at_step_4)
    with pytest.raises(TrainingDiverged, match="g_loss became nan at step 4") as failure:
        trainer.fit(*faces, progress=False)
    assert "ckpt-2" in str(failure.value)
    assert trainer.checkpoints.latest_checkpoint.endswith("ckpt-2")
    assert [row["step"] for row in read_history(tmp_path / "history.csv")] == [1, 2, 3]
    assert json.loads((tmp_path / "run.json").read_text())["status"] == "diverged"
    monkeypatch.undo()
    restored = GANTrainer(profile, tmp_path)
    restored.checkpoint.restore(restored.checkpoints.latest_checkpoint).assert_existing_objects_matched()
    assert int(restored.step) == 2
    assert all(np.isfinite(variable.numpy()).all() for variable in restored.generator.weights)


def test_batch_must_split_evenly_over_replicas(tmp_path):
    class TwoReplicas:
        num_replicas_in_sync = 2

    with pytest.raises(ValueError, match="divisible by the 2 replicas"):
        GANTrainer(get_profile("smoke", batch_size=7), tmp_path, strategy=TwoReplicas())


def test_classify_fakes_decides_whether_d_learns_the_labels_of_fakes(tmp_path, faces):
    """With the acgan head D's loss includes the hair and eye cross-entropy on fakes only when asked; other
    heads have no classifier, so the setting changes nothing for them."""
    images, hair_ids, eye_ids = faces
    batch = (tf.constant(images[:8], tf.float32) / 255.0, tf.constant(hair_ids[:8], tf.int32), tf.constant(eye_ids[:8], tf.int32))
    losses = {}
    for head in ("acgan", "concat"):
        for classify_fakes in (True, False):
            profile = get_profile("smoke", head=head, classify_fakes=classify_fakes)
            trainer = GANTrainer(profile, tmp_path / f"{head}_{classify_fakes}")
            losses[head, classify_fakes] = float(trainer.discriminator_update(*batch)["d_loss"])
    assert losses["acgan", True] > losses["acgan", False] + 1.0  # about ln 12 + ln 11 for an untrained D
    assert losses["concat", True] == pytest.approx(losses["concat", False], abs=1e-6)


def test_train_or_continue_trains_once_then_keeps_the_run(tmp_path, faces):
    profile = get_profile("smoke", train_steps=3, checkpoint_every=1)
    rows = training.train_or_continue(profile, tmp_path, *faces, progress=False)
    assert [row["step"] for row in rows] == [1, 2, 3]
    snapshot = {path: path.stat().st_mtime_ns for path in tmp_path.rglob("*") if path.is_file()}
    again = training.train_or_continue(profile, tmp_path, *faces, progress=False)
    assert [row["step"] for row in again] == [1, 2, 3]
    assert snapshot == {path: path.stat().st_mtime_ns for path in tmp_path.rglob("*") if path.is_file()}
    longer = training.train_or_continue(get_profile("smoke", train_steps=3, checkpoint_every=1, batch_size=4),
                                        tmp_path / "other", *faces, progress=False)
    assert len(longer) == 3
    with pytest.raises(ValueError, match=r"holds a run with other settings \(batch_size differ\)"):
        training.train_or_continue(get_profile("smoke", train_steps=3, checkpoint_every=1, batch_size=4),
                                   tmp_path, *faces, progress=False)


def test_train_or_continue_resumes_a_stopped_run_and_restarts_one_without_checkpoint(tmp_path, faces):
    profile = get_profile("smoke", train_steps=4, checkpoint_every=2)
    GANTrainer(profile, tmp_path / "stopped").fit(*faces, steps=2, progress=False)  # stopped at a checkpoint
    rows = training.train_or_continue(profile, tmp_path / "stopped", *faces, progress=False)
    assert [row["step"] for row in rows] == [1, 2, 3, 4]
    early = tmp_path / "early"
    GANTrainer(profile, early).fit(*faces, steps=1, progress=False)  # killed before any checkpoint: as if
    for checkpoint in (early / "checkpoints").iterdir():
        checkpoint.unlink()
    rows = training.train_or_continue(profile, early, *faces, progress=False)
    assert [row["step"] for row in rows] == [1, 2, 3, 4]


def test_a_run_continued_with_other_learning_rates_trains_at_the_new_ones(tmp_path, faces):
    # Restoring a checkpoint brings back the optimizers' old rates; the profile's must win (seed 000 raised
    # G's rate mid-run, and notebook 05 continues runs that way).
    profile = get_profile("smoke", learning_rate_g=1e-4, learning_rate_d=1e-4)
    GANTrainer(profile, tmp_path).fit(*faces, steps=2, progress=False)
    raised = get_profile("smoke", learning_rate_g=3e-4, learning_rate_d=2e-4)
    trainer = GANTrainer(raised, tmp_path)
    trainer.fit(*faces, steps=3, resume=True, progress=False)
    assert trainer.steps_done == 3
    assert float(trainer.generator_optimizer.learning_rate) == pytest.approx(3e-4)
    assert float(trainer.discriminator_optimizer.learning_rate) == pytest.approx(2e-4)


def test_a_damaged_newest_checkpoint_is_skipped_for_the_one_before(tmp_path, faces, capsys):
    profile = get_profile("smoke", train_steps=4, checkpoint_every=2)
    GANTrainer(profile, tmp_path).fit(*faces, progress=False)
    newest = sorted((tmp_path / "checkpoints").glob("ckpt-4.data-*"))[0]
    newest.write_bytes(newest.read_bytes()[:100])  # cut short on disk
    trainer = GANTrainer(profile, tmp_path)
    trainer.fit(*faces, steps=5, resume=True, progress=False)
    assert "checkpoint ckpt-4 cannot be read" in capsys.readouterr().err
    assert [row["step"] for row in read_history(tmp_path / "history.csv")] == [1, 2, 3, 4, 5]
    assert trainer.steps_done == 5


def test_data_too_small_for_a_batch_is_refused_before_the_folder_is_claimed(tmp_path, faces):
    images, hair_ids, eye_ids = faces
    with pytest.raises(ValueError, match=f"the data hold {len(images)} faces, fewer than one batch of 200"):
        GANTrainer(get_profile("smoke", batch_size=200), tmp_path / "run").fit(*faces, progress=False)
    assert not (tmp_path / "run" / "run.json").exists()
    GANTrainer(get_profile("smoke", train_steps=1), tmp_path / "run").fit(*faces, progress=False)  # reusable


def test_a_folder_another_training_holds_is_refused_and_left_as_it_was(tmp_path, faces):
    profile = get_profile("smoke", train_steps=2)
    GANTrainer(profile, tmp_path).fit(*faces, progress=False)
    history = (tmp_path / "history.csv").read_text()
    with RunLock(tmp_path):  # another trainer, in this process or another
        with pytest.raises(RunFolderBusy, match="in use by another training"):
            GANTrainer(profile, tmp_path).fit(*faces, steps=4, resume=True, progress=False)
    assert (tmp_path / "history.csv").read_text() == history


def test_a_run_that_failed_before_its_first_checkpoint_can_be_started_again(tmp_path, faces, monkeypatch, capsys):
    profile = get_profile("smoke", train_steps=3, checkpoint_every=2)
    real_record = GANTrainer._record_step

    def diverge_at_once(self, metrics, started):
        return real_record(self, {**metrics, "d_loss": tf.constant(float("nan"))}, started)

    monkeypatch.setattr(GANTrainer, "_record_step", diverge_at_once)
    with pytest.raises(TrainingDiverged):
        GANTrainer(profile, tmp_path).fit(*faces, progress=False)
    with pytest.raises(FileNotFoundError, match="train without --resume to start the run over"):
        GANTrainer(profile, tmp_path).fit(*faces, resume=True, progress=False)
    monkeypatch.undo()
    rows = GANTrainer(profile, tmp_path).fit(*faces, progress=False)
    assert "stopped before its first checkpoint; starting it over" in capsys.readouterr().out
    assert [row["step"] for row in rows] == [1, 2, 3]


def test_run_json_follows_the_checkpoints_while_the_run_goes(tmp_path, faces):
    profile = get_profile("smoke", train_steps=4, checkpoint_every=2)
    seen = []
    GANTrainer(profile, tmp_path).fit(*faces, progress=False,
                                      after_step=lambda row: seen.append(json.loads((tmp_path / "run.json").read_text())))
    assert [(info["status"], info["step"]) for info in seen[:3]] == [("running", 0), ("running", 2), ("running", 2)]


def test_the_moving_average_of_g_follows_its_formula_and_is_what_the_run_saves(tmp_path, faces):
    """generator_average: after each step, average = d * average + (1 - d) * G, d = min(decay, (1+t)/(10+t)),
    starting from G's first weights; generator.keras and the sample grids are the average, not G."""
    images, hair_ids, eye_ids = faces
    decay = 0.9
    trainer = GANTrainer(get_profile("smoke", head="acgan", generator_average=decay), tmp_path)
    expected = [weight.copy() for weight in trainer.generator.get_weights()]
    assert trainer.sampler is not trainer.generator

    def follow(row):
        ramp = min(decay, (1 + row["step"] - 1) / (10 + row["step"] - 1))
        for average, weight in zip(expected, trainer.generator.get_weights(), strict=True):
            average *= ramp
            average += (1 - ramp) * weight

    trainer.fit(images, hair_ids, eye_ids, steps=4, progress=False, after_step=follow)
    for average, got in zip(expected, trainer.sampler.get_weights(), strict=True):
        np.testing.assert_allclose(got, average, rtol=1e-5, atol=1e-6)
    saved = keras.models.load_model(tmp_path / "generator.keras", safe_mode=True).get_weights()
    for stored, average in zip(saved, trainer.sampler.get_weights(), strict=True):
        np.testing.assert_array_equal(stored, average)
    assert any(not np.array_equal(average, raw)
               for average, raw in zip(trainer.sampler.get_weights(), trainer.generator.get_weights()))


def whole_and_resumed(profile, folder, faces) -> tuple[GANTrainer, GANTrainer]:
    """A 4-step run, and one stopped after 2 steps and resumed to 4."""
    images, hair_ids, eye_ids = faces
    whole = GANTrainer(profile, folder / "whole")
    whole.fit(images, hair_ids, eye_ids, steps=4, progress=False)
    GANTrainer(profile, folder / "stopped").fit(images, hair_ids, eye_ids, steps=2, progress=False)
    resumed = GANTrainer(profile, folder / "stopped")
    resumed.fit(images, hair_ids, eye_ids, steps=4, resume=True, progress=False)
    return whole, resumed


def test_a_resumed_run_ends_with_the_same_moving_average(tmp_path, faces):
    whole, resumed = whole_and_resumed(get_profile("smoke", head="acgan", generator_average=0.9), tmp_path, faces)
    for expected, got in zip(whole.sampler.get_weights(), resumed.sampler.get_weights(), strict=True):
        np.testing.assert_array_equal(got, expected)


def test_without_the_average_g_itself_draws_and_is_saved(tmp_path, faces):
    images, hair_ids, eye_ids = faces
    trainer = GANTrainer(get_profile("smoke"), tmp_path)
    trainer.fit(images, hair_ids, eye_ids, steps=2, progress=False)
    assert trainer.sampler is trainer.generator


def test_a_damaged_checkpoint_list_neither_hides_the_checkpoints_nor_lets_a_start_train_over_them(tmp_path, faces):
    """TensorFlow's checkpoints/checkpoint lists the checkpoints; garbage there made a finished run look
    like one without checkpoints, and a start then trained over it."""
    images, hair_ids, eye_ids = faces
    profile = get_profile("smoke")
    GANTrainer(profile, tmp_path).fit(images, hair_ids, eye_ids, steps=4, progress=False)
    history = (tmp_path / "history.csv").read_text()
    (tmp_path / "checkpoints" / "checkpoint").write_text("not a checkpoint list {{{")
    assert training.checkpoint_paths(tmp_path)[0].endswith("ckpt-4")
    with pytest.raises(ValueError, match="already holds a run: resume it"):
        GANTrainer(profile, tmp_path).fit(images, hair_ids, eye_ids, steps=6, progress=False)
    resumed = GANTrainer(profile, tmp_path)
    resumed.fit(images, hair_ids, eye_ids, steps=6, resume=True, progress=False)
    assert resumed.steps_done == 6 and (tmp_path / "history.csv").read_text().startswith(history)


def test_a_resume_asked_for_fewer_steps_than_done_is_refused(tmp_path, faces):
    images, hair_ids, eye_ids = faces
    profile = get_profile("smoke")
    GANTrainer(profile, tmp_path).fit(images, hair_ids, eye_ids, steps=4, progress=False)
    info = json.loads((tmp_path / "run.json").read_text())
    (tmp_path / "run.json").write_text(json.dumps({**info, "status": "running"}))  # killed after its last checkpoint
    with pytest.raises(ValueError, match="has done 4 steps, more than the 2 asked for; resume with at least 4"):
        GANTrainer(profile, tmp_path).fit(images, hair_ids, eye_ids, steps=2, resume=True, progress=False)


def test_r1_adds_gamma_times_half_the_squared_slope_of_d_at_each_real_face(tmp_path, faces):
    images, hair_ids, eye_ids = faces
    gamma = 2.0
    penalised = GANTrainer(get_profile("smoke", head="acgan", r1_weight=gamma), tmp_path / "r1")
    plain = GANTrainer(get_profile("smoke", head="acgan"), tmp_path / "plain")
    plain.discriminator.set_weights(penalised.discriminator.get_weights())
    real = tf.constant(images[:8] / 127.5 - 1.0, tf.float32)
    fake = tf.random.stateless_uniform(real.shape, seed=(1, 2), minval=-1.0, maxval=1.0)
    hair, eyes = tf.constant(hair_ids[:8]), tf.constant(eye_ids[:8])
    with tf.GradientTape() as tape:
        tape.watch(real)
        logits = penalised._criticise(real, hair, eyes)["real_fake"]
    slopes = tape.gradient(logits, real).numpy()
    expected = gamma * np.mean(0.5 * np.sum(slopes**2, axis=(1, 2, 3)))
    gradients_r1, loss_r1, _, _ = penalised.discriminator_gradients(real, fake, hair, eye_ids[:8])
    gradients, loss, _, _ = plain.discriminator_gradients(real, fake, hair, eye_ids[:8])
    assert expected > 1e-6
    np.testing.assert_allclose(float(loss_r1) - float(loss), expected, rtol=1e-4)
    assert any(not np.allclose(a, b) for a, b in zip(gradients_r1, gradients))  # the penalty reaches D's weights


def test_a_resumed_run_with_r1_ends_with_the_same_weights(tmp_path, faces):
    images, hair_ids, eye_ids = faces
    whole, resumed = whole_and_resumed(get_profile("smoke", head="acgan", r1_weight=1.0), tmp_path, faces)
    for model in ("generator", "discriminator"):
        for expected, got in zip(getattr(whole, model).get_weights(), getattr(resumed, model).get_weights(), strict=True):
            np.testing.assert_array_equal(got, expected)
    unpenalised = GANTrainer(get_profile("smoke", head="acgan"), tmp_path / "unpenalised")
    unpenalised.fit(images, hair_ids, eye_ids, steps=4, progress=False)
    assert any(not np.array_equal(a, b)
               for a, b in zip(whole.discriminator.get_weights(), unpenalised.discriminator.get_weights()))
