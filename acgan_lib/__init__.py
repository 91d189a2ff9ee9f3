"""acgan_lib: the library behind the ACGAN teaching notebooks.

Modules, one idea each: ``labels`` (colour vocabularies), ``profiles`` (named sizes), ``synthetic``
(the procedural anime-face renderer), ``datasets`` (the course's real dataset formats), ``data_cache``
(rendered datasets cached under data/), ``pipeline`` (tf.data), ``viz`` (grids and plots),
``notebook_setup`` (seeds and the notebook's profile), ``notebook_runner`` (papermill) and ``cli``.

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
