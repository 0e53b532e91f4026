package dev.panamax.kernels.cpu;

import dev.panamax.tensor.DType;
import dev.panamax.tensor.Tensor;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.nio.ByteOrder;
import jdk.incubator.vector.FloatVector;
import jdk.incubator.vector.VectorMask;
import jdk.incubator.vector.VectorShuffle;
import jdk.incubator.vector.VectorSpecies;

/**
 * {@code out += (x · aᵀ) · bᵀ} for a few rows of x, in one pass on the caller's thread: a LoRA change of a decode
 * step ({@link dev.panamax.tensor.Ops#addLowRank}). As two matmuls and an add, a rank-16 change of a 2048-wide
 * projection was three calls of about 32 Ki multiply-adds each, small enough for {@link SmallMatmul}'s scalar
 * path, which decodes every F16 row of {@code a} lane by lane and pays a decode call per 16-float row of
 * {@code b}: the 56 changes of an 8-layer TinyLlama cost 21% of its decode time (docs/lora.md). Here each row of
 * {@code a} meets x in vectors, F16 converted in registers ({@link VectorMath#loadF16}); the rows of {@code b}
 * meet the {@code r} low-rank values four at a time ({@link #fourRows}: one vector per row when r is 16, summed
 * in a fixed tree shared by the four), the others one by one ({@link #dotRow}, the same tree); the sums land in
 * {@code out} with one vector add per 16 elements. Nothing is handed to the team: the work is a few microseconds. Its reference is the two
 * matmuls and the add ({@code LowRankAddTest} checks both against float64 within a derived bound).
 *
 * <p>Not thread-safe: one per {@link CpuOps}, driven by one thread at a time.
 */
final class LowRankAdd {
    /** Rows of x up to which this path runs; more (a prompt) take the matmul paths, which share the work over the team. */
    static final int MAX_ROWS = 8;

    private static final VectorSpecies<Float> F = VectorMath.F;
    private static final VectorSpecies<Float> F8 = FloatVector.SPECIES_256;
    /** Lane i swapped with lane {@code i ^ d}, for the folds of {@link #dotRow} (null where d is not below the length). */
    private static final VectorShuffle<Float> SWAP8 = swap(F, 8), SWAP4 = swap(F, 4), SWAP2 = swap(F, 2), SWAP1 = swap(F, 1);
    /** The first two folds of {@link #fourRows}: lanes i ^ (l/2) and i ^ (l/4), and the lanes with those bits set. */
    private static final VectorShuffle<Float> FOLD_HALF = swap(F, F.length() / 2), FOLD_QUARTER = swap(F, F.length() / 4);
    private static final VectorMask<Float> UPPER_HALF = VectorMask.fromLong(F, bitSet(F.length() / 2));
    private static final VectorMask<Float> UPPER_QUARTER = VectorMask.fromLong(F, bitSet(F.length() / 4));
    private static final VectorShuffle<Float> SWAP4_8 = swap(F8, 4), SWAP2_8 = swap(F8, 2), SWAP1_8 = swap(F8, 1);
    private static final ValueLayout.OfFloat F32 = ValueLayout.JAVA_FLOAT_UNALIGNED.withOrder(ByteOrder.LITTLE_ENDIAN);
    private static final ValueLayout.OfShort I16 = ValueLayout.JAVA_SHORT_UNALIGNED.withOrder(ByteOrder.LITTLE_ENDIAN);

    private final MatmulShape down = new MatmulShape();
    private final MatmulShape up = new MatmulShape();
    private float[] x = new float[0];
    private float[] low = new float[0];
    private float[] delta = new float[0];

    /** True when this path takes {@code m} rows with factors of these dtypes. */
    static boolean takes(int m, DType aType, DType bType) {
        return m <= MAX_ROWS && bType == DType.F32 && (aType == DType.F32 || aType == DType.F16 || aType == DType.BF16);
    }

