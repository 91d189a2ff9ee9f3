import json

import numpy as np
import pytest

from acgan_lib import data_cache, synthetic
from acgan_lib.cli import main


@pytest.fixture
def render_calls(monkeypatch):
    """Count how often the renderer really runs (the cache exists to avoid it)."""
    calls = []
    real_render = synthetic.render_dataset

    def counting_render(*args, **kwargs):
        calls.append((args, kwargs))
        return real_render(*args, **kwargs)

    monkeypatch.setattr(synthetic, "render_dataset", counting_render)
    return calls


def test_second_call_reuses_the_cache(tmp_path, render_calls):
    first = data_cache.synthetic_dataset(12, 32, seed=5, directory=tmp_path)
    second = data_cache.synthetic_dataset(12, 32, seed=5, directory=tmp_path)
    assert (first.reused, second.reused, len(render_calls)) == (False, True, 1)
    np.testing.assert_array_equal(first.images, second.images)
    np.testing.assert_array_equal(first.hair_ids, second.hair_ids)
    manifest = json.loads(data_cache.manifest_path(first.path).read_text())
    assert manifest == {"renderer_version": synthetic.RENDERER_VERSION, "seed": 5, "size": 32,
                        "count": 12, "distribution": "uniform"}
    assert first.images.shape == (12, 32, 32, 3) and first.images.dtype == np.uint8
    assert not list(tmp_path.glob("*.partial.*"))


def test_the_cached_arrays_are_the_renderers(tmp_path):
    cached = data_cache.synthetic_dataset(6, 32, seed=2, directory=tmp_path)
    images, hair, eyes = synthetic.render_dataset(6, size=32, seed=2)
    np.testing.assert_array_equal(cached.images, images)
    np.testing.assert_array_equal(cached.eye_ids, eyes)


def test_other_arguments_get_their_own_file(tmp_path, render_calls):
    uniform = data_cache.synthetic_dataset(12, 32, seed=5, directory=tmp_path)
    skewed = data_cache.synthetic_dataset(12, 32, seed=5, distribution="skewed", directory=tmp_path)
    other_seed = data_cache.synthetic_dataset(12, 32, seed=6, directory=tmp_path)
    assert len({uniform.path, skewed.path, other_seed.path}) == 3 and len(render_calls) == 3


def test_a_corrupt_cache_is_rendered_again_not_trusted(tmp_path, render_calls):
    first = data_cache.synthetic_dataset(12, 32, directory=tmp_path)
    first.path.write_bytes(b"not an npz file")
    again = data_cache.synthetic_dataset(12, 32, directory=tmp_path)
    assert again.reused is False and len(render_calls) == 2
    np.testing.assert_array_equal(first.images, again.images)


def test_a_cache_from_another_renderer_version_is_rendered_again(tmp_path, render_calls):
    first = data_cache.synthetic_dataset(12, 32, directory=tmp_path)
    manifest_file = data_cache.manifest_path(first.path)
    manifest = json.loads(manifest_file.read_text())
    manifest_file.write_text(json.dumps({**manifest, "renderer_version": -1}))
    assert data_cache.synthetic_dataset(12, 32, directory=tmp_path).reused is False
    assert len(render_calls) == 2


@pytest.mark.parametrize("count, distribution, message", [
    (0, "uniform", "count must be a positive integer"),
    (10, "zipf", "must be one of uniform, skewed"),
])
def test_bad_requests_say_what_is_allowed(tmp_path, count, distribution, message):
    with pytest.raises(ValueError, match=message):
        data_cache.synthetic_dataset(count, 32, distribution=distribution, directory=tmp_path)


def test_data_command_writes_then_reuses(tmp_path, capsys):
    arguments = ["data", "--count", "8", "--size", "32", "--seed", "3", "--data-dir", str(tmp_path)]
    assert main(arguments) == 0
    assert capsys.readouterr().out.startswith("wrote ")
    assert main(arguments) == 0
    assert capsys.readouterr().out.startswith("reused ")


def test_data_command_reports_a_bad_size(tmp_path, capsys):
    assert main(["data", "--count", "8", "--size", "300", "--data-dir", str(tmp_path)]) == 2
    assert "32" in capsys.readouterr().err


def _rewrite_arrays(path, **changes):
    with np.load(path) as arrays:
        stored = {name: arrays[name] for name in arrays.files}
    np.savez(path, **{**stored, **changes})


@pytest.mark.parametrize("damage", ["truncated", "empty", "flipped"])
def test_a_damaged_cache_file_is_rendered_again_with_a_notice(tmp_path, render_calls, capsys, damage):
    first = data_cache.synthetic_dataset(12, 32, directory=tmp_path)
    data = first.path.read_bytes()
    damaged = {"truncated": data[: len(data) // 2], "empty": b"",
               "flipped": data[:200] + bytes(255 - byte for byte in data[200:2000]) + data[2000:]}[damage]
    first.path.write_bytes(damaged)
    again = data_cache.synthetic_dataset(12, 32, directory=tmp_path)
    assert again.reused is False and len(render_calls) == 2
    assert "cannot be used" in capsys.readouterr().err
    np.testing.assert_array_equal(first.images, again.images)
    assert data_cache.synthetic_dataset(12, 32, directory=tmp_path).reused is True  # and it was rewritten


@pytest.mark.parametrize("changes", [
    {"hair_ids": np.zeros(5, np.int64)},  # fewer labels than faces
    {"eye_ids": np.full(12, 40, np.int64)},  # out of range
    {"images": np.zeros((12, 16, 16, 3), np.uint8)},  # another size than the manifest's
])
def test_a_cache_whose_arrays_disagree_with_its_manifest_is_not_trusted(tmp_path, render_calls, changes):
    first = data_cache.synthetic_dataset(12, 32, directory=tmp_path)
    _rewrite_arrays(first.path, **changes)
    again = data_cache.synthetic_dataset(12, 32, directory=tmp_path)
    assert again.reused is False and len(render_calls) == 2
    np.testing.assert_array_equal(first.hair_ids, again.hair_ids)


def test_temporary_files_of_dead_processes_are_removed(tmp_path):
    dead = tmp_path / "synthetic_32px_12_seed0_uniform.999999999.partial.npz"
    dead.write_bytes(b"half")
    data_cache.synthetic_dataset(12, 32, directory=tmp_path)
    assert not dead.exists()
