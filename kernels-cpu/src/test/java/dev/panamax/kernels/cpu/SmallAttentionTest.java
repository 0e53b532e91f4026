package dev.panamax.kernels.cpu;

import static dev.panamax.kernels.cpu.Fixtures.assertBitwise;
import static dev.panamax.kernels.cpu.Fixtures.pick;
import static dev.panamax.kernels.cpu.Fixtures.poisoned;

import dev.panamax.tensor.Attention;
import dev.panamax.tensor.DType;
import dev.panamax.tensor.Tensor;
import dev.panamax.tensor.testing.Seeded;
import java.lang.foreign.Arena;
import java.util.Arrays;
import java.util.Random;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

/**
 * {@link SmallAttention} (the cpu backend's attention for small calls) computes bit for bit what its oracle
 * {@link ScalarAttention} computes: same operations in the same order, loops rearranged. Random shapes (GQA
 * ratios, odd head sizes, decode and prefill, positions past the start), F32 and F16 caches read through views
 * at an offset, and every option: windows, soft caps, sinks, bidirectional. Accuracy against float64 is
 * {@link AttentionTest}'s, which runs this path through the backend's defaults.
 */
@ExtendWith(Seeded.class)
class SmallAttentionTest {

    @Test
    void equals_the_oracle_bit_for_bit_with_every_option(Random random) {
        for (int round = 0; round < 60; round++) {
            int hkv = pick(random, 1, 2, 3);
            int hq = hkv * pick(random, 1, 2, 4);
            int d = pick(random, 1, 3, 8, 16, 17, 64);
            int tokens = random.nextBoolean() ? 1 : 2 + random.nextInt(6);
            int startPos = random.nextBoolean() ? 0 : random.nextInt(90);
            int skip = random.nextInt(3); // cache rows before the view
            int capacity = startPos + tokens + random.nextInt(3);
            DType cache = random.nextBoolean() ? DType.F16 : DType.F32;
            Arena arena = Arena.ofAuto();
            Tensor q = Tensor.of(arena, Seeded.gaussian(random, tokens * hq * d, 1), tokens, hq, d);
            Tensor k = Tensor.of(arena, Seeded.gaussian(random, (skip + capacity) * hkv * d, 2), skip + capacity, hkv, d)
                    .to(arena, cache).rows(skip, capacity);
            Tensor v = Tensor.of(arena, Seeded.gaussian(random, (skip + capacity) * hkv * d, 1), skip + capacity, hkv, d)
                    .to(arena, cache).rows(skip, capacity);
            Attention options = options(random, arena, hq);
            float scale = (float) (1 / Math.sqrt(d)) * (0.5f + 2 * random.nextFloat());
            String what = "hq " + hq + " hkv " + hkv + " d " + d + " tokens " + tokens + " startPos " + startPos + " " + cache
                    + " " + options;

            Tensor expected = poisoned(tokens, hq, d);
            ScalarAttention.attention(q, k, v, startPos, scale, options, expected);
            Tensor actual = poisoned(tokens, hq, d);
            float[] work = new float[SmallAttention.workSize(q, k, startPos, options) + random.nextInt(5)];
            Arrays.fill(work, Float.NaN); // nothing is read before it is written
            short[] staging = new short[SmallAttention.stagingSize(q, k, startPos, options) + random.nextInt(5)];
            Arrays.fill(staging, (short) 0x7e00); // an F16 NaN: a staged element read before it is copied fails too
            SmallAttention.attention(q, k, v, startPos, scale, options, actual, work, staging);

            assertBitwise(what, expected.toFloatArray(), actual.toFloatArray()); // a NaN (an unwritten element) fails
        }
    }

    private static Attention options(Random random, Arena arena, int hq) {
        if (random.nextInt(4) == 0) {
            return Attention.BIDIRECTIONAL;
        }
        int window = random.nextBoolean() ? 0 : 1 + random.nextInt(20);
        float cap = random.nextBoolean() ? 0 : 0.5f + 30 * random.nextFloat();
        Tensor sinks = random.nextBoolean() ? null : Tensor.of(arena, Seeded.gaussian(random, hq, 2), hq);
        return new Attention(window, cap, sinks);
    }
}
