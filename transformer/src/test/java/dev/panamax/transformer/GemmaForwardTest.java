package dev.panamax.transformer;

import static dev.panamax.transformer.TransformerForwardTest.assertClose;
import static dev.panamax.transformer.TransformerForwardTest.open;
import static dev.panamax.transformer.TransformerForwardTest.options;
import static dev.panamax.transformer.TransformerForwardTest.tokens;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.panamax.tensor.DType;
import dev.panamax.tensor.Ops;
import dev.panamax.tensor.Rope;
import dev.panamax.tensor.testing.Seeded;
import java.nio.file.Path;
import java.util.List;
import java.util.Random;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * Gemma 1, 2 and 3, each from GGUF (norms stored as {@code w + 1}, llama.cpp's names) and from a
 * Hugging Face checkpoint of the same weights (norms stored as {@code w}), against
 * {@link Float64Gemma}: a 7-token prompt in batches of 3, then 5 decoded tokens, so that the window
 * of 4 positions of the sliding layers cuts into every batch after the first.
 *
 * <p>Tolerance ({@link #tolerance}): the argument of {@link TransformerForwardTest}, counted for these
 * blocks. Every F32 dot product of length K errs by at most about K·2⁻²⁴ relative to the sum of its
 * terms' magnitudes; the chained reductions of one layer are its norms over dim (Gemma 2, Gemma 3:
 * four, Gemma: two), the Q/K/V projections over dim, Gemma 3's Q/K norms over the head dimension,
 * the attention's dot products over the head dimension and its sum over at most 12 positions, the
 * output projection over heads · headDim, gate/up over dim and down over ffn; then the final norm
 * and the classifier over dim. The window only removes terms and the soft-caps
 * {@code c · tanh(s / c)} have slope at most 1, so neither amplifies an error. Twice that first-order
 * sum, relative to {@code max(1, max|logit|)}: about 1.9e-4 (Gemma), 2.3e-4 (Gemma 2), 5.5e-4
 * (Gemma 3, seven layers). (Observed: about 1e-6.)
 */
@ExtendWith(Seeded.class)
class GemmaForwardTest {
    private static final int PROMPT = 7;
    private static final int DECODE = 5;

    @TempDir
    Path dir;

    @ParameterizedTest
    @ValueSource(strings = {"reference", "cpu"})
    void gemmaScaledEmbeddingOffsetNormsAndGegluMatchFloat64FromGgufAndHf(String backend, Random random) throws Exception {
        TinyGemma m = TinyGemma.gemma(random);
        Path gguf = m.writeGguf(dir.resolve("gemma.gguf"));
        Path hf = m.writeHf(dir.resolve("gemma-hf"));
        for (Path file : List.of(gguf, hf)) {
            try (Ops ops = open(backend); Model model = Model.open(file, ops, options(DType.F32))) {
                ModelConfig c = model.config();
                assertEquals("gemma", c.architecture());
                assertEquals(24, c.headDim());
                assertEquals(1, c.kvHeads());
                assertTrue(c.tiedEmbeddings());
                assertEquals(Rope.Layout.NEOX, c.rope().layout());
                assertTrue(model.features().contains("embedding scaled by sqrt(dim) = 8.0"), model.features().toString());
                compare(model, new Float64Gemma(m), random, file.getFileName().toString());
            }
        }
    }

    @ParameterizedTest
    @ValueSource(strings = {"reference", "cpu"})
    void gemma2SoftCapsSlidingWindowAndSandwichNormsMatchFloat64FromGgufAndHf(String backend, Random random) throws Exception {
        TinyGemma m = TinyGemma.gemma2(random);
        Path gguf = m.writeGguf(dir.resolve("gemma2.gguf"));
        Path hf = m.writeHf(dir.resolve("gemma2-hf"));
        for (Path file : List.of(gguf, hf)) {
            try (Ops ops = open(backend); Model model = Model.open(file, ops, options(DType.F32))) {
                assertEquals("gemma2", model.config().architecture());
                List<String> f = model.features();
                assertTrue(f.contains("sliding window of 4 positions on 2 of 3 layers [0, 2]"), f.toString());
                assertTrue(f.contains("attention logit soft-cap 2.0") && f.contains("final logit soft-cap 2.0"), f.toString());
                compare(model, new Float64Gemma(m), random, file.getFileName().toString());
            }
        }
        // query_pre_attn_scalar other than head_dim (GGUF cannot say so; llama.cpp keeps 1/sqrt(head_dim) there)
        m.queryPreAttnScalar = 10;
        try (Ops ops = open(backend); Model model = Model.open(m.writeHf(dir.resolve("gemma2-scalar")), ops, options(DType.F32))) {
            compare(model, new Float64Gemma(m), random, "query_pre_attn_scalar 10");
        }
    }

    @ParameterizedTest
    @CsvSource({"reference, true", "cpu, true", "cpu, false"})
    void gemma3QkNormsLocalAndScaledGlobalRopeMatchFloat64FromGgufAndBothHfLayouts(String backend, boolean tied, Random random)
            throws Exception {
        TinyGemma m = TinyGemma.gemma3(random, tied);
        Path gguf = m.writeGguf(dir.resolve("gemma3.gguf"));
        Path causal = m.writeHf(dir.resolve("gemma3-causal"));
        Path conditional = m.writeHf(dir.resolve("gemma3-conditional"), true, "");
        for (Path file : List.of(gguf, causal, conditional)) {
            try (Ops ops = open(backend); Model model = Model.open(file, ops, options(DType.F32))) {
                ModelConfig c = model.config();
                assertEquals(tied, c.tiedEmbeddings());
                assertEquals(1e6, c.rope().theta(), 1e-3);
                assertEquals(new RopeScaling.Linear(8), c.rope().scaling());
                List<String> f = model.features();
                assertTrue(f.contains("per-head Q/K RMSNorm before RoPE"), f.toString());
                assertTrue(f.contains("sliding window of 4 positions on 6 of 7 layers [0, 1, 2, 3, 4, 6], their RoPE theta 10000.0"),
                        f.toString());
                compare(model, new Float64Gemma(m), random, file.getFileName().toString());
            }
        }
    }

    @ParameterizedTest
    @ValueSource(strings = {"cpu"})
    void gemma3LayerTypesDecideWhichLayersSlide(String backend, Random random) throws Exception {
        TinyGemma m = TinyGemma.gemma3(random, true);
        m.pattern = 3; // layers 2 and 5 full; the config still says sliding_window_pattern 6
        m.ropeLinearFactor = 1;
        StringBuilder types = new StringBuilder("\"sliding_window_pattern\": 6, \"layer_types\": [");
        for (int l = 0; l < m.layers; l++) {
            types.append(l == 0 ? "" : ", ").append(m.sliding(l) ? "\"sliding_attention\"" : "\"full_attention\"");
        }
        types.append("],");
        Path hf = writeWithoutPattern(m, dir.resolve("gemma3-types"), types.toString());
        try (Ops ops = open(backend); Model model = Model.open(hf, ops, options(DType.F32))) {
            assertTrue(model.features().contains("sliding window of 4 positions on 5 of 7 layers [0, 1, 3, 4, 6], their RoPE theta 10000.0"),
                    model.features().toString());
            compare(model, new Float64Gemma(m), random, "layer_types");
        }
    }

    /** A Gemma3ForCausalLM checkpoint whose config gives {@code extra} in place of the pattern the fixture writes. */
    private static Path writeWithoutPattern(TinyGemma m, Path dir, String extra) throws Exception {
        m.writeHf(dir, false, extra);
        Path config = dir.resolve("config.json");
        java.nio.file.Files.writeString(config, java.nio.file.Files.readString(config).replace(", \"sliding_window_pattern\": 3", ""));
        return dir;
    }

    /** Twice the first-order float32 error bound of the model's chained reductions, relative to the logit scale. */
    static double tolerance(TinyGemma m) {
        boolean sandwich = m.kind != TinyGemma.Kind.GEMMA;
        int perLayer = (sandwich ? 4 : 2) * m.dim + m.dim + (m.kind == TinyGemma.Kind.GEMMA3 ? m.headDim : 0) + m.headDim
                + (PROMPT + DECODE) + m.heads * m.headDim + m.dim + m.ffn;
        return 2 * (m.layers * perLayer + 2 * m.dim) * Math.pow(2, -24);
    }

    /** Runs a prompt, then decodes: each step's logits against the oracle's. */
    static void compare(Model model, Float64Gemma ref, Random random, String what) {
        int vocab = model.config().vocabSize();
        int[] prompt = tokens(random, vocab, PROMPT);
        float[] logits = model.transformer().forward(prompt, 0);
        double[] exact = null;
        for (int t : prompt) {
            exact = ref.step(t);
        }
        double tolerance = tolerance(ref.model());
        assertClose(exact, logits, tolerance, what + " after the prompt");
        for (int s = 0; s < DECODE; s++) {
            int next = random.nextInt(vocab);
            logits = model.transformer().forward(new int[] {next}, PROMPT + s);
            assertClose(ref.step(next), logits, tolerance, what + " decode step " + s);
        }
    }
}
