package dev.panamax.kernels.cpu;

import jdk.incubator.vector.FloatVector;
import jdk.incubator.vector.VectorSpecies;

/**
 * Dot products of one decoded weight slice with the same slice of several rows of x, for {@link FewRowsLoops}:
 * four rows at a time, so each load of the weights feeds four FMAs (five loads per four FMAs, where a dot of one
 * row takes two per FMA), then a pair, then one. A row's sum gets the same operations in the same order in every
 * one of these, so it does not depend on how many rows there are. Lanes are summed in a fixed order ({@link VectorMath#sum}), so results do not depend on
 * JIT timing or the thread count. 512-bit vectors where {@link WideDots#AVAILABLE}, else 256-bit.
 */
final class FewRowsDots {
    private static final VectorSpecies<Float> F = WideDots.AVAILABLE ? FloatVector.SPECIES_512 : FloatVector.SPECIES_256;

    private FewRowsDots() {
    }

    /**
     * {@code sums[i] += sum_j w[j] x[i K + k0 + j]} for {@code j < kc}, every row {@code i < m}.
     *
     * @param w    the decoded weight slice
     * @param kc   its length
     * @param x    the rows of x, packed {@code [m, k]}
     * @param k    the length of a row of x
     * @param k0   where the slice starts in a row
     * @param m    rows of x
     * @param sums a running sum per row of x
     */
    static void accumulate(float[] w, int kc, float[] x, int k, int k0, int m, float[] sums) {
        int i = 0;
        for (; i + 4 <= m; i += 4) {
            int x0 = i * k + k0;
            dot4(w, kc, x, x0, x0 + k, x0 + 2 * k, x0 + 3 * k, sums, i);
        }
        if (i + 2 <= m) {
            int x0 = i * k + k0;
            dot2(w, kc, x, x0, x0 + k, sums, i);
            i += 2;
        }
        if (i < m) {
            sums[i] += dot(w, kc, x, i * k + k0);
        }
    }

    /**
     * {@code sums[at + r] += w . x[x_r, x_r + n)} for the two rows r: three loads per two FMAs, where two calls of
     * {@link #dot} take four. Each row gets the same operations in the same order as in {@link #dot4} and {@link #dot}.
     */
    static void dot2(float[] w, int n, float[] x, int x0, int x1, float[] sums, int at) {
        int l = F.length();
        FloatVector a0 = FloatVector.zero(F), a1 = FloatVector.zero(F), b0 = FloatVector.zero(F), b1 = FloatVector.zero(F);
        int j = 0;
        for (; j <= n - 2 * l; j += 2 * l) {
            FloatVector v = FloatVector.fromArray(F, w, j), u = FloatVector.fromArray(F, w, j + l);
            a0 = v.fma(FloatVector.fromArray(F, x, x0 + j), a0);
            a1 = v.fma(FloatVector.fromArray(F, x, x1 + j), a1);
            b0 = u.fma(FloatVector.fromArray(F, x, x0 + j + l), b0);
            b1 = u.fma(FloatVector.fromArray(F, x, x1 + j + l), b1);
        }
        float s0 = VectorMath.sum(a0.add(b0)), s1 = VectorMath.sum(a1.add(b1));
        for (; j < n; j++) {
            s0 += w[j] * x[x0 + j];
            s1 += w[j] * x[x1 + j];
        }
        sums[at] += s0;
        sums[at + 1] += s1;
    }

    /** {@code sums[at + r] += w . x[x_r, x_r + n)} for the four rows r; two accumulators per row hide the FMA latency. */
    static void dot4(float[] w, int n, float[] x, int x0, int x1, int x2, int x3, float[] sums, int at) {
        int l = F.length();
        FloatVector a0 = FloatVector.zero(F), a1 = FloatVector.zero(F), a2 = FloatVector.zero(F), a3 = FloatVector.zero(F);
        FloatVector b0 = FloatVector.zero(F), b1 = FloatVector.zero(F), b2 = FloatVector.zero(F), b3 = FloatVector.zero(F);
        int j = 0;
        for (; j <= n - 2 * l; j += 2 * l) {
            FloatVector v = FloatVector.fromArray(F, w, j), u = FloatVector.fromArray(F, w, j + l);
            a0 = v.fma(FloatVector.fromArray(F, x, x0 + j), a0);
            a1 = v.fma(FloatVector.fromArray(F, x, x1 + j), a1);
            a2 = v.fma(FloatVector.fromArray(F, x, x2 + j), a2);
            a3 = v.fma(FloatVector.fromArray(F, x, x3 + j), a3);
            b0 = u.fma(FloatVector.fromArray(F, x, x0 + j + l), b0);
            b1 = u.fma(FloatVector.fromArray(F, x, x1 + j + l), b1);
            b2 = u.fma(FloatVector.fromArray(F, x, x2 + j + l), b2);
            b3 = u.fma(FloatVector.fromArray(F, x, x3 + j + l), b3);
        }
        float s0 = VectorMath.sum(a0.add(b0)), s1 = VectorMath.sum(a1.add(b1));
        float s2 = VectorMath.sum(a2.add(b2)), s3 = VectorMath.sum(a3.add(b3));
        for (; j < n; j++) {
            s0 += w[j] * x[x0 + j];
            s1 += w[j] * x[x1 + j];
            s2 += w[j] * x[x2 + j];
            s3 += w[j] * x[x3 + j];
        }
        sums[at] += s0;
        sums[at + 1] += s1;
        sums[at + 2] += s2;
        sums[at + 3] += s3;
    }

    /** {@code w . x[xo, xo + n)}. */
    static float dot(float[] w, int n, float[] x, int xo) {
        int l = F.length();
        FloatVector a = FloatVector.zero(F), b = FloatVector.zero(F);
        int j = 0;
        for (; j <= n - 2 * l; j += 2 * l) {
            a = FloatVector.fromArray(F, w, j).fma(FloatVector.fromArray(F, x, xo + j), a);
            b = FloatVector.fromArray(F, w, j + l).fma(FloatVector.fromArray(F, x, xo + j + l), b);
        }
        float sum = VectorMath.sum(a.add(b));
        for (; j < n; j++) {
            sum += w[j] * x[xo + j];
        }
        return sum;
    }
}
