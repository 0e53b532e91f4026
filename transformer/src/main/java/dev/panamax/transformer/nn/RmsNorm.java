package dev.panamax.transformer.nn;

import dev.panamax.tensor.Ops;
import dev.panamax.tensor.Tensor;

/** {@code out = x / sqrt(mean(x²) + eps) · g}, row by row. */
public record RmsNorm(Ops ops, Tensor gain, float eps) implements Norm {
    @Override
    public void forward(Tensor x, Tensor out) {
        ops.rmsNorm(x, gain, eps, out);
    }
}
