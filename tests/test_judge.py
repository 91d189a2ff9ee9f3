"""The judge: seed 003's classifier with two logit heads, its training split, and its cache under data/.

Cache tests replace training with a stand-in that returns an untrained judge: they check what is cached
and when it is trusted, not how well the judge reads. One test trains a small judge for real.
"""

import json
import subprocess
import sys

import keras
import numpy as np
import pytest

from acgan_lib import judge as judge_module
from acgan_lib.data_cache import synthetic_dataset
from acgan_lib.judge import (
    DENSE_UNITS,
    JUDGE_DATA_SEED,
    CachedJudge,
    JudgeSettings,
    TrainedJudge,
    build_judge,
    describe_judge,
    judge_features,
    load_or_train_judge,
    predict_labels,
    train_judge,
)
from acgan_lib.labels import NUM_EYES, NUM_HAIR
from acgan_lib.synthetic import render_dataset

SIZE = 32
TINY = JudgeSettings(dataset_size=40, epochs=1, batch_size=16)

# Parameters at 32 px (3x3 convs with 'same' padding; two 2x2 pools take 32 -> 16 -> 8 px):
#   conv1: 3*3*3*32 + 32 = 896
#   conv2: 3*3*32*64 + 64 = 18,496 (seed 003's conv2d_1 has the same count)
#   features: Dense(680) on 8*8*64 = 4096 inputs: 4096*680 + 680 = 2,785,960
#   hair: 680*12 + 12 = 8,172;  eyes: 680*11 + 11 = 7,491
#   total 896 + 18,496 + 2,785,960 + 8,172 + 7,491 = 2,821,015
JUDGE_32_LAYERS = {"conv1": 896, "conv2": 18_496, "features": 2_785_960, "hair": 8_172, "eyes": 7_491}
JUDGE_32_PARAMETERS = 2_821_015


@pytest.fixture(scope="module")
def judge():
    return build_judge(SIZE)


@pytest.fixture(scope="module")
def faces():
    images, _, _ = render_dataset(6, size=SIZE, seed=1)
    return images


def test_the_judge_is_seed_003s_classifier_with_two_logit_heads(judge, faces):
    counts = {layer.name: layer.count_params() for layer in judge.layers if layer.count_params()}
    assert counts == JUDGE_32_LAYERS and judge.count_params() == JUDGE_32_PARAMETERS
    logits = judge.predict(faces, verbose=0)
    assert logits["hair"].shape == (6, NUM_HAIR) and logits["eyes"].shape == (6, NUM_EYES)
    # Logits, not probabilities: no softmax inside, so rows need not sum to 1 or stay in [0, 1].
    assert judge.get_layer("hair").activation.__name__ == "linear"
    assert judge.get_layer("eyes").activation.__name__ == "linear"


def test_the_description_reads_the_layers_input_and_training_off_the_judge(judge, tmp_path):
    settings = JudgeSettings(dataset_size=1000)
    manifest = {"settings": {**vars(settings)}, "dataset": {"seed": JUDGE_DATA_SEED}, "epochs_run": 4,
                "held_out": {"hair_accuracy": 1.0, "eye_accuracy": 0.98765}}
    described = describe_judge(CachedJudge(judge, tmp_path / "judge.keras", manifest, reused=True))
    assert described == {
        "layers": "conv32 - pool - conv64 - pool - dropout - flatten - dense680 - dropout - hair 12 + eyes 11",
        "input": "32x32x3 (RGB, uint8, rescaled inside)",
        "outputs": "hair: 12 logits, eyes: 11 logits (a softmax each)",
        "parameters": f"{JUDGE_32_PARAMETERS:,}",
        "trained on": f"800 rendered faces (seed {JUDGE_DATA_SEED}), 4 epochs; 100 more for early stopping",
        "held-out accuracy": "hair 1.0000, eyes 0.9877 (100 faces)",
    }


