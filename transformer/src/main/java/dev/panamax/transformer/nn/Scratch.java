package dev.panamax.transformer.nn;

import dev.panamax.tensor.DType;
import dev.panamax.tensor.Device;
import dev.panamax.tensor.Ops;
import dev.panamax.tensor.Tensor;
import java.lang.foreign.Arena;
import java.util.HashMap;
import java.util.Map;

/**
 * The scratch memory of a forward pass: F32 buffers of up to {@code maxBatch} rows on the backend,
 * allocated once. Layers ask for their buffers by name when they are built; layers asking for the
 * same name and width share the memory (they run one after the other). The views of the first
 * {@code n} rows are made once per {@code n} and reused, so decoding a token allocates nothing.
 */
public final class Scratch {
    private final Ops ops;
    private final Arena arena;
    private final int maxBatch;
    private final Map<String, Buffer> buffers = new HashMap<>();
    private final Map<String, Tensor> tensors = new HashMap<>();

    public Scratch(Ops ops, Arena arena, int maxBatch) {
        if (maxBatch <= 0) {
            throw new IllegalArgumentException("maxBatch must be positive, got " + maxBatch);
        }
        this.ops = ops;
        this.arena = arena;
        this.maxBatch = maxBatch;
    }

    /** Rows per batch at most. */
    public int maxBatch() {
        return maxBatch;
    }

    /** The buffer {@code name} of {@code [maxBatch, width]}. */
    public Buffer buffer(String name, int width) {
        return buffer(name, 1, width);
    }

    /** The buffer {@code name} of {@code [maxBatch, heads * headDim]}, also viewed as {@code [n, heads, headDim]}. */
    public Buffer buffer(String name, int heads, int headDim) {
        return buffers.computeIfAbsent(name + "/" + heads + "x" + headDim, k -> new Buffer(heads, headDim));
    }

    /**
     * The F32 tensor {@code name} of {@code [rows, cols]} on the backend, whatever the batch: layers asking for the
     * same name and shape share it.
     */
    public Tensor tensor(String name, int rows, int cols) {
        return tensors.computeIfAbsent(name + "/" + rows + "x" + cols, k -> ops.allocate(arena, DType.F32, rows, cols));
    }

    /** A host tensor to copy {@code t} into, or {@code t} itself on a host backend. */
    public Tensor hostMirror(Tensor t) {
        return t.device() == Device.HOST ? t : Tensor.allocate(arena, t.dtype(), t.shape());
    }

    /** One buffer and its cached views. */
    public final class Buffer {
        private final int heads, headDim;
        private final Tensor memory;
        private final Tensor[] rows, heads3, headRows, row;
        /** Views of rows {@code first ...} ({@link #rows(int, int)}), per first row: made on first use. */
        private final Tensor[][] rowsAt, headsAt, headRowsAt;

        private Buffer(int heads, int headDim) {
            this.heads = heads;
            this.headDim = headDim;
            this.memory = ops.allocate(arena, DType.F32, maxBatch, (long) heads * headDim);
            this.rows = new Tensor[maxBatch + 1];
            this.heads3 = new Tensor[maxBatch + 1];
            this.headRows = new Tensor[maxBatch + 1];
            this.row = new Tensor[maxBatch];
            this.rowsAt = new Tensor[maxBatch][];
            this.headsAt = new Tensor[maxBatch][];
            this.headRowsAt = new Tensor[maxBatch][];
        }

        /** The first {@code n} rows {@code [n, width]}. */
        public Tensor rows(int n) {
            Tensor t = rows[n];
            return t != null ? t : (rows[n] = memory.rows(0, n));
        }

        /** Row {@code i} alone {@code [1, width]}. */
        public Tensor row(int i) {
            Tensor t = row[i];
            return t != null ? t : (row[i] = memory.rows(i, 1));
        }

        /** The first {@code n} rows as {@code [n, heads, headDim]}. */
        public Tensor heads(int n) {
            Tensor t = heads3[n];
            return t != null ? t : (heads3[n] = rows(n).reshape(n, heads, headDim));
        }

        /** The first {@code n} rows as one row per head {@code [n * heads, headDim]}, e.g. to normalize each head. */
        public Tensor headRows(int n) {
            Tensor t = headRows[n];
            return t != null ? t : (headRows[n] = rows(n).reshape((long) n * heads, headDim));
        }

        /** Rows {@code first ... first + n - 1} {@code [n, width]}: one sequence's run of a step ({@link Rows}). */
        public Tensor rows(int first, int n) {
            if (first == 0) {
                return rows(n);
            }
            Tensor[] at = views(rowsAt, first);
            Tensor t = at[n];
            return t != null ? t : (at[n] = memory.rows(first, n));
        }

        /** Rows {@code first ... first + n - 1} as {@code [n, heads, headDim]}. */
        public Tensor heads(int first, int n) {
            if (first == 0) {
                return heads(n);
            }
            Tensor[] at = views(headsAt, first);
            Tensor t = at[n];
            return t != null ? t : (at[n] = rows(first, n).reshape(n, heads, headDim));
        }

        /** Rows {@code first ... first + n - 1} as one row per head {@code [n * heads, headDim]}. */
        public Tensor headRows(int first, int n) {
            if (first == 0) {
                return headRows(n);
            }
            Tensor[] at = views(headRowsAt, first);
            Tensor t = at[n];
            return t != null ? t : (at[n] = rows(first, n).reshape((long) n * heads, headDim));
        }

        private Tensor[] views(Tensor[][] byFirst, int first) {
            Tensor[] at = byFirst[first];
            return at != null ? at : (byFirst[first] = new Tensor[maxBatch - first + 1]);
        }
    }
}
