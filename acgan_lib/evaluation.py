"""Yardsticks for a conditional generator, measured offline with the judge (see ``judge``).

Every metric is a function on arrays, so each can be checked on cases whose answer is known. What each
one can say, and what it cannot:

- Conditional accuracy (``conditional_accuracy``): the share of generated faces on which the judge reads
  the requested hair colour, eye colour, and both. It says whether the generator obeys its labels; it
  says nothing about variety (a generator that draws one perfect face per pair scores 1.0) and it is
  only as good as the judge on faces unlike its training faces.
- Demo score (``demo_score``): seed 003's test, out of 100 random requests how many come out with both
  colours right. The same quantity as the "both" accuracy, on the small sample a course demo uses.
- Fréchet distance (``frechet_distance``) and KID (``kid``): how far the generated faces lie from real
  ones in the judge's penultimate feature space (FID and KID use an Inception network instead; we have
  none offline). Both see quality and variety at once, but only what the judge's features encode
  (colours, more than shapes), and both depend on the sample size: hence the real-vs-real floor, two
  disjoint real samples of the same size, printed beside them. FID is biased upwards for small samples
  (with fewer samples than the 680 feature dimensions its covariances are singular); KID is unbiased,
  so a KID near the floor's (about 0) is a fair verdict even on a few hundred faces.
- Diversity (``ms_ssim_by_class``): mean MS-SSIM between pairs of faces of the same (hair, eye) class,
  the ACGAN paper's test. Higher means more alike; a class whose generated MS-SSIM is above the real
  faces' is less varied than the data (1.0: every face the same). It sees only pixel structure, not
  whether the faces look right, and a generator that ignores its labels scores *below* the real faces
  (its faces "of one class" come in many colours): read it beside the conditional accuracy. At 32 px it
  has two scales and also rises with softness: ``blurred_ms_ssim`` measures real faces blurred a little.
- Resolution (``accuracy_by_resolution``): the judge on real faces shrunk and enlarged back, the ACGAN
  paper's test of how much class information the finer pixels carry.
- Confusion (``confusion_matrix``): which colour the judge reads for each requested colour, to see which
  colours the generator gets wrong (or which ones the judge confuses on real faces).
- Memorisation (``nearest_neighbours``): the nearest training faces to generated ones, in pixels. A
  distance far below the real floor (how close a real face comes to the other real faces) means copies.

``evaluate_generator`` runs them all and returns a JSON-ready dict; ``format_table`` prints it.
``brief_evaluation`` is the few-second version for comparing many generators against one
``real_reference``: the accuracies, the demo score, the Fréchet distance and the within-class MS-SSIM.
"""

from __future__ import annotations

import functools
import numbers
import zipfile
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

import keras
import numpy as np
import tensorflow as tf
from scipy.ndimage import gaussian_filter

from .judge import judge_features, predict_labels
from .label_sampling import sample_labels
from .labels import EYE_COLOURS, HAIR_COLOURS, NUM_EYES, NUM_HAIR, all_pairs
from .models import generator_inputs, predict_in_batches, sample_noise
from .pipeline import unscale_images
from .profiles import PIXEL_RANGES

# (hair_ids, eye_ids, seed) -> uint8 faces: a Keras generator through ``generator_source``, or any
# function with this shape (the tests use the renderer as a perfect generator).
ImageSource = Callable[..., np.ndarray]

DEMO_REQUESTS = 100  # seed 003 scored its generator out of 100 requests
GENERATE_BATCH_SIZE = 256
GENERATOR_INPUTS = ("noise", "hair", "eyes")
# The generator output activations of ``profiles`` and the pixel range each produces (Profile.pixel_range).
# MS-SSIM (Wang et al. 2003): an 11-pixel Gaussian window (sigma 1.5) and these weights for 5 scales,
# each half the size of the one before.
MS_SSIM_FILTER_SIZE = 11
MS_SSIM_POWER_FACTORS = (0.0448, 0.2856, 0.3001, 0.2363, 0.1333)
SSIM_BATCH_SIZE = 512
# Gaussian blurs (sigma in pixels) that show how much softness alone raises MS-SSIM at 32 px
# (``blurred_ms_ssim``): about the softness of the quick generator's faces.
BLUR_SIGMAS = (0.5, 0.8)
# How many times ``accuracy_by_resolution`` shrinks real faces before enlarging them back (1: as they are).
RESOLUTION_FACTORS = (1, 2, 4)


# ---------------------------------------------------------------------------------------------------
# Drawing faces to judge
# ---------------------------------------------------------------------------------------------------


