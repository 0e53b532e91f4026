package dev.panamax.transformer.nn;

import dev.panamax.tensor.Tensor;

/**
 * The sub-layer of a block that mixes positions: grouped-query {@link Attention}, or DeepSeek's
 * multi-head latent attention. It keeps its own KV cache, a region per sequence slot.
 */
public interface AttentionLayer {
    /**
     * {@code result [n, dim] = Attention(x [n, dim])} for the tokens {@code rows} describes, each run
     * attending over its own slot's cache; {@code result} is not {@code x}.
     */
    void forward(Tensor x, Rows rows, Tensor result);
}
