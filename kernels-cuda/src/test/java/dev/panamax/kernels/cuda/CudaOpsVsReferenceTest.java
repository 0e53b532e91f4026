package dev.panamax.kernels.cuda;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import dev.panamax.formats.quant.Quants;
import dev.panamax.kernels.cpu.ReferenceOps;
import dev.panamax.tensor.Attention;
import dev.panamax.tensor.DType;
import dev.panamax.tensor.Gelu;
import dev.panamax.tensor.Rope;
import dev.panamax.tensor.Tensor;
import dev.panamax.tensor.testing.Seeded;
import java.lang.foreign.Arena;
import java.util.Arrays;
import java.util.Optional;
import java.util.Random;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

/**
 * Every CUDA kernel against {@link ReferenceOps} on random inputs, on a real GPU (skipped with the
 * provider's reason elsewhere). Outputs start as NaN, so an element a kernel forgets fails.
 *
 * <p>Bounds are first-order rounding-error analyses (u = 2^-24, gamma_n = n u / (1 - n u)) of both
 * computations, since neither is exact: where GPU and reference do the same correctly rounded IEEE
 * operations (add, mul, scale, conversions, argmax, most dequantizations) they must agree bitwise;
 * elsewhere the bound is the sum of both sides' bounds. CUDA's expf, erff and tanhf are within 2 ulp
 * (CUDA C Programming Guide, Mathematical Functions), the reference's within 1; nvcc may contract
 * a * b + c into one fma, which only removes a rounding, and sums in another order, which
 * gamma_n covers. Sizes include odd ones and ones that fill every multiprocessor several times.
 */
@ExtendWith(Seeded.class)
class CudaOpsVsReferenceTest {
    private static final double U = 0x1p-24;
    private static final double TINY = Float.MIN_NORMAL;
    private static final int[] SIZES = {1, 3, 31, 33, 255, 257, 1000, 4096 + 3};
    private static final ReferenceOps REFERENCE = new ReferenceOps();
    private static CudaOps cuda;
    private Arena arena;

    private static final Optional<String> UNAVAILABLE = new CudaOpsProvider().unavailableReason();

    @BeforeAll
    static void open() {
        if (UNAVAILABLE.isEmpty()) {
            cuda = new CudaOps(0);
        }
    }

    @AfterAll
    static void close() {
        if (cuda != null) {
            cuda.close();
        }
    }

    @BeforeEach
    void arena() {
        assumeTrue(UNAVAILABLE.isEmpty(), () -> "the cuda backend cannot run here: " + UNAVAILABLE.orElseThrow());
        arena = Arena.ofShared();
    }

    @AfterEach
    void free() {
        if (arena != null) {
            arena.close();
        }
    }

    // ---------------------------------------------------------------- helpers

    static double gamma(long n) {
        return n * U / (1 - n * U);
    }

    private Tensor host(float[] v, long... shape) {
        return Tensor.of(arena, v, shape);
    }

    private Tensor device(float[] v, long... shape) {
        return cuda.upload(arena, host(v, shape));
    }

    /** A device tensor full of NaN: every element the kernel does not write stays NaN. */
    private Tensor poisoned(DType type, long... shape) {
        Tensor h = Tensor.allocate(arena, type, shape).fill(Double.NaN);
        Tensor d = cuda.allocate(arena, type, shape);
        cuda.copy(h, d);
        return d;
    }

    private float[] back(Tensor d) {
        Tensor h = Tensor.allocate(arena, DType.F32, d.shape());
        cuda.copy(d, h);
        return h.toFloatArray();
    }

    private int bigSize() {
        return cuda.multiprocessors() * 2048 + 13;
    }

    private static void assertWithin(String what, float[] actual, float[] expected, double[] bound) {
        assertEquals(expected.length, actual.length, what);
        for (int i = 0; i < expected.length; i++) {
            double err = Math.abs((double) actual[i] - expected[i]);
            if (!(err <= bound[i]) && !(Float.isInfinite(expected[i]) && actual[i] == expected[i])) {
                fail(String.format("%s: element %d of %d is %s, reference %s: difference %.3g exceeds the bound %.3g",
                        what, i, expected.length, actual[i], expected[i], err, bound[i]));
            }
        }
    }

