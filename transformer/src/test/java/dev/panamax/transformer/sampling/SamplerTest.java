package dev.panamax.transformer.sampling;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.panamax.tensor.testing.Seeded;
import java.util.Arrays;
import java.util.Random;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

@ExtendWith(Seeded.class)
class SamplerTest {
    private static final SamplerSettings NO_FILTERS = new SamplerSettings(1, 0, 1, 0, 1, 0, 0, 0, 42);
    // softmax([2, 1, 0, -1]) = 0.6439, 0.2369, 0.0871, 0.0321 (cumulative 0.6439, 0.8808, 0.9679, 1)
    private static final float[] FOUR = {2, 1, 0, -1};

    @Test
    void greedyIsTheArgmaxWithLowestIdOnTies(Random random) {
        for (int trial = 0; trial < 20; trial++) {
            float[] logits = Seeded.gaussian(random, 1 + random.nextInt(300), 3);
            int expected = 0;
            for (int i = 1; i < logits.length; i++) {
                if (logits[i] > logits[expected]) {
                    expected = i;
                }
            }
            assertEquals(expected, new Sampler(SamplerSettings.greedy(), logits.length).sample(logits));
        }
        assertEquals(1, new Sampler(SamplerSettings.greedy(), 4).sample(new float[] {0, 5, -2, 5}));
    }

    @Test
    void topKKeepsTheKLargestSortedByLogitThenId() {
        float[] logits = {1.0f, 3.0f, 2.0f, 3.0f, -1.0f, 0.5f};
        assertArrayEquals(new int[] {1, 3}, sampler(NO_FILTERS.withTopK(2), 6).filtered(logits));
        assertArrayEquals(new int[] {1, 3, 2}, sampler(NO_FILTERS.withTopK(3), 6).filtered(logits));
        assertArrayEquals(new int[] {1, 3, 2, 0, 5, 4}, sampler(NO_FILTERS, 6).filtered(logits));
    }

    @Test
    void topPKeepsTheShortestPrefixReachingP() {
        assertArrayEquals(new int[] {0}, sampler(NO_FILTERS.withTopP(0.5f), 4).filtered(FOUR));
        assertArrayEquals(new int[] {0, 1}, sampler(NO_FILTERS.withTopP(0.8f), 4).filtered(FOUR));
        assertArrayEquals(new int[] {0, 1, 2}, sampler(NO_FILTERS.withTopP(0.9f), 4).filtered(FOUR));
    }

    @Test
    void topPRenormalizesOverWhatTopKLeft() {
        // after top-3: softmax([2, 1, 0]) = 0.6652, 0.2447, 0.0900 -> cumulative 0.9099 reaches 0.9 at two tokens
        assertArrayEquals(new int[] {0, 1}, sampler(NO_FILTERS.withTopK(3).withTopP(0.9f), 4).filtered(FOUR));
    }

    @Test
    void minPKeepsTokensAtLeastMinPTimesAsLikelyAsTheBest() {
        // p_i / p_max = e^(l_i - 2) = 1, 0.368, 0.135, 0.050
        assertArrayEquals(new int[] {0, 1}, sampler(NO_FILTERS.withMinP(0.3f), 4).filtered(FOUR));
        assertArrayEquals(new int[] {0, 1, 2}, sampler(NO_FILTERS.withMinP(0.1f), 4).filtered(FOUR));
        assertArrayEquals(new int[] {0}, sampler(NO_FILTERS.withMinP(0.5f), 4).filtered(FOUR));
    }

    @Test
    void penaltiesFollowLlamaCpp() {
        float[] logits = {2, -1, 0.5f, 3};
        Sampler s = sampler(NO_FILTERS.withPenalties(1.5f, 0.1f, 0.2f, 3), 4);
        float[] p = s.penalized(logits, new int[] {0, 1, 1});
        assertEquals(2 / 1.5f - 0.1f - 0.2f, p[0], 1e-6f);      // positive: divided; count 1
        assertEquals(-1 * 1.5f - 2 * 0.1f - 0.2f, p[1], 1e-6f); // negative: multiplied; count 2
        assertEquals(0.5f, p[2]);
        assertEquals(3f, p[3]);
        // a window of the last 2 tokens no longer sees token 0
        float[] window = sampler(NO_FILTERS.withPenalties(1.5f, 0, 0, 2), 4).penalized(logits, new int[] {0, 1, 1});
        assertEquals(2f, window[0]);
        assertEquals(-1.5f, window[1], 1e-6f);
    }

