package dev.panamax.transformer;

import dev.panamax.tensor.DType;
import dev.panamax.tensor.Device;
import dev.panamax.tensor.Ops;
import dev.panamax.tensor.Tensor;
import java.lang.foreign.Arena;

/**
 * The keys and values of the positions each layer still reads, for every layer: {@code [slots, R, kvHeads, headDim]}
 * per layer for K and for V, allocated once on the backend for each sequence slot (one slot for a single
 * sequence; a {@link Transformer} decoding B sequences together holds B). A layer that attends over every
 * position holds the whole context ({@code R = S}); a sliding-window layer of window {@code W} holds
 * {@code R = min(S, W - 1 + C)} rows, {@code C} the most rows of one step: what a step reads of it
 * ({@link dev.panamax.transformer.nn.Attention}'s window cache). So Gemma 3 at a long context keeps about
 * {@code global layers x S + local layers x (W + C)} positions, not {@code layers x S}. F16 halves the memory
 * at a small cost in precision (each entry rounded to 11 significant bits).
 */
public final class KvCache {
    private final Tensor[] keys;
    private final Tensor[] values;
    private final int[] rows;
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
        this(ops, arena, config, dtype, valuesAreKeys, slots, new int[config.layers()], 1);
    }

    /**
     * As {@link #KvCache(Ops, Arena, ModelConfig, DType, boolean, int)}, with the layers of a sliding window
     * holding only the rows a step reads of them ({@link #rows(ModelConfig, int, int)}).
     *
     * @param ops           the backend whose memory holds the cache
     * @param arena         owns the cache's memory
     * @param config        the model's shape
     * @param dtype         F32 or F16
     * @param valuesAreKeys true to keep one tensor per layer for both
     * @param slots         the number of sequences, each with a context of its own
     * @param windows per layer: the positions its attention sees, itself included (0: all)
     * @param step          the most rows one forward step runs (a prompt chunk, or one row per slot)
     * @throws IllegalArgumentException if {@code slots} or {@code step} is not positive, {@code windows} has not one entry
     *                                  per layer or a negative one, or a host backend lacks the memory
     */
    public KvCache(Ops ops, Arena arena, ModelConfig config, DType dtype, boolean valuesAreKeys, int slots, int[] windows, int step) {
        if (step <= 0 || windows.length != config.layers()) {
            throw new IllegalArgumentException("a KV cache needs one window per layer (" + config.layers() + ", got " + windows.length
                    + ") and a positive step, got " + step);
        }
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
        this.rows = new int[config.layers()];
        for (int l = 0; l < rows.length; l++) {
            if (windows[l] < 0) {
                throw new IllegalArgumentException("layer " + l + ": a window must be 0 (none) or positive, got " + windows[l]);
            }
            rows[l] = rows(config, windows[l], step);
        }
        requireMemory(ops, arena, config, dtype, valuesAreKeys, slots, rows);
        this.keys = new Tensor[config.layers()];
        this.values = new Tensor[config.layers()];
        for (int l = 0; l < config.layers(); l++) {
            keys[l] = ops.allocate(arena, dtype, slots, rows[l], config.kvHeads(), config.headDim());
            values[l] = valuesAreKeys ? keys[l] : ops.allocate(arena, dtype, slots, rows[l], config.kvHeads(), config.headDim());
        }
    }

    /**
     * Rows per slot a layer of window {@code window} (0: none) needs when a step runs at most {@code step}
     * rows: the context; or, windowed, the {@code W - 1} positions before a step's first row and the step's
     * own, if fewer.
     *
     * @param config the model's shape
     * @param window the layer's window, 0 for none
     * @param step   the most rows one forward step runs
     * @return rows per slot of that layer's cache
     */
    public static int rows(ModelConfig config, int window, int step) {
        return window == 0 ? config.contextLength() : (int) Math.min(config.contextLength(), window - 1L + step);
    }

    /**
     * Bytes of the cache of {@code config} in {@code dtype}, one slot: K and V (or one latent), every layer,
     * each of {@code rows[l]} positions ({@link #rows(ModelConfig, int, int)}).
     *
     * @param config        the model's shape
     * @param dtype         F32 or F16
     * @param valuesAreKeys true for a cache of one latent per position (DeepSeek's MLA), no separate values
     * @param rows          rows per slot of each layer
     * @return the bytes, {@link Long#MAX_VALUE} if they overflow a long
     */
    public static long bytes(ModelConfig config, DType dtype, boolean valuesAreKeys, int[] rows) {
        try {
            long perRow = Math.multiplyExact(valuesAreKeys ? 1L : 2L, dtype.byteSize((long) config.kvHeads() * config.headDim()));
            long total = 0;
            for (int r : rows) {
                total = Math.addExact(total, Math.multiplyExact(perRow, (long) r));
            }
            return total;
        } catch (ArithmeticException e) {
            return Long.MAX_VALUE;
        }
    }

    /** {@return bytes this cache holds, all slots: what {@link #bytes(ModelConfig, DType, boolean, int[])} says times the slots} */
    public long bytes() {
        long b = 0;
        for (int l = 0; l < keys.length; l++) {
            b += keys[l].byteSize() * (valuesAreKeys ? 1 : 2);
        }
        return b;
    }

    /**
     * {@return rows per slot of layer {@code layer}'s cache: the context, or fewer for a sliding-window layer}
     *
     * @param layer the layer, from 0
     */
    public int rows(int layer) {
        return rows[layer];
    }

    /**
     * Bytes the cache of {@code config} takes in {@code dtype} without window caches: K and V, every layer,
     * every position, one slot.
     *
     * @param config the model's shape
     * @param dtype  F32 or F16
     * @return the bytes
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
    private static void requireMemory(Ops ops, Arena arena, ModelConfig config, DType dtype, boolean valuesAreKeys, int slots,
                                      int[] rows) {
        long perSlot = bytes(config, dtype, valuesAreKeys, rows);
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
     * {@return keys of {@code layer}: {@code [slots, R, kvHeads, headDim]}, {@code R = }{@link #rows(int)}}
     *
     * @param layer the layer, from 0
     */
    public Tensor keys(int layer) {
        return keys[layer];
    }

    /**
     * {@return values of {@code layer}: {@code [slots, R, kvHeads, headDim]}, {@code R = }{@link #rows(int)}}
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

    /** {@return positions a slot's sequence may reach (S, the context); a window layer holds fewer ({@link #rows(int)})} */
    public int capacity() {
        return capacity;
    }

    /** {@return f32 or F16} */
    public DType dtype() {
        return dtype;
    }
}