    /**
     * {@code out[i] += (x[i] · aᵀ) · bᵀ} for every row i; {@code low [M, R]} is written with {@code x · aᵀ}.
     * Shapes are checked as two matmuls {@code x · aᵀ -> low} and {@code low · bᵀ -> out}.
     */
    void add(Tensor xt, Tensor a, Tensor b, Tensor lowt, Tensor out) {
        MatmulShape d = down, u = up;
        d.set(xt, a, lowt);
        u.set(lowt, b, out);
        int m = d.m(), k = d.k(), r = d.n(), n = u.n();
        if (x.length < k) {
            x = new float[k];
        }
        if (low.length < r) {
            low = new float[r];
        }
        if (delta.length < n) {
            delta = new float[n];
        }
        MemorySegment xs = xt.segment(), as = a.segment(), bs = b.segment(), ls = lowt.segment(), os = out.segment();
        DType aType = d.wType();
        for (int i = 0; i < m; i++) {
            MemorySegment.copy(xs, F32, d.xRow(i), x, 0, k);
            for (int t = 0; t < r; t++) {
                long at = d.wRow(t);
                low[t] = switch (aType) {
                    case F16 -> dotF16(as, at, x, k);
                    case BF16 -> VectorDots.dotBF16(as, at, x, 0, k);
                    default -> RowGroupDots.dotF32(as, at, x, 0, k);
                };
            }
            MemorySegment.copy(low, 0, ls, F32, d.outRow(i), r);
            int j = 0;
            if (r % F.length() == 0) {
                for (; j + 4 <= n; j += 4) {
                    fourRows(bs, u.wRow(j), u.wRowBytes(), low, r, delta, j);
                }
            }
            for (; j < n; j++) {
                delta[j] = dotRow(bs, u.wRow(j), low, r);
            }
            addTo(os, u.outRow(i), delta, n);
        }
    }

    /** F16 weights at byte {@code at} of {@code w} with {@code x[0, k)}: two vector chains, a scalar tail. */
    static float dotF16(MemorySegment w, long at, float[] x, int k) {
        int l = F.length();
        FloatVector a0 = FloatVector.zero(F), a1 = FloatVector.zero(F);
        int i = 0;
        for (; i <= k - 2 * l; i += 2 * l) {
            a0 = VectorMath.loadF16(w, at + 2L * i).fma(FloatVector.fromArray(F, x, i), a0);
            a1 = VectorMath.loadF16(w, at + 2L * (i + l)).fma(FloatVector.fromArray(F, x, i + l), a1);
        }
        float sum = VectorMath.sum(a0.add(a1));
        for (; i < k; i++) {
            sum += Float.float16ToFloat(w.get(I16, at + 2L * i)) * x[i];
        }
        return sum;
    }

    /**
     * {@code sum_t w[at + 4t] low[t]}, t < r: whole vectors of {@link #F}, then (on 512-bit hardware, rank 8 being
     * common) one of 8 lanes, then scalars. Each vector's lanes are summed folded in halves ({@code v + v} with
     * lanes {@code i ^ 8}, then {@code i ^ 4}, ...): the same tree whether C2 has compiled it or not (a compiled
     * {@code reduceLanes(ADD)} sums in another order than the interpreter, see {@link VectorMath#sum}), a few
     * shuffles where summing lane by lane took 3-4x as long (a rank-16 change of ffn_gate: 82 us against 21 us per
     * call, CPU time under load). Written out here, not in a helper taking the vector: one not inlined would box it.
     */
    static float dotRow(MemorySegment w, long at, float[] low, int r) {
        int l = F.length();
        float sum = 0;
        int t = 0;
        if (r >= l) {
            FloatVector v = FloatVector.fromMemorySegment(F, w, at, ByteOrder.LITTLE_ENDIAN).mul(FloatVector.fromArray(F, low, 0));
            for (t = l; t <= r - l; t += l) {
                v = FloatVector.fromMemorySegment(F, w, at + 4L * t, ByteOrder.LITTLE_ENDIAN).fma(FloatVector.fromArray(F, low, t), v);
            }
            if (l >= 16) {
                v = v.add(v.rearrange(SWAP8));
            }
            if (l >= 8) {
                v = v.add(v.rearrange(SWAP4));
            }
            v = v.add(v.rearrange(SWAP2));
            v = v.add(v.rearrange(SWAP1));
            sum = v.lane(0);
        }
        if (l > 8 && t <= r - 8) {
            FloatVector v = FloatVector.fromMemorySegment(F8, w, at + 4L * t, ByteOrder.LITTLE_ENDIAN).mul(FloatVector.fromArray(F8, low, t));
            v = v.add(v.rearrange(SWAP4_8));
            v = v.add(v.rearrange(SWAP2_8));
            v = v.add(v.rearrange(SWAP1_8));
            sum += v.lane(0);
            t += 8;
        }
        for (; t < r; t++) {
            sum += w.get(F32, at + 4L * t) * low[t];
        }
        return sum;
    }

