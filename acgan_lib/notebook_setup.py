"""The one setup call every notebook makes after its parameters cell.

It picks the profile, fixes the random seeds once (Python, NumPy, TensorFlow) and prints what it chose,
so that two runs of a notebook with the same parameters draw the same faces and train the same way.

The environment variable ``ACGAN_PROFILE``, when set, overrides the notebook's ``profile_name``: the tests
set it to ``smoke`` so that the stored notebooks (which say ``quick`` for students) run in seconds.
"""

from __future__ import annotations

import os

from .profiles import Profile, get_profile

PROFILE_VARIABLE = "ACGAN_PROFILE"


def setup_notebook(profile_name: str, seed: int = 0) -> Profile:
    """Choose the profile (``ACGAN_PROFILE`` wins over ``profile_name``), seed everything, say what was chosen.

    It also quiets TensorFlow's Python warnings to errors only: a notebook that judges many generators
    calls ``predict`` on each, and TensorFlow warns about the retracing each time, which is advice for
    library authors, not for a reader.
    """
    import tensorflow as tf

    tf.get_logger().setLevel("ERROR")
    chosen = os.environ.get(PROFILE_VARIABLE) or profile_name
    profile = get_profile(chosen, seed=seed)
    set_seeds(seed)
    source = f" (from {PROFILE_VARIABLE})" if chosen != profile_name else ""
    print(f"profile: {profile.name}{source}, {profile.image_size}x{profile.image_size} px, seed {seed}")
    return profile


def set_seeds(seed: int) -> None:
    """Seed Python's, NumPy's and TensorFlow's random generators (Keras does all three in one call)."""
    import keras

    keras.utils.set_random_seed(seed)
