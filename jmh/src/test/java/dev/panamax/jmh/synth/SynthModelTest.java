package dev.panamax.jmh.synth;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.stream.IntStream;

import dev.panamax.formats.gguf.GgufFile;
import dev.panamax.formats.gguf.GgufMetadata;
import dev.panamax.formats.gguf.GgufTensorInfo;
import dev.panamax.formats.quant.Quants;
import dev.panamax.tensor.Backends;
import dev.panamax.tensor.Ops;
import dev.panamax.tensor.DType;
import dev.panamax.tensor.Tensor;
import dev.panamax.transformer.GgufConfigReader;
import dev.panamax.transformer.LoadOptions;
import dev.panamax.transformer.Model;
import dev.panamax.transformer.WeightTraffic;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Synthetic GGUF models: llama.cpp's metadata, names, shapes and type mixtures, and loadable by the transformer. */
class SynthModelTest {
    /** A Llama of tiny size with K-quant-compatible widths (multiples of 256) and grouped-query attention. */
    static final SynthShape TINY = new SynthShape("test-tiny", 300, 256, 512, 4, 2, 2, 128, 10_000f, false);

    @Test
    void q4_k_m_model_has_llama_metadata_tokenizer_and_mixture_types(@TempDir Path dir) throws IOException {
        Path file = dir.resolve("tiny.gguf");
        SynthModel.write(TINY, SynthType.Q4_K_M, file, 1);
        try (GgufFile g = GgufFile.open(file)) {
            GgufMetadata m = g.metadata();
            assertEquals("llama", m.getString("general.architecture"));
            assertEquals(15, m.getLong("general.file_type"));
            assertEquals(2, m.getLong("llama.block_count"));
            assertEquals(256, m.getLong("llama.embedding_length"));
            assertEquals(512, m.getLong("llama.feed_forward_length"));
            assertEquals(4, m.getLong("llama.attention.head_count"));
            assertEquals(2, m.getLong("llama.attention.head_count_kv"));
            assertEquals(64, m.getLong("llama.rope.dimension_count"));
            assertEquals("llama", m.getString("tokenizer.ggml.model"));
            List<String> tokens = m.getStringArray("tokenizer.ggml.tokens");
            assertEquals(300, tokens.size());
            assertEquals(300, tokens.stream().distinct().count(), "pieces are distinct");
            assertEquals("<0x0A>", tokens.get(3 + 10));
            assertEquals(300, m.getIntArray("tokenizer.ggml.token_type").length);
            assertEquals(300, m.getFloatArray("tokenizer.ggml.scores").length);

            assertEquals(DType.F32, info(g, "blk.0.attn_norm.weight").dtype());
            assertEquals(DType.Q4_K, info(g, "blk.0.attn_q.weight").dtype());
            assertEquals(DType.Q4_K, info(g, "blk.0.ffn_down.weight").dtype(), "layer 0 of 2 is not in the last eighth");
            assertEquals(DType.Q6_K, info(g, "blk.1.ffn_down.weight").dtype(), "layer 1 of 2 is in the last eighth");
            assertEquals(DType.Q6_K, info(g, "blk.1.attn_v.weight").dtype());
            assertEquals(DType.Q6_K, info(g, "output.weight").dtype());
            assertEquals(1 + 9 * 2 + 2, g.tensorInfos().size(), "token_embd, 9 per layer, output_norm, output");

            Tensor k = g.tensor("blk.0.attn_k.weight");
            assertEquals(List.of(128L, 256L), List.of(k.size(0), k.size(1)), "kv heads x head dim by dim, outermost first");
            Tensor down = g.tensor("blk.0.ffn_down.weight");
            assertEquals(List.of(256L, 512L), List.of(down.size(0), down.size(1)));
            float[] row = new float[256];
            Quants.dequantizeRow(DType.Q4_K, g.tensor("blk.0.attn_q.weight").data(), 0, row, 0, 256);
            double bound = 1 / Math.sqrt(256) * 1.2; // uniform in ±1/sqrt(cols), plus Q4_K's rounding
            assertTrue(IntStream.range(0, row.length).allMatch(i -> Math.abs(row[i]) <= bound), "weights stay in ±1/sqrt(cols)");
            assertTrue(IntStream.range(0, row.length).filter(i -> row[i] != 0).count() > 200, "weights are random, not zero");
        }
    }

