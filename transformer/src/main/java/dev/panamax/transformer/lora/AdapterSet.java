package dev.panamax.transformer.lora;

import java.util.ArrayList;
import java.util.List;

/**
 * The LoRA adapters a model session applies, each with the user's scale: given to
 * {@link dev.panamax.transformer.LoadOptions#withAdapters}, consulted by every projection as the
 * decoder is built. The base weights are never copied or changed; two sessions of one file can
 * carry different sets.
 *
 * @param uses the adapters in the order they are added (their changes are summed)
 */
public record AdapterSet(List<Use> uses) {
    /** No adapters. */
    public static final AdapterSet NONE = new AdapterSet(List.of());

    /**
     * One adapter at one scale.
     *
     * @param adapter the adapter
     * @param scale   the user's strength, finite (1 as trained)
     */
    public record Use(LoraAdapter adapter, float scale) {
        /**
         * Checks the adapter and scale.
         *
         * @throws IllegalArgumentException if {@code adapter} is null or {@code scale} is not finite
         */
        public Use {
            if (adapter == null || !Float.isFinite(scale)) {
                throw new IllegalArgumentException("an adapter and a finite scale are needed, got " + adapter + ", " + scale);
            }
        }

        /**
         * The factor of {@code b · a} for one tensor of rank {@code rank}: {@link LoraAdapter#scale}.
         *
         * @param rank the rank of the tensor's {@code a} and {@code b}
         * @return the user's scale times the adapter's {@code alpha / rank} (or {@code / sqrt(rank)}, rsLoRA)
         */
        public float factor(int rank) {
            return adapter.scale(rank, scale);
        }
    }

    /** Copies the list, so that the set stays immutable. */
    public AdapterSet {
        uses = List.copyOf(uses);
    }

    /**
     * This set with {@code adapter} at {@code scale} added.
     *
     * @param adapter the adapter to add
     * @param scale   its strength
     * @return a new set; this one is unchanged
     */
    public AdapterSet with(LoraAdapter adapter, float scale) {
        List<Use> more = new ArrayList<>(uses);
        more.add(new Use(adapter, scale));
        return new AdapterSet(more);
    }

    /** {@return true if the set holds no adapter} */
    public boolean isEmpty() {
        return uses.isEmpty();
    }
}
