package dev.panamax.kernels.cpu;

import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
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
    private static final ValueLayout.OfFloat F32 = ValueLayout.JAVA_FLOAT_UNALIGNED.withOrder(ByteOrder.LITTLE_ENDIAN);
    private static final VectorSpecies<Float> F = WideDots.AVAILABLE ? FloatVector.SPECIES_512 : FloatVector.SPECIES_256;
    /** Weight rows per tile of the wide-batch GEMM ({@link #multiply12}, or {@link #multiply6} on 256-bit vectors). */
    static final int WIDE_MR = WideDots.AVAILABLE ? 12 : 6;
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

    /**
     * The wide-batch kernel where vectors are 512 bits (32 registers): a 12 x {@link #NR} tile in 24 of them,
     * {@code c[co + i NR + j] (+)= sum_k w[wo + i stride + k] * xp[xo + k NR + j]} for {@code i < 12, k < kc}:
     * twelve weight rows, row-major at {@code stride}, broadcast; {@link #NR} packed x rows loaded as two
     * vectors. The tile starts from {@code c} when {@code accumulate} (a later slice of K), else from zero.
     */
    static void multiply12(float[] w, int wo, int stride, float[] xp, int xo, int kc, float[] c, int co, boolean accumulate) {
        FloatVector c000, c001, c010, c011, c020, c021, c030, c031, c040, c041, c050, c051, c060, c061, c070, c071, c080, c081, c090, c091, c100, c101, c110, c111;
        if (accumulate) {
            c000 = FloatVector.fromArray(F, c, co + 0 * NR);
            c001 = FloatVector.fromArray(F, c, co + 0 * NR + L);
            c010 = FloatVector.fromArray(F, c, co + 1 * NR);
            c011 = FloatVector.fromArray(F, c, co + 1 * NR + L);
            c020 = FloatVector.fromArray(F, c, co + 2 * NR);
            c021 = FloatVector.fromArray(F, c, co + 2 * NR + L);
            c030 = FloatVector.fromArray(F, c, co + 3 * NR);
            c031 = FloatVector.fromArray(F, c, co + 3 * NR + L);
            c040 = FloatVector.fromArray(F, c, co + 4 * NR);
            c041 = FloatVector.fromArray(F, c, co + 4 * NR + L);
            c050 = FloatVector.fromArray(F, c, co + 5 * NR);
            c051 = FloatVector.fromArray(F, c, co + 5 * NR + L);
            c060 = FloatVector.fromArray(F, c, co + 6 * NR);
            c061 = FloatVector.fromArray(F, c, co + 6 * NR + L);
            c070 = FloatVector.fromArray(F, c, co + 7 * NR);
            c071 = FloatVector.fromArray(F, c, co + 7 * NR + L);
            c080 = FloatVector.fromArray(F, c, co + 8 * NR);
            c081 = FloatVector.fromArray(F, c, co + 8 * NR + L);
            c090 = FloatVector.fromArray(F, c, co + 9 * NR);
            c091 = FloatVector.fromArray(F, c, co + 9 * NR + L);
            c100 = FloatVector.fromArray(F, c, co + 10 * NR);
            c101 = FloatVector.fromArray(F, c, co + 10 * NR + L);
            c110 = FloatVector.fromArray(F, c, co + 11 * NR);
            c111 = FloatVector.fromArray(F, c, co + 11 * NR + L);
        } else {
            c000 = c001 = c010 = c011 = c020 = c021 = c030 = c031 = c040 = c041 = c050 = c051 = c060 = c061 = c070 = c071 = c080 = c081 = c090 = c091 = c100 = c101 = c110 = c111 = FloatVector.zero(F);
        }
        for (int k = 0; k < kc; k++) {
            int b = xo + k * NR, r = wo + k;
            FloatVector x0 = FloatVector.fromArray(F, xp, b);
            FloatVector x1 = FloatVector.fromArray(F, xp, b + L);
            FloatVector a = FloatVector.broadcast(F, w[r]);
            c000 = a.fma(x0, c000);
            c001 = a.fma(x1, c001);
            a = FloatVector.broadcast(F, w[r + stride]);
            c010 = a.fma(x0, c010);
            c011 = a.fma(x1, c011);
            a = FloatVector.broadcast(F, w[r + 2 * stride]);
            c020 = a.fma(x0, c020);
            c021 = a.fma(x1, c021);
            a = FloatVector.broadcast(F, w[r + 3 * stride]);
            c030 = a.fma(x0, c030);
            c031 = a.fma(x1, c031);
            a = FloatVector.broadcast(F, w[r + 4 * stride]);
            c040 = a.fma(x0, c040);
            c041 = a.fma(x1, c041);
            a = FloatVector.broadcast(F, w[r + 5 * stride]);
            c050 = a.fma(x0, c050);
            c051 = a.fma(x1, c051);
            a = FloatVector.broadcast(F, w[r + 6 * stride]);
            c060 = a.fma(x0, c060);
            c061 = a.fma(x1, c061);
            a = FloatVector.broadcast(F, w[r + 7 * stride]);
            c070 = a.fma(x0, c070);
            c071 = a.fma(x1, c071);
            a = FloatVector.broadcast(F, w[r + 8 * stride]);
            c080 = a.fma(x0, c080);
            c081 = a.fma(x1, c081);
            a = FloatVector.broadcast(F, w[r + 9 * stride]);
            c090 = a.fma(x0, c090);
            c091 = a.fma(x1, c091);
            a = FloatVector.broadcast(F, w[r + 10 * stride]);
            c100 = a.fma(x0, c100);
            c101 = a.fma(x1, c101);
            a = FloatVector.broadcast(F, w[r + 11 * stride]);
            c110 = a.fma(x0, c110);
            c111 = a.fma(x1, c111);
        }
        c000.intoArray(c, co + 0 * NR);
        c001.intoArray(c, co + 0 * NR + L);
        c010.intoArray(c, co + 1 * NR);
        c011.intoArray(c, co + 1 * NR + L);
        c020.intoArray(c, co + 2 * NR);
        c021.intoArray(c, co + 2 * NR + L);
        c030.intoArray(c, co + 3 * NR);
        c031.intoArray(c, co + 3 * NR + L);
        c040.intoArray(c, co + 4 * NR);
        c041.intoArray(c, co + 4 * NR + L);
        c050.intoArray(c, co + 5 * NR);
        c051.intoArray(c, co + 5 * NR + L);
        c060.intoArray(c, co + 6 * NR);
        c061.intoArray(c, co + 6 * NR + L);
        c070.intoArray(c, co + 7 * NR);
        c071.intoArray(c, co + 7 * NR + L);
        c080.intoArray(c, co + 8 * NR);
        c081.intoArray(c, co + 8 * NR + L);
        c090.intoArray(c, co + 9 * NR);
        c091.intoArray(c, co + 9 * NR + L);
        c100.intoArray(c, co + 10 * NR);
        c101.intoArray(c, co + 10 * NR + L);
        c110.intoArray(c, co + 11 * NR);
        c111.intoArray(c, co + 11 * NR + L);
    }

    /** {@link #multiply12}'s twin for 256-bit vectors (sixteen registers): six weight rows, twelve accumulators. */
    static void multiply6(float[] w, int wo, int stride, float[] xp, int xo, int kc, float[] c, int co, boolean accumulate) {
        FloatVector c000, c001, c010, c011, c020, c021, c030, c031, c040, c041, c050, c051;
        if (accumulate) {
            c000 = FloatVector.fromArray(F, c, co + 0 * NR);
            c001 = FloatVector.fromArray(F, c, co + 0 * NR + L);
            c010 = FloatVector.fromArray(F, c, co + 1 * NR);
            c011 = FloatVector.fromArray(F, c, co + 1 * NR + L);
            c020 = FloatVector.fromArray(F, c, co + 2 * NR);
            c021 = FloatVector.fromArray(F, c, co + 2 * NR + L);
            c030 = FloatVector.fromArray(F, c, co + 3 * NR);
            c031 = FloatVector.fromArray(F, c, co + 3 * NR + L);
            c040 = FloatVector.fromArray(F, c, co + 4 * NR);
            c041 = FloatVector.fromArray(F, c, co + 4 * NR + L);
            c050 = FloatVector.fromArray(F, c, co + 5 * NR);
            c051 = FloatVector.fromArray(F, c, co + 5 * NR + L);
        } else {
            c000 = c001 = c010 = c011 = c020 = c021 = c030 = c031 = c040 = c041 = c050 = c051 = FloatVector.zero(F);
        }
        for (int k = 0; k < kc; k++) {
            int b = xo + k * NR, r = wo + k;
            FloatVector x0 = FloatVector.fromArray(F, xp, b);
            FloatVector x1 = FloatVector.fromArray(F, xp, b + L);
            FloatVector a = FloatVector.broadcast(F, w[r]);
            c000 = a.fma(x0, c000);
            c001 = a.fma(x1, c001);
            a = FloatVector.broadcast(F, w[r + stride]);
            c010 = a.fma(x0, c010);
            c011 = a.fma(x1, c011);
            a = FloatVector.broadcast(F, w[r + 2 * stride]);
            c020 = a.fma(x0, c020);
            c021 = a.fma(x1, c021);
            a = FloatVector.broadcast(F, w[r + 3 * stride]);
            c030 = a.fma(x0, c030);
            c031 = a.fma(x1, c031);
            a = FloatVector.broadcast(F, w[r + 4 * stride]);
            c040 = a.fma(x0, c040);
            c041 = a.fma(x1, c041);
            a = FloatVector.broadcast(F, w[r + 5 * stride]);
            c050 = a.fma(x0, c050);
            c051 = a.fma(x1, c051);
        }
        c000.intoArray(c, co + 0 * NR);
        c001.intoArray(c, co + 0 * NR + L);
        c010.intoArray(c, co + 1 * NR);
        c011.intoArray(c, co + 1 * NR + L);
        c020.intoArray(c, co + 2 * NR);
        c021.intoArray(c, co + 2 * NR + L);
        c030.intoArray(c, co + 3 * NR);
        c031.intoArray(c, co + 3 * NR + L);
        c040.intoArray(c, co + 4 * NR);
        c041.intoArray(c, co + 4 * NR + L);
        c050.intoArray(c, co + 5 * NR);
        c051.intoArray(c, co + 5 * NR + L);
    }

    /**
     * {@link #multiply12} on weights packed k-major per tile ({@link GemmRoutes}):
     * {@code c[co + i NR + j] (+)= sum_k wp[wo + k 12 + i] * xp[xo + k NR + j]} for {@code i < 12, k < kc}. The twelve
     * broadcasts of a k read one base register at constant offsets; with the rows a stride apart C2 spilled their
     * twelve offsets and reloaded one per broadcast (on Sapphire Rapids 150 against 174 GFLOP/s, in L1).
     */
    static void multiply12Packed(float[] wp, int wo, float[] xp, int xo, int kc, float[] c, int co, boolean accumulate) {
        FloatVector c000, c001, c010, c011, c020, c021, c030, c031, c040, c041, c050, c051, c060, c061, c070, c071, c080, c081, c090, c091, c100, c101, c110, c111;
        if (accumulate) {
            c000 = FloatVector.fromArray(F, c, co + 0 * NR);
            c001 = FloatVector.fromArray(F, c, co + 0 * NR + L);
            c010 = FloatVector.fromArray(F, c, co + 1 * NR);
            c011 = FloatVector.fromArray(F, c, co + 1 * NR + L);
            c020 = FloatVector.fromArray(F, c, co + 2 * NR);
            c021 = FloatVector.fromArray(F, c, co + 2 * NR + L);
            c030 = FloatVector.fromArray(F, c, co + 3 * NR);
            c031 = FloatVector.fromArray(F, c, co + 3 * NR + L);
            c040 = FloatVector.fromArray(F, c, co + 4 * NR);
            c041 = FloatVector.fromArray(F, c, co + 4 * NR + L);
            c050 = FloatVector.fromArray(F, c, co + 5 * NR);
            c051 = FloatVector.fromArray(F, c, co + 5 * NR + L);
            c060 = FloatVector.fromArray(F, c, co + 6 * NR);
            c061 = FloatVector.fromArray(F, c, co + 6 * NR + L);
            c070 = FloatVector.fromArray(F, c, co + 7 * NR);
            c071 = FloatVector.fromArray(F, c, co + 7 * NR + L);
            c080 = FloatVector.fromArray(F, c, co + 8 * NR);
            c081 = FloatVector.fromArray(F, c, co + 8 * NR + L);
            c090 = FloatVector.fromArray(F, c, co + 9 * NR);
            c091 = FloatVector.fromArray(F, c, co + 9 * NR + L);
            c100 = FloatVector.fromArray(F, c, co + 10 * NR);
            c101 = FloatVector.fromArray(F, c, co + 10 * NR + L);
            c110 = FloatVector.fromArray(F, c, co + 11 * NR);
            c111 = FloatVector.fromArray(F, c, co + 11 * NR + L);
        } else {
            c000 = c001 = c010 = c011 = c020 = c021 = c030 = c031 = c040 = c041 = c050 = c051 = c060 = c061 = c070 = c071 = c080 = c081 = c090 = c091 = c100 = c101 = c110 = c111 = FloatVector.zero(F);
        }
        for (int k = 0; k < kc; k++) {
            int b = xo + k * NR, r = wo + k * 12;
            FloatVector x0 = FloatVector.fromArray(F, xp, b);
            FloatVector x1 = FloatVector.fromArray(F, xp, b + L);
            FloatVector a = FloatVector.broadcast(F, wp[r]);
            c000 = a.fma(x0, c000);
            c001 = a.fma(x1, c001);
            a = FloatVector.broadcast(F, wp[r + 1]);
            c010 = a.fma(x0, c010);
            c011 = a.fma(x1, c011);
            a = FloatVector.broadcast(F, wp[r + 2]);
            c020 = a.fma(x0, c020);
            c021 = a.fma(x1, c021);
            a = FloatVector.broadcast(F, wp[r + 3]);
            c030 = a.fma(x0, c030);
            c031 = a.fma(x1, c031);
            a = FloatVector.broadcast(F, wp[r + 4]);
            c040 = a.fma(x0, c040);
            c041 = a.fma(x1, c041);
            a = FloatVector.broadcast(F, wp[r + 5]);
            c050 = a.fma(x0, c050);
            c051 = a.fma(x1, c051);
            a = FloatVector.broadcast(F, wp[r + 6]);
            c060 = a.fma(x0, c060);
            c061 = a.fma(x1, c061);
            a = FloatVector.broadcast(F, wp[r + 7]);
            c070 = a.fma(x0, c070);
            c071 = a.fma(x1, c071);
            a = FloatVector.broadcast(F, wp[r + 8]);
            c080 = a.fma(x0, c080);
            c081 = a.fma(x1, c081);
            a = FloatVector.broadcast(F, wp[r + 9]);
            c090 = a.fma(x0, c090);
            c091 = a.fma(x1, c091);
            a = FloatVector.broadcast(F, wp[r + 10]);
            c100 = a.fma(x0, c100);
            c101 = a.fma(x1, c101);
            a = FloatVector.broadcast(F, wp[r + 11]);
            c110 = a.fma(x0, c110);
            c111 = a.fma(x1, c111);
        }
        c000.intoArray(c, co + 0 * NR);
        c001.intoArray(c, co + 0 * NR + L);
        c010.intoArray(c, co + 1 * NR);
        c011.intoArray(c, co + 1 * NR + L);
        c020.intoArray(c, co + 2 * NR);
        c021.intoArray(c, co + 2 * NR + L);
        c030.intoArray(c, co + 3 * NR);
        c031.intoArray(c, co + 3 * NR + L);
        c040.intoArray(c, co + 4 * NR);
        c041.intoArray(c, co + 4 * NR + L);
        c050.intoArray(c, co + 5 * NR);
        c051.intoArray(c, co + 5 * NR + L);
        c060.intoArray(c, co + 6 * NR);
        c061.intoArray(c, co + 6 * NR + L);
        c070.intoArray(c, co + 7 * NR);
        c071.intoArray(c, co + 7 * NR + L);
        c080.intoArray(c, co + 8 * NR);
        c081.intoArray(c, co + 8 * NR + L);
        c090.intoArray(c, co + 9 * NR);
        c091.intoArray(c, co + 9 * NR + L);
        c100.intoArray(c, co + 10 * NR);
        c101.intoArray(c, co + 10 * NR + L);
        c110.intoArray(c, co + 11 * NR);
        c111.intoArray(c, co + 11 * NR + L);
    }

    /** {@link #multiply12Packed}'s twin for 256-bit vectors: six weight rows packed k-major, twelve accumulators. */
    static void multiply6Packed(float[] wp, int wo, float[] xp, int xo, int kc, float[] c, int co, boolean accumulate) {
        FloatVector c000, c001, c010, c011, c020, c021, c030, c031, c040, c041, c050, c051;
        if (accumulate) {
            c000 = FloatVector.fromArray(F, c, co + 0 * NR);
            c001 = FloatVector.fromArray(F, c, co + 0 * NR + L);
            c010 = FloatVector.fromArray(F, c, co + 1 * NR);
            c011 = FloatVector.fromArray(F, c, co + 1 * NR + L);
            c020 = FloatVector.fromArray(F, c, co + 2 * NR);
            c021 = FloatVector.fromArray(F, c, co + 2 * NR + L);
            c030 = FloatVector.fromArray(F, c, co + 3 * NR);
            c031 = FloatVector.fromArray(F, c, co + 3 * NR + L);
            c040 = FloatVector.fromArray(F, c, co + 4 * NR);
            c041 = FloatVector.fromArray(F, c, co + 4 * NR + L);
            c050 = FloatVector.fromArray(F, c, co + 5 * NR);
            c051 = FloatVector.fromArray(F, c, co + 5 * NR + L);
        } else {
            c000 = c001 = c010 = c011 = c020 = c021 = c030 = c031 = c040 = c041 = c050 = c051 = FloatVector.zero(F);
        }
        for (int k = 0; k < kc; k++) {
            int b = xo + k * NR, r = wo + k * 6;
            FloatVector x0 = FloatVector.fromArray(F, xp, b);
            FloatVector x1 = FloatVector.fromArray(F, xp, b + L);
            FloatVector a = FloatVector.broadcast(F, wp[r]);
            c000 = a.fma(x0, c000);
            c001 = a.fma(x1, c001);
            a = FloatVector.broadcast(F, wp[r + 1]);
            c010 = a.fma(x0, c010);
            c011 = a.fma(x1, c011);
            a = FloatVector.broadcast(F, wp[r + 2]);
            c020 = a.fma(x0, c020);
            c021 = a.fma(x1, c021);
            a = FloatVector.broadcast(F, wp[r + 3]);
            c030 = a.fma(x0, c030);
            c031 = a.fma(x1, c031);
            a = FloatVector.broadcast(F, wp[r + 4]);
            c040 = a.fma(x0, c040);
            c041 = a.fma(x1, c041);
            a = FloatVector.broadcast(F, wp[r + 5]);
            c050 = a.fma(x0, c050);
            c051 = a.fma(x1, c051);
        }
        c000.intoArray(c, co + 0 * NR);
        c001.intoArray(c, co + 0 * NR + L);
        c010.intoArray(c, co + 1 * NR);
        c011.intoArray(c, co + 1 * NR + L);
        c020.intoArray(c, co + 2 * NR);
        c021.intoArray(c, co + 2 * NR + L);
        c030.intoArray(c, co + 3 * NR);
        c031.intoArray(c, co + 3 * NR + L);
        c040.intoArray(c, co + 4 * NR);
        c041.intoArray(c, co + 4 * NR + L);
        c050.intoArray(c, co + 5 * NR);
        c051.intoArray(c, co + 5 * NR + L);
    }

    /** Offsets of one gathered run of {@link #storeTransposed}: lane q reads {@code q NR}. */
    private static final int[] COLUMN = columnOffsets();

    private static int[] columnOffsets() {
        int[] offsets = new int[F.length()];
        for (int q = 0; q < offsets.length; q++) {
            offsets[q] = q * NR;
        }
        return offsets;
    }

    /**
     * Writes a wide-batch task's accumulated tiles to out, transposed: {@code out[c NR + j, i] = acc[(c R + i) NR + j]}
     * for {@code i < nc}, every row {@code c NR + j < m}, out's row r at byte {@code at + r rowBytes}. Runs of
     * {@link #L} floats of an out row are gathered from acc (one {@code vgatherdps} on AVX-512) and stored as one vector;
     * with a scalar load per float this took about 7 cycles per float on Sapphire Rapids, 6% of a prompt. Used on the
     * packed route only ({@link GemmRoutes}): Zen 4 microcodes its gathers.
     */
    static void storeTransposed(float[] acc, int rowsPadded, int m, int nc, MemorySegment out, long at, long rowBytes) {
        int whole = nc - nc % L;
        for (int row = 0; row < m; row++) {
            int base = (row / NR) * rowsPadded * NR + row % NR;
            long to = at + row * rowBytes;
            for (int i = 0; i < whole; i += L) {
                FloatVector.fromArray(F, acc, base + i * NR, COLUMN, 0).intoMemorySegment(out, to + 4L * i, ByteOrder.LITTLE_ENDIAN);
            }
            for (int i = whole; i < nc; i++) {
                out.set(F32, to + 4L * i, acc[base + i * NR]);
            }
        }
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
