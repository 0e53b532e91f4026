package dev.panamax.transformer;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;

import dev.panamax.tensor.testing.Seeded;
import java.nio.file.Path;
import java.util.Locale;
import java.util.Random;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

/**
 * YaRN from config.json against a float64 transcription, written here, of transformers'
 * {@code _compute_yarn_parameters} (frequencies and attention factor) and of DeepSeek's softmax-scale
 * correction ({@code scaling *= get_mscale(factor, mscale_all_dim)²}), on random parameters: with and
 * without truncation, mscale and mscale_all_dim present or not, the attention factor given or not.
 */
@ExtendWith(Seeded.class)
class YarnTest {
    private static final Path FILE = Path.of("config.json");

    /** One random case's parameters; NaN: absent from config.json. */
    private record Case(int heads, int headDim, double theta, int original, int maxPositions, double betaFast, double betaSlow,
                        boolean truncate, double mscale, double mscaleAllDim, double attentionFactor) {
        double factor() {
            return (double) maxPositions / original;
        }

        String json() {
            StringBuilder s = new StringBuilder("{\"rope_type\": \"yarn\", \"factor\": " + factor()
                    + ", \"original_max_position_embeddings\": " + original + ", \"beta_fast\": " + betaFast + ", \"beta_slow\": "
                    + betaSlow + ", \"truncate\": " + truncate);
            if (!Double.isNaN(mscale)) {
                s.append(", \"mscale\": ").append(mscale);
            }
            if (!Double.isNaN(mscaleAllDim)) {
                s.append(", \"mscale_all_dim\": ").append(mscaleAllDim);
            }
            if (!Double.isNaN(attentionFactor)) {
                s.append(", \"attention_factor\": ").append(attentionFactor);
            }
            return String.format(Locale.ROOT, """
                    {"model_type": "llama", "hidden_size": %d, "intermediate_size": 8, "num_hidden_layers": 1,
                     "num_attention_heads": %d, "vocab_size": 16, "max_position_embeddings": %d, "rope_theta": %s,
                     "rope_scaling": %s}}
                    """, heads * headDim, heads, maxPositions, theta, s);
        }
    }

    @Test
    void frequenciesAttentionFactorAndSoftmaxGainAreThoseOfTransformersFormula(Random random) {
        for (int n = 0; n < 200; n++) {
            Case c = new Case(1 + random.nextInt(4), 2 * (1 + random.nextInt(80)), Math.pow(10, 3 + 4 * random.nextDouble()),
                    16 + random.nextInt(8192), 0, 8 + 56 * random.nextDouble(), 0.25 + 2 * random.nextDouble(), random.nextBoolean(),
                    random.nextInt(3) == 0 ? Double.NaN : 2 * random.nextDouble(),
                    random.nextInt(3) == 0 ? Double.NaN : 2 * random.nextDouble(),
                    random.nextInt(4) == 0 ? 0.5 + random.nextDouble() : Double.NaN);
            int original = c.original();
            c = new Case(c.heads(), c.headDim(), c.theta(), original, (int) Math.ceil(original * (1 + 63 * random.nextDouble())),
                    c.betaFast(), c.betaSlow(), c.truncate(), c.mscale(), c.mscaleAllDim(), c.attentionFactor());
            ModelConfig m = HfConfigReader.parse(FILE, c.json());
            RopeScaling.Yarn yarn = assertInstanceOf(RopeScaling.Yarn.class, m.rope().scaling(), c.json());
            double[] expected = inverseFrequencies(c);
            float[] actual = m.rope().inverseFrequencies();
            assertEquals(expected.length, actual.length);
            for (int i = 0; i < expected.length; i++) {
                // computed in double, rounded once to float: within one float ulp of the float64 value
                assertEquals(expected[i], actual[i], Math.ulp((float) expected[i]), "pair " + i + " of " + c);
            }
            assertEquals(attentionFactor(c), yarn.attentionFactor(), 1e-12, c.toString());
            double gain = !Double.isNaN(c.mscaleAllDim()) && c.mscaleAllDim() != 0 ? getMscale(c.factor(), c.mscaleAllDim()) : 1;
            assertEquals(gain * gain, yarn.softmaxGain(), 1e-12, c.toString());
        }
    }

    @Test
    void deepSeekV3sConfigGivesAnAttentionFactorOfOneAndTheSoftmaxGain() {
        // DeepSeek-V3: factor 40, original 4096, mscale = mscale_all_dim = 1
        String json = """
                {"model_type": "llama", "hidden_size": 64, "intermediate_size": 8, "num_hidden_layers": 1, "num_attention_heads": 1,
                 "vocab_size": 16, "max_position_embeddings": 163840, "rope_theta": 10000,
                 "rope_scaling": {"type": "yarn", "factor": 40, "original_max_position_embeddings": 4096, "beta_fast": 32,
                  "beta_slow": 1, "mscale": 1.0, "mscale_all_dim": 1.0}}
                """;
        RopeScaling.Yarn y = assertInstanceOf(RopeScaling.Yarn.class, HfConfigReader.parse(FILE, json).rope().scaling());
        assertEquals(1, y.attentionFactor(), 1e-15);
        double m = 0.1 * Math.log(40) + 1;
        assertEquals(m * m, y.softmaxGain(), 1e-12);
    }

    // ---- transformers' _compute_yarn_parameters, in float64 ----

    private static double getMscale(double scale, double mscale) {
        return scale <= 1 ? 1 : 0.1 * mscale * Math.log(scale) + 1;
    }

    private static double attentionFactor(Case c) {
        if (!Double.isNaN(c.attentionFactor())) {
            return c.attentionFactor();
        }
        boolean both = !Double.isNaN(c.mscale()) && c.mscale() != 0 && !Double.isNaN(c.mscaleAllDim()) && c.mscaleAllDim() != 0;
        return both ? getMscale(c.factor(), c.mscale()) / getMscale(c.factor(), c.mscaleAllDim()) : getMscale(c.factor(), 1);
    }

    private static double findCorrectionDim(double rotations, int dim, double base, int maxPositions) {
        return dim * Math.log(maxPositions / (rotations * 2 * Math.PI)) / (2 * Math.log(base));
    }

    private static double[] inverseFrequencies(Case c) {
        int dim = c.headDim();
        double low = findCorrectionDim(c.betaFast(), dim, c.theta(), c.original());
        double high = findCorrectionDim(c.betaSlow(), dim, c.theta(), c.original());
        if (c.truncate()) {
            low = Math.floor(low);
            high = Math.ceil(high);
        }
        low = Math.max(low, 0);
        high = Math.min(high, dim - 1);
        if (low == high) {
            high += 0.001;
        }
        double[] inv = new double[dim / 2];
        for (int i = 0; i < inv.length; i++) {
            double posFreq = Math.pow(c.theta(), (2.0 * i) / dim);
            double extrapolation = 1 / posFreq, interpolation = 1 / (c.factor() * posFreq);
            double ramp = Math.min(1, Math.max(0, (i - low) / (high - low)));
            double extrapolationFactor = 1 - ramp;
            inv[i] = interpolation * (1 - extrapolationFactor) + extrapolation * extrapolationFactor;
        }
        return inv;
    }
}
