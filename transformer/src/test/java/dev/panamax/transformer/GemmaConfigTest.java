package dev.panamax.transformer;

import dev.panamax.transformer.family.Families;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.panamax.formats.FormatException;
import dev.panamax.formats.gguf.GgufArray;
import dev.panamax.formats.gguf.GgufFile;
import dev.panamax.formats.gguf.GgufWriter;
import dev.panamax.transformer.family.FamilyConfig;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.function.Consumer;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * How the Gemma families read their hyper-parameters where a file leaves them out: transformers'
 * config-class defaults for config.json (Gemma 3 4B's text_config lists only six fields),
 * llama.cpp's defaults and rules for GGUF.
 */
class GemmaConfigTest {
    @TempDir
    Path dir;

    private FamilyConfig hf(String json) throws Exception {
        Path file = dir.resolve("config.json");
        Files.writeString(file, json);
        return Families.read(file);
    }

    private FamilyConfig gguf(String arch, int layers, Consumer<GgufWriter> extra) throws Exception {
        GgufWriter w = new GgufWriter();
        w.putString("general.architecture", arch);
        w.putUInt32(arch + ".context_length", 8192);
        w.putUInt32(arch + ".embedding_length", 4608);
        w.putUInt32(arch + ".block_count", layers);
        w.putUInt32(arch + ".feed_forward_length", 36864);
        w.putUInt32(arch + ".attention.head_count", 32);
        w.putUInt32(arch + ".attention.head_count_kv", 16);
        w.putUInt32(arch + ".attention.key_length", 128);
        w.putUInt32(arch + ".attention.value_length", 128);
        w.putFloat32(arch + ".attention.layer_norm_rms_epsilon", 1e-6f);
        w.putUInt32(arch + ".vocab_size", 256000);
        extra.accept(w);
        Path file = dir.resolve(arch + layers + ".gguf");
        w.write(file);
        try (GgufFile g = GgufFile.open(file)) {
            return Families.read(g);
        }
    }

    @Test
    void gemma3ConditionalGenerationTextConfigGetsGemma3TextConfigDefaults() throws Exception {
        // google/gemma-3-4b-it's text_config, as published
        FamilyConfig f = hf("""
                {"architectures": ["Gemma3ForConditionalGeneration"], "model_type": "gemma3", "boi_token_index": 255999,
                 "text_config": {"hidden_size": 2560, "intermediate_size": 10240, "model_type": "gemma3_text",
                   "num_hidden_layers": 34, "rope_scaling": {"factor": 8.0, "rope_type": "linear"}, "sliding_window": 1024},
                 "vision_config": {"hidden_size": 1152, "model_type": "siglip_vision_model"}, "transformers_version": "4.50.0.dev0"}
                """);
        ModelConfig c = f.common();
        assertEquals("gemma3", f.familyName());
        assertEquals(List.of(2560, 10240, 34, 8, 4, 256, 262_208, 131_072),
                List.of(c.dim(), c.ffnDim(), c.layers(), c.heads(), c.kvHeads(), c.headDim(), c.vocabSize(), c.contextLength()));
        assertTrue(c.tiedEmbeddings());
        assertEquals(1e6, c.rope().theta());
        assertEquals(new RopeScaling.Linear(8), c.rope().scaling());
        assertTrue(f.features().contains("attention scale 0.0625 (1/sqrt(head dim))"), f.features().toString());
        assertTrue(f.features().contains("sliding window of 1024 positions on 29 of 34 layers [0, 1, 2, 3, 4, 6, ... (29)],"
                + " their RoPE theta 10000.0"), f.features().toString());
        assertFalse(f.features().toString().contains("soft-cap"), f.features().toString());
    }

    @Test
    void gemma2ConfigDefaultsAndAnExplicitNullSoftCap() throws Exception {
        FamilyConfig f = hf("""
                {"model_type": "gemma2", "hidden_size": 2304, "intermediate_size": 9216, "num_hidden_layers": 26,
                 "num_attention_heads": 8, "num_key_value_heads": 4, "vocab_size": 256000, "max_position_embeddings": 8192,
                 "final_logit_softcapping": null}
                """);
        List<String> features = f.features();
        assertEquals(256, f.common().headDim());
        assertTrue(f.common().tiedEmbeddings());
        assertTrue(features.contains("attention logit soft-cap 50.0"), features.toString());
        assertFalse(features.toString().contains("final logit soft-cap"), features.toString());
        assertTrue(features.contains("sliding window of 4096 positions on 13 of 26 layers [0, 2, 4, 6, 8, 10, ... (13)]"),
                features.toString());
    }

    @Test
    void gemma2GgufDefaultsAndLlamaCppsAttentionScaleFor27B() throws Exception {
        FamilyConfig small = gguf("gemma2", 42, w -> { });
        assertTrue(small.features().contains("attention scale 0.088388346 (1/sqrt(head dim))"), small.features().toString());
        assertTrue(small.features().contains("attention logit soft-cap 50.0"), small.features().toString());
        assertTrue(small.features().contains("final logit soft-cap 30.0"), small.features().toString());
        FamilyConfig large = gguf("gemma2", 46, w -> { }); // 4608 / 32 = 144 = Gemma 2 27B's query_pre_attn_scalar
        assertTrue(large.features().contains("attention scale 0.083333336"), large.features().toString());
    }

    @Test
    void gemma3GgufSlidesOnlyWithAWindowAndReadsAPatternOfFlags() throws Exception {
        FamilyConfig none = gguf("gemma3", 6, w -> { });
        assertFalse(none.features().toString().contains("sliding"), none.features().toString());
        FamilyConfig flags = gguf("gemma3", 3, w -> {
            w.putFloat32("gemma3.rope.freq_base", 1e6f);
            w.putUInt32("gemma3.attention.sliding_window", 512);
            w.putArray("gemma3.attention.sliding_window_pattern", GgufArray.ofBool(false, true, true));
        });
        assertTrue(flags.features().contains("sliding window of 512 positions on 2 of 3 layers [1, 2], their RoPE theta 10000.0"),
                flags.features().toString());
        FormatException wrong = assertThrows(FormatException.class, () -> gguf("gemma3", 4, w -> {
            w.putUInt32("gemma3.attention.sliding_window", 512);
            w.putArray("gemma3.attention.sliding_window_pattern", GgufArray.ofBool(false, true, true));
        }));
        assertTrue(wrong.getMessage().contains("sliding_window_pattern"), wrong.getMessage());
    }

    @Test
    void otherActivationsAndMalformedLayerTypesAreRefusedByName() throws Exception {
        String base = """
                {"model_type": "gemma3_text", "num_hidden_layers": 2, %s}
                """;
        UnsupportedModelException act = assertThrows(UnsupportedModelException.class,
                () -> hf(base.formatted("\"hidden_activation\": \"gelu\"")));
        assertTrue(act.getMessage().contains("hidden_activation 'gelu'"), act.getMessage());
        FormatException types = assertThrows(FormatException.class,
                () -> hf(base.formatted("\"layer_types\": [\"full_attention\"]")));
        assertTrue(types.getMessage().contains("layer_types"), types.getMessage());
        UnsupportedModelException kind = assertThrows(UnsupportedModelException.class,
                () -> hf(base.formatted("\"layer_types\": [\"full_attention\", \"chunked_attention\"]")));
        assertTrue(kind.getMessage().contains("chunked_attention"), kind.getMessage());
    }
}
