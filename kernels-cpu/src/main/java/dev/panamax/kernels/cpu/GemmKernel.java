package dev.panamax.kernels.cpu;

import java.lang.foreign.MemorySegment;
import java.nio.ByteOrder;
import jdk.incubator.vector.FloatVector;
import jdk.incubator.vector.VectorSpecies;

/**
 * The register-tiled F32 micro-kernel of the GEMM path: a {@value #MR} x {@link #NR} tile of
 * {@code out} kept in twelve vector registers, updated by one fused multiply-add per register and k.
 * The vectors are 512 bits wide where {@link WideDots#AVAILABLE} (twelve of AVX-512's 32 registers,
 * NR = 32), else 256 bits (twelve of AVX2's sixteen, NR = 16): a 256-bit kernel on AVX-512 hardware
 * could reach only half of the FMA peak.
 *
 * <p>The weights are packed k-major, {@code wp[k * NR + j] = w[n0 + j, k]} (two vector loads per
 * k); x is read in place from six rows (one broadcast per row and k: six sequential streams, which
 * L1 serves well, so packing x would only cost copies).
 */
final class GemmKernel {
    /** Rows of x per tile. */
    static final int MR = 6;
    private static final VectorSpecies<Float> F = WideDots.AVAILABLE ? FloatVector.SPECIES_512 : FloatVector.SPECIES_256;
    /** Floats per vector. */
    private static final int L = F.length();
    /** Rows of w (columns of out) per tile: two vectors. */
    static final int NR = 2 * L;

    private GemmKernel() {
    }

    /**
     * {@code tile[i * NR + j] = sum_k x[r_i + k] * wp[wo + k NR + j]} for {@code k < kc}, where
     * {@code r_0 ... r_5} are the offsets of the six x rows (repeat one to fill a partial tile).
     */
    static void multiply(float[] x, int r0, int r1, int r2, int r3, int r4, int r5, float[] wp, int wo, int kc, float[] tile) {
        FloatVector c00 = FloatVector.zero(F), c01 = FloatVector.zero(F);
        FloatVector c10 = FloatVector.zero(F), c11 = FloatVector.zero(F);
        FloatVector c20 = FloatVector.zero(F), c21 = FloatVector.zero(F);
        FloatVector c30 = FloatVector.zero(F), c31 = FloatVector.zero(F);
        FloatVector c40 = FloatVector.zero(F), c41 = FloatVector.zero(F);
        FloatVector c50 = FloatVector.zero(F), c51 = FloatVector.zero(F);
        for (int k = 0; k < kc; k++) {
            int b = wo + k * NR;
            FloatVector w0 = FloatVector.fromArray(F, wp, b);
            FloatVector w1 = FloatVector.fromArray(F, wp, b + L);
            FloatVector a = FloatVector.broadcast(F, x[r0 + k]);
            c00 = a.fma(w0, c00);
            c01 = a.fma(w1, c01);
            a = FloatVector.broadcast(F, x[r1 + k]);
            c10 = a.fma(w0, c10);
            c11 = a.fma(w1, c11);
            a = FloatVector.broadcast(F, x[r2 + k]);
            c20 = a.fma(w0, c20);
            c21 = a.fma(w1, c21);
            a = FloatVector.broadcast(F, x[r3 + k]);
            c30 = a.fma(w0, c30);
            c31 = a.fma(w1, c31);
            a = FloatVector.broadcast(F, x[r4 + k]);
            c40 = a.fma(w0, c40);
            c41 = a.fma(w1, c41);
            a = FloatVector.broadcast(F, x[r5 + k]);
            c50 = a.fma(w0, c50);
            c51 = a.fma(w1, c51);
        }
        c00.intoArray(tile, 0);
        c01.intoArray(tile, L);
        c10.intoArray(tile, NR);
        c11.intoArray(tile, NR + L);
        c20.intoArray(tile, 2 * NR);
        c21.intoArray(tile, 2 * NR + L);
        c30.intoArray(tile, 3 * NR);
        c31.intoArray(tile, 3 * NR + L);
        c40.intoArray(tile, 4 * NR);
        c41.intoArray(tile, 4 * NR + L);
        c50.intoArray(tile, 5 * NR);
        c51.intoArray(tile, 5 * NR + L);
    }

    /** Writes (or adds) row {@code i} of a full tile to {@code NR} floats of out at byte {@code at}. */
    static void storeRow(float[] tile, int i, MemorySegment out, long at, boolean accumulate) {
        FloatVector v0 = FloatVector.fromArray(F, tile, i * NR);
        FloatVector v1 = FloatVector.fromArray(F, tile, i * NR + L);
        if (accumulate) {
            v0 = v0.add(FloatVector.fromMemorySegment(F, out, at, ByteOrder.LITTLE_ENDIAN));
            v1 = v1.add(FloatVector.fromMemorySegment(F, out, at + 4L * L, ByteOrder.LITTLE_ENDIAN));
        }
        v0.intoMemorySegment(out, at, ByteOrder.LITTLE_ENDIAN);
        v1.intoMemorySegment(out, at + 4L * L, ByteOrder.LITTLE_ENDIAN);
    }
}