    /**
     * {@link #dotRow} of the four rows at {@code at}, {@code at + stride}, ... into {@code d[j ... j + 3]}, for r a
     * multiple of the vector length: the first two folds of the four rows' vectors merge them pairwise (each lane
     * keeps its own row's partial sum: {@code blend(p, q) + blend(q, p)} with lanes {@code i ^ h}), so that the last
     * folds and the lane reads serve four rows at once. Every row gets the very sums of dotRow's tree, bit for bit.
     */
    static void fourRows(MemorySegment w, long at, long stride, float[] low, int r, float[] d, int j) {
        int l = F.length();
        FloatVector lo = FloatVector.fromArray(F, low, 0);
        FloatVector p0 = FloatVector.fromMemorySegment(F, w, at, ByteOrder.LITTLE_ENDIAN).mul(lo);
        FloatVector p1 = FloatVector.fromMemorySegment(F, w, at + stride, ByteOrder.LITTLE_ENDIAN).mul(lo);
        FloatVector p2 = FloatVector.fromMemorySegment(F, w, at + 2 * stride, ByteOrder.LITTLE_ENDIAN).mul(lo);
        FloatVector p3 = FloatVector.fromMemorySegment(F, w, at + 3 * stride, ByteOrder.LITTLE_ENDIAN).mul(lo);
        for (int t = l; t < r; t += l) {
            lo = FloatVector.fromArray(F, low, t);
            p0 = FloatVector.fromMemorySegment(F, w, at + 4L * t, ByteOrder.LITTLE_ENDIAN).fma(lo, p0);
            p1 = FloatVector.fromMemorySegment(F, w, at + stride + 4L * t, ByteOrder.LITTLE_ENDIAN).fma(lo, p1);
            p2 = FloatVector.fromMemorySegment(F, w, at + 2 * stride + 4L * t, ByteOrder.LITTLE_ENDIAN).fma(lo, p2);
            p3 = FloatVector.fromMemorySegment(F, w, at + 3 * stride + 4L * t, ByteOrder.LITTLE_ENDIAN).fma(lo, p3);
        }
        // fold by l/2: rows 0 and 1 share a vector (row 1 in the lanes with bit l/2 set), rows 2 and 3 another
        FloatVector p01 = p0.blend(p1, UPPER_HALF).add(p1.blend(p0, UPPER_HALF).rearrange(FOLD_HALF));
        FloatVector p23 = p2.blend(p3, UPPER_HALF).add(p3.blend(p2, UPPER_HALF).rearrange(FOLD_HALF));
        // fold by l/4: all four in one (rows 2 and 3 in the lanes with bit l/4 set)
        FloatVector v = p01.blend(p23, UPPER_QUARTER).add(p23.blend(p01, UPPER_QUARTER).rearrange(FOLD_QUARTER));
        if (l >= 16) {
            v = v.add(v.rearrange(SWAP2));
        }
        v = v.add(v.rearrange(SWAP1));
        d[j] = v.lane(0);
        d[j + 1] = v.lane(l / 2);
        d[j + 2] = v.lane(l / 4);
        d[j + 3] = v.lane(l / 2 + l / 4);
    }

    /** The lanes i of a vector of F with {@code (i & bit) != 0}, as mask bits. */
    private static long bitSet(int bit) {
        long bits = 0;
        for (int i = 0; i < F.length(); i++) {
            if ((i & bit) != 0) {
                bits |= 1L << i;
            }
        }
        return bits;
    }

    private static VectorShuffle<Float> swap(VectorSpecies<Float> species, int d) {
        return d < species.length() ? VectorShuffle.fromOp(species, i -> i ^ d) : null;
    }

    /** {@code out[at + 4j] += d[j]}, j < n, in vectors with a scalar tail. */
    static void addTo(MemorySegment out, long at, float[] d, int n) {
        int l = F.length();
        int j = 0;
        for (; j <= n - l; j += l) {
            FloatVector.fromMemorySegment(F, out, at + 4L * j, ByteOrder.LITTLE_ENDIAN).add(FloatVector.fromArray(F, d, j))
                    .intoMemorySegment(out, at + 4L * j, ByteOrder.LITTLE_ENDIAN);
        }
        for (; j < n; j++) {
            out.set(F32, at + 4L * j, out.get(F32, at + 4L * j) + d[j]);
        }
    }
}
