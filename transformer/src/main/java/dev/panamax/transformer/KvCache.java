package dev.panamax.transformer;

import dev.panamax.tensor.DType;
import dev.panamax.tensor.Device;
import dev.panamax.tensor.Ops;
import dev.panamax.tensor.Tensor;
import java.lang.foreign.Arena;

/**
 * The keys and values of every position seen so far, for every layer: {@code [S, kvHeads, headDim]}
 * per layer for K and for V, allocated once for the whole context {@code S} on the backend.
 * F16 halves the memory at a small cost in precision (each entry rounded to 11 significant bits).
 */
public final class KvCache {
    private final Tensor[] keys;
    private final Tensor[] values;
    private final int capacity;
    private final DType dtype;
    private final boolean valuesAreKeys;

    /** Allocates the cache for {@code config.contextLength()} positions in {@code dtype} (F32 or F16). */
    public KvCache(Ops ops, Arena arena, ModelConfig config, DType dtype) {
        this(ops, arena, config, dtype, false);
    }

    /**
     * As {@link #KvCache(Ops, Arena, ModelConfig, DType)}; with {@code valuesAreKeys} one tensor per
     * layer serves as keys and values ({@link #values} returns {@link #keys}): multi-head latent
     * attention (DeepSeek) caches one latent vector per position and reads its values from it.
     */
    public KvCache(Ops ops, Arena arena, ModelConfig config, DType dtype, boolean valuesAreKeys) {
        if (dtype != DType.F32 && dtype != DType.F16) {
            throw new IllegalArgumentException("the KV cache holds F32 or F16, not " + dtype);
        }
        this.capacity = config.contextLength();
        this.dtype = dtype;
        this.valuesAreKeys = valuesAreKeys;
        requireMemory(ops, arena, config, dtype, valuesAreKeys);
        this.keys = new Tensor[config.layers()];
        this.values = new Tensor[config.layers()];
        for (int l = 0; l < config.layers(); l++) {
            keys[l] = ops.allocate(arena, dtype, capacity, config.kvHeads(), config.headDim());
            values[l] = valuesAreKeys ? keys[l] : ops.allocate(arena, dtype, capacity, config.kvHeads(), config.headDim());
        }
    }

    /** Bytes the cache of {@code config} takes in {@code dtype}: K and V, every layer, every position. */
    public static long bytes(ModelConfig config, DType dtype) {
        return bytes(config, dtype, false);
    }

    /** As {@link #bytes(ModelConfig, DType)}; half as much when the values are the keys. */
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
    private static void requireMemory(Ops ops, Arena arena, ModelConfig config, DType dtype, boolean valuesAreKeys) {
        long needed = bytes(config, dtype, valuesAreKeys);
        if (ops.allocate(arena, DType.F32, 1).device() != Device.HOST) {
            return; // device memory: the backend's allocator reports its own limit
        }
        long available = AvailableMemory.bytes();
        if (needed > available) {
            throw new IllegalArgumentException(String.format(
                    "the KV cache for a context of %d positions needs %s (%d layers x %s x %d heads x %d x %s), "
                            + "but this machine has %s available: use a shorter context (-c / LoadOptions.withContextLength)"
                            + "%s", config.contextLength(), AvailableMemory.describe(needed), config.layers(), valuesAreKeys ? "one latent" : "K and V", config.kvHeads(),
                    config.headDim(), dtype, AvailableMemory.describe(available), dtype == DType.F32 ? " or an F16 cache" : ""));
        }
    }

    /** Keys of {@code layer}: {@code [S, kvHeads, headDim]}. */
    public Tensor keys(int layer) {
        return keys[layer];
    }

    /** Values of {@code layer}: {@code [S, kvHeads, headDim]}. */
    public Tensor values(int layer) {
        return values[layer];
    }

    /** True when {@link #values} are the {@link #keys} (a latent cache). */
    public boolean valuesAreKeys() {
        return valuesAreKeys;
    }

    /** Positions the cache holds (S). */
    public int capacity() {
        return capacity;
    }

    /** F32 or F16. */
    public DType dtype() {
        return dtype;
    }
}
