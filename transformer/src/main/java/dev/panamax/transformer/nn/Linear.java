package dev.panamax.transformer.nn;

import dev.panamax.tensor.Ops;
import dev.panamax.tensor.Tensor;

/**
 * A learned projection {@code y = x · Wᵀ + b}: every matrix a model applies to its activations goes
 * through here, so this is the one place to change how projections are computed (adapters, say).
 *
 * @see Ops#matmul
 */
public final class Linear {
    private final Ops ops;
    private final Tensor weight;
    private final Tensor bias;

    /**
     * @param weight {@code [out, in]}, of any dtype the backend multiplies
     * @param bias   F32 {@code [out]}, or null for none
     */
    public Linear(Ops ops, Tensor weight, Tensor bias) {
        this.ops = ops;
        this.weight = weight;
        this.bias = bias;
    }

    /** {@code out [n, out] = x [n, in] · Wᵀ (+ b)}. */
    public void forward(Tensor x, Tensor out) {
        ops.matmul(x, weight, out);
        if (bias != null) {
            ops.add(out, bias, out);
        }
    }

    /** The weight {@code [out, in]}. */
    public Tensor weight() {
        return weight;
    }

    /** The bias {@code [out]}, or null. */
    public Tensor bias() {
        return bias;
    }

    /** Output features. */
    public int outFeatures() {
        return (int) weight.size(0);
    }
}
