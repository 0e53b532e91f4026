package dev.panamax.transformer.nn;

import dev.panamax.tensor.Tensor;

/**
 * The sub-layer of a block that mixes positions: grouped-query {@link Attention}, or DeepSeek's
 * multi-head latent attention. It keeps its own KV cache.
 */
public interface AttentionLayer {
    /** {@code result [n, dim] = Attention(x [n, dim])} for the tokens at positions {@code pos ...}; {@code result} is not {@code x}. */
    void forward(Tensor x, int pos, Tensor result);
}
