"""The generator and the discriminator of seed 000, with three ways to condition the discriminator.

The ``full`` profile builds the seed's models exactly; ``quick`` and ``smoke`` build the same code with
smaller sizes taken from the profile.

Conventions (every model here follows them, and the trainer relies on them):

- Labels are one-hot float rows: ``hair`` has ``NUM_HAIR`` (12) columns, ``eyes`` has ``NUM_EYES`` (11);
  ``labels.one_hot(ids, depth)`` makes them.
- The generator takes a dict ``{"noise": (N, noise_dim), "hair": (N, 12), "eyes": (N, 11)}`` and returns
  images ``(N, size, size, 3)`` in the profile's pixel range (sigmoid: [0, 1], tanh: [-1, 1]).
- The discriminator takes a dict with ``"image"`` and, for the ``concat`` and ``projection`` heads,
  ``"hair"`` and ``"eyes"`` too; ``discriminator_inputs`` builds the right dict for any head (Keras
  does not ignore extra keys, so always pass exactly the keys the model has).
- The discriminator returns a dict of logits: ``{"real_fake": (N, 1)}``, and for the ``acgan`` head also
  ``"hair": (N, 12)`` and ``"eyes": (N, 11)``. There is no sigmoid or softmax inside it: the losses apply
  them (from_logits=True), so a softmax can never be applied twice.

Default activations (the seed does not name one): ReLU in the generator and LeakyReLU(0.2) in the
discriminator, the DCGAN choice (Radford et al. 2016). The generator is trained only through the
discriminator's gradient with respect to its input image; ReLU passes no gradient through units that
are off, LeakyReLU passes a fifth of it, so more of that signal reaches the generator. Neither has
weights, so the parameter counts are the same for every activation in ``blocks.ACTIVATIONS``.
"""

from __future__ import annotations

from collections import Counter

import keras
import numpy as np
from keras import layers

from .blocks import (
    KERNEL_SIZE,
    MinibatchSpread,
    check_block_options,
    down_block,
    has_bias,
    normalise_and_activate,
    spectral_if_asked,
    up_block,
)
from .checks import check_choice
from .labels import NUM_EYES, NUM_HAIR, one_hot
from .profiles import DISCRIMINATOR_NORMALISATIONS, HEADS, NOISE_DISTRIBUTIONS, Profile

GENERATOR_ACTIVATION = "relu"
DISCRIMINATOR_ACTIVATION = "leaky_relu"
IMAGE_CHANNELS = 3


def sample_noise(count: int, dim: int, distribution: str = "uniform", rng=None) -> np.ndarray:
    """``count`` noise vectors of length ``dim`` (float32): uniform in [-1, 1] (the seed) or standard normal.

    ``rng`` is what ``numpy.random.default_rng`` accepts: None (fresh entropy), an int seed (the same
    seed gives the same noise) or a ``numpy.random.Generator`` (which is advanced, so successive calls
    differ).
    """
    if distribution not in NOISE_DISTRIBUTIONS:
        raise ValueError(
            f"unknown noise distribution {distribution!r}; "
            f"valid distributions: {', '.join(NOISE_DISTRIBUTIONS)}"
        )
    generator = np.random.default_rng(rng)
    if distribution == "uniform":
        noise = generator.uniform(-1.0, 1.0, size=(count, dim))
    else:
        noise = generator.standard_normal(size=(count, dim))
    return noise.astype(np.float32)