    private static GgufTensorInfo info(GgufFile g, String name) {
        return g.tensorInfos().stream().filter(t -> t.name().equals(name)).findFirst().orElseThrow();
    }

    @Test
    void every_type_writes_the_byte_sizes_its_tensors_need(@TempDir Path dir) throws IOException {
        for (SynthType type : SynthType.values()) {
            Path file = dir.resolve(type + ".gguf");
            SynthModel.write(TINY.withLayers(1), type, file, 7);
            long tensorBytes = SynthModel.tensors(TINY.withLayers(1), type).stream().mapToLong(SynthModel.Entry::byteSize).sum();
            assertTrue(Files.size(file) > tensorBytes, type + ": file holds all tensor data");
            try (GgufFile g = GgufFile.open(file)) {
                assertEquals(type.fileType(), g.metadata().getLong("general.file_type"));
                for (SynthModel.Entry e : SynthModel.tensors(TINY.withLayers(1), type)) {
                    assertEquals(e.byteSize(), info(g, e.name()).byteSize(), e.name());
                }
            }
        }
    }

    @Test
    void the_transformer_loads_and_runs_a_synthetic_model(@TempDir Path dir) throws IOException {
        Path file = dir.resolve("tiny-q8.gguf");
        SynthModel.write(TINY, SynthType.Q8_0, file, 3);
        try (Ops ops = Backends.open("reference", 1);
             Model model = Model.open(file, ops, new LoadOptions(8, DType.F32, 16))) {
            float[] logits = model.transformer().forward(new int[] {1, 300 - 1, 42}, 0);
            assertEquals(300, logits.length);
            for (float v : logits) {
                assertTrue(Float.isFinite(v), "finite logits");
            }
            assertFalse(IntStream.range(0, logits.length).allMatch(i -> logits[i] == logits[0]), "logits depend on the weights");
        }
    }

    @Test
    void use_more_bits_follows_llama_cpp_for_32_layers() {
        List<SynthModel.Entry> tensors = SynthModel.tensors(SynthShape.named("llama-3-8b"), SynthType.Q4_K_M);
        List<Integer> more = tensors.stream().filter(e -> e.role().equals("attn_v") && e.type() == DType.Q6_K)
                .map(SynthModel.Entry::layer).toList();
        assertEquals(List.of(0, 1, 2, 3, 6, 9, 12, 15, 18, 21, 24, 27, 28, 29, 30, 31), more);
    }

    @Test
    void a_tied_embedding_gets_the_output_projections_type_as_in_llama_quantize() {
        List<SynthModel.Entry> tensors = SynthModel.tensors(SynthShape.named("llama-3.2-1b"), SynthType.Q4_0);
        assertTrue(tensors.stream().noneMatch(e -> e.name().equals("output.weight")), "llama-3.2-1b ties its embeddings");
        assertEquals(DType.Q6_K, tensors.stream().filter(e -> e.name().equals("token_embd.weight")).findFirst().orElseThrow().type());
        assertEquals(DType.Q4_0, tensors.stream().filter(e -> e.name().equals("blk.0.attn_q.weight")).findFirst().orElseThrow().type());
    }

    @Test
    void unknown_names_are_rejected_with_the_known_ones() {
        var e = assertThrows(IllegalArgumentException.class, () -> SynthShape.named("gpt-5"));
        assertTrue(e.getMessage().contains("llama-3-8b"), e.getMessage());
        var t = assertThrows(IllegalArgumentException.class, () -> SynthType.parse("q3_k_xs"));
        assertTrue(t.getMessage().contains("q4_k_m"), t.getMessage());
        assertEquals(SynthType.Q4_K_M, SynthType.parse("q4_k_m"));
    }

    @Test
    void bytes_per_token_counts_the_output_projection_and_not_the_embedding_table() {
        long all = SynthModel.tensors(TINY, SynthType.F16).stream().mapToLong(SynthModel.Entry::byteSize).sum();
        long embedding = 300L * 256 * 2;
        assertEquals(all - embedding, SynthModel.bytesPerToken(TINY, SynthType.F16));
    }