    private static void assertBitwise(String what, float[] expected, float[] actual) {
        for (int i = 0; i < expected.length; i++) {
            if (Float.floatToRawIntBits(expected[i]) != Float.floatToRawIntBits(actual[i])) {
                fail(what + ": element " + i + " of " + expected.length + " is " + actual[i] + ", reference " + expected[i]);
            }
        }
    }

    private static double[] relative(float[] ref, double rel) {
        double[] b = new double[ref.length];
        for (int i = 0; i < ref.length; i++) {
            b[i] = rel * Math.abs(ref[i]) + TINY;
        }
        return b;
    }

    // ---------------------------------------------------------------- copy

    @Test
    void copies_convert_like_the_host_in_every_direction(Random random) {
        for (int n : new int[] {1, 7, 1000, bigSize()}) {
            float[] v = Seeded.gaussian(random, n, 300);
            Tensor h = host(v, n);
            Tensor d32 = device(v, n);
            assertBitwise("F32 round trip n=" + n, v, back(d32));
            for (DType t : new DType[] {DType.F16, DType.BF16}) {
                Tensor expected = h.to(arena, t);
                Tensor onDevice = poisoned(t, n);
                cuda.copy(d32, onDevice);                       // device F32 -> device t
                Tensor fromHost = poisoned(t, n);
                cuda.copy(h, fromHost);                          // host F32 -> device t
                for (Tensor d : new Tensor[] {onDevice, fromHost}) {
                    Tensor raw = Tensor.allocate(arena, t, n);
                    cuda.copy(d, raw);                           // device t -> host t (bytes)
                    assertEquals(-1, raw.data().mismatch(expected.data()), t + " conversion n=" + n);
                    assertBitwise(t + " -> host F32 n=" + n, expected.toFloatArray(), back(d));
                }
                Tensor wide = poisoned(DType.F32, n);
                cuda.copy(onDevice, wide);                       // device t -> device F32
                assertBitwise(t + " widening n=" + n, expected.toFloatArray(), back(wide));
            }
        }
    }

