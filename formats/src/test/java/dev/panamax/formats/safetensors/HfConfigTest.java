package dev.panamax.formats.safetensors;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

import dev.panamax.formats.FormatException;
import dev.panamax.tensor.testing.Seeded;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.OptionalInt;
import java.util.Random;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.api.io.TempDir;

/** Fixtures shaped like the config.json files of Llama 3.1, Qwen2 and Mixtral (values ours). */
@ExtendWith(Seeded.class)
class HfConfigTest {
    private static final Path FILE = Path.of("config.json");

    static final String LLAMA = """
            {
              "architectures": ["LlamaForCausalLM"],
              "attention_bias": false,
              "attention_dropout": 0.0,
              "bos_token_id": 128000,
              "eos_token_id": [128001, 128008, 128009],
              "hidden_act": "silu",
              "hidden_size": 2048,
              "initializer_range": 0.02,
              "intermediate_size": 8192,
              "max_position_embeddings": 131072,
              "mlp_bias": false,
              "model_type": "llama",
              "num_attention_heads": 32,
              "num_hidden_layers": 16,
              "num_key_value_heads": 8,
              "head_dim": 64,
              "pretraining_tp": 1,
              "rms_norm_eps": 1e-05,
              "rope_scaling": {"factor": 32.0, "high_freq_factor": 4.0, "low_freq_factor": 1.0,
                               "original_max_position_embeddings": 8192, "rope_type": "llama3"},
              "rope_theta": 500000.0,
              "tie_word_embeddings": true,
              "torch_dtype": "bfloat16",
              "transformers_version": "4.45.0",
              "use_cache": true,
              "vocab_size": 128256
            }
            """;

    static final String QWEN2 = """
            {"architectures": ["Qwen2ForCausalLM"], "attention_dropout": 0.0, "bos_token_id": 151643,
             "eos_token_id": 151645, "hidden_act": "silu", "hidden_size": 896, "initializer_range": 0.02,
             "intermediate_size": 4864, "max_position_embeddings": 32768, "max_window_layers": 21,
             "model_type": "qwen2", "num_attention_heads": 14, "num_hidden_layers": 24, "num_key_value_heads": 2,
             "rms_norm_eps": 1e-06, "rope_theta": 1000000.0, "sliding_window": 32768, "tie_word_embeddings": true,
             "torch_dtype": "bfloat16", "use_cache": true, "use_sliding_window": false, "vocab_size": 151936}
            """;

    static final String MIXTRAL = """
            {"architectures": ["MixtralForCausalLM"], "bos_token_id": 1, "eos_token_id": 2, "hidden_act": "silu",
             "hidden_size": 4096, "intermediate_size": 14336, "max_position_embeddings": 32768,
             "model_type": "mixtral", "num_attention_heads": 32, "num_experts_per_tok": 2, "num_hidden_layers": 32,
             "num_key_value_heads": 8, "num_local_experts": 8, "output_router_logits": false, "rms_norm_eps": 1e-05,
             "rope_scaling": null, "rope_theta": 1000000.0, "router_aux_loss_coef": 0.02, "sliding_window": null,
             "tie_word_embeddings": false, "torch_dtype": "bfloat16", "vocab_size": 32000,
             "quantization_config": {"bits": 4, "modules_to_not_convert": ["gate"], "nested": {"a": [[1], {"b": null}]}}}
            """;

    private static HfConfig parse(String json) {
        return HfConfig.parse(FILE, json.getBytes(StandardCharsets.UTF_8));
    }

