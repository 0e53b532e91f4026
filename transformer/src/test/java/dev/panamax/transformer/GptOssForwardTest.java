package dev.panamax.transformer;

import static dev.panamax.transformer.TransformerForwardTest.F32_TOLERANCE;
import static dev.panamax.transformer.TransformerForwardTest.assertClose;
import static dev.panamax.transformer.TransformerForwardTest.open;
import static dev.panamax.transformer.TransformerForwardTest.options;
import static dev.panamax.transformer.TransformerForwardTest.tokens;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.panamax.formats.FormatException;
import dev.panamax.tensor.DType;
import dev.panamax.tensor.Ops;
import dev.panamax.tensor.Rope;
import dev.panamax.tensor.testing.Seeded;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Random;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

/**
 * gpt-oss ({@link TinyGptOss}: MXFP4 experts, sinks, a window of 3 on layers 0 and 2 under a
 * 9-token prompt, biases everywhere, YaRN) from GGUF (MXFP4 or F32 experts) and from a Hugging Face
 * checkpoint holding transformers' MXFP4 blocks, against {@link Float64GptOss}: GGUF with the
 * correction range truncated (as ggml does), Hugging Face with {@code "truncate": false}, as its
 * config says. The MXFP4 values are exact in both (random codes and scales, decoded in float64).
 *
 * <p>Tolerance: {@link TransformerForwardTest}'s 2e-4 of the logit scale. Per layer the chain is
 * the same kind and length as there (RMSNorm and projections over 64, attention over head dim 24
 * and at most 12 positions plus the sink term, 2 experts of width 32 with down over 32), so the
 * first-order float32 estimate (about 3e-5 per layer) and the factor of two carry over; the clamp
 * is piecewise exact and the sinks add one term to each softmax denominator.
 */
@ExtendWith(Seeded.class)
class GptOssForwardTest {
    private static final int PROMPT = 9, DECODE = 3;

    @TempDir
    Path dir;

    @ParameterizedTest
    @CsvSource({"reference, gguf", "cpu, gguf", "reference, gguf-f32", "cpu, gguf-f32", "reference, hf", "cpu, hf", "cpu, hf-dense"})
    void matchesFloat64FromHfModelingGptOss(String backend, String form, Random random) throws Exception {
        TinyGptOss m = new TinyGptOss(random);
        Path file = form.startsWith("hf") ? m.writeHf(dir.resolve("hf"), false, form.equals("hf-dense"))
                : m.writeGguf(dir.resolve("m.gguf"), form.equals("gguf-f32"), w -> { });
        boolean truncate = !form.startsWith("hf");
        try (Ops ops = open(backend); Model model = Model.open(file, ops, options(DType.F32))) {
            ModelConfig c = model.config();
            assertEquals(Rope.Layout.NEOX, c.rope().layout());
            assertEquals(new RopeScaling.Yarn(4, 16, 32, 1, truncate, 0.1 * Math.log(4) + 1), c.rope().scaling());
            assertEquals(32, c.ffnDim());
            assertTrue(model.features().contains("sliding window of 3 on 2 of 3 layers"), model.features().toString());
            assertTrue(model.features().contains("attention sinks (one learned logit per head)"), model.features().toString());
            Float64GptOss ref = new Float64GptOss(m, truncate, Float64GptOss.Mutation.NONE);
            compare(model, ref, random);
            assertTrue(ref.clamped > 0, "the test should reach the SwiGLU clamp");
        }
    }

    /** Each feature matters: an oracle without it is further from us than the tolerance. */
    @ParameterizedTest
    @CsvSource({"NO_SINKS", "NO_WINDOW", "NO_CLAMP"})
    void theOracleWithoutAFeatureDisagrees(Float64GptOss.Mutation mutation, Random random) throws Exception {
        TinyGptOss m = new TinyGptOss(random);
        Path file = m.writeGguf(dir.resolve("m.gguf"), false, w -> { });
        int[] prompt = tokens(random, m.vocab, PROMPT);
        try (Ops ops = open("cpu"); Model model = Model.open(file, ops, options(DType.F32))) {
            float[] ours = model.transformer().forward(prompt, 0);
            Float64GptOss wrong = new Float64GptOss(m, true, mutation);
            double[] exact = null;
            for (int t : prompt) {
                exact = wrong.step(t);
            }
            double[] e = exact;
            AssertionError err = assertThrows(AssertionError.class, () -> assertClose(e, ours, F32_TOLERANCE, mutation.name()));
            assertTrue(err.getMessage().contains("off by"), err.getMessage());
        }
    }

    @Test
    void hfTruncationAsTheConfigSays(Random random) throws Exception {
        TinyGptOss m = new TinyGptOss(random);
        Path truncated = m.writeHf(dir.resolve("t"), true), untruncated = m.writeHf(dir.resolve("u"), false);
        float[] t = HfConfigReader.read(truncated).rope().inverseFrequencies();
        float[] u = HfConfigReader.read(untruncated).rope().inverseFrequencies();
        double[] exactT = Float64GptOss.yarn(m.theta, m.headDim, m.yarnFactor, m.yarnOriginal, 32, 1, true);
        double[] exactU = Float64GptOss.yarn(m.theta, m.headDim, m.yarnFactor, m.yarnOriginal, 32, 1, false);
        boolean differ = false;
        for (int i = 0; i < t.length; i++) {
            assertEquals(exactT[i], t[i], 1e-7 * exactT[i], "truncated pair " + i);
            assertEquals(exactU[i], u[i], 1e-7 * exactU[i], "untruncated pair " + i);
            differ |= t[i] != u[i];
        }
        assertTrue(differ, "truncation should change some pair of this model");
    }

    @Test
    void badLayerTypesAndMissingWindowAreRefusedByName(Random random) throws Exception {
        TinyGptOss m = new TinyGptOss(random);
        Path hf = m.writeHf(dir.resolve("hf"), false);
        Files.writeString(hf.resolve("config.json"), m.configJson(false).replace("\"full_attention\"", "\"chunked_attention\""));
        FormatException e = assertThrows(FormatException.class, () -> HfConfigReader.read(hf));
        assertTrue(e.getMessage().contains("layer_types[1]"), e.getMessage());
        Path gguf = m.writeGguf(dir.resolve("m.gguf"), false, w -> w.remove("gpt-oss.attention.sliding_window"));
        try (Ops ops = open("reference")) {
            FormatException g = assertThrows(FormatException.class, () -> Model.open(gguf, ops, options(DType.F32)));
            assertTrue(g.getMessage().contains("gpt-oss.attention.sliding_window"), g.getMessage());
        }
    }

    private static void compare(Model model, Float64GptOss ref, Random random) {
        int vocab = model.config().vocabSize();
        int[] prompt = tokens(random, vocab, PROMPT);
        float[] logits = model.transformer().forward(prompt, 0);
        double[] exact = null;
        for (int t : prompt) {
            exact = ref.step(t);
        }
        assertClose(exact, logits, F32_TOLERANCE, "after the prompt");
        for (int s = 0; s < DECODE; s++) {
            int next = random.nextInt(vocab);
            logits = model.transformer().forward(new int[] {next}, PROMPT + s);
            assertClose(ref.step(next), logits, F32_TOLERANCE, "decode step " + s);
        }
    }
}