def pair_class_ids(hair_ids, eye_ids) -> np.ndarray:
    """One class id per (hair, eye) pair, 0..131, in the order of ``all_pairs``."""
    return np.asarray(hair_ids) * NUM_EYES + np.asarray(eye_ids)


def load_generator(path) -> keras.Model:
    """A generator saved as .keras (loaded with safe_mode: no arbitrary code), checked to follow the
    convention of ``models``: a dict input with "noise", "hair" and "eyes"."""
    path = Path(path)
    if not path.is_file():
        raise FileNotFoundError(f"no generator file at {path}; expected a .keras model saved with model.save")
    try:
        model = keras.saving.load_model(path, safe_mode=True)
    except (ValueError, OSError, KeyError, zipfile.BadZipFile) as error:
        # Keras calls any file it cannot open as a zip "File not found"; the file is there, so say what it is.
        reason = "not a .keras archive (a zip file)" if not zipfile.is_zipfile(path) else " ".join(str(error).split())
        raise ValueError(f"{path} is not a readable .keras model: {reason}; expected a model saved with "
                         f"model.save") from None
    if not isinstance(model.input, dict) or set(model.input) != set(GENERATOR_INPUTS):
        raise ValueError(f"{path} is not a generator: its inputs must be a dict with keys "
                         f"{', '.join(GENERATOR_INPUTS)} (see acgan_lib.models)")
    return model


def output_pixel_range(generator: keras.Model) -> tuple[float, float]:
    """The pixel range of a generator's output, read from its last layer's activation (sigmoid or tanh)."""
    activation = getattr(generator.layers[-1], "activation", None)
    name = getattr(activation, "__name__", None)
    if name not in PIXEL_RANGES:
        raise ValueError(
            f"cannot tell the pixel range of {generator.name!r}: its last layer's activation is {name!r}; "
            f"expected one of {', '.join(PIXEL_RANGES)} (or pass pixel_range)"
        )
    return PIXEL_RANGES[name]


def generate(generator: keras.Model, hair_ids, eye_ids, seed: int = 0, noise_distribution: str = "uniform",
             pixel_range: tuple[float, float] | None = None,
             batch_size: int = GENERATE_BATCH_SIZE) -> np.ndarray:
    """uint8 faces from a generator of ``models``' convention, one per (hair, eye) request.

    The noise comes from ``seed`` (the same seed draws the same faces); ``pixel_range`` defaults to the
    one its output activation produces.
    """
    hair_ids, eye_ids = np.asarray(hair_ids), np.asarray(eye_ids)
    noise = sample_noise(len(hair_ids), generator.input["noise"].shape[-1], noise_distribution, rng=seed)
    inputs = generator_inputs(noise, hair_ids, eye_ids)
    return draw(generator, inputs["noise"], inputs["hair"], inputs["eyes"], pixel_range, batch_size)


def draw(generator: keras.Model, noise: np.ndarray, hair: np.ndarray, eyes: np.ndarray,
         pixel_range: tuple[float, float] | None = None, batch_size: int = GENERATE_BATCH_SIZE) -> np.ndarray:
    """uint8 faces for given inputs: noise rows, and label rows (one-hot, or blends of classes: ``latent``)."""
    pixel_range = output_pixel_range(generator) if pixel_range is None else pixel_range
    inputs = {"noise": np.asarray(noise, np.float32), "hair": np.asarray(hair, np.float32),
              "eyes": np.asarray(eyes, np.float32)}
    return unscale_images(predict_in_batches(generator, inputs, batch_size), pixel_range)


def generator_source(generator: keras.Model, noise_distribution: str = "uniform",
                     pixel_range: tuple[float, float] | None = None) -> ImageSource:
    """A Keras generator as an ``ImageSource``: a function (hair_ids, eye_ids, seed) -> uint8 faces."""
    return functools.partial(generate, generator, noise_distribution=noise_distribution, pixel_range=pixel_range)


# ---------------------------------------------------------------------------------------------------
# Does the generator obey its labels?
# ---------------------------------------------------------------------------------------------------


def conditional_accuracy(hair_ids, eye_ids, judged_hair, judged_eyes) -> dict[str, float]:
    """The share of faces whose hair, eyes, and both the judge reads as requested (fractions in [0, 1]).

    Chance level is 1/12 for hair, 1/11 for eyes and 1/132 for both; a generator that ignores its labels
    but draws real-looking faces scores about that.
    """
    hair_right = np.asarray(judged_hair) == np.asarray(hair_ids)
    eyes_right = np.asarray(judged_eyes) == np.asarray(eye_ids)
    return {
        "hair_accuracy": float(hair_right.mean()),
        "eye_accuracy": float(eyes_right.mean()),
        "both_accuracy": float((hair_right & eyes_right).mean()),
    }