    @Test
    void llama_config_with_llama3_rope_scaling_and_an_eos_list() {
        HfConfig c = parse(LLAMA);
        assertEquals("llama", c.modelType());
        assertEquals(List.of("LlamaForCausalLM"), c.architectures());
        assertEquals(2048, c.hiddenSize());
        assertEquals(8192, c.intermediateSize());
        assertEquals(16, c.numHiddenLayers());
        assertEquals(32, c.numAttentionHeads());
        assertEquals(8, c.numKeyValueHeads());
        assertEquals(OptionalInt.of(64), c.headDim());
        assertEquals(64, c.headDimension());
        assertEquals(131072, c.maxPositionEmbeddings());
        assertEquals(1e-5, c.rmsNormEps());
        assertEquals(500000.0, c.ropeTheta());
        HfConfig.RopeScaling r = c.ropeScaling().orElseThrow();
        assertEquals("llama3", r.type());
        assertEquals(32.0, r.factor());
        assertEquals(1.0, r.lowFreqFactor().orElseThrow());
        assertEquals(4.0, r.highFreqFactor().orElseThrow());
        assertEquals(8192, r.originalMaxPositionEmbeddings().orElseThrow());
        assertEquals(128256, c.vocabSize());
        assertTrue(c.tieWordEmbeddings());
        assertEquals(List.of(128000), c.bosTokenIds());
        assertEquals(List.of(128001, 128008, 128009), c.eosTokenIds());
        assertFalse(c.hasQkvBias());
        assertFalse(c.isMixtureOfExperts());
        assertEquals("silu", c.hiddenAct().orElseThrow());
        assertEquals("bfloat16", c.torchDtype().orElseThrow());
    }

    @Test
    void qwen2_has_qkv_biases_and_derives_its_head_dimension() {
        HfConfig c = parse(QWEN2);
        assertEquals("qwen2", c.modelType());
        assertTrue(c.hasQkvBias(), "qwen2 checkpoints carry q/k/v biases");
        assertFalse(c.attentionBias(), "the config itself does not say so");
        assertEquals(OptionalInt.empty(), c.headDim());
        assertEquals(64, c.headDimension());
        assertEquals(2, c.numKeyValueHeads());
        assertEquals(1e-6, c.rmsNormEps());
        assertTrue(c.ropeScaling().isEmpty());
        assertEquals(List.of(151645), c.eosTokenIds());
    }

    @Test
    void mixtral_experts_null_rope_scaling_and_skipped_nested_keys() {
        HfConfig c = parse(MIXTRAL);
        assertTrue(c.isMixtureOfExperts());
        assertEquals(8, c.numLocalExperts());
        assertEquals(2, c.numExpertsPerTok());
        assertTrue(c.ropeScaling().isEmpty());
        assertFalse(c.tieWordEmbeddings());
        assertEquals(128, c.headDimension());
    }

    @Test
    void rope_scaling_accepts_the_older_type_key_and_rejects_contradictions() {
        HfConfig linear = parse(QWEN2.replace("\"rope_theta\"", "\"rope_scaling\": {\"type\": \"linear\", \"factor\": 2.0}, \"rope_theta\""));
        assertEquals("linear", linear.ropeScaling().orElseThrow().type());
        assertEquals(2.0, linear.ropeScaling().orElseThrow().factor());
        assertTrue(linear.ropeScaling().orElseThrow().lowFreqFactor().isEmpty());
        fails(LLAMA.replace("\"rope_type\": \"llama3\"", "\"rope_type\": \"llama3\", \"type\": \"yarn\""), "rope_scaling.type", "\"yarn\"");
        fails(LLAMA.replace("\"factor\": 32.0, ", ""), "rope_scaling.factor", "missing");
    }

    @Test
    void defaults_apply_when_optional_keys_are_absent() {
        HfConfig c = parse("""
                {"model_type": "llama", "hidden_size": 64, "intermediate_size": 172, "num_hidden_layers": 2,
                 "num_attention_heads": 4, "max_position_embeddings": 256, "vocab_size": 512, "head_dim": null}""");
        assertEquals(4, c.numKeyValueHeads(), "no GQA unless num_key_value_heads says so");
        assertEquals(10000.0, c.ropeTheta());
        assertEquals(1e-6, c.rmsNormEps());
        assertEquals(16, c.headDimension());
        assertTrue(c.bosTokenIds().isEmpty());
        assertEquals(0, c.numLocalExperts());
    }

