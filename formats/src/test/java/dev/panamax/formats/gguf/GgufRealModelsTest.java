package dev.panamax.formats.gguf;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.panamax.tensor.DType;
import dev.panamax.tensor.Tensor;
import dev.panamax.tensor.testing.Models;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.function.Function;
import java.util.stream.Stream;
import org.junit.jupiter.api.DynamicTest;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestFactory;
import org.junit.jupiter.api.io.TempDir;

/** The real files of shared/models (MODELS.md) open and say what MODELS.md says. Skipped without them. */
class GgufRealModelsTest {
    @TempDir
    Path dir;

    /** Hyperparameters of one model family. */
    private record Shape(int dim, int ffn, int layers, int heads, int kvHeads, int vocab, int ctx) {
    }

    private static final Shape STORIES = new Shape(64, 172, 5, 8, 4, 512, 2048);
    private static final Shape SYNTH = new Shape(256, 768, 2, 4, 2, 512, 512);
    private static final Shape TINY = new Shape(8, 32, 1, 2, 2, 32000, 4096);

    private static boolean isNorm(String name) {
        return name.contains("norm");
    }

    private static void checkModel(String file, Shape s, Integer fileType, Function<String, DType> typeOf) throws IOException {
        Path path = Models.require(file);
        try (GgufFile g = GgufFile.open(path)) {
            assertEquals(3, g.version());
            assertEquals(32, g.alignment());
            ModelMetadata m = g.model();
            assertEquals("llama", m.architecture());
            assertEquals(s.dim(), m.embeddingLength());
            assertEquals(s.ffn(), m.feedForwardLength());
            assertEquals(s.layers(), m.blockCount());
            assertEquals(s.heads(), m.headCount());
            assertEquals(s.kvHeads(), m.headCountKv());
            assertEquals(s.vocab(), m.vocabSize());
            assertEquals(s.vocab(), m.tokens().size());
            assertEquals(s.ctx(), m.contextLength());
            assertEquals(s.dim() / s.heads(), m.ropeDimensionCount());
            assertEquals(1e-5f, m.rmsNormEpsilon());
            assertEquals(10000f, m.ropeFreqBase());
            assertEquals("llama", m.tokenizerModel());
            assertEquals(0, m.expertCount());
            assertEquals(fileType == null, m.fileType().isEmpty(), "general.file_type");
            if (fileType != null) {
                assertEquals(fileType, m.fileType().getAsInt());
            }
            assertEquals(9 * s.layers() + 3, g.tensorInfos().size());
            for (GgufTensorInfo t : g.tensorInfos()) {
                assertEquals(typeOf.apply(t.name()), t.dtype(), file + ": " + t.name());
                Tensor x = g.tensor(t.name());
                assertEquals(t.byteSize(), x.byteSize());
                if (!x.dtype().isQuantized()) {
                    for (float v : x.toFloatArray()) {
                        assertTrue(Float.isFinite(v), t.name());
                    }
                }
            }
            Tensor embd = g.tensor("token_embd.weight");
            assertArrayEquals(new long[] {s.vocab(), s.dim()}, embd.shape());
            assertArrayEquals(new long[] {s.dim(), s.ffn()}, g.tensor("blk.0.ffn_down.weight").shape());
            assertArrayEquals(new long[] {s.ffn(), s.dim()}, g.tensor("blk.0.ffn_up.weight").shape());
            assertArrayEquals(new long[] {(long) s.kvHeads() * (s.dim() / s.heads()), s.dim()}, g.tensor("blk.0.attn_k.weight").shape());
        }
    }

    private static Function<String, DType> matrices(DType matrix, DType ffnDown) {
        return n -> isNorm(n) ? DType.F32 : n.contains("ffn_down") ? ffnDown : matrix;
    }

    @Test
    void stories260K_files_match_models_md() throws IOException {
        checkModel("stories260K-f32.gguf", STORIES, null, n -> DType.F32);
        checkModel("stories260K-f16.gguf", STORIES, 1, matrices(DType.F16, DType.F16));
        checkModel("stories260K-q8_0.gguf", STORIES, 18, matrices(DType.Q8_0, DType.F16));
        checkModel("stories260K-q4_0.gguf", STORIES, 2, matrices(DType.Q4_0, DType.F16));
        checkModel("stories260K-q5_0-mix.gguf", STORIES, 15, n -> isNorm(n) ? DType.F32 : n.contains("ffn_down") ? DType.F16
                : n.equals("output.weight") || n.equals("blk.2.attn_v.weight") || n.equals("blk.4.attn_v.weight") ? DType.Q8_0 : DType.Q5_0);
    }

