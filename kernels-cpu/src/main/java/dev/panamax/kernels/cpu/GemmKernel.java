package dev.panamax.kernels.cpu;

import jdk.incubator.vector.FloatVector;
import jdk.incubator.vector.VectorSpecies;

/**
 * The register-tiled F32 micro-kernel of the GEMM path: a {@value #MR} x {@value #NR} tile of
 * {@code out} kept in twelve 8-float vector registers (of AVX2's sixteen), updated by one fused
 * multiply-add per register and k.
 *
 * <p>Both operands are packed k-major so the kernel streams them: the x panel holds
 * {@code xp[k * MR + i] = x[m0 + i, k]} (broadcast one at a time), the weight panel
 * {@code wp[k * NR + j] = w[n0 + j, k]} (two vector loads per k).
 */
final class GemmKernel {
    /** Rows of x per tile. */
    static final int MR = 6;
    /** Rows of w (columns of out) per tile. */
    static final int NR = 16;

    private static final VectorSpecies<Float> F = FloatVector.SPECIES_256;

    private GemmKernel() {
    }

    /**
     * {@code tile[i * NR + j] = sum_k xp[xo + k MR + i] * wp[wo + k NR + j]} for {@code k < kc}.
     */
    static void multiply(float[] xp, int xo, float[] wp, int wo, int kc, float[] tile) {
        FloatVector c00 = FloatVector.zero(F), c01 = FloatVector.zero(F);
        FloatVector c10 = FloatVector.zero(F), c11 = FloatVector.zero(F);
        FloatVector c20 = FloatVector.zero(F), c21 = FloatVector.zero(F);
        FloatVector c30 = FloatVector.zero(F), c31 = FloatVector.zero(F);
        FloatVector c40 = FloatVector.zero(F), c41 = FloatVector.zero(F);
        FloatVector c50 = FloatVector.zero(F), c51 = FloatVector.zero(F);
        for (int k = 0; k < kc; k++) {
            int a = xo + k * MR;
            int b = wo + k * NR;
            FloatVector w0 = FloatVector.fromArray(F, wp, b);
            FloatVector w1 = FloatVector.fromArray(F, wp, b + 8);
            FloatVector x = FloatVector.broadcast(F, xp[a]);
            c00 = x.fma(w0, c00);
            c01 = x.fma(w1, c01);
            x = FloatVector.broadcast(F, xp[a + 1]);
            c10 = x.fma(w0, c10);
            c11 = x.fma(w1, c11);
            x = FloatVector.broadcast(F, xp[a + 2]);
            c20 = x.fma(w0, c20);
            c21 = x.fma(w1, c21);
            x = FloatVector.broadcast(F, xp[a + 3]);
            c30 = x.fma(w0, c30);
            c31 = x.fma(w1, c31);
            x = FloatVector.broadcast(F, xp[a + 4]);
            c40 = x.fma(w0, c40);
            c41 = x.fma(w1, c41);
            x = FloatVector.broadcast(F, xp[a + 5]);
            c50 = x.fma(w0, c50);
            c51 = x.fma(w1, c51);
        }
        c00.intoArray(tile, 0);
        c01.intoArray(tile, 8);
        c10.intoArray(tile, 16);
        c11.intoArray(tile, 24);
        c20.intoArray(tile, 32);
        c21.intoArray(tile, 40);
        c30.intoArray(tile, 48);
        c31.intoArray(tile, 56);
        c40.intoArray(tile, 64);
        c41.intoArray(tile, 72);
        c50.intoArray(tile, 80);
        c51.intoArray(tile, 88);
    }
}