def demo_score(source: ImageSource, judge: keras.Model, seed: int = 0) -> int:
    """Seed 003's demo: of 100 random (hair, eye) requests, one face each, how many have both colours right."""
    hair_ids, eye_ids = sample_labels(DEMO_REQUESTS, seed=seed)
    judged_hair, judged_eyes = predict_labels(judge, source(hair_ids, eye_ids, seed=seed))
    both = conditional_accuracy(hair_ids, eye_ids, judged_hair, judged_eyes)["both_accuracy"]
    return round(both * DEMO_REQUESTS)


def confusion_matrix(requested, judged, classes: int) -> np.ndarray:
    """Counts (classes, classes): row = the requested class, column = the class the judge read.

    A perfect generator puts everything on the diagonal; a column that collects many rows is a colour
    the generator falls back to.
    """
    counts = np.zeros((classes, classes), dtype=np.int64)
    np.add.at(counts, (np.asarray(requested), np.asarray(judged)), 1)
    return counts


def common_mistakes(matrix: np.ndarray, names: tuple[str, ...], count: int = 3) -> list[tuple[str, str, int]]:
    """The ``count`` most frequent (requested, judged, faces) confusions off the diagonal, largest first."""
    off_diagonal = np.array(matrix, dtype=np.int64)
    np.fill_diagonal(off_diagonal, 0)
    order = np.argsort(off_diagonal, axis=None)[::-1][:count]
    cells = [np.unravel_index(index, off_diagonal.shape) for index in order]
    return [(names[row], names[column], int(off_diagonal[row, column]))
            for row, column in cells if off_diagonal[row, column]]


