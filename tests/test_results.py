import json
import math

import numpy as np
import pytest

from acgan_lib.results import read_results, record_results


def test_results_are_recorded_only_in_a_headless_run_and_as_strict_json(tmp_path, monkeypatch):
    monkeypatch.delenv("ACGAN_REPORT_DIR", raising=False)
    monkeypatch.chdir(tmp_path)
    record_results("evaluation", {"hair": 0.5})
    assert not list(tmp_path.rglob("*.json"))
    monkeypatch.setenv("ACGAN_REPORT_DIR", str(tmp_path / "report"))
    record_results("evaluation", {"hair": np.float32(0.5), "fid": math.nan, "counts": np.arange(3)})
    assert read_results(tmp_path / "report") == {"evaluation": {"hair": 0.5, "fid": None, "counts": [0, 1, 2]}}
    record_results("findings", ["step 50, collapse"])
    record_results("evaluation", {"hair": 0.75})  # a section is replaced, the others kept
    stored = json.loads((tmp_path / "report" / "metrics.json").read_text())  # strict: no NaN
    assert stored == {"evaluation": {"hair": 0.75}, "findings": ["step 50, collapse"]}
    assert read_results(tmp_path / "report") == stored


def test_a_value_that_is_not_data_is_refused_and_an_unreadable_file_reads_as_empty(tmp_path, monkeypatch):
    monkeypatch.setenv("ACGAN_REPORT_DIR", str(tmp_path))
    with pytest.raises(TypeError, match="a result must be numbers, strings, lists or dicts; got object"):
        record_results("bad", {"x": object()})
    (tmp_path / "metrics.json").write_text("{not json")
    assert read_results(tmp_path) == {}
    record_results("good", 1)
    assert read_results(tmp_path) == {"good": 1}
