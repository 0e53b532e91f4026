package dev.panamax.transformer;

import dev.panamax.tensor.DType;
import dev.panamax.tensor.Device;
import dev.panamax.tensor.Ops;
import dev.panamax.tensor.Tensor;
import java.lang.foreign.Arena;

/**
 * The keys and values of every position seen so far, for every layer: {@code [slots, S, kvHeads, headDim]}
 * per layer for K and for V, allocated once for the whole context {@code S} of each sequence slot on
 * the backend (one slot for a single sequence; a {@link Transformer} decoding B sequences together
 * holds B). F16 halves the memory at a small cost in precision (each entry rounded to 11 significant bits).
 */
public final class KvCache {
    private final Tensor[] keys;
    private final Tensor[] values;
    private final int capacity;
    private final int slots;
    private final DType dtype;
    private final boolean valuesAreKeys;

    /**
     * Allocates the cache for {@code config.contextLength()} positions in {@code dtype} (F32 or F16).
     *
     * @param ops    the backend whose memory holds the cache
     * @param arena  owns the cache's memory
     * @param config the model's shape: layers, KV heads, head size and context length
     * @param dtype  F32 or F16 (half the memory, the values rounded once)
     */
    public KvCache(Ops ops, Arena arena, ModelConfig config, DType dtype) {
        this(ops, arena, config, dtype, false);
    }

    /**
     * As {@link #KvCache(Ops, Arena, ModelConfig, DType)}; with {@code valuesAreKeys} one tensor per
     * layer serves as keys and values ({@link #values} returns {@link #keys}): multi-head latent
     * attention (DeepSeek) caches one latent vector per position and reads its values from it.
     *
     * @param ops           the backend whose memory holds the cache
     * @param arena         owns the cache's memory
     * @param config        the model's shape
     * @param dtype         F32 or F16
     * @param valuesAreKeys true to keep one tensor per layer for both
     */
    public KvCache(Ops ops, Arena arena, ModelConfig config, DType dtype, boolean valuesAreKeys) {
        this(ops, arena, config, dtype, valuesAreKeys, 1);
    }

    /**
     * As {@link #KvCache(Ops, Arena, ModelConfig, DType, boolean)}, for {@code slots} sequences of
     * {@code config.contextLength()} positions each.
     *
     * @param ops           the backend whose memory holds the cache
     * @param arena         owns the cache's memory
     * @param config        the model's shape
     * @param dtype         F32 or F16
     * @param valuesAreKeys true to keep one tensor per layer for both
     * @param slots         the number of sequences, each with a context of its own
     * @throws IllegalArgumentException if {@code slots} is not positive, or a host backend lacks the memory
     */
    public KvCache(Ops ops, Arena arena, ModelConfig config, DType dtype, boolean valuesAreKeys, int slots) {
        if (slots <= 0) {
            throw new IllegalArgumentException("a KV cache needs at least one slot, got " + slots);
        }
        if (dtype != DType.F32 && dtype != DType.F16) {
            throw new IllegalArgumentException("the KV cache holds F32 or F16, not " + dtype);
        }
        this.capacity = config.contextLength();
        this.dtype = dtype;
        this.valuesAreKeys = valuesAreKeys;
        this.slots = slots;
        requireMemory(ops, arena, config, dtype, valuesAreKeys, slots);
        this.keys = new Tensor[config.layers()];
        this.values = new Tensor[config.layers()];
        for (int l = 0; l < config.layers(); l++) {
            keys[l] = ops.allocate(arena, dtype, slots, capacity, config.kvHeads(), config.headDim());
            values[l] = valuesAreKeys ? keys[l] : ops.allocate(arena, dtype, slots, capacity, config.kvHeads(), config.headDim());
        }
    }

    /**
     * {@return bytes the cache of {@code config} takes in {@code dtype}: K and V, every layer, every position, one
     * slot}
     *
     * @param config the model's shape
     * @param dtype  F32 or F16
     */
    public static long bytes(ModelConfig config, DType dtype) {
        return bytes(config, dtype, false);
    }

    /**
     * {@return as {@link #bytes(ModelConfig, DType)}; half as much when the values are the keys}
     *
     * @param config        the model's shape
     * @param dtype         F32 or F16
     * @param valuesAreKeys true if one tensor serves as keys and values
     */
    public static long bytes(ModelConfig config, DType dtype, boolean valuesAreKeys) {
        try {
            long perPosition = Math.multiplyExact((valuesAreKeys ? 1L : 2L) * config.layers(), dtype.byteSize((long) config.kvHeads() * config.headDim()));
            return Math.multiplyExact(perPosition, (long) config.contextLength());
        } catch (ArithmeticException e) {
            return Long.MAX_VALUE;
        }
    }

    /**
     * A host backend allocates the cache off-heap, where an allocation beyond what the machine has
     * ends in an OutOfMemoryError far from its cause (or in swapping): check first, and say how much
     * is needed and how to need less.
     */
    private static void requireMemory(Ops ops, Arena arena, ModelConfig config, DType dtype, boolean valuesAreKeys, int slots) {
        long perSlot = bytes(config, dtype, valuesAreKeys);
        long needed = perSlot > Long.MAX_VALUE / slots ? Long.MAX_VALUE : perSlot * slots;
        if (ops.allocate(arena, DType.F32, 1).device() != Device.HOST) {
            return; // device memory: the backend's allocator reports its own limit
        }
        long available = AvailableMemory.bytes();
        if (needed > available) {
            throw new IllegalArgumentException(String.format(
                    "the KV cache for %s of %d positions needs %s (%d layers x %s x %d heads x %d x %s), "
                            + "but this machine has %s available: use a shorter context (-c / LoadOptions.withContextLength)"
                            + "%s", slots == 1 ? "a context" : slots + " sequences", config.contextLength(), AvailableMemory.describe(needed),
                    config.layers(), valuesAreKeys ? "one latent" : "K and V", config.kvHeads(),
                    config.headDim(), dtype, AvailableMemory.describe(available),
                    remedies(dtype, slots)));
        }
    }

    /** The ways to need less beyond a shorter context. */
    private static String remedies(DType dtype, int slots) {
        boolean f16 = dtype == DType.F32;
        return f16 && slots > 1 ? ", an F16 cache or fewer slots" : f16 ? " or an F16 cache" : slots > 1 ? " or fewer slots" : "";
    }

    /**
     * {@return keys of {@code layer}: {@code [slots, S, kvHeads, headDim]}}
     *
     * @param layer the layer, from 0
     */
    public Tensor keys(int layer) {
        return keys[layer];
    }

    /**
     * {@return values of {@code layer}: {@code [slots, S, kvHeads, headDim]}}
     *
     * @param layer the layer, from 0
     */
    public Tensor values(int layer) {
        return values[layer];
    }

    /** {@return true when {@link #values} are the {@link #keys} (a latent cache)} */
    public boolean valuesAreKeys() {
        return valuesAreKeys;
    }

    /** {@return sequences the cache holds, each in a region of its own} */
    public int slots() {
        return slots;
    }

    /** {@return positions the cache holds per slot (S)} */
    public int capacity() {
        return capacity;
    }

    /** {@return f32 or F16} */
    public DType dtype() {
        return dtype;
    }
}
