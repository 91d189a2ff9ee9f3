"""acgan_lib: the library behind the ACGAN teaching notebooks.

Modules, one idea each: ``labels`` (colour vocabularies), ``profiles`` (named sizes), ``synthetic``
(the procedural anime-face renderer), ``datasets`` (the course's real dataset formats), ``data_cache``
(rendered datasets cached under data/), ``pipeline`` (tf.data), ``viz`` (grids and plots),
``notebook_setup`` (seeds and the notebook's profile), ``notebook_runner`` (papermill) and ``cli``.

TensorFlow is imported only by the modules that need it, so reading labels or rendering faces is fast.
"""

__version__ = "0.1.0"
