package dev.panamax.formats.quant;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

import dev.panamax.tensor.DType;
import dev.panamax.tensor.testing.Seeded;
import java.io.IOException;
import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.util.Locale;
import java.util.Random;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

/**
 * MXFP4 against ggml's own bytes and floats on edge cases (the harness is described in
 * {@code ggml/README.md}): block maxima one float below powers of two from 2^-123 to 2^125, where
 * ggml's {@code floorf(log2f(amax))} rounds up; exact ties between grid points at many scales;
 * zero, subnormal and near-overflow blocks. Then seeded round trips against a grid written here
 * from the OCP MX specification (E2M1 values times a power-of-two scale), independently of the codec.
 */
@ExtendWith(Seeded.class)
class Mxfp4CodecTest {
    private static final int N = 512;
    private static final int ROWS = 4;
    /** E2M1 magnitudes by the low three bits of a code (OCP MX v1.0, table 5). */
    private static final double[] E2M1 = {0, 0.5, 1, 1.5, 2, 3, 4, 6};

    @Test
    void edge_cases_give_ggml_bytes_and_float_bits() throws IOException {
        float[] input = QuantsGgmlVectorsTest.floats(QuantsGgmlVectorsTest.read("mxfp4-edges.input.f32"));
        byte[] blocks = QuantsGgmlVectorsTest.read("mxfp4-edges.blocks");
        float[] dequant = QuantsGgmlVectorsTest.floats(QuantsGgmlVectorsTest.gunzip(
                QuantsGgmlVectorsTest.read("mxfp4-edges.dequant.f32.gz")));
        assertEquals(ROWS * N, input.length);
        assertEquals(ROWS * DType.MXFP4.byteSize(N), blocks.length);
        try (Arena arena = Arena.ofConfined()) {
            MemorySegment out = arena.allocate(blocks.length);
            Quants.quantizeRow(DType.MXFP4, input, 0, ROWS * N, out, 0);
            for (int b = 0; b < blocks.length; b++) {
                if (out.get(ValueLayout.JAVA_BYTE, b) != blocks[b]) {
                    int block = b / 17;
                    fail(String.format(Locale.ROOT, "block %d byte %d: ggml 0x%02x, ours 0x%02x (block max %s)", block, b % 17,
                            blocks[b] & 0xFF, out.get(ValueLayout.JAVA_BYTE, b) & 0xFF, maxAbs(input, 32 * block)));
                }
            }
        }
        float[] got = new float[ROWS * N];
        Quants.dequantizeRow(DType.MXFP4, MemorySegment.ofArray(blocks), 0, got, 0, ROWS * N);
        for (int i = 0; i < got.length; i++) {
            assertEquals(Float.floatToRawIntBits(dequant[i]), Float.floatToRawIntBits(got[i]), "value " + i);
        }
    }

    @Test
    void infinite_block_max_gives_ggml_zero_block() {
        // printed by the harness: a block holding +inf quantizes to 17 zero bytes on x86-64
        float[] x = Seeded.gaussian(new Random(1), 32, 1.0);
        x[3] = Float.POSITIVE_INFINITY;
        MemorySegment out = MemorySegment.ofArray(new byte[17]).fill((byte) 0x55);
        Quants.quantizeRow(DType.MXFP4, x, 0, 32, out, 0);
        assertArrayEquals(new byte[17], out.toArray(ValueLayout.JAVA_BYTE));
    }

    @Test
    void every_value_comes_back_as_the_nearest_point_of_its_block_grid(Random random) {
        for (int round = 0; round < 20; round++) {
            int n = 32 * (1 + 2 * random.nextInt(6));
            double sigma = Math.pow(10, -6 + 10 * random.nextDouble());
            float[] x = Seeded.gaussian(random, n, sigma);
            x[random.nextInt(n)] *= 5;
            MemorySegment q = MemorySegment.ofArray(new byte[(int) DType.MXFP4.byteSize(n)]);
            Quants.quantizeRow(DType.MXFP4, x, 0, n, q, 0);
            float[] y = new float[n];
            Quants.dequantizeRow(DType.MXFP4, q, 0, y, 0, n);
            for (int b = 0; b < n / 32; b++) {
                int e = q.get(ValueLayout.JAVA_BYTE, 17L * b) & 0xFF;
                double scale = Math.scalb(1.0, e - 127);
                double amax = maxAbs(x, 32 * b);
                // the scale puts the block max in [4, 8) scale units (the top of the grid is 6)
                assertTrue(amax >= 4 * scale && amax < 8 * scale, "block " + b + " max " + amax + " scale 2^" + (e - 127));
                for (int j = 0; j < 32; j++) {
                    int i = 32 * b + j;
                    double err = Math.abs(y[i] - (double) x[i]);
                    for (double g : E2M1) {
                        double nearest = Math.min(Math.abs(g * scale - x[i]), Math.abs(-g * scale - x[i]));
                        assertTrue(err <= nearest, "value " + x[i] + " -> " + y[i] + " but grid point " + g * scale + " is nearer");
                    }
                    assertTrue(isGridPoint(y[i] / scale), "value " + y[i] + " is not on the grid of scale " + scale);
                }
            }
            // requantizing the decoded values reproduces the bytes: the block max maps to 4 or 6 units, same scale
            MemorySegment q2 = MemorySegment.ofArray(new byte[(int) DType.MXFP4.byteSize(n)]);
            Quants.quantizeRow(DType.MXFP4, y, 0, n, q2, 0);
            assertArrayEquals(q.toArray(ValueLayout.JAVA_BYTE), q2.toArray(ValueLayout.JAVA_BYTE));
        }
    }

    @Test
    void scale_exponent_is_the_floor_of_log2_except_just_below_powers_of_two() {
        for (int p = -120; p <= 120; p++) {
            float power = Math.scalb(1f, p);
            assertEquals(p + 125, Mxfp4Codec.scaleExponent(power), "2^" + p);
            assertEquals(p + 125, Mxfp4Codec.scaleExponent(Math.nextUp(power)), "just above 2^" + p);
            assertEquals(p + 124, Mxfp4Codec.scaleExponent(power * 0.75f), "0.75 * 2^" + p);
        }
    }

    private static boolean isGridPoint(double units) {
        for (double g : E2M1) {
            if (Math.abs(units) == g) {
                return true;
            }
        }
        return false;
    }

    private static float maxAbs(float[] x, int from) {
        float m = 0;
        for (int j = 0; j < 32; j++) {
            m = Math.max(m, Math.abs(x[from + j]));
        }
        return m;
    }
}
