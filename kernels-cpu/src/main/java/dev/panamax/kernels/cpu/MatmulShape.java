package dev.panamax.kernels.cpu;

import dev.panamax.tensor.DType;
import dev.panamax.tensor.Device;
import dev.panamax.tensor.Tensor;

/**
 * The checked geometry of one {@code out[M, N] = x[M, K] · w[N, K]ᵀ}: sizes, and where each row
 * starts in its segment (rows may be strided, e.g. a {@code rows()} or {@code narrow()} view).
 *
 * <p>Mutable and reused: {@link CpuMatmul} keeps one and {@link #set}s it per call, so a decode step
 * (hundreds of matmuls) allocates nothing here; the pool's threads read it after
 * {@link ParallelFor#run} has published it. Messages are built only when a check fails.
 */
final class MatmulShape {
    private int m;
    private int n;
    private int k;
    private DType wType;
    private long xOffset;
    private long xRowBytes;
    private long wOffset;
    private long wRowBytes;
    private long outOffset;
    private long outRowBytes;

    /** A new shape for {@code x · wᵀ → out}, checked as {@link #set} checks it (for callers that may allocate). */
    static MatmulShape of(Tensor x, Tensor w, Tensor out) {
        MatmulShape s = new MatmulShape();
        s.set(x, w, out);
        return s;
    }

    /**
     * Checks dtypes, ranks, sizes and layouts, then takes this call's geometry; on a failed check this
     * shape is left as it was.
     *
     * @throws IllegalArgumentException naming the shapes
     */
    void set(Tensor x, Tensor w, Tensor out) {
        if (x.dtype() != DType.F32 || out.dtype() != DType.F32) {
            throw new IllegalArgumentException(shapes(x, w, out) + ": x and out must be F32");
        }
        if (!WeightDecoder.supports(w.dtype())) {
            throw new IllegalArgumentException(shapes(x, w, out) + ": weights of type " + w.dtype() + " are not supported");
        }
        if (x.rank() != 2 || w.rank() != 2 || out.rank() != 2) {
            throw new IllegalArgumentException(shapes(x, w, out) + ": x, w and out must be matrices [M, K], [N, K], [M, N]");
        }
        if (x.size(1) != w.size(1) || out.size(0) != x.size(0) || out.size(1) != w.size(0)) {
            throw new IllegalArgumentException(shapes(x, w, out) + ": expected x [M, K], w [N, K], out [M, N]");
        }
        if (x.size(0) > Integer.MAX_VALUE || w.size(0) > Integer.MAX_VALUE || x.numel() > Integer.MAX_VALUE - 64) {
            throw new IllegalArgumentException(shapes(x, w, out) + ": x has more than 2^31 - 64 elements (kernels copy it to a float[])");
        }
        checkLayout(x, w, out, x);
        checkLayout(x, w, out, w);
        checkLayout(x, w, out, out);
        DType wt = w.dtype();
        m = (int) x.size(0);
        n = (int) w.size(0);
        k = (int) x.size(1);
        wType = wt;
        xOffset = x.byteOffset();
        xRowBytes = 4 * x.stride(0);
        wOffset = w.byteOffset();
        wRowBytes = wt.byteSize(w.stride(0));
        outOffset = out.byteOffset();
        outRowBytes = 4 * out.stride(0);
    }

    private static void checkLayout(Tensor x, Tensor w, Tensor out, Tensor t) {
        if (t.device() != Device.HOST) {
            throw new IllegalArgumentException(shapes(x, w, out) + ": " + t.describe() + " is not in host memory");
        }
        if (t.size(1) > 1 && t.stride(1) != 1) {
            throw new IllegalArgumentException(shapes(x, w, out) + ": the last dimension of " + t.describe()
                    + " must be contiguous, its stride is " + t.stride(1));
        }
        if (t.size(0) > 1 && t.stride(0) < t.size(1)) {
            throw new IllegalArgumentException(shapes(x, w, out) + ": rows of " + t.describe() + " overlap (row stride "
                    + t.stride(0) + ")");
        }
    }

    /** The call, for messages. */
    private static String shapes(Tensor x, Tensor w, Tensor out) {
        return "matmul(x " + x.describe() + ", w " + w.describe() + ", out " + out.describe() + ")";
    }

    int m() {
        return m;
    }

    int n() {
        return n;
    }

    int k() {
        return k;
    }

    DType wType() {
        return wType;
    }

    /** Byte offset of row {@code i} of x. */
    long xRow(int i) {
        return xOffset + i * xRowBytes;
    }

    /** Byte offset of row {@code j} of w. */
    long wRow(int j) {
        return wOffset + j * wRowBytes;
    }

    /** Byte offset of row {@code i} of out. */
    /** Bytes from one weight row to the next. */
    long wRowBytes() {
        return wRowBytes;
    }

    /** Bytes from one row of out to the next. */
    long outRowBytes() {
        return outRowBytes;
    }

    long outRow(int i) {
        return outOffset + i * outRowBytes;
    }
}