def test_the_judge_scales_uint8_pixels_itself(judge):
    rescaled = keras.Model(judge.input, judge.get_layer("rescale").output)
    white = np.full((1, SIZE, SIZE, 3), 255, dtype=np.uint8)
    np.testing.assert_allclose(rescaled.predict(white, verbose=0), 1.0)


@pytest.mark.parametrize("images", [
    np.zeros((2, SIZE, SIZE, 3), dtype=np.float32),  # pixels already scaled to [0, 1]: refused
    np.zeros((2, SIZE, SIZE), dtype=np.uint8),  # no colour channels
])
def test_the_judge_refuses_anything_but_uint8_faces(judge, images):
    with pytest.raises(ValueError, match="uint8"):
        predict_labels(judge, images)
    with pytest.raises(ValueError, match="uint8"):
        judge_features(judge, images)


def test_the_features_are_what_the_heads_read(judge, faces):
    features = judge_features(judge, faces)
    assert features.shape == (6, DENSE_UNITS) and features.min() >= 0  # ReLU activations
    logits = judge.predict(faces, verbose=0)
    for head in ("hair", "eyes"):
        weights, bias = judge.get_layer(head).get_weights()
        np.testing.assert_allclose(features @ weights + bias, logits[head], rtol=1e-4, atol=1e-4)


def test_predicted_labels_are_the_largest_logits(judge, faces):
    hair, eyes = predict_labels(judge, faces)
    logits = judge.predict(faces, verbose=0)
    np.testing.assert_array_equal(hair, logits["hair"].argmax(axis=1))
    np.testing.assert_array_equal(eyes, logits["eyes"].argmax(axis=1))


def test_the_split_is_disjoint_and_covers_every_face():
    train, validation, test = judge_module._split(50, JudgeSettings(validation_fraction=0.2, test_fraction=0.1))
    assert (len(train), len(validation), len(test)) == (35, 10, 5)
    assert sorted(np.concatenate([train, validation, test])) == list(range(50))


@pytest.mark.parametrize("overrides", [
    {"epochs": 0}, {"dataset_size": -5}, {"batch_size": 2.5}, {"learning_rate": 0},
    {"validation_fraction": 0.6, "test_fraction": 0.5}, {"test_fraction": 0},
])
def test_bad_settings_are_refused(overrides):
    with pytest.raises(ValueError, match="judge"):
        JudgeSettings(**overrides)


def test_a_dataset_too_small_to_split_is_refused():
    images, hair, eyes = render_dataset(2, size=SIZE, seed=0)
    with pytest.raises(ValueError, match="too small"):
        train_judge(images, hair, eyes, TINY)


def test_training_teaches_the_judge_to_read_colours():
    images, hair, eyes = render_dataset(1200, size=SIZE, seed=7)
    trained = train_judge(images, hair, eyes, JudgeSettings(dataset_size=1200, epochs=3, batch_size=32))
    # Chance is 1/12 for hair and 1/11 for eyes; hair is learned first (more pixels show it).
    assert trained.hair_accuracy > 0.8 and trained.eye_accuracy > 0.25
    assert 1 <= trained.epochs_run <= 3


@pytest.fixture
def training_runs(monkeypatch):
    """Replace training with an untrained judge, counting how often the cache had to train one."""
    runs = []

    def untrained(images, hair_ids, eye_ids, settings, verbose=0):
        runs.append(settings)
        return TrainedJudge(build_judge(images.shape[1]), hair_accuracy=0.75, eye_accuracy=0.5, epochs_run=1,
                            training_seconds=0.0)

    monkeypatch.setattr(judge_module, "train_judge", untrained)
    return runs


