package dev.panamax.transformer;

import dev.panamax.transformer.family.Families;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.panamax.transformer.family.FamilyConfig;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * transformers 5 writes RoPE as {@code rope_parameters} (with its {@code rope_theta}, and for Gemma 3
 * one object per layer type); older config.json files as {@code rope_theta}, {@code rope_scaling} and
 * {@code rope_local_base_freq}. The same model written both ways gives the same family configuration.
 */
class RopeParametersTest {
    @TempDir
    Path dir;

    private FamilyConfig hf(String name, String json) throws Exception {
        Path file = dir.resolve(name + ".json");
        Files.writeString(file, json);
        return Families.read(file);
    }

    private static final String GEMMA3 = """
            {"model_type": "gemma3_text", "hidden_size": 64, "intermediate_size": 128, "num_hidden_layers": 7,
             "num_attention_heads": 4, "num_key_value_heads": 2, "head_dim": 16, "vocab_size": 100,
             "max_position_embeddings": 4096, "sliding_window": 32, "query_pre_attn_scalar": 16, %s}
            """;

    @Test
    void gemma3sPerLayerTypeRopeParametersReadAsRopeThetaRopeScalingAndLocalBase() throws Exception {
        FamilyConfig old = hf("old", GEMMA3.formatted("""
                "rope_theta": 500000.0, "rope_scaling": {"rope_type": "linear", "factor": 8.0}, "rope_local_base_freq": 20000.0"""));
        FamilyConfig v5 = hf("v5", GEMMA3.formatted("""
                "rope_parameters": {"sliding_attention": {"rope_type": "default", "rope_theta": 20000.0},
                  "full_attention": {"rope_type": "linear", "factor": 8.0, "rope_theta": 500000.0}}"""));
        assertEquals(old, v5);
        assertEquals(500000.0, v5.common().rope().theta());
        assertEquals(new RopeScaling.Linear(8), v5.common().rope().scaling());
        assertTrue(v5.features().toString().contains("their RoPE theta 20000.0"), v5.features().toString());
    }

    @Test
    void gemma3sSlidingLayersMayHaveALinearScalingOfTheirOwnButNotAnother() throws Exception {
        FamilyConfig f = hf("linear", GEMMA3.formatted("""
                "rope_parameters": {"sliding_attention": {"rope_type": "linear", "factor": 2.0, "rope_theta": 10000.0},
                  "full_attention": {"rope_type": "default", "rope_theta": 1000000.0}}"""));
        assertTrue(f.features().toString().contains("their RoPE theta 10000.0, Linear[factor=2.0]"), f.features().toString());
        UnsupportedModelException e = assertThrows(UnsupportedModelException.class, () -> hf("yarn", GEMMA3.formatted("""
                "rope_parameters": {"sliding_attention": {"rope_type": "yarn", "factor": 2.0, "rope_theta": 10000.0},
                  "full_attention": {"rope_type": "default", "rope_theta": 1000000.0}}""")));
        assertTrue(e.getMessage().contains("rope_parameters.sliding_attention.rope_type 'yarn'"), e.getMessage());
    }

    private static final String LLAMA31 = """
            {"model_type": "llama", "hidden_size": 64, "intermediate_size": 128, "num_hidden_layers": 2,
             "num_attention_heads": 4, "num_key_value_heads": 2, "vocab_size": 100, "max_position_embeddings": 131072, %s}
            """;

    @Test
    void llama3ScalingAndPartialRotaryInRopeParametersReadAsTheOlderFields() throws Exception {
        FamilyConfig old = hf("old", LLAMA31.formatted("""
                "rope_theta": 500000.0, "partial_rotary_factor": 0.5, "rope_scaling": {"rope_type": "llama3", "factor": 8.0,
                 "low_freq_factor": 1.0, "high_freq_factor": 4.0, "original_max_position_embeddings": 8192}"""));
        FamilyConfig v5 = hf("v5", LLAMA31.formatted("""
                "rope_parameters": {"rope_type": "llama3", "factor": 8.0, "low_freq_factor": 1.0, "high_freq_factor": 4.0,
                 "original_max_position_embeddings": 8192, "rope_theta": 500000.0, "partial_rotary_factor": 0.5}"""));
        assertEquals(old, v5);
        assertEquals(8, v5.common().rope().dims());
        assertInstanceOf(RopeScaling.Llama3.class, v5.common().rope().scaling());
    }

    private static final String DEEPSEEK_V3 = """
            {"model_type": "deepseek_v3", "hidden_size": 64, "intermediate_size": 128, "moe_intermediate_size": 32,
             "num_hidden_layers": 2, "num_attention_heads": 4, "num_key_value_heads": 4, "q_lora_rank": 24, "kv_lora_rank": 16,
             "qk_nope_head_dim": 8, "qk_rope_head_dim": 8, "v_head_dim": 8, "n_routed_experts": 8, "num_experts_per_tok": 2,
             "n_shared_experts": 1, "n_group": 4, "topk_group": 2, "first_k_dense_replace": 1, "norm_topk_prob": true,
             "routed_scaling_factor": 2.5, "vocab_size": 100, "max_position_embeddings": 163840, %s}
            """;

    @Test
    void deepSeeksYarnWithMscaleInRopeParametersReadsAsInRopeScaling() throws Exception {
        String yarn = """
                "rope_type": "yarn", "factor": 40, "original_max_position_embeddings": 4096, "beta_fast": 32, "beta_slow": 1,
                 "mscale": 1.0, "mscale_all_dim": 1.0""";
        FamilyConfig old = hf("old", DEEPSEEK_V3.formatted("\"rope_theta\": 10000.0, \"rope_scaling\": {" + yarn + "}"));
        FamilyConfig v5 = hf("v5", DEEPSEEK_V3.formatted("\"rope_parameters\": {" + yarn + ", \"rope_theta\": 10000.0}"));
        assertEquals(old, v5);
        RopeScaling.Yarn y = assertInstanceOf(RopeScaling.Yarn.class, v5.common().rope().scaling());
        assertEquals(1.0, y.mscaleAllDim());
        assertEquals(1.0, y.attentionFactor(), 1e-15);
    }
}
