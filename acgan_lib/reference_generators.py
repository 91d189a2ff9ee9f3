"""Stand-in generators whose scores are known in advance, to calibrate the yardsticks of ``evaluation``.

Each is an ``evaluation.ImageSource``: a function (hair_ids, eye_ids, seed) -> uint8 faces. They are
built from the renderer, so they cost no training:

- ``perfect_source``: new faces in exactly the requested colours. It should score like real faces.
- ``label_blind_source``: good faces in colours of its own choosing. Accuracy falls to chance; FID does
  not notice (the faces are real ones).
- ``collapsed_source``: one face, whatever is asked. MS-SSIM within a class is 1, FID is far off.
- ``copying_source``: returns training faces. The memorisation check finds distance 0.

A metric is only worth reading if it tells these apart, and ``tests/test_evaluation.py`` checks that
every one does; notebook 06 shows the same.
"""

from __future__ import annotations

import numpy as np

from .label_sampling import sample_labels
from .synthetic import render_faces

# Drawn faces use seed + this, so they are other faces than a real set rendered with the same seed.
NEW_FACES_SEED_OFFSET = 100
COLLAPSED_FACE_SEED = 7


def perfect_source(image_size: int):
    """Draws exactly what is asked: freshly rendered faces in the requested colours."""

    def perfect(hair_ids, eye_ids, seed: int = 0) -> np.ndarray:
        return render_faces(hair_ids, eye_ids, size=image_size, seed=seed + NEW_FACES_SEED_OFFSET)

    return perfect


def label_blind_source(image_size: int):
    """Draws good faces, but in uniformly drawn colours instead of the requested ones."""

    def ignores_labels(hair_ids, eye_ids, seed: int = 0) -> np.ndarray:
        hair, eyes = sample_labels(len(hair_ids), seed=seed + 1)
        return render_faces(hair, eyes, size=image_size, seed=seed + NEW_FACES_SEED_OFFSET)

    return ignores_labels


def collapsed_source(image_size: int):
    """Draws one face (orange hair, gray eyes) for every request: total mode collapse."""
    face = render_faces([0], [0], size=image_size, seed=COLLAPSED_FACE_SEED)

    def collapsed(hair_ids, eye_ids, seed: int = 0) -> np.ndarray:
        return np.repeat(face, len(hair_ids), axis=0)

    return collapsed


def copying_source(images: np.ndarray, hair_ids, eye_ids):
    """Returns training faces: for each request the first one with the requested colours (else face 0)."""
    hair_ids, eye_ids = np.asarray(hair_ids), np.asarray(eye_ids)

    def copier(requested_hair, requested_eyes, seed: int = 0) -> np.ndarray:
        found = [np.flatnonzero((hair_ids == hair) & (eye_ids == eye))[:1]
                 for hair, eye in zip(requested_hair, requested_eyes)]
        return images[[match[0] if len(match) else 0 for match in found]]

    return copier
