package dev.panamax.transformer.family;

import dev.panamax.formats.gguf.GgufFile;
import dev.panamax.formats.gguf.GgufMetadata;
import dev.panamax.formats.safetensors.HfConfig;
import dev.panamax.tensor.Rope;
import dev.panamax.transformer.GgufConfigReader;
import dev.panamax.transformer.HfConfigReader;
import dev.panamax.transformer.ModelConfig;
import dev.panamax.transformer.RopeConfig;
import dev.panamax.transformer.RopeScaling;
import dev.panamax.transformer.UnsupportedModelException;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;

/**
 * Gemma 3 (the text model): Gemma 2's block ({@link Gemma2.Config}) with per-head Q/K RMSNorm
 * ({@code (1 + w)}) before RoPE and no soft-caps; five of every six layers slide (window 512 for
 * 1B, 1024 for 4B and larger) and rotate with their own base ({@code rope_local_base_freq} = 10000,
 * unscaled), the others with {@code rope_theta} = 1e6 and, from 4B on, linear scaling by 8 (transformers 5's
 * config.json: {@code rope_parameters} {@code sliding_attention} / {@code full_attention}, each with its rope_theta).
 * Reference: transformers' {@code modeling_gemma3.py} ({@code Gemma3TextModel}), llama.cpp's
 * {@code src/models/gemma3.cpp}.
 *
 * <p>Hugging Face: {@code Gemma3ForCausalLM} (1B, {@code model_type} "gemma3_text") has plain names;
 * {@code Gemma3ForConditionalGeneration} ("gemma3", 4B and larger) nests the text model's fields in
 * {@code text_config}, listing only those that differ from Gemma3TextConfig's defaults (hence
 * {@link #hfDefaults()}), and its tensors under {@code language_model.} (the vision tower is not read).
 * GGUF: as Gemma 2, but llama.cpp reads neither an attention soft-cap nor a window pattern default
 * other than 6; without {@code gemma3.attention.sliding_window} no layer slides and all use the global RoPE;
 * the local base is {@code gemma3.rope.freq_base_swa} (absent in converted files: 10000).
 */
public final class Gemma3 extends DescribedFamily {
    static final String NAME = "gemma3";
    /** Where HfConfig keeps transformers 5's {@code rope_parameters.sliding_attention} fields. */
    private static final String SLIDING_ROPE = "rope_parameters.sliding_attention.";

    /** Gemma3TextConfig's defaults (google/gemma-3-4b's text_config relies on them for its head counts and vocabulary). */
    private static final Map<String, ?> HF_DEFAULTS = Map.ofEntries(Map.entry("vocab_size", 262_208L), Map.entry("hidden_size", 2304L),
            Map.entry("intermediate_size", 9216L), Map.entry("num_hidden_layers", 26L), Map.entry("num_attention_heads", 8L),
            Map.entry("num_key_value_heads", 4L), Map.entry("head_dim", 256L), Map.entry("max_position_embeddings", 131_072L),
            Map.entry("rms_norm_eps", 1e-6), Map.entry("tie_word_embeddings", true), Map.entry("rope_theta", 1_000_000.0),
            Map.entry("query_pre_attn_scalar", 256L), Map.entry("sliding_window", 4096L), Map.entry("rope_local_base_freq", 10_000.0),
            Map.entry("sliding_window_pattern", 6L));

    public Gemma3() {
        super(NAME, List.of("gemma3"), List.of("gemma3_text", "gemma3"), HF_DEFAULTS, readers(Gemma3::readGguf, Gemma3::readHf));
    }

    private static FamilyConfig readGguf(GgufFile file) {
        ModelConfig c = GgufConfigReader.common(file, Rope.Layout.NEOX);
        GgufMetadata md = file.metadata();
        String a = c.architecture();
        int window = md.contains(a + ".attention.sliding_window") ? md.getInt(a + ".attention.sliding_window") : 0;
        // llama.cpp: 1/sqrt(dim / heads) for the 62-layer 27B (its query_pre_attn_scalar, 168), else 1/sqrt(head_dim)
        float scale = (float) (1 / Math.sqrt(c.layers() == 62 ? (double) c.dim() / c.heads() : c.headDim()));
        RopeConfig local = new RopeConfig(c.rope().layout(), c.rope().dims(),
                md.findFloat(a + ".rope.freq_base_swa").map(Float::doubleValue).orElse(10_000.0), new RopeScaling.None());
        return new Gemma2.Config(NAME, c, scale, 0, md.findFloat(a + ".final_logit_softcapping").orElse(0f), window,
                GemmaParts.ggufSlidingLayers(file, c.layers(), window, 6), window > 0 ? local : c.rope(), true);
    }

    /**
     * The sliding layers' RoPE scaling: none, unless transformers 5's per-layer-type
     * {@code rope_parameters.sliding_attention} says otherwise.
     */
    private static RopeScaling localScaling(Path file, HfConfig.OtherFields fields) {
        String type = fields.string(SLIDING_ROPE + "rope_type").orElse("default");
        return switch (type) {
            case "default" -> new RopeScaling.None();
            case "linear" -> new RopeScaling.Linear(fields.number(SLIDING_ROPE + "factor").orElse(1));
            default -> throw new UnsupportedModelException(file + ": " + SLIDING_ROPE + "rope_type '" + type
                    + "' is not supported (supported: default, linear)");
        };
    }

    private static FamilyConfig readHf(Path file, HfConfig config) {
        HfConfig.OtherFields fields = config.others(); // with HF_DEFAULTS filled in
        GemmaParts.checkActivation(file, fields.string("hidden_activation"));
        ModelConfig c = HfConfigReader.common(file, config);
        int window = fields.integer("sliding_window").orElse(0);
        RopeConfig local = new RopeConfig(c.rope().layout(), c.rope().dims(), fields.number(SLIDING_ROPE + "rope_theta")
                .orElse(fields.number("rope_local_base_freq").orElseThrow()), localScaling(file, fields));
        return new Gemma2.Config(NAME, c, GemmaParts.hfAttentionScale(fields), (float) fields.number("attn_logit_softcapping").orElse(0),
                (float) fields.number("final_logit_softcapping").orElse(0), window,
                GemmaParts.hfSlidingLayers(fields, c.layers(), window, 6), local, true);
    }
}
