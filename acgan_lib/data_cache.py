"""Rendered datasets cached under ``data/``: an .npz of arrays (no pickle) beside a JSON manifest.

Rendering is fast, but a course runs the same notebooks many times; the cache makes the second run free
and lets a student point at the exact file a model was trained on. The manifest records what made the
file (renderer version, seed, size, count, label distribution); a cache whose manifest does not match the
request, or whose arrays cannot be read, is rendered again rather than trusted.
"""

from __future__ import annotations

import json
import os
import sys
import zipfile
import zlib
from dataclasses import dataclass
from pathlib import Path

import numpy as np

from . import synthetic
from .checks import check_choice, check_count
from .label_sampling import LABEL_DISTRIBUTIONS
from .labels import NUM_EYES, NUM_HAIR
from .paths import data_dir, remove_orphans, write_atomic, write_text_atomic


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
    check_count("count", count)
    synthetic.check_size(size)  # first: the memory check would blame the count for a size out of range
    check_choice("distribution", distribution, LABEL_DISTRIBUTIONS)
    manifest = {
        "renderer_version": synthetic.RENDERER_VERSION,
        "seed": seed,
        "size": size,
        "count": count,
        "distribution": distribution,
    }
    _check_memory(count, size)
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


def _check_memory(count: int, size: int) -> None:
    """Refuse a dataset larger than half the memory available now, before rendering starts (the
    operating system would kill the process part way, without a word)."""
    needed = count * size * size * 3
    try:
        available = os.sysconf("SC_AVPHYS_PAGES") * os.sysconf("SC_PAGE_SIZE")
    except (AttributeError, ValueError, OSError):
        return  # no way to ask on this system
    if needed > available / 2:
        raise ValueError(f"{count:,} faces of {size} px need {needed / 2**30:,.1f} GiB, more than half the "
                         f"{available / 2**30:,.1f} GiB of memory available; ask for fewer faces")


def manifest_path(path: Path) -> Path:
    """The JSON manifest that sits beside a cached .npz."""
    return path.with_suffix(".json")


def _read_cache(path: Path, manifest: dict) -> CachedDataset | None:
    """The cached dataset if its manifest matches and its arrays load whole and hold what the manifest
    says; None means render again (with a one-line notice when a file is there but cannot be used)."""
    try:
        stored = json.loads(manifest_path(path).read_text())
    except (OSError, ValueError):
        return None  # no cache yet (or a manifest cut short: its arrays are rewritten before it)
    if stored != manifest:
        return None
    try:
        with np.load(path, allow_pickle=False) as arrays:
            images, hair_ids, eye_ids = arrays["images"], arrays["hair_ids"], arrays["eye_ids"]
        _check_arrays(images, hair_ids, eye_ids, manifest)
    except (OSError, ValueError, KeyError, EOFError, zipfile.BadZipFile, zlib.error) as error:
        print(f"the data cache {path} cannot be used ({' '.join(str(error).split()) or type(error).__name__}); "
              f"rendering it again", file=sys.stderr)
        return None
    return CachedDataset(images, hair_ids, eye_ids, path, stored, reused=True)


def _check_arrays(images, hair_ids, eye_ids, manifest: dict) -> None:
    """Raise ValueError unless the arrays are ``count`` faces of ``size`` pixels with valid labels."""
    count, size = manifest["count"], manifest["size"]
    if images.dtype != np.uint8 or images.shape != (count, size, size, 3):
        raise ValueError(f"images are {images.dtype} {images.shape}, not uint8 {(count, size, size, 3)}")
    for name, ids, classes in (("hair", hair_ids, NUM_HAIR), ("eye", eye_ids, NUM_EYES)):
        if ids.shape != (count,) or not np.issubdtype(ids.dtype, np.integer):
            raise ValueError(f"{name} labels are {ids.dtype} {ids.shape}, not {count} integers")
        if count and (ids.min() < 0 or ids.max() >= classes):
            raise ValueError(f"{name} labels run {ids.min()}..{ids.max()}, outside 0..{classes - 1}")


def _write_cache(path: Path, manifest: dict, images, hair_ids, eye_ids) -> None:
    """Write arrays, then the manifest, each through a temporary file of this process, so a killed run
    leaves no half-written cache that a later run would trust and two processes never share a file.
    Temporary files that killed processes left behind are removed first."""
    path.parent.mkdir(parents=True, exist_ok=True)
    remove_orphans(path.parent, f"{path.stem}.*.partial.*")
    write_atomic(path, lambda partial: np.savez(partial, images=images, hair_ids=hair_ids, eye_ids=eye_ids))
    write_text_atomic(manifest_path(path), json.dumps(manifest, indent=2) + "\n")
