package dev.panamax.transformer.nn;

import dev.panamax.tensor.Tensor;

/** A layer's cache tensor cut into the regions of its sequence slots. */
public final class KvSlots {
    private KvSlots() {
    }

    /**
     * The region {@code [R, heads, headDim]} of each slot of {@code cache}: {@code [slots, R, heads, headDim]}
     * (what {@link dev.panamax.transformer.KvCache} holds; {@code R} the rows a layer keeps), or {@code [R, heads, headDim]}
     * for one slot.
     *
     * @throws IllegalArgumentException for another rank
     */
    public static Tensor[] of(Tensor cache) {
        if (cache.rank() == 3) {
            return new Tensor[] {cache};
        }
        if (cache.rank() != 4) {
            throw new IllegalArgumentException("a KV cache is [slots, S, heads, headDim] or [S, heads, headDim], got "
                    + java.util.Arrays.toString(cache.shape()));
        }
        Tensor[] slots = new Tensor[(int) cache.size(0)];
        for (int s = 0; s < slots.length; s++) {
            slots[s] = cache.select(0, s);
        }
        return slots;
    }
}
