"""acgan_lib: the library behind the ACGAN teaching notebooks.

Modules, one idea each: ``labels`` (colour vocabularies), ``profiles`` (named sizes), ``synthetic``
(the procedural anime-face renderer), ``datasets`` (the course's real dataset formats), ``data_cache``
(rendered datasets cached under data/), ``pipeline`` (tf.data), ``viz`` (grids and plots),
``notebook_setup`` (seeds and the notebook's profile), ``notebook_runner`` (papermill) and ``cli``.

TensorFlow is imported only by the modules that need it, so reading labels or rendering faces is fast.
"""

__version__ = "0.1.0"

import os

# TensorFlow's C++ start-up messages (no CUDA driver, CPU instruction sets) say nothing a student can act
# on; keep warnings and errors. A value the user set wins.
os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "2")
# oneDNN's fused CPU kernels: on this project's 2-core AMD machine they made a training step 1.5-1.7x
# faster (TensorFlow turns them on by default only on some Intel CPUs). They must be chosen before
# TensorFlow loads, hence here. Op determinism still holds with them (tests/test_training_processes.py).
os.environ.setdefault("TF_ENABLE_ONEDNN_OPTS", "1")