def test_second_call_reuses_the_cached_judge(tmp_path, training_runs):
    first = load_or_train_judge(SIZE, TINY, directory=tmp_path)
    second = load_or_train_judge(SIZE, TINY, directory=tmp_path)
    assert (first.reused, second.reused, len(training_runs)) == (False, True, 1)
    assert first.path == second.path and first.path.suffix == ".keras"
    manifest = json.loads(judge_module.manifest_path(first.path).read_text())
    dataset = synthetic_dataset(TINY.dataset_size, SIZE, seed=JUDGE_DATA_SEED, directory=tmp_path)
    assert manifest["dataset"] == dataset.manifest and manifest["dataset"]["seed"] == JUDGE_DATA_SEED
    assert manifest["held_out"] == {"hair_accuracy": 0.75, "eye_accuracy": 0.5}
    assert manifest["keras_version"] == keras.__version__ and manifest["settings"]["epochs"] == 1
    faces = dataset.images[:4]
    np.testing.assert_allclose(judge_features(second.model, faces), judge_features(first.model, faces), atol=1e-5)
    assert not list(tmp_path.glob("*.partial.*"))


def test_other_settings_or_sizes_get_their_own_judge(tmp_path, training_runs):
    paths = {
        load_or_train_judge(SIZE, TINY, directory=tmp_path).path,
        load_or_train_judge(SIZE, JudgeSettings(dataset_size=40, epochs=2, batch_size=16), directory=tmp_path).path,
        load_or_train_judge(40, TINY, directory=tmp_path).path,
    }
    assert len(paths) == 3 and len(training_runs) == 3


def test_a_corrupt_judge_is_trained_again_not_trusted_and_says_so(tmp_path, training_runs, capsys):
    first = load_or_train_judge(SIZE, TINY, directory=tmp_path)
    assert capsys.readouterr().err == ""  # a first training is not a damaged cache
    first.path.write_bytes(b"not a keras file")
    again = load_or_train_judge(SIZE, TINY, directory=tmp_path)
    assert again.reused is False and len(training_runs) == 2
    notice = capsys.readouterr().err.strip().splitlines()
    assert len(notice) == 1 and notice[0].startswith(f"the cached judge {first.path} cannot be used (")
    assert notice[0].endswith("training it again")


def test_a_judge_whose_manifest_does_not_match_is_trained_again(tmp_path, training_runs):
    first = load_or_train_judge(SIZE, TINY, directory=tmp_path)
    manifest_path = judge_module.manifest_path(first.path)
    manifest = json.loads(manifest_path.read_text())
    manifest["judge_version"] = -1
    manifest_path.write_text(json.dumps(manifest))
    again = load_or_train_judge(SIZE, TINY, directory=tmp_path)
    assert again.reused is False and len(training_runs) == 2


def test_training_a_judge_logs_nothing_once_a_notebook_seeded_tensorflow_with_op_determinism():
    """Notebook 05 turns op determinism on and seeds TensorFlow before it trains the judge; Keras's own
    input pipeline then made TensorFlow print "NodeDef mentions attribute use_unbounded_threadpool"."""
    script = (
        "import acgan_lib, keras, numpy as np, tensorflow as tf\n"
        "from acgan_lib.judge import JudgeSettings, train_judge\n"
        "tf.config.experimental.enable_op_determinism()\n"
        "keras.utils.set_random_seed(0)\n"
        "rng = np.random.default_rng(0)\n"
        "images = rng.integers(0, 256, (120, 32, 32, 3), dtype=np.uint8)\n"
        "hair, eyes = rng.integers(0, 12, 120), rng.integers(0, 11, 120)\n"
        "trained = train_judge(images, hair, eyes, JudgeSettings(dataset_size=120, epochs=1), verbose=0)\n"
        "print('epochs', trained.epochs_run)\n"
    )
    finished = subprocess.run([sys.executable, "-c", script], capture_output=True, text=True, timeout=300)
    assert finished.returncode == 0 and finished.stdout.strip() == "epochs 1", finished.stderr[-2000:]
    assert "NodeDef" not in finished.stderr and "E0000" not in finished.stderr, finished.stderr[-2000:]
