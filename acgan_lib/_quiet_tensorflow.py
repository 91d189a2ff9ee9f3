"""Silence TensorFlow's C++ start-up lines where they are written: file descriptor 2, while it first loads.

The lines come from C++ during ``import tensorflow`` and the first device query, before any Python
setting applies, and go straight to the process's standard error (which a Jupyter kernel copies into the
notebook). A finder on ``sys.meta_path`` wraps the first import of ``tensorflow``: while that import and a
device query run, descriptor 2 points at /dev/null; a Python exception in them still propagates as usual.
If TensorFlow is already imported (a notebook that imports it first), nothing is changed.
"""

from __future__ import annotations

import contextlib
import importlib.abc
import importlib.machinery
import os
import sys


@contextlib.contextmanager
def _standard_error_closed():
    sys.stderr.flush()
    saved = os.dup(2)
    try:
        with open(os.devnull, "w") as devnull:
            os.dup2(devnull.fileno(), 2)
        yield
    finally:
        os.dup2(saved, 2)
        os.close(saved)


class _QuietLoader(importlib.abc.Loader):
    def __init__(self, loader):
        self.loader = loader

    def create_module(self, spec):
        return self.loader.create_module(spec)

    def exec_module(self, module):
        with _standard_error_closed():
            self.loader.exec_module(module)
            module.config.list_physical_devices()  # the device query that logs the CUDA lines


class _QuietTensorFlowFinder(importlib.abc.MetaPathFinder):
    def find_spec(self, name, path, target=None):
        if name != "tensorflow":
            return None
        sys.meta_path.remove(self)  # once only
        spec = importlib.machinery.PathFinder.find_spec(name, path)
        if spec is not None and spec.loader is not None:
            spec.loader = _QuietLoader(spec.loader)
        return spec


def quiet_tensorflow_start_up() -> None:
    """Arrange for TensorFlow's first import to run with descriptor 2 closed (unless it already ran)."""
    if "tensorflow" not in sys.modules and not any(isinstance(finder, _QuietTensorFlowFinder)
                                                   for finder in sys.meta_path):
        sys.meta_path.insert(0, _QuietTensorFlowFinder())