    @Test
    void read_finds_config_json_in_a_directory(@TempDir Path dir) {
        Fixtures.write(dir.resolve("config.json"), QWEN2.getBytes(StandardCharsets.UTF_8));
        assertEquals(896, HfConfig.read(dir).hiddenSize());
    }

    private static void fails(String json, String field, String value) {
        FormatException e = assertThrows(FormatException.class, () -> parse(json), json);
        assertEquals(FILE, e.file());
        assertEquals(field, e.field(), e.getMessage());
        assertTrue(e.value().contains(value), e.getMessage());
    }

    @Test
    void bad_fields_are_named_with_their_values() {
        fails(LLAMA.replace("\"hidden_size\": 2048", "\"hidden_size\": -2048"), "hidden_size", "-2048");
        fails(LLAMA.replace("\"hidden_size\": 2048", "\"hidden_size\": 2048.5"), "hidden_size", "2048.5");
        fails(LLAMA.replace("\"hidden_size\": 2048", "\"hidden_size\": \"2048\""), "hidden_size", "\"2048\"");
        fails(LLAMA.replace("\"hidden_size\": 2048,", ""), "hidden_size", "missing");
        fails(LLAMA.replace("\"model_type\": \"llama\",", ""), "model_type", "missing");
        fails(LLAMA.replace("\"num_key_value_heads\": 8", "\"num_key_value_heads\": 5"), "num_key_value_heads", "5");
        fails(LLAMA.replace("\"rms_norm_eps\": 1e-05", "\"rms_norm_eps\": 0"), "rms_norm_eps", "0");
        fails(LLAMA.replace("\"vocab_size\": 128256", "\"vocab_size\": 99999999999"), "vocab_size", "99999999999");
        fails(LLAMA.replace("\"rope_type\": \"llama3\"", "\"rope_kind\": \"llama3\""), "rope_scaling.rope_type", "missing");
        fails(LLAMA.replace("\"factor\": 32.0", "\"factor\": \"big\""), "rope_scaling.factor", "\"big\"");
        fails(LLAMA.replace("[128001, 128008, 128009]", "[128001, -1]"), "eos_token_id[1]", "-1");
        fails(LLAMA.replace("\"tie_word_embeddings\": true", "\"tie_word_embeddings\": 1"), "tie_word_embeddings", "1");
        fails(QWEN2.replace("\"num_attention_heads\": 14", "\"num_attention_heads\": 12"), "num_attention_heads", "12");
        fails(MIXTRAL.replace("\"num_experts_per_tok\": 2", "\"num_experts_per_tok\": 9"), "num_experts_per_tok", "9");
    }

    @Test
    void duplicates_deep_nesting_and_broken_json_fail_cleanly() {
        assertTrue(assertThrows(FormatException.class,
                () -> parse(LLAMA.replace("\"hidden_size\": 2048", "\"hidden_size\": 2048, \"hidden_size\": 4096"))).getMessage().contains("Duplicate"));
        String deep = "{\"x\": " + "[".repeat(65) + "]".repeat(65) + "}";
        assertTrue(assertThrows(FormatException.class, () -> parse(deep)).getMessage().contains("depth"));
        assertThrows(FormatException.class, () -> parse(LLAMA.substring(0, LLAMA.length() / 2)));
        assertThrows(FormatException.class, () -> parse("[]"));
        assertThrows(FormatException.class, () -> parse(QWEN2 + " {}"));
        assertThrows(FormatException.class, () -> HfConfig.parse(FILE, new byte[] {'{', '"', (byte) 0xC3, '"', ':', '1', '}'}));
    }

