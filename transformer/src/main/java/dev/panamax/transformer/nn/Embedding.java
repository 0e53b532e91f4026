package dev.panamax.transformer.nn;

import dev.panamax.tensor.Ops;
import dev.panamax.tensor.Tensor;

/**
 * Token ids to vectors: {@code x[t] = E[id_t] · scale}. The scale is a family's (Gemma:
 * {@code sqrt(dim)}, Granite: its embedding multiplier); 1 for most.
 */
public final class Embedding {
    private final Ops ops;
    private final Tensor table;
    private final float scale;

    /** @param table {@code [vocab, dim]} of any dtype */
    public Embedding(Ops ops, Tensor table, float scale) {
        this.ops = ops;
        this.table = table;
        this.scale = scale;
    }

    /** {@code out [ids.length, dim] = E[ids] · scale}. */
    public void forward(int[] ids, Tensor out) {
        ops.embed(table, ids, out);
        if (scale != 1) {
            ops.scale(out, scale, out);
        }
    }

    /** The table {@code [vocab, dim]}, for an output projection tied to it. */
    public Tensor table() {
        return table;
    }
}
