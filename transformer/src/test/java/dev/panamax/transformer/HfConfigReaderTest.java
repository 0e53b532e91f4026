package dev.panamax.transformer;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.panamax.formats.FormatException;
import dev.panamax.tensor.Rope;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;

class HfConfigReaderTest {
    private static final Path FILE = Path.of("config.json");

    @Test
    void readsLlama32WithLlama3RopeScaling() {
        String json = """
                {"architectures": ["LlamaForCausalLM"], "model_type": "llama", "hidden_size": 2048,
                 "intermediate_size": 8192, "num_hidden_layers": 16, "num_attention_heads": 32,
                 "num_key_value_heads": 8, "head_dim": 64, "vocab_size": 128256, "max_position_embeddings": 131072,
                 "rms_norm_eps": 1e-05, "rope_theta": 500000.0, "tie_word_embeddings": true,
                 "rope_scaling": {"factor": 32.0, "high_freq_factor": 4.0, "low_freq_factor": 1.0,
                                  "original_max_position_embeddings": 8192, "rope_type": "llama3"},
                 "torch_dtype": "bfloat16", "bos_token_id": 128000, "eos_token_id": [128001, 128008, 128009]}
                """;
        ModelConfig c = HfConfigReader.parse(FILE, json);
        assertEquals(2048, c.dim());
        assertEquals(8192, c.ffnDim());
        assertEquals(16, c.layers());
        assertEquals(32, c.heads());
        assertEquals(8, c.kvHeads());
        assertEquals(64, c.headDim());
        assertEquals(128256, c.vocabSize());
        assertEquals(131072, c.contextLength());
        assertEquals(1e-5f, c.rmsEps());
        assertTrue(c.tiedEmbeddings());
        assertFalse(c.qkvBias());
        assertEquals(Rope.Layout.NEOX, c.rope().layout());
        assertEquals(64, c.rope().dims());
        assertEquals(500000, c.rope().theta());
        assertEquals(new RopeScaling.Llama3(32, 1, 4, 8192), c.rope().scaling());
    }

    @Test
    void qwen2HasBiasesAndMixtralHasExperts() {
        ModelConfig qwen = HfConfigReader.parse(FILE, """
                {"model_type": "qwen2", "hidden_size": 896, "intermediate_size": 4864, "num_hidden_layers": 24,
                 "num_attention_heads": 14, "num_key_value_heads": 2, "vocab_size": 151936, "rope_theta": 1000000.0,
                 "rms_norm_eps": 1e-06, "max_position_embeddings": 32768, "tie_word_embeddings": true, "rope_scaling": null}
                """);
        assertTrue(qwen.qkvBias());
        assertEquals(64, qwen.headDim());
        assertInstanceOf(RopeScaling.None.class, qwen.rope().scaling());
        ModelConfig mixtral = HfConfigReader.parse(FILE, """
                {"model_type": "mixtral", "hidden_size": 4096, "intermediate_size": 14336, "num_hidden_layers": 32,
                 "num_attention_heads": 32, "num_key_value_heads": 8, "vocab_size": 32000, "num_local_experts": 8,
                 "num_experts_per_tok": 2, "rope_theta": 1e6, "rms_norm_eps": 1e-5, "max_position_embeddings": 32768}
                """);
        assertEquals(8, mixtral.expertCount());
        assertEquals(2, mixtral.expertsUsed());
        assertFalse(mixtral.tiedEmbeddings());
        assertEquals(1e6, mixtral.rope().theta());
    }

    private static final String SMALL_LLAMA = """
            {"model_type": "llama", "hidden_size": 64, "intermediate_size": 172, "num_hidden_layers": 2,
             "num_attention_heads": 4, "num_key_value_heads": 2, "vocab_size": 512, "max_position_embeddings": 256,
             %s "rms_norm_eps": 1e-5}
            """;

    @Test
    void transformers5RopeParametersAndPartialRotaryFactorReachTheRopeConfig() {
        ModelConfig c = HfConfigReader.parse(FILE, SMALL_LLAMA.formatted("""
                "rope_theta": 10000.0, "partial_rotary_factor": 0.5,
                "rope_parameters": {"rope_type": "linear", "factor": 2.0, "rope_theta": 40000.0},"""));
        assertEquals(Rope.Layout.NEOX, c.rope().layout());
        assertEquals(8, c.rope().dims(), "half of a 16-wide head");
        assertEquals(40000, c.rope().theta());
        assertEquals(new RopeScaling.Linear(2), c.rope().scaling());
        ModelConfig plain = HfConfigReader.parse(FILE, SMALL_LLAMA.formatted("""
                "rope_parameters": {"rope_type": "default", "rope_theta": 20000.0},"""));
        assertEquals(16, plain.rope().dims());
        assertEquals(20000, plain.rope().theta());
        assertInstanceOf(RopeScaling.None.class, plain.rope().scaling());
    }

    @Test
    void llama3ScalingDefaultsAndUnsupportedScalingTypes() {
        ModelConfig c = HfConfigReader.parse(FILE, SMALL_LLAMA.formatted("""
                "rope_scaling": {"rope_type": "llama3", "factor": 8.0},"""));
        assertEquals(new RopeScaling.Llama3(8, 1, 4, 8192), c.rope().scaling());
        UnsupportedModelException e = assertThrows(UnsupportedModelException.class, () -> HfConfigReader.parse(FILE,
                SMALL_LLAMA.formatted("\"rope_scaling\": {\"rope_type\": \"dynamic\", \"factor\": 4.0},")));
        assertTrue(e.getMessage().contains("dynamic"), e.getMessage());
        // yarn without original_max_position_embeddings: transformers' defaults
        ModelConfig yarn = HfConfigReader.parse(FILE, SMALL_LLAMA.formatted("\"rope_scaling\": {\"rope_type\": \"yarn\", \"factor\": 4.0},"));
        assertEquals(new RopeScaling.Yarn(4, yarn.contextLength(), 32, 1, true, 0.1 * Math.log(4) + 1), yarn.rope().scaling());
    }

    @Test
    void mixtralWithoutExpertsPerTokenRoutesToTwo() {
        ModelConfig c = HfConfigReader.parse(FILE, SMALL_LLAMA.replace("\"llama\"", "\"mixtral\"")
                .formatted("\"num_local_experts\": 4,"));
        assertEquals(4, c.expertCount());
        assertEquals(2, c.expertsUsed(), "transformers' MixtralConfig default");
        assertEquals(0, HfConfigReader.parse(FILE, SMALL_LLAMA.formatted("")).expertsUsed());
    }

    @Test
    void missingOrMistypedFieldsNameTheField() {
        FormatException missing = assertThrows(FormatException.class, () -> HfConfigReader.parse(FILE,
                "{\"model_type\": \"llama\", \"hidden_size\": 64, \"num_attention_heads\": 4}"));
        assertEquals("intermediate_size", missing.field());
        FormatException wrong = assertThrows(FormatException.class, () -> HfConfigReader.parse(FILE,
                "{\"model_type\": \"llama\", \"hidden_size\": \"big\"}"));
        assertEquals("hidden_size", wrong.field());
        assertThrows(FormatException.class, () -> HfConfigReader.parse(FILE, "{\"model_type\": "));
    }

    @Test
    void unsupportedArchitectureIsRejectedByName() {
        UnsupportedModelException e = assertThrows(UnsupportedModelException.class,
                () -> HfConfigReader.parse(FILE, "{\"model_type\": \"gpt2\", \"n_embd\": 768}"));
        assertTrue(e.getMessage().contains("gpt2"), e.getMessage());
    }
}
