package dev.panamax.transformer;

import static dev.panamax.transformer.TransformerForwardTest.F32_TOLERANCE;
import static dev.panamax.transformer.TransformerForwardTest.assertClose;
import static dev.panamax.transformer.TransformerForwardTest.open;
import static dev.panamax.transformer.TransformerForwardTest.tokens;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.panamax.tensor.DType;
import dev.panamax.tensor.Ops;
import dev.panamax.tensor.testing.Seeded;
import java.nio.file.Path;
import java.util.Random;
import java.util.function.Supplier;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

/**
 * Phi-3 from GGUF and from a Hugging Face checkpoint of the same weights against {@link Float64Phi3}:
 * fused QKV and gate-up, full and partial (3/4) rotary, tied and own output, LongRoPE with an
 * allocated context that selects the short factors (16 positions, the original context) and one that
 * selects the long ones (64), sliding windows of 3 and 5 positions (shorter than the 7-token prompt,
 * so that prefill and decode both drop positions). Tolerance as derived in {@link TransformerForwardTest} (same widths;
 * the LongRoPE gain adds one rounding per query entry).
 */
@ExtendWith(Seeded.class)
class Phi3ForwardTest {
    static final int PROMPT = 7, DECODE = 5;

    @TempDir
    Path dir;

    @ParameterizedTest
    @CsvSource({
            "reference, false, 16, 0, 64", "cpu, false, 16, 0, 64",
            "reference, true, 12, 0, 16", "cpu, true, 12, 0, 16",
            "cpu, false, 16, 0, 0", "cpu, true, 12, 0, 0",
            "reference, true, 12, 5, 64", "cpu, true, 12, 5, 64", "cpu, false, 16, 3, 0"})
    void fusedProjectionsPartialRotaryAndLongRopeMatchFloat64FromGgufAndHf(String backend, boolean tied, int ropeDims, int window,
                                                                            int allocated, Random random) throws Exception {
        boolean longRope = allocated > 0;
        TinyFamilies.LongRope lr = longRope ? TinyFamilies.longRope(random, ropeDims, 16) : null;
        TinyFamilyModel m = TinyFamilies.phi3(random, tied, ropeDims, window, lr);
        Path gguf = m.writeGguf(dir.resolve("phi3.gguf"));
        Path hf = m.writeHf(dir.resolve("phi3-hf"));
        float[] divisors = !longRope ? null : allocated > lr.originalContext() ? lr.longFactors() : lr.shortFactors();
        double mscale = longRope ? lr.attentionFactor(m.context) : 1;
        LoadOptions options = new LoadOptions(3, DType.F32, longRope ? allocated : 0);
        for (Path file : new Path[] {gguf, hf}) {
            try (Ops ops = open(backend); Model model = Model.open(file, ops, options)) {
                ModelConfig c = model.config();
                assertEquals("phi3", c.architecture());
                assertEquals(ropeDims, c.rope().dims());
                assertEquals(tied, c.tiedEmbeddings());
                assertTrue(model.features().contains("fused QKV projection"), model.features().toString());
                assertEquals(window > 0, model.features().contains("sliding window of " + window + " positions"));
                if (longRope) {
                    assertTrue(c.rope().scaling() instanceof RopeScaling.LongRope l && Math.abs(l.magnitudeFactor() - mscale) < 1e-6,
                            c.rope().scaling().toString());
                }
                compare(model, () -> new Float64Phi3(m, ropeDims, divisors, mscale, window), random, F32_TOLERANCE, file.toString());
            }
        }
    }

    /** Prefill a random prompt, then decode: each step's logits against a fresh oracle's. */
    static void compare(Model model, Supplier<Float64Decoder> oracle, Random random, double tolerance, String what) {
        Float64Decoder ref = oracle.get();
        int vocab = model.config().vocabSize();
        int[] prompt = tokens(random, vocab, PROMPT);
        float[] logits = model.transformer().forward(prompt, 0);
        double[] exact = null;
        for (int t : prompt) {
            exact = ref.step(t);
        }
        assertClose(exact, logits, tolerance, what + " after the prompt");
        for (int s = 0; s < DECODE; s++) {
            int next = random.nextInt(vocab);
            logits = model.transformer().forward(new int[] {next}, PROMPT + s);
            assertClose(ref.step(next), logits, tolerance, what + " decode step " + s);
        }
    }
}
