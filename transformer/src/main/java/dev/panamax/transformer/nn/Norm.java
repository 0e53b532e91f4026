package dev.panamax.transformer.nn;

import dev.panamax.tensor.Tensor;

/** A normalization of each row (RMSNorm, LayerNorm), with its learned gain (and bias). */
public interface Norm {
    /** {@code out [n, d] = norm(x [n, d])}; {@code out} may be {@code x}. */
    void forward(Tensor x, Tensor out);
}
