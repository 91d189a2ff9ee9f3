"""Rendered datasets cached under ``data/``: an .npz of arrays (no pickle) beside a JSON manifest.

Rendering is fast, but a course runs the same notebooks many times; the cache makes the second run free
and lets a student point at the exact file a model was trained on. The manifest records what made the
file (renderer version, seed, size, count, label distribution); a cache whose manifest does not match the
request, or whose arrays cannot be read, is rendered again rather than trusted.
"""

from __future__ import annotations

import json
import os
from dataclasses import dataclass
from pathlib import Path

import numpy as np

from . import synthetic
from .paths import data_dir

DISTRIBUTIONS = ("uniform", "skewed")


@dataclass(frozen=True)
class CachedDataset:
    """A rendered dataset and where it lives. ``reused`` says whether it came from an earlier run."""

    images: np.ndarray  # uint8, (count, size, size, 3)
    hair_ids: np.ndarray  # int64, (count,)
    eye_ids: np.ndarray  # int64, (count,)
    path: Path
    manifest: dict
    reused: bool


def synthetic_dataset(
    count: int,
    size: int,
    seed: int = 0,
    distribution: str = "uniform",
    directory: Path | None = None,
) -> CachedDataset:
    """The built-in dataset of ``count`` faces at ``size`` pixels, from the cache or freshly rendered."""
    if not isinstance(count, int) or count < 1:
        raise ValueError(f"count must be a positive integer; got {count!r}")
    if distribution not in DISTRIBUTIONS:
        raise ValueError(f"unknown distribution {distribution!r}; valid: {', '.join(DISTRIBUTIONS)}")
    manifest = {
        "renderer_version": synthetic.RENDERER_VERSION,
        "seed": seed,
        "size": size,
        "count": count,
        "distribution": distribution,
    }
    directory = Path(directory) if directory is not None else data_dir()
    path = directory / f"synthetic_{size}px_{count}_seed{seed}_{distribution}.npz"
    cached = _read_cache(path, manifest)
    if cached is not None:
        return cached
    images, hair_ids, eye_ids = synthetic.render_dataset(
        count, size=size, seed=seed, distribution=distribution
    )
    _write_cache(path, manifest, images, hair_ids, eye_ids)
    return CachedDataset(images, hair_ids, eye_ids, path, manifest, reused=False)


def manifest_path(path: Path) -> Path:
    """The JSON manifest that sits beside a cached .npz."""
    return path.with_suffix(".json")


def _read_cache(path: Path, manifest: dict) -> CachedDataset | None:
    """The cached dataset if its manifest matches and its arrays load; None means render again."""
    try:
        stored = json.loads(manifest_path(path).read_text())
        if stored != manifest:
            return None
        with np.load(path, allow_pickle=False) as arrays:
            images, hair_ids, eye_ids = arrays["images"], arrays["hair_ids"], arrays["eye_ids"]
    except (OSError, ValueError, KeyError):
        return None
    if len(images) != manifest["count"]:
        return None
    return CachedDataset(images, hair_ids, eye_ids, path, stored, reused=True)


def _write_cache(path: Path, manifest: dict, images, hair_ids, eye_ids) -> None:
    """Write arrays, then the manifest, each through a temporary file of this process, so a killed run
    leaves no half-written cache that a later run would trust and two processes never share a file."""
    path.parent.mkdir(parents=True, exist_ok=True)
    partial = path.with_suffix(f".{os.getpid()}.partial.npz")
    np.savez(partial, images=images, hair_ids=hair_ids, eye_ids=eye_ids)
    os.replace(partial, path)
    partial_manifest = path.with_suffix(f".{os.getpid()}.partial.json")
    partial_manifest.write_text(json.dumps(manifest, indent=2) + "\n")
    os.replace(partial_manifest, manifest_path(path))
