package dev.panamax.transformer.nn;

import dev.panamax.tensor.Ops;
import dev.panamax.tensor.Tensor;
import java.util.Arrays;

/**
 * A learned projection {@code y = x · Wᵀ + b}: every matrix a model applies to its activations goes
 * through here, so this is the one place to change how projections are computed. With low-rank
 * adapters (LoRA) attached, {@code y = x · Wᵀ + b + Σ (x · Aᵢᵀ) · Bᵢᵀ} where each {@code Bᵢ} already
 * carries its adapter's scale; {@code W} is never changed or copied. A session's layers are its
 * own, over shared weights, and may hold several adapter sets; the one its {@link AdapterSlots}
 * names as current applies.
 *
 * @see Ops#matmul
 */
public final class Linear {
    private final Ops ops;
    private final Tensor weight;
    private final Tensor bias;
    /** The attached LoRA changes, per adapter set. */
    private final LowRankChanges adapters = new LowRankChanges();

    /**
     * @param weight {@code [out, in]}, of any dtype the backend multiplies
     * @param bias   F32 {@code [out]}, or null for none
     */
    public Linear(Ops ops, Tensor weight, Tensor bias) {
        this.ops = ops;
        this.weight = weight;
        this.bias = bias;
    }

    /**
     * Adds the low-rank change {@code ΔW = b · a} to this projection while adapter set {@code set} is
     * {@link AdapterSlots#current() current}: the session that owns these layers calls it once per set
     * it fits, before any pass applies that set.
     *
     * @param slots   the session's set choice, the same for all its layers
     * @param set     the set's number (not {@link AdapterSlots#NONE})
     * @param a       {@code [r, in]} on the backend, F32, F16 or BF16
     * @param scaledB F32 {@code [out, r]} on the backend, the adapter's scale already applied
     * @param scratch where the {@code [n, r]} and {@code [n, out]} intermediates live
     */
    public void attach(AdapterSlots slots, int set, Tensor a, Tensor scaledB, Scratch scratch) {
        int rank = (int) a.size(0);
        if (a.rank() != 2 || scaledB.rank() != 2 || a.size(1) != weight.size(1) || scaledB.size(0) != weight.size(0)
                || scaledB.size(1) != rank) {
            throw new IllegalArgumentException("adapter " + Arrays.toString(a.shape()) + " / " + Arrays.toString(scaledB.shape())
                    + " does not fit the weight " + Arrays.toString(weight.shape()));
        }
        adapters.add(slots, set, new LowRankChanges.Change(a, scaledB, scratch.buffer("lora.low", rank),
                scratch.buffer("lora.delta", outFeatures())));
    }

    /** {@code out [n, out] = x [n, in] · Wᵀ (+ b) (+ the current adapter set's changes)}. */
    public void forward(Tensor x, Tensor out) {
        ops.matmul(x, weight, out);
        if (bias != null) {
            ops.add(out, bias, out);
        }
        LowRankChanges.Change[] changes = adapters.current();
        if (changes.length > 0) {
            int n = (int) x.size(0);
            for (LowRankChanges.Change d : changes) {
                ops.addLowRank(x, d.a(), d.b(), d.low().rows(n), d.delta().rows(n), out);
            }
        }
    }

    /** Whether adapters of the current set change this projection (then only {@link #forward} computes it). */
    public boolean adapted() {
        return adapters.current().length > 0;
    }

    /** The weight {@code [out, in]}. */
    public Tensor weight() {
        return weight;
    }

    /** The bias {@code [out]}, or null. */
    public Tensor bias() {
        return bias;
    }

    /** Adapters attached for adapter set {@code set}. */
    public int adapterCount(int set) {
        return adapters.count(set);
    }

    /** Output features. */
    public int outFeatures() {
        return (int) weight.size(0);
    }
}
