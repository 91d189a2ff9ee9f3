"""The strategy names and the check of ``TF_CONFIG`` for multi-worker training (the training itself is
in test_training_processes.py: it needs processes of its own)."""

import json

import pytest

from acgan_lib.cli import main
from acgan_lib.distribution import check_cluster, make_strategy

EXAMPLE = {"cluster": {"worker": ["127.0.0.1:2000", "127.0.0.1:2001"]}, "task": {"type": "worker", "index": 1}}


def test_a_cluster_of_two_workers_is_accepted():
    assert check_cluster(json.dumps(EXAMPLE)) == EXAMPLE


@pytest.mark.parametrize("tf_config, message", [
    (None, "needs the environment variable TF_CONFIG"),
    ("", "needs the environment variable TF_CONFIG"),
    ("{not json", "TF_CONFIG cannot be read"),
    (json.dumps({"cluster": {}}), "TF_CONFIG cannot be read"),
    (json.dumps({**EXAMPLE, "cluster": {"worker": []}}), "must list host:port addresses"),
    (json.dumps({**EXAMPLE, "cluster": {"worker": ["localhost"]}}), "must list host:port addresses"),
    (json.dumps({**EXAMPLE, "task": {"type": "worker", "index": 2}}), "an index from 0 to 1"),
    (json.dumps({**EXAMPLE, "task": {"type": "ps", "index": 0}}), "must be a worker"),
])
def test_a_bad_tf_config_says_what_is_expected(tf_config, message):
    with pytest.raises(ValueError, match=message) as raised:
        check_cluster(tf_config)
    assert '"task": {"type": "worker", "index": 0}' in str(raised.value) or "index from" in str(raised.value)


def test_an_unknown_strategy_lists_the_known_ones():
    with pytest.raises(ValueError, match="strategy must be one of default, mirrored, multi-worker"):
        make_strategy("parameter-server")


def test_train_on_several_workers_without_tf_config_is_one_line(tmp_path, capsys, monkeypatch):
    monkeypatch.delenv("TF_CONFIG", raising=False)
    assert main(["train", "--profile", "smoke", "--strategy", "multi-worker", "--out", str(tmp_path / "run")]) == 2
    error = capsys.readouterr().err.strip()
    assert len(error.splitlines()) == 1 and "needs the environment variable TF_CONFIG" in error
    assert not (tmp_path / "run").exists()
