package dev.panamax.transformer.nn;

import dev.panamax.tensor.Ops;
import dev.panamax.tensor.Tensor;

/** {@code out = (x - mean(x)) / sqrt(var(x) + eps) · g + b}, row by row; {@code bias} may be null. */
public record LayerNorm(Ops ops, Tensor gain, Tensor bias, float eps) implements Norm {
    @Override
    public void forward(Tensor x, Tensor out) {
        ops.layerNorm(x, gain, bias, eps, out);
    }
}
