package dev.panamax.transformer;

import dev.panamax.tensor.Tensor;

/**
 * One expert of a mixture-of-experts feed-forward: a SwiGLU network of its own.
 *
 * @param gate {@code [ffnDim, dim]}
 * @param up   {@code [ffnDim, dim]}
 * @param down {@code [dim, ffnDim]}
 */
public record ExpertWeights(Tensor gate, Tensor up, Tensor down) {
}
