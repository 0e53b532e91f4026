package dev.panamax.transformer;

import dev.panamax.tensor.DType;
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

    /** Allocates the cache for {@code config.contextLength()} positions in {@code dtype} (F32 or F16). */
    public KvCache(Ops ops, Arena arena, ModelConfig config, DType dtype) {
        if (dtype != DType.F32 && dtype != DType.F16) {
            throw new IllegalArgumentException("the KV cache holds F32 or F16, not " + dtype);
        }
        this.capacity = config.contextLength();
        this.dtype = dtype;
        this.keys = new Tensor[config.layers()];
        this.values = new Tensor[config.layers()];
        for (int l = 0; l < config.layers(); l++) {
            keys[l] = ops.allocate(arena, dtype, capacity, config.kvHeads(), config.headDim());
            values[l] = ops.allocate(arena, dtype, capacity, config.kvHeads(), config.headDim());
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

    /** Positions the cache holds (S). */
    public int capacity() {
        return capacity;
    }

    /** F32 or F16. */
    public DType dtype() {
        return dtype;
    }
}
