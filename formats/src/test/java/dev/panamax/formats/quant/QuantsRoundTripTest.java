package dev.panamax.formats.quant;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.panamax.tensor.DType;
import dev.panamax.tensor.testing.Seeded;
import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import java.util.stream.Stream;
import org.junit.jupiter.api.DynamicTest;
import org.junit.jupiter.api.TestFactory;

/**
 * Quantize then dequantize, on seeded Gaussian rows of odd block counts at several magnitudes:
 * every value must come back as the nearest point of its sub-block's grid (the bound is derived in
 * {@link SubBlockGrid#assertNearest}).
 */
class QuantsRoundTripTest {
    private static final DType[] TYPES = {DType.Q4_0, DType.Q4_1, DType.Q5_0, DType.Q5_1, DType.Q8_0, DType.Q8_1,
        DType.Q2_K, DType.Q3_K, DType.Q4_K, DType.Q5_K, DType.Q6_K, DType.Q8_K};
    private static final double[] SIGMAS = {0.02, 1.0, 300.0};

    @TestFactory
    Stream<DynamicTest> dequantized_values_are_the_nearest_grid_point_of_their_sub_block() {
        List<DynamicTest> tests = new ArrayList<>();
        for (DType type : TYPES) {
            for (int s = 0; s < SIGMAS.length; s++) {
                int caseIndex = type.ordinal() * 10 + s;
                double sigma = SIGMAS[s];
                tests.add(DynamicTest.dynamicTest(type + " sigma " + sigma, Seeded.replayable(() -> checkNearest(type, sigma,
                        new Random(Seeded.seedFor("nearest", caseIndex))))));
            }
        }
        return tests.stream();
    }

    private static void checkNearest(DType type, double sigma, Random random) {
        int blocks = 1 + 2 * random.nextInt(4); // odd: 1, 3, 5, 7
        int n = blocks * type.blockSize();
        float[] x = Seeded.gaussian(random, n, sigma);
        x[random.nextInt(n)] *= 6; // an outlier stretches one block's range
        try (Arena arena = Arena.ofConfined()) {
            MemorySegment q = arena.allocate(type.byteSize(n));
            Quants.quantizeRow(type, x, 0, n, q, 0);
            SubBlockGrid.assertNearest(type, x, q, n);
        }
    }

    /**
     * Re-quantizing dequantized Q8_0, Q8_1, Q4_0 and Q5_0 data gives the same bytes: the value of
     * largest magnitude comes back as exactly {@code qmax * d16} (a product of a half and a small
     * integer is exact in float), so the re-derived scale is {@code d16} again, and every other
     * value lands on an integer multiple of it. (Q8_1's {@code s = d * sum(q)} uses the unrounded f32
     * {@code d}, so it may differ in its last bit; its d and quants must not.) (Not so for the K-quants, whose scale search may
     * pick other scales, nor for Q4_1/Q5_1, whose {@code (max - min) / nmax} rounds.)
     */
    @TestFactory
    Stream<DynamicTest> requantizing_dequantized_symmetric_blocks_reproduces_the_bytes() {
        List<DynamicTest> tests = new ArrayList<>();
        for (DType type : new DType[] {DType.Q8_0, DType.Q8_1, DType.Q4_0, DType.Q5_0}) {
            for (int s = 0; s < SIGMAS.length; s++) {
                int caseIndex = type.ordinal() * 10 + s;
                double sigma = SIGMAS[s];
                tests.add(DynamicTest.dynamicTest(type + " sigma " + sigma, Seeded.replayable(() -> {
                    Random random = new Random(Seeded.seedFor("requantize", caseIndex));
                    int n = (1 + 2 * random.nextInt(8)) * type.blockSize();
                    float[] x = Seeded.gaussian(random, n, sigma);
                    try (Arena arena = Arena.ofConfined()) {
                        MemorySegment q1 = arena.allocate(type.byteSize(n));
                        Quants.quantizeRow(type, x, 0, n, q1, 0);
                        float[] y = new float[n];
                        Quants.dequantizeRow(type, q1, 0, y, 0, n);
                        MemorySegment q2 = arena.allocate(type.byteSize(n));
                        Quants.quantizeRow(type, y, 0, n, q2, 0);
                        if (type == DType.Q8_1) {
                            // s = d * sum(q) is computed from the f32 d, which differs from d16 between
                            // the two passes: compare d and the quants only
                            for (int b = 0; b < n / 32; b++) {
                                q1.asSlice(36L * b + 2, 2).fill((byte) 0);
                                q2.asSlice(36L * b + 2, 2).fill((byte) 0);
                            }
                        }
                        assertArrayEquals(q1.toArray(java.lang.foreign.ValueLayout.JAVA_BYTE),
                                q2.toArray(java.lang.foreign.ValueLayout.JAVA_BYTE), type + " bytes changed");
                    }
                })));
            }
        }
        return tests.stream();
    }

    @TestFactory
    Stream<DynamicTest> f16_and_bf16_round_trips_are_exact_on_representable_values_and_nearest_otherwise() {
        return Stream.of(DType.F16, DType.BF16).map(type -> DynamicTest.dynamicTest(type.toString(), Seeded.replayable(() -> {
            Random random = new Random(Seeded.seedFor("plain", type.ordinal()));
            int n = 1 + 2 * random.nextInt(50);
            float[] x = Seeded.gaussian(random, n, 3.0);
            try (Arena arena = Arena.ofConfined()) {
                MemorySegment q = arena.allocate(type.byteSize(n));
                Quants.quantizeRow(type, x, 0, n, q, 0);
                float[] y = new float[n];
                Quants.dequantizeRow(type, q, 0, y, 0, n);
                // relative rounding error of round-to-nearest: 2^-11 (F16, 11-bit significand), 2^-8 (BF16)
                double rel = type == DType.F16 ? 0x1p-11 : 0x1p-8;
                for (int i = 0; i < n; i++) {
                    assertTrue(Math.abs(x[i] - y[i]) <= rel * Math.abs(x[i]), type + " value " + x[i] + " -> " + y[i]);
                }
                float[] z = new float[n];
                Quants.quantizeRow(type, y, 0, n, q, 0);
                Quants.dequantizeRow(type, q, 0, z, 0, n);
                assertArrayEquals(y, z, type + " values already representable must come back unchanged");
            }
        })));
    }
}
