package dev.panamax.transformer.nn;

import dev.panamax.tensor.Tensor;

/** One decoder block: updates the residual stream of a batch of tokens in place. */
public interface Block {
    /**
     * Runs the block on {@code x [n, dim]}, whose rows are the tokens {@code rows} describes: the
     * positions {@code pos ... pos + n - 1} of one sequence ({@link Rows#of}), or runs of several.
     */
    void forward(Tensor x, Rows rows);

    /**
     * Whether slot {@code slot} can run from position {@code position} on, the positions before it taken
     * from this block's KV cache ({@link AttentionLayer#canContinue}); true for a block that caches nothing.
     */
    boolean canContinue(int slot, int position);
}
