"""The convolution block of seed 000, and the small layer helpers the models are built from.

The seed describes its block in one sentence (translated): "the input goes through three convolution
layers of identical structure, and the output of the first convolution is sent to the next layer and
to the one after it". We read it as

    a   = act(conv1(x))
    b   = act(conv2(a))
    out = act(conv3(a + b))

with three 3x3 "same" convolutions of the same channel count, and the skip ``a -> conv3`` as an
addition (the residual reading: the seed says the skip keeps gradients from vanishing, as in SRGAN,
whose skips add). A concatenation would be the other reading; it changes the parameter count of
conv3 and is not what SRGAN does. The seed's "+MAXPOOLING" makes the down block (discriminator) end
in 2x2 max-pooling; its "the first convolution of each block must be a transposed convolution" makes
the up block (generator) start with a transposed convolution of a given stride.

The blocks are plain functions that add layers to a Keras functional graph, so a saved model holds
only built-in layers and loads with ``safe_mode=True``. Every layer gets a name ``<block>_<part>``
(e.g. ``down1_conv2``), which is what ``models.parameter_breakdown`` groups by.

Two switches let a failure-analysis notebook change one thing at a time:
- ``activation``: one of ``ACTIVATIONS`` (leaky_relu uses a slope of 0.2, as in DCGAN);
- ``normalisation``: ``none`` (the seed), ``batch_norm`` (conv -> batch norm -> activation; the conv
  then has no bias, since the norm's mean subtraction would cancel it), ``spectral_norm`` (every
  weight layer wrapped in ``keras.layers.SpectralNormalization``, Miyato et al. 2018) or
  ``conditional_batch_norm`` (generator blocks only, which are given the labels: batch norm whose
  scale and shift are computed from the one-hot labels, so every block, not only the first, hears
  which colours to draw; de Vries et al. 2017, Miyato and Koyama 2018, BigGAN).
"""

from __future__ import annotations

import keras
from keras import layers, ops

from .profiles import NORMALISATIONS

ACTIVATIONS = ("relu", "leaky_relu", "elu", "tanh")
LEAKY_RELU_SLOPE = 0.2
KERNEL_SIZE = 3


def check_block_options(activation: str, normalisation: str) -> None:
    """Raise ValueError, listing the valid names, if the activation or normalisation is unknown."""
    _check_activation(activation)
    _check_normalisation(normalisation)


def _check_activation(activation: str) -> None:
    if activation not in ACTIVATIONS:
        raise ValueError(f"unknown activation {activation!r}; valid activations: {', '.join(ACTIVATIONS)}")


def _check_normalisation(normalisation: str) -> None:
    if normalisation not in NORMALISATIONS:
        raise ValueError(
            f"unknown normalisation {normalisation!r}; valid normalisations: {', '.join(NORMALISATIONS)}"
        )


def down_block(features, channels: int, *, name: str, activation: str, normalisation: str):
    """The seed's discriminator block: the skip-connected conv triple, then 2x2 max-pooling.

    Keeps ``channels`` channels throughout and halves the height and width.
    """
    check_block_options(activation, normalisation)
    first_conv = conv_layer(channels, name=f"{name}_conv1", normalisation=normalisation)
    features = _skip_triple(features, first_conv, channels, name=name,
                            activation=activation, normalisation=normalisation)
    return layers.MaxPooling2D(2, name=f"{name}_pool")(features)


def up_block(features, channels: int, stride: int, *, name: str, activation: str, normalisation: str,
             labels=None):
    """The seed's generator block: the skip-connected conv triple whose first conv is transposed.

    The transposed conv multiplies height and width by ``stride`` (the seed uses 2, 2, 2 and 4).
    ``labels`` (the one-hot hair and eyes, side by side) are needed by conditional batch norm only.
    """
    check_block_options(activation, normalisation)
    first_conv = conv_layer(channels, name=f"{name}_conv1", normalisation=normalisation,
                            strides=stride, transposed=True)
    return _skip_triple(features, first_conv, channels, name=name,
                        activation=activation, normalisation=normalisation, labels=labels)


def _skip_triple(features, first_conv, channels: int, *, name: str, activation: str, normalisation: str,
                 labels=None):
    """a = act(conv1(x)); b = act(conv2(a)); act(conv3(a + b)): the shared body of both blocks."""
    options = {"activation": activation, "normalisation": normalisation, "labels": labels}
    first = normalise_and_activate(first_conv(features), name=f"{name}_conv1", **options)
    second_conv = conv_layer(channels, name=f"{name}_conv2", normalisation=normalisation)
    second = normalise_and_activate(second_conv(first), name=f"{name}_conv2", **options)
    skip = layers.Add(name=f"{name}_skip")([first, second])
    third_conv = conv_layer(channels, name=f"{name}_conv3", normalisation=normalisation)
    return normalise_and_activate(third_conv(skip), name=f"{name}_conv3", **options)


