package dev.panamax.transformer.nn;

import dev.panamax.tensor.Ops;
import dev.panamax.tensor.Tensor;
import java.util.Arrays;

/**
 * Token ids to vectors: {@code x[t] = (E[id_t] + Σᵢ Bᵢ · Aᵢ[id_t]) · scale}. The scale is a family's
 * (Gemma: {@code sqrt(dim)}, Granite: its embedding multiplier); 1 for most. The sum is over the LoRA
 * adapters of the current adapter set that change the embedding (llama.cpp's {@code token_embd}
 * adapters, {@code A [vocab, r]}, {@code B [dim, r]}, added before the scale as llama.cpp does).
 */
public final class Embedding {
    private final Ops ops;
    private final Tensor table;
    private final float scale;
    /** The attached LoRA changes ({@code token_embd} adapters), per adapter set. */
    private final LowRankChanges adapters = new LowRankChanges();

    /** @param table {@code [vocab, dim]} of any dtype */
    public Embedding(Ops ops, Tensor table, float scale) {
        this.ops = ops;
        this.table = table;
        this.scale = scale;
    }

    /**
     * Adds {@code ΔE[t] = scaledB · a[t]} while set {@code set} is current (see {@link Linear#attach}).
     *
     * @param a       {@code [vocab, r]} on the backend, F32, F16 or BF16
     * @param scaledB F32 {@code [dim, r]} on the backend, the adapter's scale already applied
     */
    public void attach(AdapterSlots slots, int set, Tensor a, Tensor scaledB, Scratch scratch) {
        int rank = (int) a.size(1);
        if (a.rank() != 2 || scaledB.rank() != 2 || a.size(0) != table.size(0) || scaledB.size(0) != table.size(1)
                || scaledB.size(1) != rank) {
            throw new IllegalArgumentException("embedding adapter " + Arrays.toString(a.shape()) + " / " + Arrays.toString(scaledB.shape())
                    + " does not fit the table " + Arrays.toString(table.shape()));
        }
        adapters.add(slots, set, new LowRankChanges.Change(a, scaledB, scratch.buffer("lora.low", rank),
                scratch.buffer("lora.delta", (int) table.size(1))));
    }

    /** {@code out [ids.length, dim] = (E[ids] + the current adapter set's changes) · scale}. */
    public void forward(int[] ids, Tensor out) {
        ops.embed(table, ids, out);
        LowRankChanges.Change[] changes = adapters.current();
        if (changes.length > 0) {
            int n = ids.length;
            for (LowRankChanges.Change d : changes) {
                Tensor low = d.low().rows(n), delta = d.delta().rows(n);
                ops.embed(d.a(), ids, low);
                ops.matmul(low, d.b(), delta);
                ops.add(out, delta, out);
            }
        }
        if (scale != 1) {
            ops.scale(out, scale, out);
        }
    }

    /** The table {@code [vocab, dim]}, for an output projection tied to it. */
    public Tensor table() {
        return table;
    }
}
