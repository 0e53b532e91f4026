package dev.panamax.kernels.cpu;

import dev.panamax.tensor.DType;
import dev.panamax.tensor.Device;
import dev.panamax.tensor.Tensor;

/**
 * The checked geometry of one {@code out[M, N] = x[M, K] · w[N, K]ᵀ}: sizes, and where each row
 * starts in its segment (rows may be strided, e.g. a {@code rows()} or {@code narrow()} view).
 */
record MatmulShape(int m, int n, int k, DType wType,
                   long xOffset, long xRowBytes, long wOffset, long wRowBytes, long outOffset, long outRowBytes) {

    /** Checks dtypes, ranks, sizes and layouts; throws {@link IllegalArgumentException} naming the shapes. */
    static MatmulShape of(Tensor x, Tensor w, Tensor out) {
        String shapes = "matmul(x " + x.describe() + ", w " + w.describe() + ", out " + out.describe() + ")";
        if (x.dtype() != DType.F32 || out.dtype() != DType.F32) {
            throw new IllegalArgumentException(shapes + ": x and out must be F32");
        }
        if (!WeightDecoder.supports(w.dtype())) {
            throw new IllegalArgumentException(shapes + ": weights of type " + w.dtype() + " are not supported");
        }
        if (x.rank() != 2 || w.rank() != 2 || out.rank() != 2) {
            throw new IllegalArgumentException(shapes + ": x, w and out must be matrices [M, K], [N, K], [M, N]");
        }
        if (x.size(1) != w.size(1) || out.size(0) != x.size(0) || out.size(1) != w.size(0)) {
            throw new IllegalArgumentException(shapes + ": expected x [M, K], w [N, K], out [M, N]");
        }
        if (x.size(0) > Integer.MAX_VALUE || w.size(0) > Integer.MAX_VALUE || x.numel() > Integer.MAX_VALUE - 64) {
            throw new IllegalArgumentException(shapes + ": x has more than 2^31 - 64 elements (kernels copy it to a float[])");
        }
        for (Tensor t : new Tensor[] {x, w, out}) {
            if (t.device() != Device.HOST) {
                throw new IllegalArgumentException(shapes + ": " + t.describe() + " is not in host memory");
            }
            if (t.size(1) > 1 && t.stride(1) != 1) {
                throw new IllegalArgumentException(shapes + ": the last dimension of " + t.describe()
                        + " must be contiguous, its stride is " + t.stride(1));
            }
            if (t.size(0) > 1 && t.stride(0) < t.size(1)) {
                throw new IllegalArgumentException(shapes + ": rows of " + t.describe() + " overlap (row stride "
                        + t.stride(0) + ")");
            }
        }
        DType wt = w.dtype();
        return new MatmulShape((int) x.size(0), (int) w.size(0), (int) x.size(1), wt,
                x.byteOffset(), 4 * x.stride(0), w.byteOffset(), wt.byteSize(w.stride(0)),
                out.byteOffset(), 4 * out.stride(0));
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
    long outRow(int i) {
        return outOffset + i * outRowBytes;
    }
}