    /** Tiny shapes of every architecture: rows of 256 (K-quants) or 32 (Q8_0, MXFP4) entries, heads not dim / heads wide. */
    static final List<SynthShape> TINY_FAMILIES = List.of(
            new SynthShape("t-qwen3", "qwen3", 300, 256, 512, 4, 2, 128, 2, 64, 1e6f, true, null, null, 0),
            new SynthShape("t-qwen3moe", "qwen3moe", 300, 256, 512, 4, 2, 64, 2, 64, 1e6f, false,
                    new SynthShape.Experts(8, 2, 256, 0, 0), null, 0),
            new SynthShape("t-gemma3", "gemma3", 300, 256, 512, 4, 1, 256, 2, 64, 1e6f, true, null, null, 4),
            new SynthShape("t-phi3", "phi3", 300, 256, 512, 2, 1, 128, 2, 64, 1e4f, true, null, null, 0),
            new SynthShape("t-deepseek2", "deepseek2", 300, 256, 512, 2, 2, 0, 2, 64, 1e4f, false,
                    new SynthShape.Experts(8, 2, 64, 1, 1), new SynthShape.Latent(0, 64, 32, 32, 32), 0),
            new SynthShape("t-gpt-oss", "gpt-oss", 300, 256, 256, 4, 2, 64, 2, 64, 1.5e5f, false,
                    new SynthShape.Experts(4, 2, 256, 0, 0), null, 4));

    @Test
    void every_architecture_writes_a_model_the_transformer_runs(@TempDir Path dir) throws IOException {
        for (SynthShape shape : TINY_FAMILIES) {
            SynthType type = shape.architecture().equals("gpt-oss") ? SynthType.MXFP4_MOE : SynthType.Q8_0;
            Path file = dir.resolve(shape.name() + ".gguf");
            SynthModel.write(shape, type, file, 5);
            try (GgufFile g = GgufFile.open(file)) {
                assertEquals(shape.architecture(), g.metadata().getString("general.architecture"));
                for (SynthModel.Entry e : SynthModel.tensors(shape, type)) {
                    assertEquals(e.byteSize(), info(g, e.name()).byteSize(), shape.name() + ": " + e.name());
                }
            }
            try (Ops ops = Backends.open("reference", 1);
                 Model model = Model.open(file, ops, new LoadOptions(8, DType.F32, 16))) {
                float[] logits = model.transformer().forward(new int[] {1, 299, 42}, 0);
                assertEquals(300, logits.length, shape.name());
                for (float v : logits) {
                    assertTrue(Float.isFinite(v), shape.name() + ": finite logits");
                }
                assertFalse(IntStream.range(0, logits.length).allMatch(i -> logits[i] == logits[0]), shape.name());
            }
        }
    }

    /**
     * {@link WeightTraffic} counts from the file's tensor table and the model's configuration what
     * {@link SynthModel#bytesPerToken} and {@link SynthModel#matmulParams} compute from the shape alone:
     * two derivations that must agree on every family, the routed experts counted at used / count.
     */
    @Test
    void weight_traffic_of_a_file_matches_the_shape_figures(@TempDir Path dir) throws IOException {
        for (SynthShape shape : TINY_FAMILIES) {
            for (SynthType type : shape.architecture().equals("gpt-oss") ? List.of(SynthType.MXFP4_MOE, SynthType.Q4_K_M)
                    : List.of(SynthType.Q8_0, SynthType.Q4_K_M)) {
                Path file = dir.resolve(shape.name() + "-" + type + ".gguf");
                SynthModel.write(shape, type, file, 9);
                try (GgufFile g = GgufFile.open(file)) {
                    WeightTraffic w = WeightTraffic.of(g, GgufConfigReader.read(g));
                    String what = shape.name() + " " + type;
                    assertEquals(SynthModel.bytesPerToken(shape, type), w.bytesPerToken(), what + ": bytes per token");
                    assertEquals(SynthModel.matmulParams(shape), w.activeParameters(), what + ": active parameters");
                    assertEquals(SynthModel.totalParams(shape), w.totalParameters(), what + ": parameters");
                    assertTrue(Files.size(file) > w.totalBytes(), what + ": tensor bytes within the file");
                    boolean moe = shape.experts() != null;
                    assertEquals(moe, w.bytesPerToken() < w.totalBytes() - g.findTensorInfo("token_embd.weight").orElseThrow().byteSize()
                            * (shape.tiedEmbeddings() ? 0 : 1), what + ": only a mixture reads less than its weights");
                }
            }
        }
    }

