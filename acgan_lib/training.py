"""The training loop: one compiled step that updates D then G, checkpoints, resuming, and the run folder.

One *step* is ``d_steps_per_g_step`` discriminator updates, each on a fresh real batch with fresh noise,
followed by one generator update through D, all inside one ``tf.function`` (data fetching included), so
Python is visited once per step. The losses are in ``losses.py``; the run folder in ``run_records.py``;
the seed's own formulation (a combined model trained with ``train_on_batch``) in ``seed_style.py``.

Distribution: the step runs under a tf.distribute strategy (the default one, or ``MirroredStrategy``
over several GPUs or CPU devices); each replica takes its share of the global batch and losses are
averaged over the global batch, so the result does not depend on the number of replicas.

Checkpoints (``tf.train.CheckpointManager``) hold both models, both optimizers, the step, the batches
taken from the data stream and the noise generator's state. The data order is a function of the seed
and the epoch (``pipeline.make_dataset``), so a resumed run sees the same batches and, with op
determinism on, ends with the same weights as a run that was never interrupted.

A NaN or infinite loss stops training with ``TrainingDiverged`` before anything is saved, so the last
good checkpoint stays intact.

With ``generator_average`` above 0 the trainer also keeps an exponential moving average of G's weights
(BigGAN, StyleGAN): after each G update, average = decay * average + (1 - decay) * weights, with the
decay ramped up as (1 + step) / (10 + step) early on so the average is not held at the random start.
The average draws the sample grids and is saved as ``generator.keras``: it smooths out the step-to-step
swings of a GAN's G, which training itself needs but samples do not. Checkpoints hold it too.
"""

from __future__ import annotations

import dataclasses
import math
import sys
import time
from collections.abc import Callable
from pathlib import Path

import keras
import numpy as np
import tensorflow as tf

from .checks import check_count
from .grids import image_grid, labelled_grid
from .labels import EYE_COLOURS, HAIR_COLOURS, NUM_EYES, NUM_HAIR, all_pairs
from .losses import (
    called_real,
    class_hits,
    classification_loss,
    discriminator_adversarial_loss,
    generator_adversarial_loss,
    mode_seeking_penalty,
    pair_halves,
    r1_penalty,
)
from .models import build_discriminator, build_generator, discriminator_inputs, generator_inputs, sample_noise
from .monitoring import diagnose
from .paths import write_atomic
from .pipeline import batches_per_epoch, check_inputs, make_dataset, unscale_images
from .profiles import Profile, profile_from_dict
from .progress import progress_bar
from .run_records import RunLock, RunRecords, read_findings, read_history, read_run_info, write_run_info

MONITOR_EVERY = 25  # steps between looks by the monitor

# With oneDNN on (see acgan_lib/__init__.py), Grappler's remapper tries to fuse LeakyReLU's gradient in D,
# fails, logs an error a student cannot act on, and carries on unfused. Without the remapper a step is
# as fast (0.179 against 0.180 s in one measurement) and the log stays clean.
tf.config.optimizer.set_experimental_options({"remapping": False})


class TrainingDiverged(RuntimeError):
    """A loss became NaN or infinite; the message names the step and the last good checkpoint."""


