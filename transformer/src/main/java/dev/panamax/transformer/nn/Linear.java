package dev.panamax.transformer.nn;

import dev.panamax.tensor.Ops;
import dev.panamax.tensor.Tensor;
import java.util.Arrays;

/**
 * A learned projection {@code y = x · Wᵀ + b}: every matrix a model applies to its activations goes
 * through here, so this is the one place to change how projections are computed. With low-rank
 * adapters (LoRA) attached, {@code y = x · Wᵀ + b + Σ (x · Aᵢᵀ) · Bᵢᵀ} where each {@code Bᵢ} already
 * carries its adapter's scale; {@code W} is never changed or copied.
 *
 * @see Ops#matmul
 */
public final class Linear {
    private final Ops ops;
    private final Tensor weight;
    private final Tensor bias;
    private final LowRank[] adapters;

    /** One attached adapter: {@code a [r, in]}, scaled {@code b [out, r]}, and the scratch for {@code x · aᵀ} and its product. */
    private record LowRank(Tensor a, Tensor b, Scratch.Buffer low, Scratch.Buffer delta) {
    }

    /**
     * @param weight {@code [out, in]}, of any dtype the backend multiplies
     * @param bias   F32 {@code [out]}, or null for none
     */
    public Linear(Ops ops, Tensor weight, Tensor bias) {
        this(ops, weight, bias, new LowRank[0]);
    }

    private Linear(Ops ops, Tensor weight, Tensor bias, LowRank[] adapters) {
        this.ops = ops;
        this.weight = weight;
        this.bias = bias;
        this.adapters = adapters;
    }

    /**
     * This projection with one more low-rank change {@code ΔW = b · a} added at run time.
     *
     * @param a       F32 {@code [r, in]} on the backend
     * @param scaledB F32 {@code [out, r]} on the backend, the adapter's scale already applied
     * @param scratch where the {@code [n, r]} and {@code [n, out]} intermediates live
     */
    public Linear withAdapter(Tensor a, Tensor scaledB, Scratch scratch) {
        int rank = (int) a.size(0);
        if (a.size(1) != weight.size(1) || scaledB.size(0) != weight.size(0) || scaledB.size(1) != rank) {
            throw new IllegalArgumentException("adapter " + Arrays.toString(a.shape()) + " / " + Arrays.toString(scaledB.shape())
                    + " does not fit the weight " + Arrays.toString(weight.shape()));
        }
        LowRank[] more = Arrays.copyOf(adapters, adapters.length + 1);
        more[adapters.length] = new LowRank(a, scaledB, scratch.buffer("lora.low", rank), scratch.buffer("lora.delta", outFeatures()));
        return new Linear(ops, weight, bias, more);
    }

    /** {@code out [n, out] = x [n, in] · Wᵀ (+ b) (+ the adapters' changes)}. */
    public void forward(Tensor x, Tensor out) {
        ops.matmul(x, weight, out);
        if (bias != null) {
            ops.add(out, bias, out);
        }
        if (adapters.length > 0) {
            int n = (int) x.size(0);
            for (LowRank d : adapters) {
                Tensor low = d.low.rows(n);
                Tensor delta = d.delta.rows(n);
                ops.matmul(x, d.a, low);
                ops.matmul(low, d.b, delta);
                ops.add(out, delta, out);
            }
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

    /** Adapters attached. */
    public int adapterCount() {
        return adapters.length;
    }

    /** Output features. */
    public int outFeatures() {
        return (int) weight.size(0);
    }
}
