package dev.panamax.transformer;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.panamax.formats.FormatException;
import dev.panamax.formats.safetensors.HfConfig;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

class HfConfigJsonTest {
    private static final Path FILE = Path.of("some/config.json");

    private static HfConfigJson parse(String json) {
        return HfConfigJson.parse(FILE, json.getBytes(StandardCharsets.UTF_8));
    }

    @Test
    void aMultimodalConfigGivesItsTextConfigWithTheOuterModelTypeIfItHasNone() {
        HfConfigJson text = parse("""
                {"model_type": "gemma3", "text_config": {"hidden_size": 2560, "sliding_window": 1024},
                 "vision_config": {"hidden_size": 1152}}
                """);
        assertTrue(text.isTextConfig());
        assertEquals("gemma3", text.modelType().orElseThrow());
        assertEquals(1024, text.positiveInt("sliding_window").orElseThrow());
        HfConfigJson plain = parse("""
                {"model_type": "llama", "hidden_size": 64, "text_config": {"hidden_size": 8}}
                """);
        assertFalse(plain.isTextConfig(), "a config with its own hidden_size is the language model");
        assertEquals(64, plain.positiveInt("hidden_size").orElseThrow());
    }

    @Test
    void defaultsFillAbsentFieldsButNotExplicitNulls() {
        HfConfigJson json = parse("""
                {"model_type": "gemma2", "final_logit_softcapping": null, "sliding_window": 512}
                """).withDefaults(Map.of("final_logit_softcapping", 30.0, "attn_logit_softcapping", 50.0, "sliding_window", 4096L));
        assertTrue(json.number("final_logit_softcapping").isEmpty());
        assertEquals(50.0, json.number("attn_logit_softcapping").orElseThrow());
        assertEquals(512, json.positiveInt("sliding_window").orElseThrow());
        HfConfig config = HfConfig.parse(FILE, json.withDefaults(Map.of("hidden_size", 8L, "intermediate_size", 16L,
                "num_hidden_layers", 1L, "num_attention_heads", 2L, "max_position_embeddings", 32L, "vocab_size", 10L,
                "layer_types", List.of("sliding_attention"))).toJson());
        assertEquals(8, config.hiddenSize());
        assertEquals(List.of("sliding_attention"), json.withDefaults(Map.of("layer_types", List.of("sliding_attention")))
                .strings("layer_types").orElseThrow());
    }

    @Test
    void wrongTypesAndBadJsonNameTheFileAndField() {
        HfConfigJson json = parse("""
                {"model_type": "gemma3_text", "sliding_window": 2.5, "query_pre_attn_scalar": "x", "layer_types": [1]}
                """);
        FormatException window = assertThrows(FormatException.class, () -> json.positiveInt("sliding_window"));
        assertTrue(window.getMessage().contains("some/config.json") && window.getMessage().contains("sliding_window"),
                window.getMessage());
        assertThrows(FormatException.class, () -> json.number("query_pre_attn_scalar"));
        assertThrows(FormatException.class, () -> json.strings("layer_types"));
        FormatException bad = assertThrows(FormatException.class, () -> parse("{\"model_type\": "));
        assertTrue(bad.getMessage().contains("some/config.json"), bad.getMessage());
        assertThrows(FormatException.class, () -> parse("[1, 2]"));
        assertThrows(FormatException.class, () -> parse("{\"a\": 1} {}"));
    }
}