    @Test
    void transformers5_rope_parameters_carry_theta_and_scaling_and_win_over_rope_scaling() {
        HfConfig c = parse(LLAMA.replace("\"rope_theta\": 500000.0,", """
                "rope_parameters": {"rope_type": "linear", "factor": 4.0, "rope_theta": 250000.0},"""));
        assertEquals(250000.0, c.ropeTheta(), "rope_parameters.rope_theta wins");
        assertEquals("linear", c.ropeScaling().orElseThrow().type(), "rope_parameters wins over rope_scaling");
        assertEquals(4.0, c.ropeScaling().orElseThrow().factor());
        HfConfig plain = parse(QWEN2.replace("\"rope_theta\": 1000000.0,", """
                "rope_parameters": {"rope_type": "default", "rope_theta": 5000.0},"""));
        assertEquals(5000.0, plain.ropeTheta());
        assertEquals("default", plain.ropeScaling().orElseThrow().type());
        assertEquals(1000000.0, parse(QWEN2.replace("\"vocab_size\"", "\"rope_parameters\": null, \"vocab_size\"")).ropeTheta(),
                "a null rope_parameters leaves rope_theta");
        fails(QWEN2.replace("\"vocab_size\"", "\"rope_parameters\": {\"rope_type\": \"default\", \"rope_theta\": -1}, \"vocab_size\""),
                "rope_parameters.rope_theta", "-1");
        fails(QWEN2.replace("\"vocab_size\"", "\"rope_parameters\": {\"rope_theta\": 10000.0}, \"vocab_size\""),
                "rope_parameters.rope_type", "missing");
    }

    @Test
    void transformers5_rope_parameters_per_layer_type_give_full_attention_and_keep_the_others() {
        HfConfig c = parse(QWEN2.replace("\"rope_theta\": 1000000.0,", """
                "rope_parameters": {"full_attention": {"rope_type": "linear", "factor": 8.0, "rope_theta": 1000000.0},
                 "sliding_attention": {"rope_type": "default", "rope_theta": 10000.0}},"""));
        assertEquals(1000000.0, c.ropeTheta());
        assertEquals("linear", c.ropeScaling().orElseThrow().type());
        assertEquals(8.0, c.ropeScaling().orElseThrow().factor());
        assertEquals(10000.0, c.others().number("rope_parameters.sliding_attention.rope_theta").orElseThrow());
        assertEquals("default", c.others().string("rope_parameters.sliding_attention.rope_type").orElseThrow());
        fails(QWEN2.replace("\"vocab_size\"", "\"rope_parameters\": {\"sliding_attention\": {\"rope_type\": \"default\"}}, \"vocab_size\""),
                "rope_parameters.full_attention", "missing");
        fails(QWEN2.replace("\"vocab_size\"", "\"rope_parameters\": {\"rope_type\": \"default\", \"full_attention\": {\"rope_type\": \"default\"}},"
                + " \"vocab_size\""), "rope_parameters", "an object");
        fails(QWEN2.replace("\"vocab_size\"", "\"rope_parameters\": {\"full_attention\": {\"factor\": 2.0}}, \"vocab_size\""),
                "rope_parameters.full_attention.rope_type", "missing");
    }

    @Test
    void partial_rotary_factor_defaults_to_one_and_must_be_a_fraction() {
        assertEquals(1.0, parse(QWEN2).partialRotaryFactor());
        assertEquals(0.5, parse(QWEN2.replace("\"vocab_size\"", "\"partial_rotary_factor\": 0.5, \"vocab_size\"")).partialRotaryFactor());
        fails(QWEN2.replace("\"vocab_size\"", "\"partial_rotary_factor\": 1.5, \"vocab_size\""), "partial_rotary_factor", "1.5");
        fails(QWEN2.replace("\"vocab_size\"", "\"partial_rotary_factor\": 0, \"vocab_size\""), "partial_rotary_factor", "0");
    }

    @Test
    void experts_per_token_is_zero_when_absent_but_an_explicit_zero_is_rejected() {
        HfConfig c = parse(MIXTRAL.replace("\"num_experts_per_tok\": 2, ", ""));
        assertEquals(8, c.numLocalExperts());
        assertEquals(0, c.numExpertsPerTok(), "absent: the caller applies the model's default");
        fails(MIXTRAL.replace("\"num_experts_per_tok\": 2", "\"num_experts_per_tok\": 0"), "num_experts_per_tok", "0");
    }

