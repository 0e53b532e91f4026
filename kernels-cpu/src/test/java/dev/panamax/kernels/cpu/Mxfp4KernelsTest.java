package dev.panamax.kernels.cpu;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.panamax.formats.quant.Quants;
import dev.panamax.tensor.DType;
import dev.panamax.tensor.Tensor;
import dev.panamax.tensor.testing.Seeded;
import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.util.Random;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

/**
 * The MXFP4 kernels against {@link Quants}' decoding (the formats module's codec, checked bit for bit
 * against ggml there) and a float64 dot of it. MXFP4 weights decode exactly in float (a small integer
 * times a power of two), so the only error is float accumulation: {@code gamma_(K+4) sum |w x|}
 * (Higham 3.5), in any order of summation. A wrong nibble, table entry or scale moves a result by
 * about one weight times x, far above that.
 */
@ExtendWith(Seeded.class)
class Mxfp4KernelsTest {
    private static final double U = 0x1p-24;
    private static final ParallelFor POOL = new ParallelFor(3);
    private static final CpuMatmul MATMUL = new CpuMatmul(POOL);

    @AfterAll
    static void close() {
        POOL.close();
    }

    /**
     * MXFP4 rows: half the time ggml's quantization of Gaussian values at a random magnitude, else
     * random bytes (every code, -0 included) with scales 2^-10 ... 2^5.
     */
    private static MemorySegment weights(Arena arena, Random random, int rows, int k) {
        long rowBytes = DType.MXFP4.byteSize(k);
        MemorySegment w = arena.allocate(rowBytes * rows);
        if (random.nextBoolean()) {
            float[] values = Seeded.gaussian(random, rows * k, Math.pow(10, -3 + 4 * random.nextDouble()));
            for (int r = 0; r < rows; r++) {
                Quants.quantizeRow(DType.MXFP4, values, r * k, k, w, r * rowBytes);
            }
        } else {
            for (long i = 0; i < w.byteSize(); i++) {
                w.set(ValueLayout.JAVA_BYTE, i, (byte) random.nextInt());
            }
            for (long b = 0; b < w.byteSize() / 17; b++) {
                w.set(ValueLayout.JAVA_BYTE, 17 * b, (byte) (117 + random.nextInt(16)));
            }
        }
        return w;
    }

    private static void assertDot(float[] y, float[] x, float got, String what) {
        double exact = 0, magnitude = 0;
        for (int i = 0; i < y.length; i++) {
            exact += (double) y[i] * x[i];
            magnitude += Math.abs((double) y[i] * x[i]);
        }
        double n = y.length + 4;
        double bound = n * U / (1 - n * U) * magnitude;
        assertEquals(exact, got, bound, what);
    }

    @Test
    void weight_decoder_gives_the_codec_values_bit_for_bit(Random random) {
        try (Arena arena = Arena.ofConfined()) {
            for (int trial = 0; trial < 20; trial++) {
                int k = 32 * (1 + random.nextInt(9));
                MemorySegment w = weights(arena, random, 1, k);
                float[] want = new float[k], got = new float[k + 3];
                Quants.dequantizeRow(DType.MXFP4, w, 0, want, 0, k);
                java.util.Arrays.fill(got, Float.NaN);
                WeightDecoder.decode(DType.MXFP4, w, 0, got, 3, k);
                for (int i = 0; i < k; i++) {
                    assertEquals(Float.floatToRawIntBits(want[i]), Float.floatToRawIntBits(got[3 + i]), "value " + i);
                }
            }
        }
    }