class GANTrainer:
    """Trains a generator and a discriminator built from ``profile`` and records the run in ``run_dir``.

    ``trainer.fit(images, hair_ids, eye_ids)`` trains for ``profile.train_steps`` steps (or ``steps``);
    ``fit(..., resume=True)`` continues a run from its latest checkpoint.
    """

    def __init__(self, profile: Profile, run_dir: Path | str, strategy: tf.distribute.Strategy | None = None,
                 data_source: dict | None = None):
        self.profile = profile
        self.run_dir = Path(run_dir)
        self.data_source = data_source or {"synthetic": None}  # recorded in run.json for --resume
        self.strategy = strategy or tf.distribute.get_strategy()
        self.global_batch = profile.batch_size
        if self.global_batch % self.strategy.num_replicas_in_sync:
            raise ValueError(
                f"batch_size {self.global_batch} must be divisible by the {self.strategy.num_replicas_in_sync} "
                f"replicas of the distribution strategy"
            )
        keras.utils.set_random_seed(profile.seed)  # the same profile starts from the same weights
        with self.strategy.scope():
            self.generator = build_generator(profile)
            self.discriminator = build_discriminator(profile)
            self.generator_optimizer = _adam(profile.learning_rate_g, self.generator, profile, updates_per_step=1)
            self.discriminator_optimizer = _adam(profile.learning_rate_d, self.discriminator, profile,
                                                 updates_per_step=profile.d_steps_per_g_step)
            self.step = tf.Variable(0, dtype=tf.int64, trainable=False, name="step")
            self.batches_taken = tf.Variable(0, dtype=tf.int64, trainable=False, name="batches_taken")
            self.noise_source = tf.random.Generator.from_seed(profile.seed)
            # The moving average of G's weights (module docstring), or G itself when it is off.
            self.sampler = self.generator
            if profile.generator_average:
                self.sampler = build_generator(profile)
                self.sampler.set_weights(self.generator.get_weights())
        averaged = {"generator_average": self.sampler} if profile.generator_average else {}
        self.checkpoint = tf.train.Checkpoint(
            generator=self.generator,
            discriminator=self.discriminator,
            generator_optimizer=self.generator_optimizer,
            discriminator_optimizer=self.discriminator_optimizer,
            step=self.step,
            batches_taken=self.batches_taken,
            noise_source=self.noise_source,
            **averaged,
        )
        self.checkpoints = tf.train.CheckpointManager(self.checkpoint, self.run_dir / "checkpoints", max_to_keep=3)
        self.sample_inputs = _sample_sweep(profile)  # G's inputs for the sample grids, fixed for the run
        self.findings: list[dict] = []

    @property
    def steps_done(self) -> int:
        """Generator updates so far (read through .numpy(), which mirrored variables support too)."""
        return int(self.step.numpy())

    # ----- the compiled step -------------------------------------------------------------------------

    def _noise(self, count):
        shape = tf.stack([count, self.profile.noise_dim])
        if self.profile.noise_distribution == "gaussian":
            return self.noise_source.normal(shape)
        return self.noise_source.uniform(shape, minval=-1.0, maxval=1.0)

    def _criticise(self, images, hair_ids, eye_ids) -> dict:
        """D's logits for images claimed to show (hair, eye)."""
        inputs = discriminator_inputs(
            self.discriminator, images, tf.one_hot(hair_ids, NUM_HAIR), tf.one_hot(eye_ids, NUM_EYES)
        )
        return self.discriminator(inputs, training=True)

    def _batch_mean(self, per_example):
        """Mean over the global batch (each replica contributes its sum / global batch)."""
        return tf.nn.compute_average_loss(per_example, global_batch_size=self.global_batch)

    def discriminator_gradients(self, real_images, fake_images, hair_ids, eye_ids):
        """The gradient of D's loss with respect to D's weights, for a real batch and fakes claimed to show
        the same labels, and what it came from (the loss, D's outputs on the reals and on the fakes)."""
        with tf.GradientTape() as tape:
            with tf.GradientTape(watch_accessed_variables=False) as slope_tape:  # for R1, when it is on
                slope_tape.watch(real_images)
                real = self._criticise(real_images, hair_ids, eye_ids)
            fake = self._criticise(fake_images, hair_ids, eye_ids)
            per_example = discriminator_adversarial_loss(
                real["real_fake"], fake["real_fake"], self.profile.loss, self.profile.label_smoothing
            )
            classification = classification_loss(real, hair_ids, eye_ids)
            if self.profile.classify_fakes:
                classification += classification_loss(fake, hair_ids, eye_ids)
            per_example += self.profile.aux_weight * classification
            if self.profile.r1_weight:
                # The gradient of the batch's summed logits: each face's own slope (with the minibatch
                # spread on, plus the small share its batch mates' logits take from it).
                slopes = slope_tape.gradient(real["real_fake"], real_images)
                per_example += self.profile.r1_weight * r1_penalty(slopes)
            loss = self._batch_mean(per_example)
        return tape.gradient(loss, self.discriminator.trainable_variables), loss, real, fake

    def discriminator_update(self, real_images, hair_ids, eye_ids):
        """One D update on a real batch and fakes drawn for the same labels; returns D's metrics."""
        noise = self._noise(tf.shape(hair_ids)[0])
        fake_images = self.generator(generator_inputs(noise, hair_ids, eye_ids), training=True)
        gradients, loss, real, fake = self.discriminator_gradients(real_images, fake_images, hair_ids, eye_ids)
        self.discriminator_optimizer.apply_gradients(zip(gradients, self.discriminator.trainable_variables))
        real_called_real, fake_called_real = called_real(real["real_fake"]), called_real(fake["real_fake"])
        metrics = {
            "d_loss": loss,
            "d_real_accuracy": self._batch_mean(real_called_real),
            "d_fake_accuracy": self._batch_mean(1.0 - fake_called_real),
            "d_grad_norm": tf.linalg.global_norm(gradients) / self.strategy.num_replicas_in_sync,
            "real_spread": _spread(real_images) / self.strategy.num_replicas_in_sync,
            "fake_spread": _spread(fake_images) / self.strategy.num_replicas_in_sync,
        }
        metrics.update(self._class_accuracies(real, hair_ids, eye_ids, "real"))
        return metrics

    def generator_loss(self, noise, hair_ids, eye_ids):
        """G's loss on one batch of noise and labels, and D's outputs on the fakes."""
        fake_images = self.generator(generator_inputs(noise, hair_ids, eye_ids), training=True)
        fake = self._criticise(fake_images, hair_ids, eye_ids)
        per_example = generator_adversarial_loss(fake["real_fake"], self.profile.loss)
        per_example += self.profile.aux_weight * classification_loss(fake, hair_ids, eye_ids)
        loss = self._batch_mean(per_example)
        if self.profile.mode_seeking_weight:
            penalty = mode_seeking_penalty(fake_images, noise) / self.strategy.num_replicas_in_sync
            loss += self.profile.mode_seeking_weight * penalty
        return loss, fake

    def generator_gradients(self, noise, hair_ids, eye_ids):
        """The gradient of G's loss with respect to G's weights (D is held fixed), and what it came from."""
        with tf.GradientTape() as tape:
            loss, fake = self.generator_loss(noise, hair_ids, eye_ids)
        return tape.gradient(loss, self.generator.trainable_variables), loss, fake

    def generator_update(self, hair_ids, eye_ids):
        """One G update through D, for fresh noise and the labels of the last real batch (whose halves are
        made to share labels when the mode-seeking penalty is on)."""
        noise = self._noise(tf.shape(hair_ids)[0])
        if self.profile.mode_seeking_weight:
            hair_ids, eye_ids = pair_halves(hair_ids), pair_halves(eye_ids)
        gradients, loss, fake = self.generator_gradients(noise, hair_ids, eye_ids)
        self.generator_optimizer.apply_gradients(zip(gradients, self.generator.trainable_variables))
        metrics = {
            "g_loss": loss,
            "g_accuracy": self._batch_mean(called_real(fake["real_fake"])),
            "g_grad_norm": tf.linalg.global_norm(gradients) / self.strategy.num_replicas_in_sync,
        }
        metrics.update(self._class_accuracies(fake, hair_ids, eye_ids, "fake"))
        return metrics

    def _class_accuracies(self, outputs: dict, hair_ids, eye_ids, source: str) -> dict:
        """Hair and eye accuracy of an ACGAN head (NaN for heads without classifiers)."""
        if "hair" not in outputs:
            not_measured = tf.constant(math.nan)
            return {f"hair_accuracy_{source}": not_measured, f"eye_accuracy_{source}": not_measured}
        return {
            f"hair_accuracy_{source}": self._batch_mean(class_hits(outputs["hair"], hair_ids)),
            f"eye_accuracy_{source}": self._batch_mean(class_hits(outputs["eyes"], eye_ids)),
        }

    @tf.function(autograph=False)
    def train_step(self, batches):
        """D updates on the next real batches, then one G update; returns the step's metrics.

        Traced without autograph: the step has no data-dependent Python control flow, and Keras's
        optimizer code is written for plain graph mode (Keras traces its own train step the same way).
        """
        for _ in range(self.profile.d_steps_per_g_step):
            real_images, hair_ids, eye_ids = next(batches)
            d_metrics = self.strategy.run(self.discriminator_update, args=(real_images, hair_ids, eye_ids))
        g_metrics = self.strategy.run(self.generator_update, args=(hair_ids, eye_ids))
        if self.profile.generator_average:
            self._update_average()
        self.step.assign_add(1)
        self.batches_taken.assign_add(self.profile.d_steps_per_g_step)
        metrics = {**d_metrics, **g_metrics}
        return {name: self.strategy.reduce(tf.distribute.ReduceOp.SUM, value, axis=None) for name, value in metrics.items()}

    def _update_average(self) -> None:
        """Move the average towards G's new weights (batch-norm statistics included)."""
        done = tf.cast(self.step, tf.float32)
        decay = tf.minimum(self.profile.generator_average, (1.0 + done) / (10.0 + done))
        for average, weight in zip(self.sampler.weights, self.generator.weights):
            average.assign(decay * average + (1.0 - decay) * weight)

    # ----- the loop ------------------------------------------------------------------------------------

    def fit(self, images: np.ndarray, hair_ids, eye_ids, steps: int | None = None, resume: bool = False,
            progress: bool = True, after_step: Callable[[dict], None] | None = None) -> list[dict]:
        """Train until ``steps`` steps are done; return the history rows. See the module docstring.

        ``after_step(row)``, if given, is called after every step with its history row, once the step's
        samples and checkpoint are written: for a live plot, or to judge the generator as it trains.
        """
        steps = self.profile.train_steps if steps is None else steps
        check_count("steps", steps)
        check_inputs(images, hair_ids, eye_ids, self.global_batch)  # before the folder is claimed
        with RunLock(self.run_dir):
            return self._fit(images, hair_ids, eye_ids, steps, resume, progress, after_step)

    def _fit(self, images, hair_ids, eye_ids, steps: int, resume: bool, progress: bool, after_step) -> list[dict]:
        if self._start(resume, steps):
            print(f"{self.run_dir} already finished {self.steps_done} steps; nothing changed")
            return read_history(self.run_dir / "history.csv")
        records = RunRecords(self.run_dir, keep_until_step=self.steps_done)
        data = make_dataset(
            images, hair_ids, eye_ids, self.global_batch, self.profile.pixel_range, seed=self.profile.seed,
            epochs=None, start_batch=int(self.batches_taken.numpy()),
        )
        batches = iter(self.strategy.experimental_distribute_dataset(data))
        sample_every = batches_per_epoch(len(images), self.global_batch) // self.profile.d_steps_per_g_step
        started = time.perf_counter()
        bar = progress_bar(total=steps, initial=self.steps_done, desc="training", disable=not progress)
        try:
            while self.steps_done < steps:
                row = self._record_step(self.train_step(batches), started)
                records.append(row)
                bar.update(1)
                bar.set_postfix(d_loss=row["d_loss"], g_loss=row["g_loss"], d_acc=row["d_accuracy"],
                                g_acc=row["g_accuracy"], refresh=False)
                self._after_step(row["step"], steps, max(1, sample_every), records, bar)
                if after_step is not None:
                    after_step(row)
        finally:
            bar.close()
            records.write_json(self.findings)
            records.close()
        self._finish(records, steps)
        return records.rows

    def _start(self, resume: bool, steps: int) -> bool:
        """Restore the latest checkpoint when resuming, or claim a fresh run folder.

        Returns True when the run had already finished ``steps`` steps: then nothing is written at all.
        """
        info = read_run_info(self.run_dir)
        if resume:
            self._restore_newest_readable_checkpoint()
            self._use_profile_learning_rates()
            if info is not None and info["status"] == "finished" and self.steps_done >= steps:
                return True
            if self.steps_done > steps:
                raise ValueError(f"{self.run_dir} has done {self.steps_done} steps, more than the {steps} asked "
                                 f"for; resume with at least {self.steps_done} steps")
            self.findings = [finding for finding in read_findings(self.run_dir) if finding["step"] <= self.steps_done]
            print(f"resuming {self.run_dir} at step {self.steps_done} of {steps}")
        elif checkpoint_paths(self.run_dir):
            raise ValueError(
                f"{self.run_dir} already holds a run: resume it (resume=True, --resume) or choose another folder"
            )
        elif info is not None:  # no other process trains here (the lock): a start that failed early
            print(f"{self.run_dir} holds a run that stopped before its first checkpoint; starting it over")
        self._write_status("running", steps)
        return False

    def _restore_newest_readable_checkpoint(self) -> None:
        """Restore the newest checkpoint that reads whole, saying which ones it skipped (a file cut short
        or damaged on disk); an error when none does."""
        checkpoints = checkpoint_paths(self.run_dir)
        if not checkpoints:
            raise FileNotFoundError(f"nothing to resume: {self.run_dir / 'checkpoints'} holds no checkpoint; "
                                    f"train without --resume to start the run over")
        for path in checkpoints:
            try:
                self.checkpoint.restore(path).assert_existing_objects_matched()
                return
            except Exception as error:  # noqa: BLE001 -- TensorFlow reports a damaged file in many ways
                reason = " ".join(str(error).split())[:200] or type(error).__name__
                print(f"checkpoint {Path(path).name} cannot be read ({reason}); trying an older one", file=sys.stderr)
        raise ValueError(f"no checkpoint in {self.run_dir / 'checkpoints'} can be read ({reason}); the run "
                         f"cannot be resumed")

    def _use_profile_learning_rates(self) -> None:
        """Set constant learning rates from the profile: a checkpoint holds each optimizer's rate and
        restoring brings back the old one, but a run continued with other rates (seed 000 raised G's at
        epoch 1,000; ``experiments`` does the same) must train at the new ones. A schedule is not stored."""
        if self.profile.learning_rate_schedule == "constant":
            self.generator_optimizer.learning_rate = self.profile.learning_rate_g
            self.discriminator_optimizer.learning_rate = self.profile.learning_rate_d

    def _write_status(self, status: str, steps: int) -> None:
        write_run_info(self.run_dir, {"status": status, "step": self.steps_done, "steps": steps,
                                      "profile": dataclasses.asdict(self.profile), "data": self.data_source})

    def _record_step(self, metrics: dict, started: float) -> dict:
        """The step's metrics as a history row; a NaN or infinite loss raises TrainingDiverged."""
        row = {name: float(value) for name, value in metrics.items()}
        row["step"] = self.steps_done
        row["d_accuracy"] = (row["d_real_accuracy"] + row["d_fake_accuracy"]) / 2
        row["seconds"] = time.perf_counter() - started
        for name in ("d_loss", "g_loss"):
            if not math.isfinite(row[name]):
                last_good = next(iter(checkpoint_paths(self.run_dir)), "none (no checkpoint was written yet)")
                self._write_status("diverged", row["step"])
                raise TrainingDiverged(
                    f"{name} became {row[name]} at step {row['step']}; training stopped and nothing was saved "
                    f"after it. The last good checkpoint: {last_good}. Try a lower learning rate, "
                    f"label smoothing or the hinge loss."
                )
        return row

    def _after_step(self, step: int, steps: int, sample_every: int, records: RunRecords, bar) -> None:
        """Sample grids each epoch, checkpoints every ``checkpoint_every`` steps, the monitor's look."""
        if step % sample_every == 0 or step == steps:
            records.save_samples(step, self.sample_grid())
        if step % self.profile.checkpoint_every == 0 or step == steps:
            self.checkpoints.save(checkpoint_number=step)
            self._write_status("running", steps)  # run.json's step: what a resume would start from
        if step % MONITOR_EVERY == 0:
            for finding in diagnose(records.rows):
                if finding.name not in {seen["name"] for seen in self.findings}:
                    self.findings.append(finding.as_dict())
                    bar.write(f"monitor, step {step}: {finding.message}")

    def _finish(self, records: RunRecords, steps: int) -> None:
        write_atomic(self.run_dir / "generator.keras", self.sampler.save)
        write_atomic(self.run_dir / "discriminator.keras", self.discriminator.save)
        records.make_gif()
        self._write_status("finished", steps)

    def sample_grid(self) -> np.ndarray:
        """A uint8 grid from the fixed noise: one row per hair colour, one column per eye colour, labelled."""
        images = self.sampler(self.sample_inputs, training=False)
        grid = image_grid(unscale_images(images, self.profile.pixel_range), columns=NUM_EYES)
        return labelled_grid(grid, [f"{name} hair" for name in HAIR_COLOURS], [f"{name} eyes" for name in EYE_COLOURS])


