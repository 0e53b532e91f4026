package dev.panamax.kernels.cpu;

import dev.panamax.tensor.DType;
import dev.panamax.tensor.Device;
import dev.panamax.tensor.Tensor;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.nio.ByteOrder;
import java.util.Objects;

/**
 * {@code out[m, h, n] = x[m, h, :] · w[h, n, :]} for every head h ({@link dev.panamax.tensor.Ops#headMatmul}).
 *
 * <p>With few rows of x (decode) the heads' products are tiny (DeepSeek-V2: 16 heads of 512 x 128 per
 * product, two products per layer), so all heads go to the team as one dispatch: tasks are chunks
 * of one head's weight rows, each decoded to floats once and dotted with that head's x rows. With
 * {@link #GEMM_ROWS} rows or more (prefill) each head is a matrix product big enough for
 * {@link CpuMatmul}'s GEMM, one call per head.
 */
final class HeadMatmul {
    /** From this many rows of x on, each head is one {@link CpuMatmul} call (a GEMM). */
    static final int GEMM_ROWS = 8;
    /** Weight-row chunks per thread: enough to even out a slow thread. */
    private static final int CHUNKS_PER_THREAD = 4;
    private static final ValueLayout.OfFloat F32 = ValueLayout.JAVA_FLOAT_UNALIGNED.withOrder(ByteOrder.LITTLE_ENDIAN);

    private final ParallelFor pool;
    private final CpuMatmul matmul;
    private final ThreadLocal<float[][]> rows = ThreadLocal.withInitial(() -> new float[1][0]);
    private final ParallelFor.Body body = this::tasks;
    private float[] xf = new float[0];

    // The call in progress, read by the pool's threads (published by ParallelFor.run).
    private int m, heads, n, k, chunk, chunksPerHead;
    private DType wType;
    private MemorySegment weights, output;
    private long wOffset, wHeadBytes, wRowBytes, outOffset, outRowStride, outHeadStride;

    HeadMatmul(ParallelFor pool, CpuMatmul matmul) {
        this.pool = Objects.requireNonNull(pool, "pool");
        this.matmul = Objects.requireNonNull(matmul, "matmul");
    }

    /**
     * Checks what every backend checks: F32 {@code x [M, H, K]} and {@code out [M, H, N]}, weights
     * {@code [H, N, K]}. (Layouts are checked per head, as {@code matmul} checks them.)
     */
    static void checkShapes(String op, Tensor x, Tensor w, Tensor out) {
        Checks.alive(op, x, w, out);
        if (x.dtype() != DType.F32 || out.dtype() != DType.F32) {
            throw new IllegalArgumentException(op + ": x " + x.describe() + " and out " + out.describe() + " must be F32");
        }
        if (x.rank() != 3 || w.rank() != 3 || out.rank() != 3 || x.size(1) != w.size(0) || x.size(2) != w.size(2)
                || out.size(0) != x.size(0) || out.size(1) != w.size(0) || out.size(2) != w.size(1)) {
            throw new IllegalArgumentException(op + ": expected x [M, H, K], w [H, N, K], out [M, H, N], got x " + x.describe()
                    + ", w " + w.describe() + ", out " + out.describe());
        }
        Checks.disjoint(op, "out", out, "x", x);
        Checks.disjoint(op, "out", out, "w", w);
    }

    /** The reference: one {@link ReferenceMatmul} per head on its views. */
    static void reference(Tensor x, Tensor w, Tensor out) {
        checkShapes("headMatmul", x, w, out);
        for (int h = 0; h < w.size(0); h++) {
            ReferenceMatmul.matmul(x.select(1, h), w.select(0, h), out.select(1, h));
        }
    }

