"""Which ``tf.distribute`` strategy a training runs under, by name: the CLI's ``--strategy``.

- ``default``: one device, TensorFlow's default strategy.
- ``mirrored``: one machine, each batch split over its GPUs (``MirroredStrategy``).
- ``multi-worker``: several processes or machines, each batch split over them
  (``MultiWorkerMirroredStrategy``). Every worker runs the same command; the environment variable
  ``TF_CONFIG`` describes the cluster and says which worker this is, for example
  ``{"cluster": {"worker": ["host1:12345", "host2:12345"]}, "task": {"type": "worker", "index": 0}}``.
  Worker 0 is the chief. Gradients are summed over the workers after every step, so all of them hold the
  same weights; each writes its own run folder (give each its own ``--out``), and the chief's is the one
  to keep.

TensorFlow is imported only when a strategy is made, so the CLI's help stays quick.
"""

from __future__ import annotations

import json
import os

from .checks import check_choice

STRATEGIES = ("default", "mirrored", "multi-worker")


def make_strategy(name: str):
    """The strategy called ``name`` (None for ``default``: the trainer then uses TensorFlow's default).

    Make it before TensorFlow runs anything else: a multi-worker strategy starts this worker's server.
    """
    check_choice("strategy", name, STRATEGIES)
    if name == "default":
        return None
    import tensorflow as tf

    if name == "mirrored":
        return tf.distribute.MirroredStrategy()
    check_cluster(os.environ.get("TF_CONFIG"))
    return tf.distribute.MultiWorkerMirroredStrategy()


def check_cluster(tf_config: str | None) -> dict:
    """The cluster ``TF_CONFIG`` describes, checked: a ValueError that says what is expected otherwise."""
    example = ('e.g. {"cluster": {"worker": ["host1:12345", "host2:12345"]}, '
               '"task": {"type": "worker", "index": 0}}')
    if not tf_config:
        raise ValueError(f"--strategy multi-worker needs the environment variable TF_CONFIG, {example}")
    try:
        config = json.loads(tf_config)
        workers = config["cluster"]["worker"]
        task = config["task"]
        index = task["index"]
    except (ValueError, KeyError, TypeError) as error:
        raise ValueError(f"TF_CONFIG cannot be read ({error!r}); expected JSON, {example}") from None
    if not isinstance(workers, list) or not workers or not all(isinstance(w, str) and ":" in w for w in workers):
        raise ValueError(f"TF_CONFIG's cluster.worker must list host:port addresses, {example}")
    if task.get("type") != "worker" or not isinstance(index, int) or not 0 <= index < len(workers):
        raise ValueError(f"TF_CONFIG's task must be a worker with an index from 0 to {len(workers) - 1}, {example}")
    return config