def train_or_continue(profile: Profile, run_dir: Path | str, images: np.ndarray, hair_ids, eye_ids,
                      progress: bool = True) -> list[dict]:
    """Train ``profile`` for its ``train_steps`` in ``run_dir`` and return the history rows: a new run in a
    folder without one, else the run already there, continued from its last checkpoint (a finished run
    comes back at once, unchanged). A folder that holds a run with other settings is refused, so a
    changed profile never resumes weights it cannot hold.

    This is how a notebook trains into a fixed folder: run it twice, or after an interruption, and the
    work already done is kept. (A run stopped before its first checkpoint kept nothing: it starts again.)
    """
    run_dir = Path(run_dir)
    info = read_run_info(run_dir)
    if info is not None and not checkpoint_paths(run_dir):
        info = None  # it stopped before its first checkpoint, keeping nothing: the trainer starts it over
    if info is not None:
        stored = profile_from_dict(info["profile"])
        if stored != profile:
            changed = sorted(field.name for field in dataclasses.fields(Profile)
                             if getattr(stored, field.name) != getattr(profile, field.name))
            raise ValueError(f"{run_dir} holds a run with other settings ({', '.join(changed)} differ); "
                             f"delete the folder to train these settings there, or choose another folder")
    return GANTrainer(profile, run_dir).fit(images, hair_ids, eye_ids, resume=info is not None, progress=progress)