def at_lower_resolution(images: np.ndarray, factor: int) -> np.ndarray:
    """uint8 faces shrunk ``factor`` times along each side (each new pixel the mean of a block) and
    enlarged back to their size (bilinear): the same faces with 1/factor of the resolution."""
    size = images.shape[1]
    if not isinstance(factor, numbers.Integral) or isinstance(factor, bool) or factor < 1 or size % factor:
        divisors = [d for d in range(1, size + 1) if size % d == 0]
        raise ValueError(f"factor must be a whole number that divides the faces' size {size}: one of "
                         f"{', '.join(map(str, divisors))}; got {factor!r}")
    if factor == 1:
        return images
    small = tf.image.resize(images, (size // factor, size // factor), method="area")
    enlarged = tf.image.resize(small, (size, size), method="bilinear").numpy()
    return np.clip(np.rint(enlarged), 0, 255).astype(np.uint8)


def accuracy_by_resolution(judge: keras.Model, images: np.ndarray, hair_ids, eye_ids,
                           factors=RESOLUTION_FACTORS) -> dict[int, dict[str, float]]:
    """The judge's conditional accuracy on labelled faces shrunk by each factor and enlarged back
    (``at_lower_resolution``; 1 = as they are): {factor: {"hair_accuracy", "eye_accuracy", "both_accuracy"}}.

    The ACGAN paper's test of resolution (Odena et al. 2017, section 4.1): its 128 px samples, shrunk and
    enlarged back, were classified less often as their class, so the extra pixels carried class
    information. On real faces the same test says how much of a colour the judge reads from fine detail.
    """
    return {factor: conditional_accuracy(hair_ids, eye_ids, *predict_labels(judge, at_lower_resolution(images, factor)))
            for factor in factors}


# ---------------------------------------------------------------------------------------------------
# How far are generated faces from real ones? (judge feature space)
# ---------------------------------------------------------------------------------------------------


def frechet_distance(features_a: np.ndarray, features_b: np.ndarray) -> float:
    """The Fréchet distance between Gaussians fitted to two feature sets (the "F" of FID).

    ||mean_a - mean_b||^2 + trace(cov_a + cov_b - 2 sqrt(cov_a cov_b)); 0 for identical statistics.
    Rounding can push the total a hair below 0; it is clipped.
    """
    _check_feature_sets(features_a, features_b)
    mean_a, mean_b = features_a.mean(axis=0), features_b.mean(axis=0)
    covariance_a = np.cov(features_a, rowvar=False)
    covariance_b = np.cov(features_b, rowvar=False)
    distance = (np.sum((mean_a - mean_b) ** 2) + np.trace(covariance_a) + np.trace(covariance_b)
                - 2 * _trace_of_root(covariance_a, covariance_b))
    return max(float(distance), 0.0)


def _trace_of_root(covariance_a: np.ndarray, covariance_b: np.ndarray) -> float:
    """trace(sqrt(cov_a cov_b)), computed as trace(sqrt(sqrt(cov_a) cov_b sqrt(cov_a))).

    The two matrices are similar, so their roots have the same trace, and the second is symmetric, so
    two symmetric eigendecompositions give it. This is what scipy.linalg.sqrtm(cov_a @ cov_b) would
    give, faster and without its trouble on singular covariances, which are the rule here: the judge's
    ReLU features include units that never fire, and a few hundred faces span fewer directions than 680
    features. Rounding leaves tiny negative eigenvalues; they are clipped to 0.
    """
    eigenvalues, eigenvectors = np.linalg.eigh(covariance_a)
    root_a = (eigenvectors * np.sqrt(np.clip(eigenvalues, 0, None))) @ eigenvectors.T
    return float(np.sum(np.sqrt(np.clip(np.linalg.eigvalsh(root_a @ covariance_b @ root_a), 0, None))))


def kid(features_a: np.ndarray, features_b: np.ndarray, subsets: int = 20, subset_size: int = 1000,
        seed: int = 0) -> float:
    """Kernel distance (the KID of Bińkowski et al. 2018, in the judge's feature space instead of Inception's).

    The unbiased estimate of the squared maximum mean discrepancy with the cubic polynomial kernel
    k(x, y) = (x.y / d + 1)^3, averaged over ``subsets`` random subsets of ``subset_size`` faces from each
    set (fewer when a set is smaller). Unbiased: about 0 for two samples of one distribution, whatever
    their size, so it can come out slightly negative. The paper averages 100 subsets; 20 keep the CPU
    time to seconds and, since the subsets overlap when the sets hold few more than ``subset_size``
    faces, more would add little.
    """
    _check_feature_sets(features_a, features_b)
    size = min(subset_size, len(features_a), len(features_b))
    rng = np.random.default_rng(seed)
    estimates = [
        _unbiased_mmd2(features_a[rng.choice(len(features_a), size, replace=False)],
                       features_b[rng.choice(len(features_b), size, replace=False)])
        for _ in range(subsets)
    ]
    return float(np.mean(estimates))


def _unbiased_mmd2(sample_a: np.ndarray, sample_b: np.ndarray) -> float:
    """MMD^2 between two equal-size samples, each within-sample sum leaving out a face paired with itself."""
    size, dimension = sample_a.shape

    def kernel(x, y):
        return (x @ y.T / dimension + 1) ** 3

    within_a, within_b = kernel(sample_a, sample_a), kernel(sample_b, sample_b)
    pairs = size * (size - 1)
    return ((within_a.sum() - np.trace(within_a)) / pairs + (within_b.sum() - np.trace(within_b)) / pairs
            - 2 * kernel(sample_a, sample_b).mean())


def _check_feature_sets(features_a, features_b) -> None:
    for name, features in (("features_a", features_a), ("features_b", features_b)):
        if np.ndim(features) != 2 or len(features) < 2:
            raise ValueError(f"{name} must be a 2-D array (samples, features) with at least 2 samples; "
                             f"got shape {np.shape(features)}")
    if features_a.shape[1] != features_b.shape[1]:
        raise ValueError(f"both feature sets need the same number of features; got {features_a.shape[1]} "
                         f"and {features_b.shape[1]}")


# ---------------------------------------------------------------------------------------------------
# Are faces of one class varied? (MS-SSIM)
# ---------------------------------------------------------------------------------------------------


def ms_ssim_power_factors(image_size: int) -> tuple[float, ...]:
    """The MS-SSIM scale weights that fit ``image_size``: the standard five, truncated, summing to 1.

    TensorFlow's SSIM slides an 11-pixel window without padding, so every scale must be at least 11
    pixels wide; each scale halves the image. The standard five scales want 176 px (11 * 16). We keep
    the first scales that fit and rescale their weights to sum to 1, so that 1 still means identical:
    32 px -> 2 scales (32, 16), 48 px -> 3 (48, 24, 12), 96 px -> 4 (96, 48, 24, 12), 128 px -> 4.
    Values at different sizes are therefore not comparable, but generated and real faces of one size are.
    """
    if image_size < MS_SSIM_FILTER_SIZE:
        raise ValueError(f"MS-SSIM needs images of at least {MS_SSIM_FILTER_SIZE} px; got {image_size}")
    scales = 1
    while scales < len(MS_SSIM_POWER_FACTORS) and image_size // 2**scales >= MS_SSIM_FILTER_SIZE:
        scales += 1
    weights = np.array(MS_SSIM_POWER_FACTORS[:scales])
    return tuple(float(weight) for weight in weights / weights.sum())


def ms_ssim(images_a: np.ndarray, images_b: np.ndarray) -> np.ndarray:
    """MS-SSIM of each pair (images_a[i], images_b[i]) of uint8 faces: 1 for identical faces, near 0 for
    unrelated noise."""
    power_factors = ms_ssim_power_factors(images_a.shape[1])
    scores = [
        tf.image.ssim_multiscale(images_a[start : start + SSIM_BATCH_SIZE],
                                 images_b[start : start + SSIM_BATCH_SIZE], max_val=255,
                                 power_factors=power_factors, filter_size=MS_SSIM_FILTER_SIZE).numpy()
        for start in range(0, len(images_a), SSIM_BATCH_SIZE)
    ]
    return np.concatenate(scores)


def ms_ssim_by_class(images: np.ndarray, class_ids, pairs_per_class: int = 10, seed: int = 0,
                     blur_sigma: float = 0.0) -> dict[int, float]:
    """Mean MS-SSIM of ``pairs_per_class`` random pairs of different faces within each class.

    Classes with fewer than two faces are left out. High values mean faces of the class look alike: a
    generated class above the real faces' value for it is less varied than the data (mode collapse).
    ``blur_sigma`` > 0 blurs both faces of each pair first (``gaussian_blur``); the pairs depend only on
    ``seed``, so every blur is measured on the same pairs.
    """
    class_ids = np.asarray(class_ids)
    rng = np.random.default_rng(seed)
    first, second, pair_classes = [], [], []
    for class_id in np.unique(class_ids):
        members = np.flatnonzero(class_ids == class_id)
        if len(members) < 2:
            continue
        picks = rng.integers(len(members), size=pairs_per_class)
        others = (picks + rng.integers(1, len(members), size=pairs_per_class)) % len(members)
        first.append(members[picks])
        second.append(members[others])
        pair_classes.append(np.full(pairs_per_class, class_id))
    if not first:
        raise ValueError("MS-SSIM diversity needs at least one class with two or more faces")
    scores = ms_ssim(gaussian_blur(images[np.concatenate(first)], blur_sigma),
                     gaussian_blur(images[np.concatenate(second)], blur_sigma))
    pair_classes = np.concatenate(pair_classes)
    return {int(class_id): float(scores[pair_classes == class_id].mean()) for class_id in np.unique(pair_classes)}


def gaussian_blur(images: np.ndarray, sigma: float) -> np.ndarray:
    """uint8 faces blurred by a Gaussian of ``sigma`` pixels across rows and columns, each colour apart
    (sigma 0: the faces as they are)."""
    if not isinstance(sigma, numbers.Real) or isinstance(sigma, bool) or not sigma >= 0:
        raise ValueError(f"a blur's sigma is a number of pixels >= 0; got {sigma!r}")
    if sigma == 0:
        return images
    soft = gaussian_filter(np.asarray(images, np.float32), sigma=(0, sigma, sigma, 0))
    return np.clip(np.rint(soft), 0, 255).astype(np.uint8)


def blurred_ms_ssim(images: np.ndarray, class_ids, sigmas=BLUR_SIGMAS, pairs_per_class: int = 10,
                    seed: int = 0) -> dict[float, float]:
    """Mean within-class MS-SSIM of faces after a Gaussian blur of each sigma (pixels; 0 = as they are),
    all on the same pairs of faces: {sigma: mean over classes}.

    At 32 px MS-SSIM has two scales (``ms_ssim_power_factors``) and the coarse one, the only one with a
    luminance term, carries most of the weight, so MS-SSIM rises with softness as well as with sameness:
    blurred real faces, which are no less varied than real ones, show how far a soft generator's figure
    can sit above the real one without any collapse.
    """
    return {sigma: float(np.mean(list(ms_ssim_by_class(images, class_ids, pairs_per_class, seed, sigma).values())))
            for sigma in sigmas}


# ---------------------------------------------------------------------------------------------------
# Does the generator copy its training faces? (pixels)
# ---------------------------------------------------------------------------------------------------


def nearest_neighbours(queries: np.ndarray, references: np.ndarray, k: int = 1,
                       chunk_size: int = 1024) -> tuple[np.ndarray, np.ndarray]:
    """The ``k`` nearest reference faces to each query face, in pixels: (indices, distances), each (N, k).

    Distances are root-mean-square pixel differences on the 0..255 scale (0 = an exact copy). Pixels,
    not judge features: the judge is trained to ignore everything but colour, so in its feature space any
    face with the same colours is "near"; a memorised face is a near-copy in pixels. References are read
    ``chunk_size`` at a time, so the training set never has to fit in memory as floats.
    """
    if queries.shape[1:] != references.shape[1:]:
        raise ValueError(f"queries and references must be faces of one shape; got {queries.shape[1:]} and "
                         f"{references.shape[1:]}")
    if not 1 <= k <= len(references):
        raise ValueError(f"k must be in [1, {len(references)}] (the number of references); got {k}")
    flat_queries = queries.reshape(len(queries), -1).astype(np.float64)
    query_norms = np.sum(flat_queries**2, axis=1, keepdims=True)
    best_indices = np.empty((len(queries), 0), dtype=np.int64)
    best_squared = np.empty((len(queries), 0))
    for start in range(0, len(references), chunk_size):
        chunk = references[start : start + chunk_size].reshape(-1, flat_queries.shape[1]).astype(np.float64)
        squared = query_norms + np.sum(chunk**2, axis=1) - 2 * flat_queries @ chunk.T
        chunk_indices = np.broadcast_to(start + np.arange(len(chunk)), squared.shape)
        candidates = np.concatenate([best_indices, chunk_indices], axis=1)
        distances = np.concatenate([best_squared, squared], axis=1)
        keep = np.argsort(distances, axis=1, kind="stable")[:, :k]
        best_indices = np.take_along_axis(candidates, keep, axis=1)
        best_squared = np.take_along_axis(distances, keep, axis=1)
    return best_indices, np.sqrt(np.maximum(best_squared, 0.0) / flat_queries.shape[1])


# ---------------------------------------------------------------------------------------------------
# All of it at once
# ---------------------------------------------------------------------------------------------------


def check_real_faces(real_hair, real_eyes) -> None:
    """The real faces ``evaluate_generator`` compares with must give a Fréchet floor (two samples of at least
    two faces) and a within-class MS-SSIM (two faces of one pair); checked before a judge is trained."""
    classes = pair_class_ids(np.asarray(real_hair), np.asarray(real_eyes))
    if len(classes) < 4 or np.bincount(classes).max() < 2:
        raise ValueError(f"the real faces to compare with must be at least 4, two of them of one (hair, eye) pair; "
                         f"got {len(classes)} faces in {len(np.unique(classes))} pairs; use more real faces "
                         f"(--real-count)")


def evaluate_generator(generator: keras.Model | ImageSource, judge: keras.Model, real_images: np.ndarray,
                       real_hair, real_eyes, requests: tuple | None = None, samples_per_pair: int = 10,
                       seed: int = 0, pairs_per_class: int = 10, memorisation_queries: int = 32) -> dict:
    """Every yardstick of this module for one generator, as a JSON-ready dict (see ``format_table``).

    ``generator``: a Keras generator of ``models``' convention (uniform noise; wrap it with
    ``generator_source`` for another noise), or any ``ImageSource``. ``real_images`` with their labels:
    real uint8 faces, ideally the generator's training set, since the memorisation check searches them.
    ``requests``: (hair_ids, eye_ids) to draw, each ``samples_per_pair`` times; default all 132 pairs.

    Each generated figure has a real one beside it (keys ending ``_real`` or ``_real_floor``): accuracy
    on real faces (what a perfect generator would score), FID and KID between two disjoint real samples
    as large as the generated one (the floor that sample size allows; needs twice as many real faces as
    generated ones, else fewer generated faces are compared), MS-SSIM of real faces of the same classes,
    and how close a real face comes to the other real faces.
    """
    check_real_faces(real_hair, real_eyes)
    source = generator_source(generator) if isinstance(generator, keras.Model) else generator
    request_hair, request_eyes = all_pairs() if requests is None else (np.asarray(ids) for ids in requests)
    request_hair = np.repeat(request_hair, samples_per_pair)
    request_eyes = np.repeat(request_eyes, samples_per_pair)
    real_hair, real_eyes = np.asarray(real_hair), np.asarray(real_eyes)
    images = source(request_hair, request_eyes, seed=seed)
    rng = np.random.default_rng(seed)
    sample_size = min(len(images), len(real_images) // 2)
    if sample_size < 2:
        raise ValueError(f"need at least 2 generated and 4 real faces; got {len(images)} and {len(real_images)}")
    generated_sample = rng.choice(len(images), sample_size, replace=False)
    real_order = rng.permutation(len(real_images))
    real_sample, other_real_sample = real_order[:sample_size], real_order[sample_size : 2 * sample_size]

    judged_hair, judged_eyes = predict_labels(judge, images)
    return {
        "generated_faces": len(images),
        "samples_per_pair": samples_per_pair,
        "seed": seed,
        **conditional_accuracy(request_hair, request_eyes, judged_hair, judged_eyes),
        **_suffixed(conditional_accuracy(real_hair[real_sample], real_eyes[real_sample],
                                         *predict_labels(judge, real_images[real_sample])), "_real"),
        "demo_score": demo_score(source, judge, seed=seed),
        **_feature_distances(judge, images[generated_sample], real_images[real_sample],
                             real_images[other_real_sample], seed),
        **diversity(images, pair_class_ids(request_hair, request_eyes), real_images,
                     pair_class_ids(real_hair, real_eyes), pairs_per_class, seed),
        **_memorisation(images, real_images, memorisation_queries, rng),
        "hair_confusion": confusion_matrix(request_hair, judged_hair, NUM_HAIR).tolist(),
        "eye_confusion": confusion_matrix(request_eyes, judged_eyes, NUM_EYES).tolist(),
    }


@dataclass(frozen=True)
class RealReference:
    """The real faces' side of ``brief_evaluation``, measured once for a whole comparison."""

    features: np.ndarray  # the judge's features of a sample of real faces
    fid_real_floor: float  # Fréchet distance between that sample and another as large
    ms_ssim_real: float  # mean within-class MS-SSIM of real faces


def real_reference(judge: keras.Model, real_images: np.ndarray, real_hair, real_eyes, sample_size: int,
                   pairs_per_class: int = 10, seed: int = 0) -> RealReference:
    """Measure the real faces once: features of ``sample_size`` of them, the Fréchet floor against as many
    others, and their within-class MS-SSIM (needs at least twice ``sample_size`` real faces)."""
    if len(real_images) < 2 * sample_size:
        raise ValueError(f"need at least {2 * sample_size} real faces for a sample of {sample_size}; "
                         f"got {len(real_images)}")
    order = np.random.default_rng(seed).permutation(len(real_images))
    sample, other = order[:sample_size], order[sample_size : 2 * sample_size]
    features = judge_features(judge, real_images[sample])
    classes = pair_class_ids(np.asarray(real_hair)[order], np.asarray(real_eyes)[order])
    by_class = ms_ssim_by_class(real_images[order], classes, pairs_per_class, seed)
    return RealReference(features, frechet_distance(judge_features(judge, real_images[other]), features),
                         float(np.mean(list(by_class.values()))))


def brief_evaluation(source: ImageSource, judge: keras.Model, reference: RealReference, samples_per_pair: int = 4,
                     pairs_per_class: int = 10, seed: int = 0) -> dict:
    """A generator's accuracies, demo score, Fréchet distance and within-class MS-SSIM, beside the real
    faces' figures from ``reference``: ``samples_per_pair`` faces for each of the 132 pairs."""
    request_hair, request_eyes = (np.repeat(ids, samples_per_pair) for ids in all_pairs())
    images = source(request_hair, request_eyes, seed=seed)
    by_class = ms_ssim_by_class(images, pair_class_ids(request_hair, request_eyes), pairs_per_class, seed)
    return {
        **conditional_accuracy(request_hair, request_eyes, *predict_labels(judge, images)),
        "demo_score": demo_score(source, judge, seed=seed),
        "fid": frechet_distance(judge_features(judge, images), reference.features),
        "fid_real_floor": reference.fid_real_floor,
        "ms_ssim_generated": float(np.mean(list(by_class.values()))),
        "ms_ssim_real": reference.ms_ssim_real,
    }


def _suffixed(values: dict, suffix: str) -> dict:
    """The same values under keys with ``suffix`` added ("hair_accuracy" -> "hair_accuracy_real")."""
    return {key + suffix: value for key, value in values.items()}


def _feature_distances(judge, generated, real, other_real, seed: int) -> dict:
    """FID and KID of generated against real faces, beside the same for two disjoint real halves."""
    generated_features, real_features, other_real_features = (
        judge_features(judge, faces) for faces in (generated, real, other_real)
    )
    return {
        "feature_samples": len(generated),
        "fid": frechet_distance(generated_features, real_features),
        "fid_real_floor": frechet_distance(other_real_features, real_features),
        "kid": kid(generated_features, real_features, seed=seed),
        "kid_real_floor": kid(other_real_features, real_features, seed=seed),
    }


def diversity(images, class_ids, real_images, real_class_ids, pairs_per_class: int, seed: int) -> dict:
    """Mean within-class MS-SSIM of generated and of real faces over the classes both have."""
    generated = ms_ssim_by_class(images, class_ids, pairs_per_class, seed)
    real = ms_ssim_by_class(real_images, real_class_ids, pairs_per_class, seed)
    shared = sorted(set(generated) & set(real))
    if not shared:
        raise ValueError("the real faces have no class with two faces among the requested (hair, eye) pairs; "
                         "pass more real faces")
    return {
        "ms_ssim_generated": float(np.mean([generated[class_id] for class_id in shared])),
        "ms_ssim_real": float(np.mean([real[class_id] for class_id in shared])),
        "classes_less_varied_than_real": float(np.mean([generated[c] > real[c] for c in shared])),
        "ms_ssim_classes": len(shared),
    }


def _memorisation(images, real_images, queries: int, rng: np.random.Generator) -> dict:
    """The closest any of ``queries`` generated faces comes to a real face, and the closest any of as many
    real faces comes to another real face (its nearest neighbour other than itself)."""
    generated = images[rng.choice(len(images), min(queries, len(images)), replace=False)]
    real = real_images[rng.choice(len(real_images), min(queries, len(real_images)), replace=False)]
    _, generated_distances = nearest_neighbours(generated, real_images)
    _, real_distances = nearest_neighbours(real, real_images, k=2)
    return {
        "nearest_training_distance": float(generated_distances.min()),
        "nearest_training_distance_real": float(real_distances[:, 1].min()),
    }


# (label, generated key, real key or None, number format): the rows of both tables below.
METRIC_ROWS = (
    ("hair accuracy", "hair_accuracy", "hair_accuracy_real", "{:.3f}"),
    ("eye accuracy", "eye_accuracy", "eye_accuracy_real", "{:.3f}"),
    ("both accuracy", "both_accuracy", "both_accuracy_real", "{:.3f}"),
    ("demo score (of 100)", "demo_score", None, "{:d}"),
    ("Fréchet distance (judge features)", "fid", "fid_real_floor", "{:.3f}"),
    ("KID (judge features)", "kid", "kid_real_floor", "{:.4f}"),
    ("MS-SSIM within class (lower = more varied)", "ms_ssim_generated", "ms_ssim_real", "{:.3f}"),
    ("classes less varied than real", "classes_less_varied_than_real", None, "{:.2f}"),
    ("nearest training face (RMS, 0-255)", "nearest_training_distance", "nearest_training_distance_real", "{:.1f}"),
)


def metric_table(results: dict) -> dict[str, dict]:
    """The scalar results of ``evaluate_generator`` as rows, generated beside real: {metric: {"generated",
    "real"}} (None where real faces have no such figure), for the batch report (``results``)."""
    return {name: {"generated": results[generated_key], "real": results[real_key] if real_key else None}
            for name, generated_key, real_key, _ in METRIC_ROWS}


def misreadings(results: dict) -> list[str]:
    """The judge's most common misreadings of the generated faces in ``results``, a line for hair and one for eyes."""
    lines = []
    for part, key, names in (("hair", "hair_confusion", HAIR_COLOURS), ("eyes", "eye_confusion", EYE_COLOURS)):
        mistakes = common_mistakes(np.array(results[key]), names)
        described = ", ".join(f"{asked} read as {read} ({faces})" for asked, read, faces in mistakes)
        lines.append(f"most common {part} misreadings: {described or 'none'}")
    return lines


def format_table(results: dict) -> str:
    """The scalar results of ``evaluate_generator`` as a text table for a terminal, generated beside
    real, and the judge's most common misreadings (notebooks show ``metric_table`` as a table instead)."""
    width = max(len(name) for name, *_ in METRIC_ROWS)
    lines = [f"{'metric':<{width}}  {'generated':>10}  {'real':>10}"]
    for name, generated_key, real_key, number in METRIC_ROWS:
        real = number.format(results[real_key]) if real_key else ""
        lines.append(f"{name:<{width}}  {number.format(results[generated_key]):>10}  {real:>10}")
    return "\n".join(lines + misreadings(results))


def comparison_table(evaluations: dict[str, dict]) -> dict[str, dict]:
    """Several ``evaluate_generator`` results side by side: {metric: {generator name: value}}, each
    metric followed by the real faces' figure for it on a row of its own."""
    if not evaluations:
        raise ValueError("nothing to compare: pass {name: results of evaluate_generator}")
    rows = {}
    for label, generated_key, real_key, _ in METRIC_ROWS:
        rows[label] = {name: results[generated_key] for name, results in evaluations.items()}
        if real_key:
            rows[f"{label}, real faces"] = {name: results[real_key] for name, results in evaluations.items()}
    return rows

