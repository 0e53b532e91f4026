package dev.panamax.transformer;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import dev.panamax.tensor.Rope;
import java.util.Random;
import dev.panamax.tensor.testing.Seeded;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

@ExtendWith(Seeded.class)
class RopeConfigTest {
    // Llama 3.1 8B: theta 500000, head dim 128, rope_scaling {factor 8, low 1, high 4, original 8192}
    private static final RopeScaling LLAMA31 = new RopeScaling.Llama3(8, 1, 4, 8192);

    @Test
    void unscaledFrequenciesAreThetaToTheMinusTwoIOverDims() {
        float[] f = new RopeConfig(Rope.Layout.NEOX, 16, 10000, new RopeScaling.None()).inverseFrequencies();
        assertEquals(8, f.length);
        assertEquals(1f, f[0]);
        assertEquals((float) Math.pow(10000, -2.0 / 16), f[1]);
        assertEquals((float) Math.pow(10000, -14.0 / 16), f[7]);
    }

    /**
     * Expected values computed independently (Python, double precision) with Hugging Face's
     * _compute_llama3_parameters formula; float rounding allows 1 ulp-ish relative error 1e-6.
     */
    @Test
    void llama3ScalingMatchesHandComputedFrequencies() {
        float[] f = new RopeConfig(Rope.Layout.NEOX, 128, 500000, LLAMA31).inverseFrequencies();
        int[] pairs = {0, 20, 28, 29, 30, 32, 34, 35, 63};
        double[] expected = {1.0, 0.016560440080994446, 0.003211445994752591, // high frequency: kept
            0.002166570763503359, 0.0013718935677611381, 0.0005248461609929547, 0.0001785078127679964, // blended
            9.556212353964683e-05, 3.068925988914511e-07}; // low frequency: divided by 8
        for (int j = 0; j < pairs.length; j++) {
            assertEquals(expected[j], f[pairs[j]], 1e-6 * expected[j], "pair " + pairs[j]);
        }
    }

    /** llama.cpp stores Llama 3 scaling as per-pair divisors (rope_freqs.weight): the two must agree. */
    @Test
    void ggufFrequencyFactorsReproduceLlama3Scaling() {
        RopeConfig unscaled = new RopeConfig(Rope.Layout.INTERLEAVED, 64, 500000, new RopeScaling.None());
        float[] base = unscaled.inverseFrequencies();
        float[] scaled = unscaled.withScaling(new RopeScaling.Llama3(32, 1, 4, 8192)).inverseFrequencies();
        float[] factors = new float[base.length];
        for (int i = 0; i < factors.length; i++) {
            factors[i] = (float) ((double) base[i] / scaled[i]);
        }
        float[] viaFactors = unscaled.withScaling(new RopeScaling.FrequencyFactors(factors)).inverseFrequencies();
        for (int i = 0; i < base.length; i++) {
            assertEquals(scaled[i], viaFactors[i], 2e-7 * scaled[i], "pair " + i);
        }
    }

    @Test
    void linearScalingDividesEveryFrequency(Random random) {
        double factor = 1 + 7 * random.nextDouble();
        RopeConfig plain = new RopeConfig(Rope.Layout.NEOX, 32, 10000, new RopeScaling.None());
        float[] a = plain.inverseFrequencies();
        float[] b = plain.withScaling(new RopeScaling.Linear(factor)).inverseFrequencies();
        for (int i = 0; i < a.length; i++) {
            assertEquals(a[i] / factor, b[i], 1e-6 * a[i] / factor);
        }
    }

    @Test
    void toRopeKeepsLayoutAndFrequencies() {
        RopeConfig c = new RopeConfig(Rope.Layout.INTERLEAVED, 8, 10000, new RopeScaling.None());
        Rope r = c.toRope();
        assertEquals(Rope.Layout.INTERLEAVED, r.layout());
        assertArrayEquals(c.inverseFrequencies(), r.inverseFrequencies());
    }

    @Test
    void rejectsOddDimsAndBadScaling() {
        assertThrows(IllegalArgumentException.class, () -> new RopeConfig(Rope.Layout.NEOX, 7, 10000, new RopeScaling.None()));
        assertThrows(IllegalArgumentException.class, () -> new RopeScaling.Llama3(8, 4, 1, 8192));
        assertThrows(IllegalArgumentException.class, () -> new RopeScaling.FrequencyFactors(new float[] {1, 0}));
    }
}
