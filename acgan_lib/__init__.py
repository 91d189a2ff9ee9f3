"""acgan_lib: the library behind the ACGAN teaching notebooks.

Modules, one idea each, listed so that each imports only modules above it:

- foundations: ``checks`` (argument checks), ``paths`` (where files live, atomic writes), ``labels``
  (the colour vocabularies), ``label_sampling`` (label distributions), ``profiles`` (named, validated
  sizes), ``progress`` (progress bars), ``grids`` (image grids in NumPy), ``flops`` (FLOPs of a model);
- data: ``synthetic`` (the procedural face renderer), ``data_cache`` (rendered datasets cached under
  data/), ``datasets`` (the course's dataset formats), ``pipeline`` (tf.data);
- models and training: ``blocks``, ``models``, ``losses``, ``latent`` (walks in G's inputs), ``toy`` (a
  GAN on points), ``seed_style`` (seed 000's training, as a contrast), ``monitoring``, ``run_records``
  (the run folder), ``distribution`` (tf.distribute strategies), ``training``;
- judging: ``judge`` (an independent classifier), ``reference_generators`` (stand-ins with known
  scores), ``evaluation``, ``targets`` (issue 14's quality targets), ``experiments`` (judged sets of
  short trainings), ``saved_generators`` (where a generator comes from);
- the reader's side: ``notebook_setup``, ``results`` and ``report`` (what a headless run hands out),
  ``viz`` (plots), ``widgets`` (the playground), ``notebook_runner`` and ``batch`` (papermill), ``cli``.

TensorFlow is imported only by the modules that need it, so reading labels or rendering faces is fast.
"""

__version__ = "0.1.0"

import os

from ._quiet_tensorflow import quiet_tensorflow_start_up

# TensorFlow's C++ start-up lines ("Could not find cuda drivers", "failed call to cuInit", absl's notice)
# say nothing a student can act on. TensorFlow 2.21 logs them through absl before it reads
# TF_CPP_MIN_LOG_LEVEL, so the variable alone does not silence them: the first import of TensorFlow
# runs with its standard error closed (see _quiet_tensorflow). The variable still quiets later INFO lines.
os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "2")
quiet_tensorflow_start_up()
# oneDNN's fused CPU kernels: on this project's 2-core AMD machine they made a training step 1.5-1.7x
# faster (TensorFlow turns them on by default only on some Intel CPUs). They must be chosen before
# TensorFlow loads, hence here. Op determinism still holds with them (tests/test_training_processes.py).
os.environ.setdefault("TF_ENABLE_ONEDNN_OPTS", "1")