    /** Issue 20: an out-of-range id in the penalized history gave ArrayIndexOutOfBoundsException. */
    @Test
    void anOutOfRangeHistoryIdIsRejectedNamingItsIndexAndValue() {
        Sampler s = new Sampler(SamplerSettings.greedy().withPenalties(1.3f, 0, 0, 8), 4);
        for (int bad : new int[] {4, -1, Integer.MAX_VALUE}) {
            IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                    () -> s.sample(new float[] {1, 2, 3, 4}, new int[] {0, bad, 2}, 3));
            assertTrue(e.getMessage().contains("history[1] = " + bad), e.getMessage());
        }
        assertThrows(IllegalArgumentException.class, () -> s.sample(new float[] {1, 2, 3, 4}, new int[] {0, 1}, 3));
    }

    @Test
    void penaltyCanChangeTheGreedyChoice() {
        Sampler s = new Sampler(SamplerSettings.greedy().withPenalties(2, 0, 0, 8), 3);
        int[] history = {1};
        assertEquals(0, s.sample(new float[] {1.5f, 2f, 0}, history, 1)); // 2 / 2 = 1 < 1.5
    }

    @Test
    void sameSeedGivesSameTokensAndOtherSeedsDiffer(Random random) {
        float[] logits = Seeded.gaussian(random, 50, 0.5);
        long seed = random.nextLong();
        int[] a = draws(NO_FILTERS.withSeed(seed), logits, 64);
        int[] b = draws(NO_FILTERS.withSeed(seed), logits, 64);
        int[] c = draws(NO_FILTERS.withSeed(seed + 1), logits, 64);
        assertArrayEquals(a, b);
        assertFalse(Arrays.equals(a, c), "64 draws from 50 near-uniform tokens with different seeds coincided");
    }

    /**
     * Draw frequencies match softmax(logits / T): each count is binomial, so it lies within 5
     * standard deviations of n·p except with probability below 1e-6 per token.
     */
    @Test
    void drawsFollowTheTemperedSoftmax(Random random) {
        float[] logits = Seeded.gaussian(random, 6, 1);
        float temperature = 0.7f;
        int n = 20000;
        int[] counts = new int[6];
        Sampler s = new Sampler(NO_FILTERS.withTemperature(temperature).withSeed(random.nextLong()), 6);
        for (int i = 0; i < n; i++) {
            counts[s.sample(logits)]++;
        }
        double max = Double.NEGATIVE_INFINITY;
        for (float l : logits) {
            max = Math.max(max, l / temperature);
        }
        double sum = 0;
        double[] p = new double[6];
        for (int i = 0; i < 6; i++) {
            p[i] = Math.exp(logits[i] / temperature - max);
            sum += p[i];
        }
        for (int i = 0; i < 6; i++) {
            double expected = n * p[i] / sum;
            double sigma = Math.sqrt(n * (p[i] / sum) * (1 - p[i] / sum));
            assertEquals(expected, counts[i], 5 * sigma + 1, "token " + i + " counts " + Arrays.toString(counts));
        }
    }

    @Test
    void filteredTokensAreNeverDrawn(Random random) {
        float[] logits = Seeded.gaussian(random, 40, 2);
        Sampler s = new Sampler(NO_FILTERS.withTopK(5).withSeed(random.nextLong()), 40);
        int[] allowed = s.filtered(logits);
        for (int i = 0; i < 500; i++) {
            int t = s.sample(logits);
            assertTrue(Arrays.stream(allowed).anyMatch(a -> a == t), "drew " + t + " outside top-5 " + Arrays.toString(allowed));
        }
    }

    @Test
    void rejectsInvalidSettingsAndWrongVocabulary() {
        assertThrows(IllegalArgumentException.class, () -> NO_FILTERS.withTopP(0));
        assertThrows(IllegalArgumentException.class, () -> NO_FILTERS.withTemperature(-1));
        assertThrows(IllegalArgumentException.class, () -> new Sampler(NO_FILTERS, 4).sample(new float[5]));
    }

    private static Sampler sampler(SamplerSettings s, int vocab) {
        return new Sampler(s, vocab);
    }

    private static int[] draws(SamplerSettings s, float[] logits, int n) {
        Sampler sampler = new Sampler(s, logits.length);
        int[] out = new int[n];
        for (int i = 0; i < n; i++) {
            out[i] = sampler.sample(logits);
        }
        return out;
    }
}