    @Test
    void gpt_oss_experts_are_mxfp4_and_everything_else_q8_0() {
        SynthShape gptOss = TINY_FAMILIES.get(5);
        for (SynthModel.Entry e : SynthModel.tensors(gptOss, SynthType.MXFP4_MOE)) {
            DType expected = e.name().contains("_exps.weight") ? DType.MXFP4 : e.shape().length == 1 || e.role().equals("bias")
                    || e.name().contains("ffn_gate_inp") ? DType.F32 : DType.Q8_0;
            assertEquals(expected, e.type(), e.name());
        }
    }

    @Test
    void named_shapes_have_the_parameter_counts_their_publishers_give() {
        // exact: Meta's 8,030,261,248 for Llama 3 8B; 999,885,952 for Gemma 3 1B (Keras Hub's preset)
        assertEquals(8_030_261_248L, SynthModel.totalParams(SynthShape.named("llama-3-8b")));
        assertEquals(999_885_952L, SynthModel.totalParams(SynthShape.named("gemma3-1b")));
        // rounded on the model cards: total and active (per token) parameters
        assertNear(0.6e9, SynthModel.totalParams(SynthShape.named("qwen3-0.6b")), 0.01e9);
        assertNear(3.8e9, SynthModel.totalParams(SynthShape.named("phi-4-mini")), 0.05e9);
        SynthShape qwenMoe = SynthShape.named("qwen3-30b-a3b");
        assertNear(30.5e9, SynthModel.totalParams(qwenMoe), 0.05e9);
        // Qwen's 3.3B activated include the embedding table
        assertNear(3.3e9, SynthModel.matmulParams(qwenMoe) + (double) qwenMoe.vocab() * qwenMoe.dim(), 0.06e9);
        assertNear(15.7e9, SynthModel.totalParams(SynthShape.named("deepseek-v2-lite")), 0.05e9);
        assertNear(2.4e9, SynthModel.matmulParams(SynthShape.named("deepseek-v2-lite")), 0.06e9);
        assertNear(20.9e9, SynthModel.totalParams(SynthShape.named("gpt-oss-20b")), 0.05e9);
        assertNear(3.6e9, SynthModel.matmulParams(SynthShape.named("gpt-oss-20b")), 0.05e9);
    }

    private static void assertNear(double expected, double actual, double tolerance) {
        assertEquals(expected, actual, tolerance, () -> String.format("%.4g, expected %.4g", actual, expected));
    }

    @Test
    void a_moe_token_reads_the_used_experts_only() {
        SynthShape moe = TINY_FAMILIES.get(1); // 8 experts, 2 used
        long all = 0, experts = 0;
        for (SynthModel.Entry e : SynthModel.tensors(moe, SynthType.Q8_0)) {
            if (!e.role().equals("token_embd")) {
                all += e.byteSize();
                experts += e.name().contains("_exps.") ? e.byteSize() : 0;
            }
        }
        assertTrue(experts > all / 2, "experts are most of the weights");
        assertEquals(all - experts + experts / 4, SynthModel.bytesPerToken(moe, SynthType.Q8_0));
    }

    @Test
    void shapes_that_do_not_fit_their_architecture_are_rejected() {
        assertThrows(IllegalArgumentException.class, () -> new SynthShape("x", "qwen3moe", 300, 256, 512, 4, 2, 64, 2, 64, 1e6f,
                false, null, null, 0), "qwen3moe without experts");
        assertThrows(IllegalArgumentException.class, () -> new SynthShape("x", "qwen3", 300, 256, 512, 4, 2, 64, 2, 64, 1e6f,
                false, new SynthShape.Experts(8, 2, 256, 0, 0), null, 0), "qwen3 with experts");
        assertThrows(IllegalArgumentException.class, () -> new SynthShape("x", "mamba", 300, 256, 512, 4, 2, 64, 2, 64, 1e6f,
                false, null, null, 0), "unknown architecture");
        assertThrows(IllegalArgumentException.class, () -> SynthShape.named("deepseek-v2-lite").withLayers(1),
                "the dense first block leaves no MoE block");
    }
}
