package dev.panamax.transformer.nn;

import dev.panamax.tensor.Tensor;

/** The position-wise sub-layer of a block: dense (gated) or a mixture of experts. */
public interface FeedForward {
    /** {@code out [n, dim] = FFN(x [n, dim])}; {@code out} is not {@code x}. */
    void forward(Tensor x, Tensor out);
}