def has_bias(normalisation: str) -> bool:
    """Whether a weight layer that ``normalisation`` follows needs a bias: not before batch norm, whose mean
    subtraction would cancel it (the norm's own shift, or the labels' in the conditional one, replaces it)."""
    _check_normalisation(normalisation)
    return normalisation not in ("batch_norm", "conditional_batch_norm")


def conv_layer(channels: int, *, name: str, normalisation: str, strides: int = 1, transposed: bool = False):
    """A 3x3 "same" conv (or transposed conv) that a normalisation and an activation will follow.

    It has a bias unless batch norm follows it (``has_bias``), and is spectrally normalised when asked.
    """
    conv_class = layers.Conv2DTranspose if transposed else layers.Conv2D
    conv = conv_class(channels, KERNEL_SIZE, strides=strides, padding="same",
                      use_bias=has_bias(normalisation), name=name)
    return spectral_if_asked(conv, normalisation)


def spectral_if_asked(layer: keras.layers.Layer, normalisation: str) -> keras.layers.Layer:
    """The layer wrapped in SpectralNormalization (named ``<layer>_sn``) for ``spectral_norm``, else itself.

    Keras's wrapper rescales the kernel by its largest singular value (one power iteration) on each
    training call; the layer's weights otherwise behave as usual.
    """
    _check_normalisation(normalisation)
    if normalisation != "spectral_norm":
        return layer
    return layers.SpectralNormalization(layer, name=f"{layer.name}_sn")


def normalise_and_activate(features, *, name: str, activation: str, normalisation: str, labels=None):
    """Batch norm (for ``batch_norm``, or ``conditional_batch_norm`` with ``labels``; spectral norm lives on
    the weights) and then the activation.

    The added layers are named ``<name>_bn`` and ``<name>_act`` (and ``<name>_gain``, ``<name>_shift``
    and their helpers for the conditional norm).
    """
    check_block_options(activation, normalisation)
    if normalisation == "batch_norm":
        features = layers.BatchNormalization(name=f"{name}_bn")(features)
    elif normalisation == "conditional_batch_norm":
        features = conditional_batch_norm(features, labels, name=name)
    return activation_layer(activation, name=f"{name}_act")(features)


def conditional_batch_norm(features, labels, *, name: str):
    """Batch norm whose per-channel scale and shift are linear in the labels: gain(y) * x_hat + shift(y).

    Plain batch norm learns one scale and shift per channel; here each class has its own (a one-hot y
    picks a row of each Dense layer's kernel), so the labels reach every layer that has the norm. The
    gain starts at 1 and the shift at 0 for every class, so an untrained generator starts as with plain
    batch norm. Built from Keras's own layers, so a saved model still loads with ``safe_mode``.
    """
    if labels is None:
        raise ValueError("conditional_batch_norm needs the labels; it is for generator blocks, which get them")
    channels = features.shape[-1]
    normalised = layers.BatchNormalization(center=False, scale=False, name=f"{name}_bn")(features)
    per_channel = (1,) * (len(features.shape) - 2) + (channels,)  # broadcast over height and width
    gain = layers.Dense(channels, kernel_initializer="zeros", bias_initializer="ones", name=f"{name}_gain")(labels)
    shift = layers.Dense(channels, kernel_initializer="zeros", name=f"{name}_shift")(labels)
    gain = layers.Reshape(per_channel, name=f"{name}_gain_reshape")(gain)
    shift = layers.Reshape(per_channel, name=f"{name}_shift_reshape")(shift)
    scaled = layers.Multiply(name=f"{name}_scaled")([normalised, gain])
    return layers.Add(name=f"{name}_shifted")([scaled, shift])


def activation_layer(activation: str, *, name: str) -> keras.layers.Layer:
    """A layer applying one of ``ACTIVATIONS``; leaky_relu has slope ``LEAKY_RELU_SLOPE`` for x < 0."""
    _check_activation(activation)
    if activation == "leaky_relu":
        return layers.LeakyReLU(negative_slope=LEAKY_RELU_SLOPE, name=name)
    return layers.Activation(activation, name=name)


@keras.saving.register_keras_serializable(package="acgan_lib")
class MinibatchSpread(layers.Layer):
    """Adds one feature map holding how much the batch varies (Karras et al. 2018, "minibatch stddev").

    D judges one image at a time, so a generator that draws the same face for every noise vector looks
    no worse to it than one that draws many. This layer gives D the average standard deviation of the
    features across the batch, the same value at every position of an extra channel; a collapsed batch
    of fakes shows a spread near 0 that real batches never have, so D can call it out. It has no weights.
    """

    def call(self, features):
        spread = ops.mean(ops.sqrt(ops.var(features, axis=0) + 1e-8))
        extra = ops.ones_like(features[..., :1]) * spread
        return ops.concatenate([features, extra], axis=-1)

    def compute_output_shape(self, input_shape):
        return (*input_shape[:-1], input_shape[-1] + 1)