    @Test
    void vector_decoders_of_both_widths_give_the_weight_decoder_values_bit_for_bit(Random random) {
        try (Arena arena = Arena.ofConfined()) {
            for (int trial = 0; trial < 30; trial++) {
                int blocks = 1 + random.nextInt(19), k = 32 * blocks, o = random.nextInt(5);
                MemorySegment w = weights(arena, random, 1, k);
                // every scale byte somewhere, the subnormal (0, 1) and infinite (255) ones included
                for (int b = 0; b < blocks; b++) {
                    if (random.nextInt(3) == 0) {
                        w.set(ValueLayout.JAVA_BYTE, 17L * b, (byte) random.nextInt(256));
                    }
                }
                float[] want = new float[k + o];
                WeightDecoder.decode(DType.MXFP4, w, 0, want, o, k);
                MemorySegment shifted = arena.allocate(w.byteSize() + 5);
                MemorySegment.copy(w, 0, shifted, 5, w.byteSize());
                for (int width = 0; width < 3; width++) {
                    float[] got = new float[k + o];
                    java.util.Arrays.fill(got, Float.NaN);
                    switch (width) {
                        case 0 -> Mxfp4Dots.decodeWide(shifted, 5, got, o, blocks);
                        case 1 -> Mxfp4Dots.decodeNarrow(shifted, 5, got, o, blocks);
                        default -> assertTrue(VectorDecoder.decode(DType.MXFP4, shifted, 5, got, o, k));
                    }
                    for (int i = 0; i < k; i++) {
                        int at = o + i, path = width;
                        assertEquals(Float.floatToRawIntBits(want[at]), Float.floatToRawIntBits(got[at]),
                                () -> "path " + path + ", value " + (at - o) + " of " + k);
                    }
                }
            }
        }
    }

    @Test
    void vector_dots_of_both_widths_match_a_float64_dot(Random random) {
        try (Arena arena = Arena.ofConfined()) {
            for (int trial = 0; trial < 40; trial++) {
                int blocks = 1 + random.nextInt(97); // odd counts included
                int k = 32 * blocks, xo = random.nextInt(5);
                MemorySegment w = weights(arena, random, 1, k);
                float[] y = new float[k];
                Quants.dequantizeRow(DType.MXFP4, w, 0, y, 0, k);
                float[] xs = Seeded.nonZeroFloats(random, k + xo, 2f);
                float[] x = java.util.Arrays.copyOfRange(xs, xo, xo + k);
                // the row starts at an odd offset in a larger segment, as rows of a mapped file do
                MemorySegment shifted = arena.allocate(w.byteSize() + 7);
                MemorySegment.copy(w, 0, shifted, 7, w.byteSize());
                assertDot(y, x, Mxfp4Dots.dot(shifted, 7, xs, xo, blocks), "256-bit, k = " + k);
                // correct on any hardware (emulated where vectors are narrower), so checked everywhere
                assertDot(y, x, Mxfp4Dots.dotWide(shifted, 7, xs, xo, blocks), "512-bit, k = " + k);
            }
        }
    }

    @Test
    void matmul_matches_the_float64_oracle_on_both_paths(Random random) {
        try (Arena arena = Arena.ofShared()) {
            for (int m : new int[] {1, 3, 17}) { // matrix-vector (M < 4) and GEMM (dequantized panels)
                int n = 1 + 2 * random.nextInt(40), k = 32 * (1 + 2 * random.nextInt(12));
                MemorySegment ws = weights(arena, random, n, k);
                Tensor w = Tensor.allocate(arena, DType.MXFP4, n, k);
                MemorySegment.copy(ws, 0, w.segment(), w.byteOffset(), ws.byteSize());
                float[] xf = Seeded.nonZeroFloats(random, m * k, 2f);
                Tensor x = Tensor.of(arena, xf, m, k);
                Tensor out = Tensor.allocate(arena, DType.F32, m, n);
                Tensor ref = Tensor.allocate(arena, DType.F32, m, n);
                out.segment().fill((byte) 0x7f); // poison: NaN-like bytes must all be overwritten
                ref.segment().fill((byte) 0x7f);
                MATMUL.matmul(x, w, out);
                ReferenceMatmul.matmul(x, w, ref);
                float[][] wf = MatmulFixtures.dequantized(w);
                for (int i = 0; i < m; i++) {
                    float[] xRow = java.util.Arrays.copyOfRange(xf, i * k, (i + 1) * k);
                    for (int j = 0; j < n; j++) {
                        double[] oracle = MatmulFixtures.oracle(xRow, k, wf[j], w, j);
                        String at = "M=" + m + " N=" + n + " K=" + k + " at [" + i + ", " + j + "]";
                        assertTrue(Math.abs(out.getFloat(i, j) - oracle[0]) <= oracle[1], at + ": CpuMatmul " + out.getFloat(i, j)
                                + ", expected " + oracle[0] + " +- " + oracle[1]);
                        assertTrue(Math.abs(ref.getFloat(i, j) - oracle[0]) <= oracle[1], at + ": ReferenceMatmul " + ref.getFloat(i, j));
                    }
                }
            }
        }
    }
}
