package dev.panamax.kernels.cpu;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.panamax.tensor.DType;
import dev.panamax.tensor.Tensor;
import dev.panamax.tensor.testing.Seeded;
import java.lang.foreign.Arena;
import java.util.Arrays;
import java.util.Random;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

/**
 * The vector weight decoders of the GEMM panels against the scalar {@link WeightDecoder}, bit for bit: both do the
 * same float operations per value, so any difference is a wrong bit, shift or offset in a block layout. Weights are
 * ggml's quantization of Gaussian values or random block bytes ({@link MatmulFixtures#weight}: every bit pattern of
 * the integer fields), decoded from random block offsets into random places of a NaN-poisoned buffer. The
 * narrow-vector surefire run repeats this with 256-bit vectors.
 */
@ExtendWith(Seeded.class)
class VectorDecoderTest {

    @ParameterizedTest
    @EnumSource(value = DType.class, names = {"Q8_0", "Q4_0", "Q5_0", "Q5_1", "Q4_K", "Q5_K", "Q6_K"})
    void decodes_as_the_scalar_decoder_bit_for_bit(DType type, Random random) {
        int block = type.blockSize();
        for (int trial = 0; trial < 20; trial++) {
            int blocks = 1 + random.nextInt(24);
            int cols = block * blocks;
            try (Arena arena = Arena.ofConfined()) {
                Tensor w = MatmulFixtures.weight(arena, random, type, 3, cols);
                int row = random.nextInt(3);
                int first = random.nextInt(blocks), count = 1 + random.nextInt(blocks - first);
                long at = w.byteOffset() + type.byteSize((long) row * cols + (long) first * block);
                int offset = random.nextInt(40), n = count * block;
                float[] expected = new float[offset + n + 7], actual = new float[offset + n + 7];
                Arrays.fill(expected, Float.NaN);
                Arrays.fill(actual, Float.NaN);
                WeightDecoder.decode(type, w.segment(), at, expected, offset, n);
                assertTrue(VectorDecoder.decode(type, w.segment(), at, actual, offset, n), type + " has a vector decoder");
                for (int i = 0; i < actual.length; i++) {
                    assertEquals(Float.floatToRawIntBits(expected[i]), Float.floatToRawIntBits(actual[i]),
                            type + ": value " + (i - offset) + " of " + n + " (blocks " + first + "+" + count + " of row " + row + ")");
                }
            }
        }
    }

    @Test
    void says_so_for_types_it_does_not_decode() {
        float[] dst = new float[32];
        try (Arena arena = Arena.ofConfined()) {
            assertFalse(VectorDecoder.decode(DType.Q3_K, arena.allocate(DType.Q3_K.byteSize(256)), 0, new float[256], 256));
            assertFalse(VectorDecoder.decode(DType.F16, arena.allocate(64), 0, dst, 32));
        }
    }
}
