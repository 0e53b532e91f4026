package dev.panamax.transformer;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.panamax.tensor.Backends;
import dev.panamax.tensor.DType;
import dev.panamax.tensor.Ops;
import dev.panamax.tensor.Rope;
import dev.panamax.tensor.testing.Seeded;
import java.nio.file.Path;
import java.util.Map;
import java.util.Random;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * The whole forward pass (batched prefill in chunks, then one-token decode steps) on random tiny
 * models written to real files, against {@link Float64Transformer}.
 *
 * <p>Tolerance. Every F32 dot product of length K has error at most γ_K·Σ|x_i·w_i| with γ_K ≈ K·2⁻²⁴;
 * summing the chained reductions of one block (RMSNorm over dim, Q/K/V and output projections over
 * dim = 64, attention over head dim 16 and up to 12 positions, gate/up over 64, down over ffn = 96)
 * gives about 470·2⁻²⁴ ≈ 3e-5 relative per layer, 1e-4 over three layers and the classifier, relative
 * to the logit scale (the inputs are O(1) after every RMSNorm). We allow twice that first-order
 * estimate for the amplification by norms and softmax: |logit - exact| ≤ 2e-4 · max(1, max|exact|).
 * (Observed: about 1e-6.) An F16 KV cache rounds every key and value by up to 2⁻¹² ≈ 2.4e-4 relative;
 * through the attention's scores and weighted sum that is about 5e-4 per layer, 1.5e-3 over three,
 * and with the same factor of two we allow 3e-3. (Observed: about 3e-4.)
 */
@ExtendWith(Seeded.class)
class TransformerForwardTest {
    static final double F32_TOLERANCE = 2e-4;
    static final double F16_CACHE_TOLERANCE = 3e-3;
    private static final int PROMPT = 7;
    private static final int DECODE = 5;

    @TempDir
    Path dir;

    @ParameterizedTest
    @ValueSource(strings = {"reference", "cpu"})
    void ggufLlamaMatchesFloat64WithInterleavedRope(String backend, Random random) throws Exception {
        TinyModel m = TinyModel.llama(random);
        Path file = m.writeGguf(dir.resolve("llama.gguf"));
        try (Ops ops = open(backend); Model model = Model.open(file, ops, options(DType.F32))) {
            assertEquals(Rope.Layout.INTERLEAVED, model.config().rope().layout());
            compare(model, oracle(model.config(), m.ggufWeights(), Rope.Layout.INTERLEAVED, m), random, F32_TOLERANCE);
        }
    }

    @ParameterizedTest
    @ValueSource(strings = {"reference", "cpu"})
    void huggingFaceCheckpointMatchesFloat64WithNeoxRopeAndTheGgufModel(String backend, Random random) throws Exception {
        TinyModel m = TinyModel.llama(random);
        Path hfDir = m.writeHf(dir.resolve("hf"));
        Path gguf = m.writeGguf(dir.resolve("llama.gguf"));
        int[] tokens = tokens(random, m.vocab, PROMPT);
        try (Ops ops = open(backend);
             Model hf = Model.open(hfDir, ops, options(DType.F32));
             Model gg = Model.open(gguf, ops, options(DType.F32))) {
            assertEquals(Rope.Layout.NEOX, hf.config().rope().layout());
            float[] fromHf = hf.transformer().forward(tokens, 0);
            float[] fromGguf = gg.transformer().forward(tokens, 0);
            double[] exact = null;
            Float64Transformer ref = oracle(hf.config(), m.weights, Rope.Layout.NEOX, m);
            for (int t : tokens) {
                exact = ref.step(t);
            }
            assertClose(exact, fromHf, F32_TOLERANCE, "HF checkpoint vs float64 (NEOX on unpermuted weights)");
            assertClose(exact, fromGguf, F32_TOLERANCE, "GGUF vs the same float64 logits");
            // the permutation argument itself: interleaved RoPE on permuted weights is the same function
            Float64Transformer permuted = oracle(hf.config(), m.ggufWeights(), Rope.Layout.INTERLEAVED, m);
            double[] viaPermuted = null;
            for (int t : tokens) {
                viaPermuted = permuted.step(t);
            }
            for (int i = 0; i < exact.length; i++) {
                assertEquals(exact[i], viaPermuted[i], 1e-9 * (1 + Math.abs(exact[i])), "logit " + i);
            }
            compare(hf, oracle(hf.config(), m.weights, Rope.Layout.NEOX, m), random, F32_TOLERANCE);
        }
    }

    @ParameterizedTest
    @ValueSource(strings = {"reference", "cpu"})
    void mixtureOfExpertsMatchesFloat64(String backend, Random random) throws Exception {
        TinyModel m = TinyModel.mixtral(random);
        Path file = m.writeGguf(dir.resolve("moe.gguf"));
        try (Ops ops = open(backend); Model model = Model.open(file, ops, options(DType.F32))) {
            assertTrue(model.config().isMoe());
            assertEquals(4, model.config().expertCount());
            compare(model, oracle(model.config(), m.ggufWeights(), Rope.Layout.INTERLEAVED, m), random, F32_TOLERANCE);
        }
        try (Ops ops = open(backend); Model hf = Model.open(m.writeHf(dir.resolve("moe-hf")), ops, options(DType.F32))) {
            compare(hf, oracle(hf.config(), m.weights, Rope.Layout.NEOX, m), random, F32_TOLERANCE);
        }
    }

