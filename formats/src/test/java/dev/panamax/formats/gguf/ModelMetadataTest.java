package dev.panamax.formats.gguf;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.panamax.formats.FormatException;
import java.io.IOException;
import java.nio.file.Path;
import java.util.List;
import java.util.Optional;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class ModelMetadataTest {
    @TempDir
    Path dir;

    private GgufFile write(GgufWriter w) throws IOException {
        Path p = dir.resolve("m" + System.nanoTime() + ".gguf");
        w.write(p);
        return GgufFile.open(p);
    }

    @Test
    void every_typed_field_reads_its_arch_key() throws IOException {
        GgufWriter w = new GgufWriter().putString("general.architecture", "qwen3moe").putString("general.name", "Tiny MoE")
                .putUInt64("qwen3moe.context_length", 32768).putUInt32("qwen3moe.embedding_length", 2048)
                .putUInt32("qwen3moe.block_count", 48).putUInt32("qwen3moe.feed_forward_length", 6144)
                .putUInt32("qwen3moe.attention.head_count", 32).putUInt32("qwen3moe.attention.head_count_kv", 4)
                .putUInt32("qwen3moe.rope.dimension_count", 128).putUInt32("qwen3moe.attention.key_length", 128)
                .putUInt32("qwen3moe.attention.value_length", 96).putFloat32("qwen3moe.rope.freq_base", 1e6f)
                .putString("qwen3moe.rope.scaling.type", "yarn").putFloat32("qwen3moe.rope.scaling.factor", 4f)
                .putUInt32("qwen3moe.rope.scaling.original_context_length", 8192)
                .putFloat32("qwen3moe.attention.layer_norm_rms_epsilon", 1e-6f).putFloat32("qwen3moe.attention.layer_norm_epsilon", 1e-5f)
                .putUInt32("qwen3moe.expert_count", 128).putUInt32("qwen3moe.expert_used_count", 8).putUInt32("qwen3moe.vocab_size", 4)
                .putUInt32("general.file_type", 15)
                .putString("tokenizer.ggml.model", "gpt2").putString("tokenizer.ggml.pre", "qwen2")
                .putStringArray("tokenizer.ggml.tokens", List.of("a", "b", "ab", "<|end|>"))
                .putStringArray("tokenizer.ggml.merges", List.of("a b"))
                .putInt32Array("tokenizer.ggml.token_type", new int[] {1, 1, 1, 3})
                .putUInt32("tokenizer.ggml.bos_token_id", 3).putInt32("tokenizer.ggml.eos_token_id", 3)
                .putInt32("tokenizer.ggml.padding_token_id", -1).putBool("tokenizer.ggml.add_bos_token", false)
                .putBool("tokenizer.ggml.add_eos_token", true).putString("tokenizer.chat_template", "{{ messages }}");
        try (GgufFile g = write(w)) {
            ModelMetadata m = g.model();
            assertEquals("qwen3moe", m.architecture());
            assertEquals(Optional.of("Tiny MoE"), m.name());
            assertEquals(32768, m.contextLength());
            assertEquals(2048, m.embeddingLength());
            assertEquals(48, m.blockCount());
            assertEquals(6144, m.feedForwardLength());
            assertEquals(32, m.headCount());
            assertEquals(4, m.headCountKv());
            assertEquals(128, m.ropeDimensionCount());
            assertEquals(128, m.keyLength().getAsInt());
            assertEquals(96, m.valueLength().getAsInt());
            assertEquals(1e6f, m.ropeFreqBase());
            assertEquals(Optional.of("yarn"), m.ropeScalingType());
            assertEquals(Optional.of(4f), m.ropeScalingFactor());
            assertEquals(8192, m.ropeScalingOriginalContextLength().getAsInt());
            assertEquals(1e-6f, m.rmsNormEpsilon());
            assertEquals(Optional.of(1e-5f), m.layerNormEpsilon());
            assertEquals(128, m.expertCount());
            assertEquals(8, m.expertUsedCount());
            assertEquals(4, m.vocabSize());
            assertEquals(15, m.fileType().getAsInt());
            assertEquals("gpt2", m.tokenizerModel());
            assertEquals(Optional.of("qwen2"), m.tokenizerPre());
            assertEquals(List.of("a", "b", "ab", "<|end|>"), m.tokens());
            assertEquals(List.of("a b"), m.merges().orElseThrow());
            assertArrayEquals(new int[] {1, 1, 1, 3}, m.tokenTypes().orElseThrow());
            assertTrue(m.scores().isEmpty());
            assertEquals(3, m.bosTokenId().getAsInt());
            assertEquals(3, m.eosTokenId().getAsInt());
            assertTrue(m.padTokenId().isEmpty(), "-1 means no padding token");
            assertTrue(m.unknownTokenId().isEmpty());
            assertEquals(Optional.of(false), m.addBosToken());
            assertEquals(Optional.of(true), m.addEosToken());
            assertEquals(Optional.of("{{ messages }}"), m.chatTemplate());
        }
    }

    @Test
    void optional_fields_fall_back_to_llama_cpp_defaults() throws IOException {
        GgufWriter w = new GgufWriter().putString("general.architecture", "llama").putUInt32("llama.embedding_length", 96)
                .putUInt32("llama.attention.head_count", 6).putFloat32("llama.rope.scale_linear", 2f)
                .putStringArray("tokenizer.ggml.tokens", List.of("x", "y"));
        try (GgufFile g = write(w)) {
            ModelMetadata m = g.model();
            assertEquals(6, m.headCountKv());
            assertTrue(m.keyLength().isEmpty());
            assertEquals(16, m.ropeDimensionCount());
            assertEquals(10000f, m.ropeFreqBase());
            assertEquals(Optional.of("linear"), m.ropeScalingType());
            assertEquals(Optional.of(2f), m.ropeScalingFactor());
            assertEquals(0, m.expertCount());
            assertEquals(2, m.vocabSize());
            assertTrue(m.fileType().isEmpty());
            FormatException e = assertThrows(FormatException.class, m::blockCount);
            assertEquals("metadata[\"llama.block_count\"]", e.field());
            assertThrows(FormatException.class, m::rmsNormEpsilon);
            assertThrows(FormatException.class, m::tokenizerModel);
        }
    }

    /** Issue 20: rms_epsilon = +Inf gave all-zero logits with exit 0; freq_base = +Inf gave garbage. */
    @Test
    void float_hyper_parameters_must_be_finite_and_in_range() throws IOException {
        record Bad(String key, float value) { }
        List<Bad> bad = List.of(new Bad("llama.attention.layer_norm_rms_epsilon", Float.POSITIVE_INFINITY),
                new Bad("llama.attention.layer_norm_rms_epsilon", Float.NaN), new Bad("llama.attention.layer_norm_rms_epsilon", 0f),
                new Bad("llama.attention.layer_norm_rms_epsilon", 2f), new Bad("llama.attention.layer_norm_epsilon", -1e-5f),
                new Bad("llama.rope.freq_base", Float.POSITIVE_INFINITY), new Bad("llama.rope.freq_base", Float.NaN),
                new Bad("llama.rope.freq_base", 0.5f), new Bad("llama.rope.scaling.factor", Float.POSITIVE_INFINITY),
                new Bad("llama.rope.scaling.factor", -2f));
        for (Bad b : bad) {
            GgufWriter w = new GgufWriter().putString("general.architecture", "llama").putFloat32(b.key(), b.value());
            try (GgufFile g = write(w)) {
                ModelMetadata m = g.model();
                FormatException e = assertThrows(FormatException.class, () -> {
                    switch (b.key().substring("llama.".length())) {
                        case "attention.layer_norm_rms_epsilon" -> m.rmsNormEpsilon();
                        case "attention.layer_norm_epsilon" -> m.layerNormEpsilon();
                        case "rope.freq_base" -> m.ropeFreqBase();
                        default -> m.ropeScalingFactor();
                    }
                }, b.toString());
                assertEquals("metadata[\"" + b.key() + "\"]", e.field(), e.getMessage());
                assertEquals(String.valueOf(b.value()), e.value());
            }
        }
    }

    @Test
    void a_file_without_architecture_has_no_model_view() throws IOException {
        try (GgufFile g = write(new GgufWriter().putString("general.name", "x"))) {
            FormatException e = assertThrows(FormatException.class, g::model);
            assertEquals("metadata[\"general.architecture\"]", e.field());
        }
    }
}
