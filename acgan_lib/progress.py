"""Progress bars: a widget in JupyterLab, text in a terminal, and text in a headless run's notebooks.

``tqdm.auto`` draws a widget in any Jupyter kernel, and a widget's state is not kept in a notebook that
papermill saves: the executed copy shows an empty bar. So a headless run (``notebook_runner`` sets
``ACGAN_HEADLESS``) gets text bars that redraw rarely; the runner folds their carriage returns, and the
saved copy keeps each bar's final state.
"""

from __future__ import annotations

import os

HEADLESS_VARIABLE = "ACGAN_HEADLESS"
HEADLESS_REDRAW_SECONDS = 30.0


def progress_bar(*args, **kwargs):
    """A ``tqdm`` bar (same arguments) of the kind that suits where the code runs."""
    if os.environ.get(HEADLESS_VARIABLE):
        from tqdm.std import tqdm

        kwargs.setdefault("mininterval", HEADLESS_REDRAW_SECONDS)
        return tqdm(*args, **kwargs)
    from tqdm.auto import tqdm

    return tqdm(*args, **kwargs)
