package dev.panamax.transformer.family;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.panamax.formats.gguf.GgufFile;
import dev.panamax.formats.gguf.GgufWriter;
import dev.panamax.transformer.UnsupportedModelException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.function.Consumer;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The Qwen-MoE families' own hyper-parameters, from config.json (with transformers' defaults) and from GGUF keys. */
class QwenMoeConfigTest {
    @TempDir
    Path dir;

    /** Shaped like Qwen1.5-MoE-A2.7B's config.json (sizes ours). */
    private static final String QWEN2_MOE = """
            {"architectures": ["Qwen2MoeForCausalLM"], "model_type": "qwen2_moe", "hidden_size": 64, "intermediate_size": 160,
             "num_hidden_layers": 2, "num_attention_heads": 4, "num_key_value_heads": 4, "vocab_size": 100,
             "max_position_embeddings": 128, "rms_norm_eps": 1e-06, "rope_theta": 1000000.0, "tie_word_embeddings": false,
             "num_experts": 6, "num_experts_per_tok": 2, "moe_intermediate_size": 40, "shared_expert_intermediate_size": 96,
             "norm_topk_prob": false, "decoder_sparse_step": 1, "mlp_only_layers": [], "use_sliding_window": false %s}
            """;

    private FamilyConfig hf(String json) throws Exception {
        Path file = dir.resolve("config.json");
        Files.writeString(file, json);
        return Families.read(file);
    }

    @Test
    void qwen2MoeReadsExpertWidthsAndRoutingFromConfigJson() throws Exception {
        var c = assertInstanceOf(Qwen2Moe.Config.class, hf(QWEN2_MOE.formatted("")));
        assertEquals(new Qwen2Moe.Config(c.common(), 40, 96, false), c);
        assertEquals(6, c.common().expertCount());
        assertEquals(2, c.common().expertsUsed());
        assertTrue(c.common().qkvBias(), "qwen2_moe has Q/K/V biases though config.json does not say");
    }

    @Test
    void qwen3MoeTakesTransformersDefaultsForAbsentFields() throws Exception {
        String json = QWEN2_MOE.formatted("").replace("qwen2_moe", "qwen3_moe").replace("\"num_experts_per_tok\": 2, ", "")
                .replace("\"moe_intermediate_size\": 40, ", "").replace("\"norm_topk_prob\": false, ", "")
                .replace("\"num_experts\": 6", "\"num_experts\": 16").replace("\"num_key_value_heads\": 4", "\"num_key_value_heads\": 2, \"head_dim\": 32");
        var c = assertInstanceOf(Qwen3Moe.Config.class, hf(json));
        assertEquals(8, c.common().expertsUsed(), "Qwen3MoeConfig's num_experts_per_tok");
        assertEquals(768, c.expertFfn(), "Qwen3MoeConfig's moe_intermediate_size");
        assertFalse(c.normalizeTopK(), "Qwen3MoeConfig's norm_topk_prob");
        assertEquals(32, c.common().headDim());
        assertFalse(c.common().qkvBias());
    }

    @Test
    void denseLayersBetweenSparseOnesAreRefusedNamingTheField() throws Exception {
        UnsupportedModelException step = assertThrows(UnsupportedModelException.class,
                () -> hf(QWEN2_MOE.formatted("").replace("\"decoder_sparse_step\": 1", "\"decoder_sparse_step\": 2")));
        assertTrue(step.getMessage().contains("decoder_sparse_step 2"), step.getMessage());
        UnsupportedModelException only = assertThrows(UnsupportedModelException.class,
                () -> hf(QWEN2_MOE.formatted("").replace("\"mlp_only_layers\": []", "\"mlp_only_layers\": [0]")));
        assertTrue(only.getMessage().contains("mlp_only_layers [0]"), only.getMessage());
    }

    private GgufFile gguf(String arch, Consumer<GgufWriter> keys) throws Exception {
        GgufWriter w = new GgufWriter();
        w.putString("general.architecture", arch);
        w.putUInt32(arch + ".context_length", 128);
        w.putUInt32(arch + ".embedding_length", 64);
        w.putUInt32(arch + ".block_count", 2);
        w.putUInt32(arch + ".feed_forward_length", 160);
        w.putUInt32(arch + ".attention.head_count", 4);
        w.putUInt32(arch + ".attention.head_count_kv", 4);
        w.putFloat32(arch + ".rope.freq_base", 1e6f);
        w.putFloat32(arch + ".attention.layer_norm_rms_epsilon", 1e-6f);
        w.putUInt32(arch + ".vocab_size", 100);
        w.putUInt32(arch + ".expert_count", 6);
        w.putUInt32(arch + ".expert_used_count", 2);
        keys.accept(w);
        Path file = dir.resolve(arch + ".gguf");
        w.write(file);
        return GgufFile.open(file);
    }

    @Test
    void ggufExpertWidthsAndLlamaCppsRoutingChoices() throws Exception {
        try (GgufFile f = gguf("qwen2moe", w -> {
            w.putUInt32("qwen2moe.expert_feed_forward_length", 40);
            w.putUInt32("qwen2moe.expert_shared_feed_forward_length", 96);
        })) {
            var c = assertInstanceOf(Qwen2Moe.Config.class, Families.read(f));
            assertEquals(40, c.expertFfn());
            assertEquals(96, c.sharedFfn());
            assertFalse(c.normalizeTopK(), "llama.cpp's qwen2moe graph does not renormalize");
        }
        try (GgufFile f = gguf("qwen3moe", w -> { })) {
            var c = assertInstanceOf(Qwen3Moe.Config.class, Families.read(f));
            assertEquals(160 / 2, c.expertFfn(), "llama.cpp's default: feed_forward_length / expert_used_count");
            assertTrue(c.normalizeTopK(), "llama.cpp's qwen3moe graph renormalizes");
        }
        try (GgufFile f = gguf("qwen3moe", w -> w.putBool("qwen3moe.expert_weights_norm", false))) {
            assertFalse(assertInstanceOf(Qwen3Moe.Config.class, Families.read(f)).normalizeTopK());
        }
    }

    @Test
    void ggufPerLayerExpertWidthsMustAgree() throws Exception {
        try (GgufFile f = gguf("qwen3moe", w -> w.putInt32Array("qwen3moe.expert_feed_forward_length", new int[] {40, 40}))) {
            assertEquals(40, assertInstanceOf(Qwen3Moe.Config.class, Families.read(f)).expertFfn());
        }
        try (GgufFile f = gguf("qwen3moe", w -> w.putInt32Array("qwen3moe.expert_feed_forward_length", new int[] {40, 48}))) {
            UnsupportedModelException e = assertThrows(UnsupportedModelException.class, () -> Families.read(f));
            assertTrue(e.getMessage().contains("qwen3moe.expert_feed_forward_length") && e.getMessage().contains("[40, 48]"), e.getMessage());
        }
    }
}
