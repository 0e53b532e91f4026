package dev.panamax.transformer.nn;

import dev.panamax.tensor.Tensor;

/** One decoder block: updates the residual stream of a batch of tokens in place. */
public interface Block {
    /**
     * Runs the block on {@code x [n, dim]}, whose rows are the tokens {@code rows} describes: the
     * positions {@code pos ... pos + n - 1} of one sequence ({@link Rows#of}), or runs of several.
     */
    void forward(Tensor x, Rows rows);
}