    @Test
    void stories260K_has_its_tokenizer() throws IOException {
        try (GgufFile g = GgufFile.open(Models.require("stories260K-f32.gguf"))) {
            ModelMetadata m = g.model();
            assertEquals(List.of("<unk>", "<s>", "</s>"), m.tokens().subList(0, 3));
            assertEquals(1, m.bosTokenId().getAsInt());
            assertEquals(2, m.eosTokenId().getAsInt());
            assertEquals(0, m.unknownTokenId().getAsInt());
            assertEquals(512, m.scores().orElseThrow().length);
            int[] types = m.tokenTypes().orElseThrow();
            assertEquals(3, types[1]);
            assertEquals(6, types[3], "<0x00> is a byte token");
            // output.weight is stored and equal to token_embd.weight (tied classifier)
            assertArrayEquals(g.tensor("token_embd.weight").toFloatArray(), g.tensor("output.weight").toFloatArray());
        }
    }

    @Test
    void llama_2_tiny_random_matches_models_md() throws IOException {
        checkModel("llama-2-tiny-random.gguf", TINY, 1, n -> isNorm(n) ? DType.F32 : DType.F16);
    }

    @Test
    void synth_k256_files_match_models_md() throws IOException {
        checkModel("synth-k256-2L-f32.gguf", SYNTH, null, n -> DType.F32);
        checkModel("synth-k256-2L-q8_0.gguf", SYNTH, 7, matrices(DType.Q8_0, DType.Q8_0));
        String[][] pure = {{"q4_0", "Q4_0"}, {"q4_k", "Q4_K"}, {"q5_k", "Q5_K"}, {"q6_k", "Q6_K"}, {"q3_k", "Q3_K"}, {"q2_k", "Q2_K"}};
        for (String[] p : pure) {
            Path path = Models.require("synth-k256-2L-" + p[0] + ".gguf");
            int ftype;
            try (GgufFile g = GgufFile.open(path)) {
                ftype = g.model().fileType().getAsInt();
            }
            checkModel(path.getFileName().toString(), SYNTH, ftype, matrices(DType.valueOf(p[1]), DType.valueOf(p[1])));
        }
        checkModel("synth-k256-2L-q4_k_m.gguf", SYNTH, 15, n -> isNorm(n) ? DType.F32
                : n.equals("output.weight") || n.equals("blk.1.attn_v.weight") || n.equals("blk.1.ffn_down.weight") ? DType.Q6_K : DType.Q4_K);
    }

    @TestFactory
    Stream<DynamicTest> every_vocab_file_opens_with_its_tokenizer() {
        String[][] vocab = {
            {"llama-spm", "llama", "default", "32000"}, {"phi-3", "llama", "default", "32064"}, {"gpt-2", "gpt2", "gpt-2", "50257"},
            {"deepseek-llm", "gpt2", "deepseek-llm", "102400"}, {"deepseek-coder", "gpt2", "deepseek-coder", "32256"},
            {"falcon", "gpt2", "falcon", "65024"}, {"mpt", "gpt2", "mpt", "50432"}, {"refact", "gpt2", "refact", "49216"},
            {"starcoder", "gpt2", "starcoder", "49152"}, {"bert-bge", "bert", "bert-bge", "30522"}};
        return Stream.of(vocab).map(v -> DynamicTest.dynamicTest(v[0], () -> {
            try (GgufFile g = GgufFile.open(Models.require("vocab/ggml-vocab-" + v[0] + ".gguf"))) {
                ModelMetadata m = g.model();
                assertEquals(v[1], m.tokenizerModel());
                assertEquals(Integer.parseInt(v[3]), m.tokens().size());
                if (!v[2].equals("default") || m.tokenizerPre().isPresent()) {
                    assertEquals(v[2], m.tokenizerPre().orElseThrow());
                }
                if (v[1].equals("gpt2")) {
                    assertFalse(m.merges().orElseThrow().isEmpty());
                }
                assertEquals(0, g.tensorInfos().size());
            }
        }));
    }

    /**
     * Our writer lays files out the way llama.cpp's writers do: copying every key and tensor of a
     * real file, in order, reproduces it byte for byte.
     */
    @TestFactory
    Stream<DynamicTest> rewriting_a_real_file_reproduces_it_byte_for_byte() {
        return Stream.of("stories260K-f32.gguf", "stories260K-q5_0-mix.gguf", "llama-2-tiny-random.gguf", "synth-k256-2L-q4_k_m.gguf")
                .map(name -> DynamicTest.dynamicTest(name, () -> {
                    Path path = Models.require(name);
                    Path out = dir.resolve("copy-" + name);
                    try (GgufFile g = GgufFile.open(path)) {
                        GgufWriter w = new GgufWriter().copyMetadata(g.metadata());
                        for (GgufTensorInfo t : g.tensorInfos()) {
                            w.copyTensor(g, t.name());
                        }
                        w.write(out);
                    }
                    assertEquals(-1L, Files.mismatch(path, out), "first differing byte");
                }));
    }
}