    @ParameterizedTest
    @ValueSource(strings = {"reference", "cpu"})
    void qwen2BiasesAndTiedEmbeddingsMatchFloat64(String backend, Random random) throws Exception {
        TinyModel m = TinyModel.qwen2(random);
        Path file = m.writeGguf(dir.resolve("qwen2.gguf"));
        try (Ops ops = open(backend); Model model = Model.open(file, ops, options(DType.F32))) {
            ModelConfig c = model.config();
            assertTrue(c.qkvBias());
            assertTrue(c.tiedEmbeddings());
            assertEquals(Rope.Layout.NEOX, c.rope().layout());
            compare(model, oracle(c, m.ggufWeights(), Rope.Layout.NEOX, m), random, F32_TOLERANCE);
        }
        try (Ops ops = open(backend); Model hf = Model.open(m.writeHf(dir.resolve("qwen2-hf")), ops, options(DType.F32))) {
            compare(hf, oracle(hf.config(), m.weights, Rope.Layout.NEOX, m), random, F32_TOLERANCE);
        }
    }

    @ParameterizedTest
    @ValueSource(strings = {"reference", "cpu"})
    void f16CacheStaysWithinItsRoundingTolerance(String backend, Random random) throws Exception {
        TinyModel m = TinyModel.llama(random);
        Path file = m.writeGguf(dir.resolve("llama.gguf"));
        try (Ops ops = open(backend); Model model = Model.open(file, ops, options(DType.F16))) {
            assertEquals(DType.F16, model.transformer().cache().dtype());
            compare(model, oracle(model.config(), m.ggufWeights(), Rope.Layout.INTERLEAVED, m), random, F16_CACHE_TOLERANCE);
        }
    }

    @ParameterizedTest
    @ValueSource(strings = {"reference", "cpu"})
    void forwardAllGivesTheLogitsOfEveryPosition(String backend, Random random) throws Exception {
        TinyModel m = TinyModel.llama(random);
        Path file = m.writeGguf(dir.resolve("llama.gguf"));
        try (Ops ops = open(backend); Model model = Model.open(file, ops, options(DType.F32))) {
            int[] tokens = tokens(random, m.vocab, PROMPT);
            float[][] all = model.transformer().forwardAll(tokens, 0);
            Float64Transformer ref = oracle(model.config(), m.ggufWeights(), Rope.Layout.INTERLEAVED, m);
            for (int t = 0; t < tokens.length; t++) {
                assertClose(ref.step(tokens[t]), all[t], F32_TOLERANCE, "position " + t);
            }
        }
    }

    static Ops open(String backend) {
        return Backends.open(backend, 2);
    }

    static LoadOptions options(DType cache) {
        return new LoadOptions(3, cache, 0); // batches of 3: a 7-token prompt runs as 3 + 3 + 1
    }

    static Float64Transformer oracle(ModelConfig c, Map<String, float[]> weights, Rope.Layout layout, TinyModel m) {
        return new Float64Transformer(c, weights::get, layout, Float64Transformer.frequencies(m.theta, m.headDim));
    }

    /** Prefill a random prompt, then decode: each step's logits against the oracle's. */
    static void compare(Model model, Float64Transformer ref, Random random, double tolerance) {
        int vocab = model.config().vocabSize();
        int[] prompt = tokens(random, vocab, PROMPT);
        float[] logits = model.transformer().forward(prompt, 0);
        double[] exact = null;
        for (int t : prompt) {
            exact = ref.step(t);
        }
        assertClose(exact, logits, tolerance, "after the prompt");
        for (int s = 0; s < DECODE; s++) {
            int next = random.nextInt(vocab);
            logits = model.transformer().forward(new int[] {next}, PROMPT + s);
            assertClose(ref.step(next), logits, tolerance, "decode step " + s);
        }
    }

    static int[] tokens(Random random, int vocab, int n) {
        int[] t = new int[n];
        for (int i = 0; i < n; i++) {
            t[i] = random.nextInt(vocab);
        }
        return t;
    }

    /** |actual - exact| ≤ tolerance · max(1, max|exact|) for every logit. */
    static void assertClose(double[] exact, float[] actual, double tolerance, String what) {
        assertEquals(exact.length, actual.length, what + ": vocabulary size");
        double scale = 1;
        for (double e : exact) {
            scale = Math.max(scale, Math.abs(e));
        }
        double worst = 0;
        int at = -1;
        for (int i = 0; i < exact.length; i++) {
            assertTrue(Float.isFinite(actual[i]), what + ": logit " + i + " is " + actual[i]);
            double err = Math.abs(actual[i] - exact[i]);
            if (err > worst) {
                worst = err;
                at = i;
            }
        }
        double bound = tolerance * scale;
        double w = worst;
        int a = at;
        assertTrue(worst <= bound, () -> what + ": logit " + a + " is off by " + w + " > " + bound + " (exact " + exact[a]
                + ", got " + actual[a] + ")");
    }
}