def build_generator(profile: Profile, normalisation: str | None = None,
                    activation: str = GENERATOR_ACTIVATION) -> keras.Model:
    """The seed's generator: [noise, hair, eyes] -> Dense -> reshape -> up blocks -> 3-filter conv.

    For ``full``: 100 + 12 + 11 inputs -> Dense(3*3*512) -> (3, 3, 512) -> up blocks of 256, 128, 64, 32
    channels with first-conv strides 2, 2, 2, 4 (3 -> 6 -> 12 -> 24 -> 96 px) -> 3x3 conv with 3 filters
    -> the profile's output activation. The seed names no activation after the dense layer; we add the
    block activation there (DCGAN's "project and reshape", and without it Dense and the first transposed
    conv would compose into one linear map). Layer groups: ``stem``, ``up1``..``upN``, ``output``.
    ``normalisation`` defaults to the profile's ``generator_normalisation``; with
    ``conditional_batch_norm`` the labels also set the scale and shift of every norm (``blocks``).
    """
    normalisation = profile.generator_normalisation if normalisation is None else normalisation
    check_block_options(activation, normalisation)
    noise = keras.Input((profile.noise_dim,), name="noise")
    hair, eyes = _label_inputs()
    joined = layers.Concatenate(name="stem_concat")([noise, hair, eyes])
    # Conditional batch norm hears the labels in every block, not only through the stem.
    labels = layers.Concatenate(name="stem_labels")([hair, eyes]) if normalisation == "conditional_batch_norm" else None
    start_size, start_channels = profile.generator_start_size, profile.generator_start_channels
    dense = _dense(start_size * start_size * start_channels, "stem_dense", normalisation,
                   use_bias=has_bias(normalisation))
    features = normalise_and_activate(dense(joined), name="stem_dense",
                                      activation=activation, normalisation=normalisation, labels=labels)
    features = layers.Reshape((start_size, start_size, start_channels), name="stem_reshape")(features)
    stages = zip(profile.generator_channels, profile.generator_strides, strict=True)
    for index, (channels, stride) in enumerate(stages, start=1):
        features = up_block(features, channels, stride, name=f"up{index}",
                            activation=activation, normalisation=normalisation, labels=labels)
    output_conv = spectral_if_asked(
        layers.Conv2D(IMAGE_CHANNELS, KERNEL_SIZE, padding="same", name="output_conv"), normalisation
    )
    image = layers.Activation(profile.output_activation, name="output_activation")(output_conv(features))
    return keras.Model({"noise": noise, "hair": hair, "eyes": eyes}, image, name="generator")


def build_discriminator(profile: Profile, head: str | None = None, normalisation: str | None = None,
                        activation: str = DISCRIMINATOR_ACTIVATION) -> keras.Model:
    """The seed's discriminator trunk (down blocks, then flatten) with one of three heads.

    ``head`` (default ``profile.head``):
    - ``concat`` (seed 000): [features, hair, eyes] -> Dense(1). A conditional GAN, not an ACGAN.
    - ``acgan`` (Odena et al. 2017): the image alone -> Dense(1) real/fake, Dense(12) hair, Dense(11) eyes.
    - ``projection`` (Miyato and Koyama 2018): Dense(1)(features) + <V_hair y_hair, features>
      + <V_eyes y_eyes, features>, where V y of a one-hot y is the class's embedding row.
    For ``full``: (96, 96, 3) -> down blocks of 32, 64, 128, 256 channels -> (6, 6, 256) -> 9216 features.
    Layer groups: ``down1``..``downN``, ``features``, ``head``. All outputs are logits. ``head`` and
    ``normalisation`` default to the profile's ``head`` and ``discriminator_normalisation``.
    """
    head = profile.head if head is None else head
    normalisation = profile.discriminator_normalisation if normalisation is None else normalisation
    if head not in HEADS:
        raise ValueError(f"unknown discriminator head {head!r}; valid heads: {', '.join(HEADS)}")
    check_block_options(activation, normalisation)
    check_choice("discriminator normalisation", normalisation, DISCRIMINATOR_NORMALISATIONS)
    image = keras.Input((profile.image_size, profile.image_size, IMAGE_CHANNELS), name="image")
    features = image
    for index, channels in enumerate(profile.discriminator_channels, start=1):
        features = down_block(features, channels, name=f"down{index}",
                              activation=activation, normalisation=normalisation)
    if profile.minibatch_spread:
        features = MinibatchSpread(name="features_spread")(features)
    features = layers.Flatten(name="features_flatten")(features)
    name = f"discriminator_{head}"
    if head == "acgan":
        return keras.Model({"image": image}, _acgan_head(features, normalisation), name=name)
    hair, eyes = _label_inputs()
    conditioned_head = _concat_head if head == "concat" else _projection_head
    outputs = conditioned_head(features, hair, eyes, normalisation)
    return keras.Model({"image": image, "hair": hair, "eyes": eyes}, outputs, name=name)


