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

    /**
     * Whether slot {@code slot} can run from position {@code position} on with the positions before it
     * taken from this layer's cache (a window cache may have dropped some that position still sees).
     */
    default boolean canContinue(int slot, int position) {
        return true;
    }
}
