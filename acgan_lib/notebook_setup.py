"""The one setup call every notebook makes after its parameters cell.

It picks the profile, fixes the random seeds once (Python, NumPy, TensorFlow) and prints what it chose,
so that two runs of a notebook with the same parameters draw the same faces and train the same way.

The environment variable ``ACGAN_PROFILE``, when set, overrides the notebook's ``profile_name``: the tests
set it to ``smoke`` so that the stored notebooks (which say ``quick`` for students) run in seconds.

Run by papermill, a notebook also checks the parameters it was given (``check_injected_parameters``):
papermill adds a cell after the parameters cell for ``-p name value``, even for a name the notebook does
not have, which would otherwise be ignored without a word.
"""

from __future__ import annotations

import ast
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
    check_injected_parameters()
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


INJECTED_HEADER = "# Parameters"  # the first line of the cell papermill injects


def check_injected_parameters(history: list[str] | None = None) -> None:
    """Raise ValueError if papermill injected a parameter the notebook's parameters cell does not define, or
    one whose type differs from the default's (an int is accepted for a float; a default of None takes
    anything). ``history``: the cells run so far (IPython's ``In``); outside a kernel there is nothing to check.
    """
    if history is None:
        try:
            from IPython import get_ipython
        except ImportError:
            return
        shell = get_ipython()
        history = list(shell.user_ns.get("In", [])) if shell is not None else []
    injected_at = [index for index, cell in enumerate(history) if cell.startswith(INJECTED_HEADER)]
    if not injected_at or injected_at[-1] == 0:
        return
    defaults = assigned_literals(history[injected_at[-1] - 1])
    for name, value in assigned_literals(history[injected_at[-1]]).items():
        check_parameter(name, value, defaults)


def check_parameter(name: str, value, defaults: dict) -> None:
    """Raise ValueError unless ``name`` is one of ``defaults`` (a parameters cell's names and values) and
    ``value`` has its default's type (an int will do for a float; a default of None takes anything)."""
    allowed = ", ".join(f"{known} ({type(default).__name__})" for known, default in defaults.items())
    if name not in defaults:
        raise ValueError(f"unknown notebook parameter {name!r}; this notebook's parameters: {allowed}")
    default = defaults[name]
    if default is not None and not (type(value) is type(default) or (type(default) is float and type(value) is int)):
        raise ValueError(f"parameter {name!r} must be of type {type(default).__name__}, like its default "
                         f"{default!r}; got {value!r}. This notebook's parameters: {allowed}")


def assigned_literals(source: str) -> dict:
    """The ``name = literal`` assignments of a cell's source (others are skipped), in order."""
    values = {}
    for statement in ast.parse(source).body:
        if isinstance(statement, ast.Assign) and len(statement.targets) == 1 and isinstance(statement.targets[0], ast.Name):
            try:
                values[statement.targets[0].id] = ast.literal_eval(statement.value)
            except ValueError:
                continue
    return values