def generator_inputs(noise, hair_ids, eye_ids) -> dict:
    """The input dict a generator takes, from noise and class ids, one-hot encoded here: the one way to
    build it (training, the seed's loop, the notebooks). NumPy noise gets NumPy labels (``labels.one_hot``,
    which checks the ids), since Keras refuses a mix; tensors, inside a traced step, get tensors."""
    if isinstance(noise, np.ndarray):
        return {"noise": noise, "hair": one_hot(hair_ids, NUM_HAIR), "eyes": one_hot(eye_ids, NUM_EYES)}
    return {"noise": noise, "hair": keras.ops.one_hot(hair_ids, NUM_HAIR), "eyes": keras.ops.one_hot(eye_ids, NUM_EYES)}


def discriminator_inputs(discriminator: keras.Model, images, hair, eyes) -> dict:
    """The input dict ``discriminator`` takes: the image, plus the one-hot labels if its head reads them."""
    available = {"image": images, "hair": hair, "eyes": eyes}
    return {key: available[key] for key in discriminator.input}


def predict_in_batches(model: keras.Model, inputs, batch_size: int):
    """``model``'s outputs in inference mode, as NumPy, for an array or a dict of arrays, in batches.

    Used instead of Keras's ``predict``, which wraps the arrays in a tf.data pipeline (TensorFlow 2.21 then
    logs an error line about ``use_unbounded_threadpool`` for it) and traces a new function for every
    model it meets, warning about retracing once a notebook has judged a few generators. Calling the
    model does neither, and gives the same numbers.
    """
    count = len(next(iter(inputs.values()))) if isinstance(inputs, dict) else len(inputs)
    if count < 1:
        raise ValueError("nothing to predict: the inputs have no rows")
    parts = []
    for start in range(0, count, batch_size):
        rows = slice(start, start + batch_size)
        batch = {name: value[rows] for name, value in inputs.items()} if isinstance(inputs, dict) else inputs[rows]
        parts.append(keras.tree.map_structure(np.asarray, model(batch, training=False)))
    return keras.tree.map_structure(lambda *pieces: np.concatenate(pieces), *parts)


def parameter_breakdown(model: keras.Model) -> dict[str, int]:
    """Parameters (trainable or not) per layer group, in layer order; groups without parameters are left out.

    A layer's group is its name up to the first underscore (``up2_conv3`` -> ``up2``), the naming the
    builders here use; a nested model (e.g. G inside a combined G+D model) counts as one group.
    """
    counts: Counter[str] = Counter()
    for layer in model.layers:
        counts[layer.name.split("_")[0]] += layer.count_params()
    return {group: count for group, count in counts.items() if count}


def _label_inputs():
    """The hair and eye one-hot inputs, named as the dict keys the models take."""
    return keras.Input((NUM_HAIR,), name="hair"), keras.Input((NUM_EYES,), name="eyes")


def _dense(units: int, name: str, normalisation: str, use_bias: bool = True) -> keras.layers.Layer:
    """A Dense layer with no activation, spectrally normalised when asked (heads end in these: logits)."""
    return spectral_if_asked(layers.Dense(units, use_bias=use_bias, name=name), normalisation)


def _concat_head(features, hair, eyes, normalisation: str) -> dict:
    """Seed 000: the labels join the flattened features and one Dense unit reads them all."""
    joined = layers.Concatenate(name="head_concat")([features, hair, eyes])
    return {"real_fake": _dense(1, "head_real_fake", normalisation)(joined)}


def _acgan_head(features, normalisation: str) -> dict:
    """ACGAN: the discriminator also classifies hair and eyes, from the image alone."""
    return {
        "real_fake": _dense(1, "head_real_fake", normalisation)(features),
        "hair": _dense(NUM_HAIR, "head_hair", normalisation)(features),
        "eyes": _dense(NUM_EYES, "head_eyes", normalisation)(features),
    }


def _projection_head(features, hair, eyes, normalisation: str) -> dict:
    """Projection discriminator: an unconditional logit plus, per label, how well the features match it."""
    unconditional = _dense(1, "head_unconditional", normalisation)(features)
    hair_match = _class_projection(features, hair, "hair", normalisation)
    eyes_match = _class_projection(features, eyes, "eyes", normalisation)
    return {"real_fake": layers.Add(name="head_real_fake")([unconditional, hair_match, eyes_match])}


def _class_projection(features, one_hot, part: str, normalisation: str):
    """<embedding(label), features>: a bias-free Dense on a one-hot is an embedding lookup."""
    embedding = _dense(features.shape[-1], f"head_{part}_embedding", normalisation, use_bias=False)(one_hot)
    return layers.Dot(axes=1, name=f"head_{part}_projection")([embedding, features])
