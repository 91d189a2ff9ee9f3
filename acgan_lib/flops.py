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
