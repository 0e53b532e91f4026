package dev.panamax.transformer;

import static dev.panamax.transformer.TransformerForwardTest.F32_TOLERANCE;
import static dev.panamax.transformer.TransformerForwardTest.assertClose;
import static dev.panamax.transformer.TransformerForwardTest.open;
import static dev.panamax.transformer.TransformerForwardTest.options;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.panamax.formats.gguf.GgufFile;
import dev.panamax.tensor.DType;
import dev.panamax.tensor.Ops;
import dev.panamax.transformer.cli.Main;
import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.List;
import java.util.Random;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * Hugging Face checkpoints converted to GGUF ({@link HfToGguf}, {@code panamax quantize DIR OUT}).
 *
 * <p>The llama.cpp numbers ({@code hf-to-gguf/*.llama-ref.txt}: logits after the prompt, 8 greedy
 * tokens, their top-2 margins) were printed by {@code /work/tools/llama-ref/run.sh FILE --tokens
 * 5,17,42,99,7,23 --kv f32 --n 8 --threads 1} (llama.cpp v0.5.0) on the GGUF files this converter
 * wrote from the checkpoints of {@link HfToGgufFixture} (the two DeepSeek files with llama-ref's flash
 * attention off: this build's CPU flash attention rounds K and V to F16 even in an F32 cache): llama.cpp
 * loads them, and Panamax on the
 * Hugging Face input gives its logits and greedy tokens. Bound: both sides accumulate in float32
 * over reductions of at most 96 terms through at most 7 layers: 2e-4 of the logit scale, as in
 * {@link TransformerForwardTest} (Gemma 3: {@link #GELU_TABLE_TOLERANCE}, DeepSeek: {@link #BF16_ACTIVATION_TOLERANCE}); a greedy token is compared where llama.cpp's top-2 margin clears twice the bound.
 */
class HfToGgufTest {
    private static final int[] PROMPT = {5, 17, 42, 99, 7, 23};
    /**
     * Gemma's GeGLU: llama.cpp's CPU GELU reads a table of F16 inputs and outputs (relative error near
     * 2⁻¹¹ per activation, docs/models.md), so twice that of the logit scale (observed 3e-4).
     */
    private static final double GELU_TABLE_TOLERANCE = 1e-3;
    /**
     * DeepSeek's FP8 checkpoint arrives as BF16 and is written so: llama.cpp's CPU rounds the activations
     * to BF16 before each BF16 matmul (ggml-cpu's vec_dot_type), a relative error of 2⁻⁹ = 2e-3 per
     * matmul input, through about ten matmuls in three layers: 2e-2 of the logit scale (observed 5e-3).
     */
    private static final double BF16_ACTIVATION_TOLERANCE = 2e-2;

    @TempDir
    Path dir;

    @ParameterizedTest
    @ValueSource(strings = {"llama", "qwen2", "qwen3", "gemma3", "deepseek2", "deepseek2-lite"})
    void llamaCppOnTheConvertedFileGivesOurLogitsAndGreedyTokensOnTheCheckpoint(String kind) throws Exception {
        Path hf = HfToGgufFixture.checkpoint(kind, dir.resolve("hf"));
        String[] ref = resource("hf-to-gguf/" + kind + ".llama-ref.txt");
        double[] logits = Arrays.stream(ref[0].trim().split(" ")).mapToDouble(Double::parseDouble).toArray();
        int[] greedy = Arrays.stream(ref[1].trim().split(" ")).mapToInt(Integer::parseInt).toArray();
        double[] margins = Arrays.stream(ref[2].trim().split(" ")).mapToDouble(Double::parseDouble).toArray();
        try (Ops ops = open("cpu"); Model model = Model.open(hf, ops, options(DType.F32))) {
            float[] ours = model.transformer().forward(PROMPT, 0);
            double tolerance = switch (kind) {
                case "gemma3" -> GELU_TABLE_TOLERANCE;
                case "deepseek2", "deepseek2-lite" -> BF16_ACTIVATION_TOLERANCE;
                default -> F32_TOLERANCE;
            };
            assertClose(logits, ours, tolerance, kind + " checkpoint vs llama.cpp on its conversion");
            double scale = Arrays.stream(logits).map(Math::abs).max().orElseThrow();
            for (int s = 0, pos = PROMPT.length; s < greedy.length; s++) {
                if (margins[s] > Math.max(1e-3, 2 * tolerance * scale)) { // llama.cpp's margin clears both sides' error
                    assertEquals(greedy[s], argmax(ours), kind + " greedy token " + s);
                }
                ours = model.transformer().forward(new int[] {greedy[s]}, pos++);
            }
        }
    }

    @ParameterizedTest
    @ValueSource(strings = {"llama", "qwen2", "qwen3", "gemma3", "deepseek2", "deepseek2-lite"})
    void theConvertedFileGivesTheCheckpointsLogitsAndCarriesTheVocabulary(String kind) throws Exception {
        Path hf = HfToGgufFixture.checkpoint(kind, dir.resolve("hf"));
        Path gguf = dir.resolve(kind + ".gguf");
        HfToGguf.convert(hf, gguf);
        try (Ops ops = open("cpu"); Model h = Model.open(hf, ops, options(DType.F32)); Model g = Model.open(gguf, ops, options(DType.F32))) {
            if (!kind.startsWith("deepseek2")) { // GGUF keeps 0.1 mscale_all_dim in float32: YaRN's mscale differs in the last bits
                assertEquals(sameArchitecture(h.config().withRope(h.config().rope().withLayout(g.config().rope().layout()))),
                        sameArchitecture(g.config()), kind);
            }
            for (int pos = 0; pos < PROMPT.length; pos++) {
                float[] a = h.transformer().forward(new int[] {PROMPT[pos]}, pos);
                float[] b = g.transformer().forward(new int[] {PROMPT[pos]}, pos);
                assertClose(toDouble(a), b, F32_TOLERANCE, kind + " position " + pos);
            }
        }
        try (GgufFile f = GgufFile.open(gguf)) {
            if (kind.startsWith("deepseek2")) { // llama.cpp's current MLA layout: kv_b split, per head [H, L, N] and [H, V, L]
                assertTrue(f.findTensorInfo("blk.0.attn_kv_b.weight").isEmpty(), kind);
                assertArrayEquals(new long[] {4, 64, 32}, f.findTensorInfo("blk.0.attn_k_b.weight").orElseThrow().shape(), kind);
                assertArrayEquals(new long[] {4, 32, 64}, f.findTensorInfo("blk.0.attn_v_b.weight").orElseThrow().shape(), kind);
                assertEquals(48, f.metadata().getInt("deepseek2.attention.key_length_mla"), kind);
            }
            assertEquals("gpt2", f.metadata().getString("tokenizer.ggml.model"));
            assertEquals("gpt-2", f.metadata().getString("tokenizer.ggml.pre"));
            List<String> tokens = f.metadata().getStringArray("tokenizer.ggml.tokens");
            int n = HfToGgufFixture.vocabulary(kind);
            assertEquals(n, tokens.size());
            assertEquals(List.of("!", "\u0120the", "<|end|>"), List.of(tokens.get(0), tokens.get(98), tokens.get(n - 1)));
            assertEquals(3, f.metadata().getIntArray("tokenizer.ggml.token_type")[n - 1], "a special added token is control");
            assertEquals(List.of("\u0120 t", "h e", "\u0120t he"), f.metadata().getStringArray("tokenizer.ggml.merges"));
        }
    }

    @Test
    void quantizeTakesACheckpointDirectory() throws Exception {
        Path hf = HfToGgufFixture.checkpoint("qwen3", dir.resolve("hf"));
        Path out = dir.resolve("qwen3-q8_0.gguf");
        assertEquals(0, Main.run(List.of(), "quantize", "--type", "Q8_0", hf.toString(), out.toString()));
        try (GgufFile f = GgufFile.open(out)) {
            assertEquals("qwen3", f.model().architecture());
            assertEquals(dev.panamax.formats.gguf.GgmlType.Q8_0, f.findTensorInfo("blk.0.attn_q.weight").orElseThrow().type());
        }
        assertEquals(List.of(hf.getFileName(), out.getFileName()), Files.list(dir).map(Path::getFileName).sorted().toList(),
                "the intermediate file is gone");
        try (Ops ops = open("cpu"); Model h = Model.open(hf, ops, options(DType.F32)); Model q = Model.open(out, ops, options(DType.F32))) {
            // Q8_0 weights: logits within a few percent of the logit scale, not the F32 bound
            float[] a = h.transformer().forward(PROMPT, 0), b = q.transformer().forward(PROMPT, 0);
            assertClose(toDouble(a), b, 0.05, "Q8_0 vs the F32 checkpoint");
        }
    }

    @Test
    void whatItDoesNotConvertIsRefusedByName() throws Exception {
        // an encoder: nothing llama.cpp's decoders would read
        TinyFamilyModel bertModel = TinyBert.model(new Random(3), 64, 96, 2, 4, 16, 1);
        Path bert = TinyBert.writeHf(bertModel, dir.resolve("bert"), null);
        Files.writeString(bert.resolve("tokenizer.json"), HfToGgufFixture.tokenizerJson(bertModel.vocab));
        UnsupportedModelException e = assertThrows(UnsupportedModelException.class, () -> HfToGguf.convert(bert, dir.resolve("b.gguf")));
        assertTrue(e.getMessage().contains("family 'bert'"), e.getMessage());

        Path hf = HfToGgufFixture.checkpoint("llama", dir.resolve("llama"));
        Files.writeString(hf.resolve("tokenizer.json"), HfToGgufFixture.tokenizerJson(100).replace("\"type\": \"BPE\"", "\"type\": \"Unigram\""));
        e = assertThrows(UnsupportedModelException.class, () -> HfToGguf.convert(hf, dir.resolve("u.gguf")));
        assertTrue(e.getMessage().contains("model.type 'Unigram'"), e.getMessage());
        Files.writeString(hf.resolve("tokenizer.json"), HfToGgufFixture.tokenizerJson(100).replace(
                "\"pre_tokenizer\": {\"type\": \"ByteLevel\"", "\"pre_tokenizer\": {\"type\": \"Whitespace\""));
        e = assertThrows(UnsupportedModelException.class, () -> HfToGguf.convert(hf, dir.resolve("w.gguf")));
        assertTrue(e.getMessage().contains("pre_tokenizer Whitespace"), e.getMessage());
        Files.delete(hf.resolve("tokenizer.json"));
        e = assertThrows(UnsupportedModelException.class, () -> HfToGguf.convert(hf, dir.resolve("n.gguf")));
        assertTrue(e.getMessage().contains("no tokenizer.json"), e.getMessage());

    }

    /** {@code c} named "x": the checkpoint says gemma3_text where the GGUF file says gemma3. */
    private static ModelConfig sameArchitecture(ModelConfig c) {
        return new ModelConfig("x", c.dim(), c.ffnDim(), c.layers(), c.heads(), c.kvHeads(), c.headDim(), c.vocabSize(),
                c.contextLength(), c.rmsEps(), c.rope(), c.qkvBias(), c.tiedEmbeddings(), c.expertCount(), c.expertsUsed());
    }

    private static double[] toDouble(float[] a) {
        double[] d = new double[a.length];
        for (int i = 0; i < a.length; i++) {
            d[i] = a[i];
        }
        return d;
    }

    private static int argmax(float[] v) {
        int best = 0;
        for (int i = 1; i < v.length; i++) {
            if (v[i] > v[best]) {
                best = i;
            }
        }
        return best;
    }

    private static String[] resource(String name) throws IOException {
        try (InputStream in = HfToGgufTest.class.getResourceAsStream(name)) {
            assertNotNull(in, "missing test fixture " + name);
            String[] lines = new String(in.readAllBytes(), StandardCharsets.UTF_8).strip().split("\n");
            assertEquals(3, lines.length, name);
            return lines;
        }
    }
}
