package dev.panamax.transformer.nn;

import dev.panamax.tensor.Tensor;

/** One decoder block: updates the residual stream of a batch of tokens in place. */
public interface Block {
    /** Runs the block on {@code x [n, dim]}, the tokens at positions {@code pos ... pos + n - 1}. */
    void forward(Tensor x, int pos);
}
