package dev.panamax.formats.safetensors;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.panamax.formats.FormatException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;

/** The fields HfConfig does not model, kept for the families (OtherFields): shaped like Phi-3 and Granite configs (values ours). */
class HfConfigOtherFieldsTest {
    private static final Path FILE = Path.of("config.json");

    private static final String PHI3 = """
            {"architectures": ["Phi3ForCausalLM"], "model_type": "phi3", "hidden_size": 3072, "intermediate_size": 8192,
             "num_hidden_layers": 32, "num_attention_heads": 32, "num_key_value_heads": 32, "vocab_size": 32064,
             "max_position_embeddings": 131072, "original_max_position_embeddings": 4096, "sliding_window": 262144,
             "embd_pdrop": 0.0, "use_cache": true, "auto_map": {"AutoConfig": "x"}, "mixed": [1, "a"],
             "rope_scaling": {"type": "longrope", "short_factor": [1.0, 1.5, 2], "long_factor": [3.0, 4.25, 5]},
             "embedding_multiplier": 12.0, "hidden_act": "silu", "sliding": null}
            """;

    private static HfConfig parse(String json) {
        return HfConfig.parse(FILE, json.getBytes(StandardCharsets.UTF_8));
    }

    @Test
    void keepsUnmodelledScalarsArraysAndLongRopeFactors() {
        HfConfig c = parse(PHI3);
        HfConfig.OtherFields x = c.others();
        assertEquals("longrope", c.ropeScaling().orElseThrow().type());
        assertEquals(4096, x.integer("original_max_position_embeddings").getAsInt());
        assertEquals(262144, x.integer("sliding_window").getAsInt());
        assertEquals(12.0, x.number("embedding_multiplier").getAsDouble());
        assertEquals(true, x.bool("use_cache").orElseThrow());
        assertArrayEquals(new double[] {1.0, 1.5, 2}, x.numbers("rope_scaling.short_factor").orElseThrow());
        assertArrayEquals(new double[] {3.0, 4.25, 5}, x.numbers("rope_scaling.long_factor").orElseThrow());
        assertFalse(x.values().containsKey("auto_map"), "objects are skipped");
        assertFalse(x.values().containsKey("sliding"), "null is absent");
        assertFalse(x.values().containsKey("hidden_size"), "modelled fields stay in HfConfig");
        assertTrue(x.number("absent").isEmpty());
    }

    @Test
    void wrongTypesNameTheFileAndKey() {
        HfConfig.OtherFields x = parse(PHI3).others();
        FormatException e = assertThrows(FormatException.class, () -> x.number("use_cache"));
        assertEquals("use_cache", e.field());
        assertEquals(FILE, e.file());
        assertThrows(FormatException.class, () -> x.integer("embd_pdrop"));
        assertThrows(FormatException.class, () -> x.numbers("embedding_multiplier"));
        assertThrows(FormatException.class, () -> x.string("sliding_window"));
        assertEquals("silu", parse(PHI3).hiddenAct().orElseThrow());
    }
}