    @Test
    void misuse_fails_with_clear_errors(Random random) {
        Tensor h = host(Seeded.gaussian(random, 8, 1), 2, 4);
        Tensor d = device(Seeded.gaussian(random, 8, 1), 2, 4);
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> cuda.silu(h, d));
        assertTrue(e.getMessage().contains("host"), e.getMessage());
        Tensor q = Tensor.allocate(arena, DType.Q5_K, 1, 256);
        Tensor w = cuda.upload(arena, q);
        UnsupportedOperationException u = assertThrows(UnsupportedOperationException.class,
                () -> cuda.matmul(device(new float[256], 1, 256), w, poisoned(DType.F32, 1, 1)));
        assertTrue(u.getMessage().contains("Q5_K"), u.getMessage());
        Arena closed = Arena.ofShared();
        Tensor gone = cuda.allocate(closed, DType.F32, 2, 4);
        closed.close();
        assertThrows(IllegalStateException.class, () -> cuda.silu(gone, d));
        Tensor qkv = device(Seeded.gaussian(random, 8, 1), 1, 1, 8);
        UnsupportedOperationException window = assertThrows(UnsupportedOperationException.class,
                () -> cuda.attention(qkv, qkv, qkv, 0, 1f, Attention.CAUSAL.withWindow(4), poisoned(DType.F32, 1, 1, 8)));
        assertTrue(window.getMessage().contains("window"), window.getMessage());
        UnsupportedOperationException softcap = assertThrows(UnsupportedOperationException.class,
                () -> cuda.softcap(d, 30, poisoned(DType.F32, 2, 4)));
        assertTrue(softcap.getMessage().contains("softcap"), softcap.getMessage());
        UnsupportedOperationException heads = assertThrows(UnsupportedOperationException.class,
                () -> cuda.headMatmul(qkv, qkv, poisoned(DType.F32, 1, 1, 1)));
        assertTrue(heads.getMessage().contains("headMatmul"), heads.getMessage());
    }

    // ---------------------------------------------------------------- element-wise

    @Test
    void elementwise_kernels_match_the_reference(Random random) {
        for (int n : new int[] {1, 3, 257, bigSize()}) {
            int cols = n % 2 == 0 ? n / 2 : n;
            int rows = n / cols;
            float[] a = Seeded.gaussian(random, n, 4);
            float[] b = Seeded.gaussian(random, n, 4);
            float[] row = Seeded.gaussian(random, cols, 2);
            Tensor ha = host(a, rows, cols);
            Tensor hb = host(b, rows, cols);
            Tensor hr = host(row, cols);
            Tensor da = device(a, rows, cols);
            Tensor db = device(b, rows, cols);
            Tensor dr = device(row, cols);
            Tensor ref = Tensor.allocate(arena, DType.F32, rows, cols);
            Tensor out = poisoned(DType.F32, rows, cols);

            REFERENCE.add(ha, hb, ref);
            cuda.add(da, db, out);
            assertBitwise("add n=" + n, ref.toFloatArray(), back(out));
            REFERENCE.add(ha, hr, ref);
            cuda.add(da, dr, out = poisoned(DType.F32, rows, cols));
            assertBitwise("add row n=" + n, ref.toFloatArray(), back(out));
            REFERENCE.mul(ha, hr, ref);
            cuda.mul(da, dr, out = poisoned(DType.F32, rows, cols));
            assertBitwise("mul row n=" + n, ref.toFloatArray(), back(out));
            REFERENCE.mul(ha, hb, ref);
            cuda.mul(da, db, out = poisoned(DType.F32, rows, cols));
            assertBitwise("mul n=" + n, ref.toFloatArray(), back(out));
            REFERENCE.scale(ha, 0.37f, ref);
            cuda.scale(da, 0.37f, out = poisoned(DType.F32, rows, cols));
            assertBitwise("scale n=" + n, ref.toFloatArray(), back(out));

            // silu = v / (1 + e^-v): expf 2 ulp (4u), the add and the division 1u each: 6u on the GPU,
            // at most as much in the reference.
            REFERENCE.silu(ha, ref);
            cuda.silu(da, out = poisoned(DType.F32, rows, cols));
            assertWithin("silu n=" + n, back(out), ref.toFloatArray(), relative(ref.toFloatArray(), 12 * U));
            // swiglu adds one product: 7u per side.
            REFERENCE.swiglu(ha, hb, ref);
            cuda.swiglu(da, db, out = poisoned(DType.F32, rows, cols));
            assertWithin("swiglu n=" + n, back(out), ref.toFloatArray(), relative(ref.toFloatArray(), 14 * U));
            // gelu = v/2 (1 + f(z)), f = erf or tanh within 2 ulp: 1 + f loses relative accuracy as f -> -1, so the
            // bound is absolute in |v|: |v|/2 (4u |f| + 2u (1+f) + 2u for z's roundings, which f' <= 1.13 passes on)
            // = 4u |v|, plus the last product, 2u |gelu| with margin; per side.
            for (Gelu g : Gelu.values()) {
                REFERENCE.gelu(ha, g, ref);
                cuda.gelu(da, g, out = poisoned(DType.F32, rows, cols));
                float[] r = ref.toFloatArray();
                double[] bound = new double[n];
                for (int i = 0; i < n; i++) {
                    bound[i] = 2 * (Math.abs(a[i]) * 4 * U + 2 * U * Math.abs(r[i])) + TINY;
                }
                assertWithin("gelu " + g + " n=" + n, back(out), r, bound);
            }
            // in place
            cuda.scale(da, 2f, da);
            REFERENCE.scale(ha, 2f, ha);
            assertBitwise("scale in place n=" + n, ha.toFloatArray(), back(da));
        }
    }

    // ---------------------------------------------------------------- rows

    @Test
    void norms_and_softmax_match_the_reference(Random random) {
        for (int d : SIZES) {
            int rows = 1 + random.nextInt(5);
            float[] x = Seeded.gaussian(random, rows * d, 3);
            float[] w = Seeded.nonZeroFloats(random, d, 1.5f);
            float[] b = Seeded.gaussian(random, d, 1);
            Tensor hx = host(x, rows, d);
            Tensor dx = device(x, rows, d);
            Tensor hw = host(w, d);
            Tensor dw = device(w, d);
            Tensor hb = host(b, d);
            Tensor db = device(b, d);
            Tensor ref = Tensor.allocate(arena, DType.F32, rows, d);
            Tensor out = poisoned(DType.F32, rows, d);

            // rmsNorm: the sum of squares gamma_(d+1), halved by the sqrt; /d, +eps, sqrt, 1/x, two products: 5u; per side.
            REFERENCE.rmsNorm(hx, hw, 1e-5f, ref);
            cuda.rmsNorm(dx, dw, 1e-5f, out);
            assertWithin("rmsNorm d=" + d, back(out), ref.toFloatArray(),
                    relative(ref.toFloatArray(), 2 * 1.01 * (0.5 * gamma(d + 1) + 5 * U)));

            // layerNorm: the mean is off by gamma_d * mean|x|, which shifts every centred value by that much;
            // the variance adds gamma_(d+2) relative (halved by the sqrt), the rest 6u relative; per side.
            for (boolean affine : new boolean[] {true, false}) {
                REFERENCE.layerNorm(hx, affine ? hw : null, affine ? hb : null, 1e-5f, ref);
                out = poisoned(DType.F32, rows, d);
                cuda.layerNorm(dx, affine ? dw : null, affine ? db : null, 1e-5f, out);
                float[] r = ref.toFloatArray();
                double[] bound = new double[r.length];
                for (int row = 0; row < rows; row++) {
                    double meanAbs = 0;
                    double mean = 0;
                    double var = 0;
                    for (int i = 0; i < d; i++) {
                        meanAbs += Math.abs(x[row * d + i]) / d;
                        mean += (double) x[row * d + i] / d;
                    }
                    for (int i = 0; i < d; i++) {
                        var += Math.pow(x[row * d + i] - mean, 2) / d;
                    }
                    double inv = 1 / Math.sqrt(var + 1e-5);
                    for (int i = 0; i < d; i++) {
                        double wi = affine ? Math.abs(w[i]) : 1;
                        double centred = Math.abs(x[row * d + i] - mean) * inv * wi;
                        bound[row * d + i] = 2 * 1.01 * (gamma(d) * meanAbs * inv * wi
                                + (0.5 * gamma(d + 2) + 6 * U) * centred + (affine ? U * Math.abs(r[row * d + i]) : 0)) + TINY;
                    }
                }
                assertWithin("layerNorm d=" + d + " affine=" + affine, back(out), r, bound);
            }

            // softmax: expf 2 ulp, the sum gamma_d, the division 1u; per side.
            REFERENCE.softmax(hx, ref);
            cuda.softmax(dx, out = poisoned(DType.F32, rows, d));
            assertWithin("softmax d=" + d, back(out), ref.toFloatArray(),
                    relative(ref.toFloatArray(), 2 * 1.01 * (gamma(d) + 6 * U)));

            // argmax reads exact values: the same index, ties included.
            float[] tied = x.clone();
            tied[tied.length - 1] = tied[0] = 100f;
            int[] expected = new int[rows];
            int[] actual = new int[rows];
            REFERENCE.argmax(host(tied, rows, d), expected);
            cuda.argmax(device(tied, rows, d), actual);
            assertArrayEquals(expected, actual, "argmax d=" + d);
        }
    }

    @Test
    void rope_matches_the_reference_in_both_layouts(Random random) {
        int[][] shapes = {{1, 1, 2}, {1, 32, 128}, {7, 3, 64}, {17, 5, 80}, {3, 8, 96}};
        for (int[] s : shapes) {
            for (Rope.Layout layout : Rope.Layout.values()) {
                int t = s[0];
                int h = s[1];
                int d = s[2];
                int dims = d > 64 ? d - 16 : d;                 // partial rotation where the head is large
                Rope rope = Rope.of(layout, dims, 10000);
                int start = random.nextInt(5000);
                float[] x = Seeded.gaussian(random, t * h * d, 2);
                Tensor ref = Tensor.allocate(arena, DType.F32, t, h, d);
                REFERENCE.rope(host(x, t, h, d), start, rope, ref);
                Tensor dx = device(x, t, h, d);
                Tensor out = poisoned(DType.F32, t, h, d);
                cuda.rope(dx, start, rope, out);
                // Both compute the angle in double and round sin and cos to float (1u each, or one double ulp apart
                // before rounding); x0 c - x1 s: two products and a difference, 3u of |x0| + |x1|; per side.
                double[] bound = new double[x.length];
                for (int head = 0; head < t * h; head++) {
                    for (int i = 0; i < d; i++) {
                        int pair = layout == Rope.Layout.NEOX ? (i < dims / 2 ? i + dims / 2 : i - dims / 2) : i ^ 1;
                        double mag = i < dims ? Math.abs(x[head * d + i]) + Math.abs(x[head * d + pair]) : 0;
                        bound[head * d + i] = 2 * 5 * U * mag + TINY;
                    }
                }
                assertWithin("rope " + layout + " " + Arrays.toString(s) + " at " + start, back(out), ref.toFloatArray(), bound);
                cuda.rope(dx, start, rope, dx);
                assertWithin("rope in place " + layout, back(dx), ref.toFloatArray(), bound);
            }
        }
    }

    // ---------------------------------------------------------------- weights

    private static final DType[] TYPES = {DType.F32, DType.F16, DType.BF16, DType.Q8_0, DType.Q4_0, DType.Q4_K, DType.Q6_K};

    /** A random [rows, cols] weight of {@code type} on the host (quantized from Gaussian floats). */
    private Tensor weight(Random random, DType type, int rows, int cols) {
        Tensor f32 = host(Seeded.gaussian(random, rows * cols, 0.5), rows, cols);
        return type == DType.F32 ? f32 : type.isQuantized() ? Quants.quantize(arena, f32, type) : f32.to(arena, type);
    }

    @Test
    void embed_reads_rows_of_every_supported_dtype(Random random) {
        for (DType type : TYPES) {
            int d = type.blockSize() == 256 ? 512 : type.isQuantized() ? 96 : 37;
            int v = 1 + random.nextInt(300);
            Tensor table = weight(random, type, v, d);
            int[] ids = new int[1 + random.nextInt(40)];
            for (int i = 0; i < ids.length; i++) {
                ids[i] = random.nextInt(v);
            }
            ids[0] = v - 1;
            Tensor ref = Tensor.allocate(arena, DType.F32, ids.length, d);
            REFERENCE.embed(table, ids, ref);
            Tensor out = poisoned(DType.F32, ids.length, d);
            cuda.embed(cuda.upload(arena, table), ids, out);
            float[] r = ref.toFloatArray();
            if (type == DType.Q4_K) {
                // d * sc * q - dmin * m may be one fma on the GPU: one rounding of either product differs (1u of each).
                double[] bound = new double[r.length];
                double max = 0;
                for (float f : r) {
                    max = Math.max(max, Math.abs(f));
                }
                Arrays.fill(bound, 2 * U * max + TINY);
                assertWithin("embed " + type, back(out), r, bound);
            } else {
                assertBitwise("embed " + type, r, back(out));   // one correctly rounded product per value, as the reference
            }
        }
    }

    @Test
    void matmul_matches_the_reference_for_every_weight_dtype_and_odd_shapes(Random random) {
        int wide = cuda.multiprocessors() * 64 + 13;             // more output tiles / warps than the chip has slots
        int[][] mn = {{1, 1}, {1, wide}, {3, 257}, {7, 33}, {8, 65}, {37, wide}, {130, 257}};
        for (DType type : TYPES) {
            int k = type.blockSize() == 256 ? 1280 : type.isQuantized() ? 32 * 37 : 1000 + 7;
            for (int[] shape : mn) {
                int m = shape[0];
                int n = shape[1];
                Tensor w = weight(random, type, n, k);
                float[] x = Seeded.gaussian(random, m * k, 1);
                Tensor ref = Tensor.allocate(arena, DType.F32, m, n);
                REFERENCE.matmul(host(x, m, k), w, ref);
                Tensor out = poisoned(DType.F32, m, n);
                cuda.matmul(device(x, m, k), cuda.upload(arena, w), out);
                float[] dq = Quants.dequantize(arena, w).toFloatArray();
                // Tensor cores take x rounded to the weight's type (2^-11 for F16, 2^-8 for BF16, relative); both sides
                // sum k products in some order (gamma_k each); the GPU may contract a dequantization into an fma (2u).
                boolean tensorCores = m >= Launch.MATVEC_MAX_ROWS && (type == DType.F16 || type == DType.BF16);
                double inputRounding = !tensorCores ? 0 : type == DType.F16 ? 0x1p-11 : 0x1p-8;
                double rel = 1.01 * (inputRounding + 2 * gamma(k) + 2 * U);
                double[] bound = new double[m * n];
                for (int i = 0; i < m; i++) {
                    for (int j = 0; j < n; j++) {
                        double abs = 0;
                        for (int kk = 0; kk < k; kk++) {
                            abs += Math.abs((double) x[i * k + kk] * dq[j * k + kk]);
                        }
                        bound[i * n + j] = rel * abs + TINY;
                    }
                }
                assertWithin("matmul " + type + " m=" + m + " n=" + n + " k=" + k, back(out), ref.toFloatArray(), bound);
            }
        }
    }

    // ---------------------------------------------------------------- attention

    @Test
    void attention_matches_the_reference_for_decode_and_prefill(Random random) {
        int[][] cases = {
            // T, Hq, Hkv, D, startPos, capacity
            {1, 8, 2, 64, 0, 16},
            {1, 32, 8, 128, 700, 1024},
            {1, 6, 6, 33, 100, 101},
            {17, 8, 2, 64, 0, 40},
            {13, 4, 1, 80, 5, 18},
            {3, 2, 2, 256, 9, 12},
        };
        for (DType cacheType : new DType[] {DType.F32, DType.F16}) {
            for (int[] c : cases) {
                int t = c[0];
                int hq = c[1];
                int hkv = c[2];
                int d = c[3];
                int start = c[4];
                int cap = c[5];
                float[] q = Seeded.gaussian(random, t * hq * d, 1);
                Tensor k = host(Seeded.gaussian(random, cap * hkv * d, 1), cap, hkv, d).to(arena, cacheType);
                Tensor v = host(Seeded.gaussian(random, cap * hkv * d, 1), cap, hkv, d).to(arena, cacheType);
                float scale = (float) (1 / Math.sqrt(d));
                Tensor ref = Tensor.allocate(arena, DType.F32, t, hq, d);
                REFERENCE.attention(host(q, t, hq, d), k, v, start, scale, ref);
                Tensor out = poisoned(DType.F32, t, hq, d);
                cuda.attention(device(q, t, hq, d), cuda.upload(arena, k), cuda.upload(arena, v), start, scale, out);
                // Each score s = scale q·k is off by gamma_d scale sum|q k| (+1u), which moves exp(s) by as much
                // relative; the weights' normalisation adds gamma_L and the weighted sum of values gamma_L more.
                // The output is an average of values, so the error is relative to max|v| in the window; per side.
                float[] kf = k.toFloatArray();
                float[] vf = v.toFloatArray();
                double[] bound = new double[t * hq * d];
                for (int tt = 0; tt < t; tt++) {
                    int len = start + tt + 1;
                    for (int h = 0; h < hq; h++) {
                        int g = h / (hq / hkv);
                        double maxDot = 0;
                        double maxV = 0;
                        for (int j = 0; j < len; j++) {
                            double dot = 0;
                            for (int i = 0; i < d; i++) {
                                dot += Math.abs(q[(tt * hq + h) * d + i] * kf[(j * hkv + g) * d + i]);
                                maxV = Math.max(maxV, Math.abs(vf[(j * hkv + g) * d + i]));
                            }
                            maxDot = Math.max(maxDot, dot);
                        }
                        double rel = 2 * 1.01 * (2 * (gamma(d) * scale * maxDot + 4 * U) + 2 * gamma(len + 2));
                        Arrays.fill(bound, (tt * hq + h) * d, (tt * hq + h + 1) * d, rel * maxV + TINY);
                    }
                }
                assertWithin("attention " + cacheType + " " + Arrays.toString(c), back(out), ref.toFloatArray(), bound);
            }
        }
    }
}