def checkpoint_paths(run_dir: Path | str) -> list[str]:
    """A run folder's checkpoints, newest first, found by their files (``ckpt-<step>.index``) rather than
    through TensorFlow's ``checkpoints/checkpoint`` list alone: a damaged list must not make a run with
    checkpoints look like one without, which a start would then train over."""
    folder = Path(run_dir) / "checkpoints"
    steps = sorted((int(path.stem[5:]) for path in folder.glob("ckpt-*.index") if path.stem[5:].isdecimal()),
                   reverse=True) if folder.is_dir() else []
    return [str(folder / f"ckpt-{step}") for step in steps]


def _adam(learning_rate: float, model: keras.Model, profile: Profile, updates_per_step: int) -> keras.optimizers.Optimizer:
    """Adam for ``model``, with its moment slots made now rather than inside the first traced step.

    With the ``cosine`` schedule the learning rate falls from ``learning_rate`` to 0 over the profile's
    ``train_steps`` (``updates_per_step`` optimizer updates each); the schedule counts the optimizer's own
    updates, which checkpoints keep, so a resumed run continues on the same curve.
    """
    if profile.learning_rate_schedule == "cosine":
        learning_rate = keras.optimizers.schedules.CosineDecay(learning_rate, profile.train_steps * updates_per_step)
    optimizer = keras.optimizers.Adam(learning_rate, beta_1=profile.adam_beta_1, beta_2=profile.adam_beta_2)
    optimizer.build(model.trainable_variables)
    return optimizer


def _spread(images):
    """How much a batch varies: the pixel standard deviation across the batch, averaged over pixels."""
    return tf.reduce_mean(tf.math.reduce_std(images, axis=0))


def _sample_sweep(profile: Profile) -> dict:
    """G's inputs for the sample grids, from fixed noise: every (hair, eye) pair, hair by rows."""
    hair_ids, eye_ids = all_pairs()
    noise = sample_noise(len(hair_ids), profile.noise_dim, profile.noise_distribution, rng=profile.seed)
    return generator_inputs(noise, hair_ids, eye_ids)