    @Test
    void model_type_check_runs_before_required_fields_are_checked() {
        byte[] gpt2 = "{\"model_type\": \"gpt2\", \"n_embd\": 768}".getBytes(StandardCharsets.UTF_8);
        IllegalStateException e = assertThrows(IllegalStateException.class, () -> HfConfig.parse(FILE, gpt2, type -> {
            throw new IllegalStateException("no " + type);
        }));
        assertEquals("no gpt2", e.getMessage());
        assertEquals("hidden_size", assertThrows(FormatException.class, () -> HfConfig.parse(FILE, gpt2)).field(),
                "without a check the first missing field is named");
        List<String> seen = new ArrayList<>();
        assertEquals(896, HfConfig.parse(FILE, QWEN2.getBytes(StandardCharsets.UTF_8), seen::add).hiddenSize());
        assertEquals(List.of("qwen2"), seen);
    }

    @Test
    void mutated_configs_throw_only_format_exceptions(Random random) {
        String[] fragments = {"{", "}", "[", "]", "\"", ",", ":", "null", "-1", "1e999", "0", "true", "[1,2]", "{}"};
        String[] bases = {LLAMA, QWEN2, MIXTRAL};
        for (int i = 0; i < 1000; i++) {
            String base = bases[random.nextInt(bases.length)];
            int at = random.nextInt(base.length());
            String mutated = base.substring(0, at) + fragments[random.nextInt(fragments.length)]
                    + base.substring(Math.min(base.length(), at + random.nextInt(6)));
            try {
                parse(mutated);
            } catch (FormatException expected) {
                // the only failure allowed
            } catch (Throwable t) {
                fail("threw " + t + " for " + mutated, t);
            }
        }
    }

    /** A family's own fields (here qwen2_moe's) come through others(), typed, with errors naming the field. */
    @Test
    void fieldsWithoutAComponentAreKeptTypedForTheFamilies() {
        HfConfig c = parse(QWEN2.replace("\"model_type\": \"qwen2\"", """
                "model_type": "qwen2_moe", "num_experts": 60, "moe_intermediate_size": 1408, "norm_topk_prob": false,
                "mlp_only_layers": [], "layer_types": ["full_attention", "sliding_attention"], "mixed": [1, {"a": [2]}, null, 3],
                "router_aux_loss_coef": 0.001, "huge": 123456789012345678901234567890, "nested": {"moe_intermediate_size": 1}"""));
        HfConfig.OtherFields o = c.others();
        assertEquals(60, c.numLocalExperts());
        assertEquals(OptionalInt.of(1408), o.integer("moe_intermediate_size"));
        assertEquals(java.util.Optional.of(false), o.bool("norm_topk_prob"));
        assertEquals(java.util.Optional.of(List.of()), o.integers("mlp_only_layers"));
        assertEquals(0.001, o.number("router_aux_loss_coef").orElseThrow(), 0);
        assertEquals(1.2345678901234568e29, o.number("huge").orElseThrow(), 1e14);
        assertEquals(List.of("full_attention", "sliding_attention"), o.values().get("layer_types"));
        assertFalse(o.values().containsKey("mixed"), "an array holding an object is not kept");
        assertFalse(o.values().containsKey("nested"), "objects are not kept");
        assertTrue(o.integer("absent").isEmpty());
        assertEquals(2, c.numKeyValueHeads(), "fields after the skipped array and object are still read");
        FormatException e = assertThrows(FormatException.class, () -> o.integer("norm_topk_prob"));
        assertEquals("norm_topk_prob", e.field());
        assertEquals("layer_types", assertThrows(FormatException.class, () -> o.integers("layer_types")).field());
        assertEquals("router_aux_loss_coef", assertThrows(FormatException.class, () -> o.bool("router_aux_loss_coef")).field());
    }
}
