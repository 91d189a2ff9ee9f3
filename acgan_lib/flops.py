"""Forward FLOPs per image of a Keras model, counted from its layers' shapes (no profiler needed).

Only the layers that dominate the cost are counted: Conv2D, Conv2DTranspose and Dense, including
ones wrapped in a layer wrapper such as SpectralNormalization. Each multiply-add counts as 2 FLOPs;
biases, activations, normalisation, pooling and additions are left out (they are a few percent here).

Every weight of such a layer takes part in one multiply-add per "position":
- Conv2D: per output pixel (the kernel has kh * kw * in * out weights);
- Conv2DTranspose: per input pixel (each input pixel scatters through the whole kernel; with "same"
  padding a few of those products land in the cropped border, and are counted, as profilers do);
- Dense: per row it is applied to (1 for a (N, features) input; more for (N, ..., features)).
So a layer's FLOPs are 2 * positions * kernel size.

``fused_step_flops`` counts a whole training step from G's and D's forward FLOPs: the yardstick for
equal compute budgets (notebook 05) and for how close training comes to the machine's peak (bench).
"""

from __future__ import annotations

import math

import keras
from keras import layers


def forward_flops(model: keras.Model) -> int:
    """FLOPs of one forward pass of one image (the batch axis is left out), summed over all layers.

    Nested models (e.g. a generator inside a combined G+D model) are walked into.
    """
    if not model.built:
        raise ValueError(f"model {model.name!r} is not built; call it on data or give it an Input first")
    return sum(
        forward_flops(layer) if isinstance(layer, keras.Model) else layer_flops(layer)
        for layer in model.layers
    )


def layer_flops(layer: keras.layers.Layer) -> int:
    """FLOPs per image of one layer: 2 * positions * kernel size for Conv2D/Conv2DTranspose/Dense, else 0."""
    weights_layer = layer.layer if isinstance(layer, layers.Wrapper) else layer
    if isinstance(weights_layer, (layers.Conv2DTranspose, layers.Dense)):
        positions = math.prod(layer.input.shape[1:-1])
    elif isinstance(weights_layer, layers.Conv2D):
        positions = math.prod(layer.output.shape[1:-1])
    else:
        return 0
    return 2 * positions * math.prod(weights_layer.kernel.shape)


# Multiply-adds of a backward pass, in forward passes: input and weight gradients cost one forward each.
BACKWARD_WITH_WEIGHT_GRADIENTS = 2
BACKWARD_INPUT_GRADIENTS_ONLY = 1
FLOP_CONVENTION = (
    "forward FLOPs per image, times the batch: d_steps * (G + 6 D) + 3 G + 2 D, counting a backward pass as "
    "2 forwards with weight gradients and 1 with input gradients only (D in the G update)"
)


def fused_step_flops(generator_flops: int, discriminator_flops: int, batch_size: int, d_steps: int) -> int:
    """FLOPs of one fused training step (``training.GANTrainer.train_step``), from the forward FLOPs per
    image of G and D.

    Each D update: G forward for the fakes (outside the gradient tape), D forward on the real and the
    fake batch, and D backward on both with weight gradients (2 forwards each).
    The G update: G forward, D forward, D backward for input gradients only (D's weights are not trained
    there and TensorFlow prunes their gradients: 1 forward), G backward with weight gradients (2 forwards).
    Per image that is ``d_steps * (G + 6 D) + 3 G + 2 D``. Left out, as in ``layer_flops``: activations,
    pooling, additions, the optimizers' updates, and the input gradients of the first layers, which no
    one needs (a few percent).
    """
    discriminator_update = generator_flops + 2 * discriminator_flops * (1 + BACKWARD_WITH_WEIGHT_GRADIENTS)
    generator_update = (generator_flops * (1 + BACKWARD_WITH_WEIGHT_GRADIENTS)
                        + discriminator_flops * (1 + BACKWARD_INPUT_GRADIENTS_ONLY))
    return batch_size * (d_steps * discriminator_update + generator_update)