    void run(Tensor x, Tensor w, Tensor out) {
        checkShapes("headMatmul", x, w, out);
        int rowsX = (int) x.size(0), h = (int) w.size(0);
        if (rowsX >= GEMM_ROWS) {
            for (int i = 0; i < h; i++) {
                matmul.matmul(x.select(1, i), w.select(0, i), out.select(1, i));
            }
            return;
        }
        checkLayout(x, w, out);
        if (rowsX == 0 || h == 0 || w.size(1) == 0) {
            return;
        }
        m = rowsX;
        heads = h;
        n = (int) w.size(1);
        k = (int) w.size(2);
        wType = w.dtype();
        // x's rows, head by head, as floats: [m][h][k]
        if (xf.length < m * h * k) {
            xf = new float[m * h * k];
        }
        MemorySegment xs = x.segment();
        for (int r = 0; r < m; r++) {
            for (int i = 0; i < h; i++) {
                MemorySegment.copy(xs, F32, x.byteOffset() + 4 * (r * x.stride(0) + i * x.stride(1)), xf, (r * h + i) * k, k);
            }
        }
        weights = w.segment();
        wOffset = w.byteOffset();
        wHeadBytes = wType.byteSize(w.stride(0));
        wRowBytes = wType.byteSize(w.stride(1));
        output = out.segment();
        outOffset = out.byteOffset();
        outRowStride = out.stride(0);
        outHeadStride = out.stride(1);
        int target = CHUNKS_PER_THREAD * pool.threads();
        chunksPerHead = Math.max(1, Math.min(n, (target + h - 1) / h));
        chunk = (n + chunksPerHead - 1) / chunksPerHead;
        chunksPerHead = (n + chunk - 1) / chunk;
        int tasks = h * chunksPerHead;
        boolean inline = (long) m * h * n * k < CpuMatmul.INLINE_WORK;
        try {
            pool.run(tasks, inline ? tasks : 1, body);
        } finally {
            weights = null;
            output = null;
        }
    }

    /** Rows contiguous for the kernel's addressing: last dimensions of stride 1, weights' head stride whole blocks. */
    private static void checkLayout(Tensor x, Tensor w, Tensor out) {
        for (Tensor t : new Tensor[] {x, w, out}) {
            if (t.device() != Device.HOST) {
                throw new IllegalArgumentException("headMatmul: " + t.describe() + " is not in host memory");
            }
            if (t.size(2) > 1 && t.stride(2) != 1) {
                throw new IllegalArgumentException("headMatmul: the last dimension of " + t.describe() + " must be contiguous");
            }
        }
        if (!WeightDecoder.supports(w.dtype())) {
            throw new IllegalArgumentException("headMatmul: weights of type " + w.dtype() + " are not supported");
        }
        int block = w.dtype().blockSize();
        if (w.size(2) % block != 0 || w.stride(1) % block != 0 || w.stride(0) % block != 0 || w.stride(1) < w.size(2)) {
            throw new IllegalArgumentException("headMatmul: weight rows of " + w.describe() + " must be whole, contiguous "
                    + w.dtype() + " blocks");
        }
    }

    /** Tasks {@code [start, end)}: task t is chunk {@code t % chunksPerHead} of head {@code t / chunksPerHead}'s weight rows. */
    private void tasks(int start, int end) {
        float[][] holder = rows.get();
        if (holder[0].length < k) {
            holder[0] = new float[k];
        }
        float[] row = holder[0];
        MemorySegment w = weights, out = output;
        for (int t = start; t < end; t++) {
            int head = t / chunksPerHead;
            int first = (t % chunksPerHead) * chunk, last = Math.min(n, first + chunk);
            for (int j = first; j < last; j++) {
                long at = wOffset + head * wHeadBytes + j * wRowBytes;
                if (!VectorDecoder.decode(wType, w, at, row, k)) {
                    WeightDecoder.decode(wType, w, at, row, 0, k);
                }
                for (int r = 0; r < m; r++) {
                    float dot = VectorDots.dot(row, 0, xf, (r * heads + head) * k, k);
                    out.set(F32, outOffset + 4 * (r * outRowStride + head * outHeadStride + j), dot);
                }
            }
        }
    }
}
