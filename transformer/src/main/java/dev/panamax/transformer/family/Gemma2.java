package dev.panamax.transformer.family;

import dev.panamax.formats.gguf.GgufFile;
import dev.panamax.formats.gguf.GgufMetadata;
import dev.panamax.formats.safetensors.HfConfig;
import dev.panamax.tensor.Rope;
import dev.panamax.transformer.GgufConfigReader;
import dev.panamax.transformer.HfConfigReader;
import dev.panamax.transformer.ModelConfig;
import dev.panamax.transformer.RopeConfig;
import dev.panamax.transformer.nn.Decoder;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

/**
 * Gemma 2: Gemma's parts ({@link GemmaParts}) in {@link SandwichNormBlock}s (a norm before and after
 * attention and the feed-forward); attention logits scaled by {@code query_pre_attn_scalar^-1/2} and
 * soft-capped ({@code 50 · tanh(s / 50)}), every other layer (0, 2, 4 ...) attending only to the last
 * {@code sliding_window} = 4096 positions, the logits soft-capped at 30. Reference: transformers'
 * {@code modeling_gemma2.py}, llama.cpp's {@code src/models/gemma2.cpp}.
 *
 * <p>GGUF vs Hugging Face: GGUF has no query_pre_attn_scalar; llama.cpp scales by
 * {@code 1/sqrt(head_dim)}, except for the 46-layer 27B model, by {@code 1/sqrt(dim / heads)} (its
 * query_pre_attn_scalar, 144), and so does this family. {@code gemma2.attention.sliding_window},
 * {@code gemma2.attn_logit_softcapping}, {@code gemma2.final_logit_softcapping} are the config's
 * fields (with the same defaults); {@code gemma2.attention.sliding_window_pattern} (a period or one
 * flag per layer) may say which layers slide.
 */
public final class Gemma2 extends DescribedFamily {
    static final String NAME = "gemma2";
    /** Gemma2Config's defaults where they differ from HfConfig's, and those of its own fields. */
    private static final Map<String, ?> HF_DEFAULTS = Map.of("tie_word_embeddings", true, "head_dim", 256L, "query_pre_attn_scalar", 256L,
            "sliding_window", 4096L, "attn_logit_softcapping", 50.0, "final_logit_softcapping", 30.0);

    public Gemma2() {
        super(NAME, List.of("gemma2"), List.of("gemma2"), HF_DEFAULTS, readers(Gemma2::readGguf, Gemma2::readHf));
    }

    private static FamilyConfig readGguf(GgufFile file) {
        ModelConfig c = GgufConfigReader.common(file, Rope.Layout.NEOX);
        GgufMetadata md = file.metadata();
        String a = c.architecture();
        int window = md.contains(a + ".attention.sliding_window") ? md.getInt(a + ".attention.sliding_window") : 4096;
        float scale = (float) (1 / Math.sqrt(c.layers() == 46 ? (double) c.dim() / c.heads() : c.headDim()));
        // llama.cpp: the sliding layers' RoPE base may differ (rope.freq_base_swa), their scaling is the global one
        RopeConfig local = new RopeConfig(c.rope().layout(), c.rope().dims(),
                md.findFloat(a + ".rope.freq_base_swa").map(Float::doubleValue).orElse(c.rope().theta()), c.rope().scaling());
        return new Config(NAME, c, scale, softCap(md, a + ".attn_logit_softcapping", 50), softCap(md, a + ".final_logit_softcapping", 30),
                window, GemmaParts.ggufSlidingLayers(file, c.layers(), window, 2), local, false);
    }

    private static float softCap(GgufMetadata md, String key, float fallback) {
        return md.findFloat(key).orElse(fallback);
    }

    private static FamilyConfig readHf(Path file, HfConfig config) {
        HfConfig.OtherFields fields = config.others(); // with HF_DEFAULTS filled in
        GemmaParts.checkActivation(file, fields.string("hidden_activation"));
        ModelConfig c = HfConfigReader.common(file, config);
        int window = fields.integer("sliding_window").orElse(0);
        // Gemma2Config.layer_types: "sliding_attention" if (i + 1) % 2 else "full_attention"
        return new Config(NAME, c, GemmaParts.hfAttentionScale(fields), (float) fields.number("attn_logit_softcapping").orElse(0),
                (float) fields.number("final_logit_softcapping").orElse(0), window,
                GemmaParts.hfSlidingLayers(fields, c.layers(), window, 2), c.rope(), false);
    }

    /**
     * Gemma 2 or 3 (whose reading is {@link Gemma3}'s).
     *
     * @param familyName       "gemma2" or "gemma3"
     * @param attentionScale   the factor of every attention logit
     * @param attentionSoftCap 0, or the cap of the attention logits
     * @param finalSoftCap     0, or the cap of the output logits
     * @param window           positions a sliding layer sees (0: none slides)
     * @param sliding          which layers slide
     * @param localRope        the sliding layers' RoPE ({@code common().rope()} is the others')
     * @param qkNorm           Gemma 3's per-head Q/K RMSNorm
     */
    record Config(String familyName, ModelConfig common, float attentionScale, float attentionSoftCap, float finalSoftCap,
                  int window, List<Boolean> sliding, RopeConfig localRope, boolean qkNorm) implements FamilyConfig {
        Config {
            sliding = List.copyOf(sliding);
        }

        @Override
        public List<String> features() {
            List<String> f = new ArrayList<>(GemmaParts.features(common));
            f.add("norms before and after attention and feed-forward");
            if (qkNorm) {
                f.add("per-head Q/K RMSNorm before RoPE");
            }
            f.add("attention scale " + attentionScale + (attentionScale == common.attentionScale() ? " (1/sqrt(head dim))" : ""));
            List<Integer> slidingLayers = new ArrayList<>();
            for (int l = 0; l < sliding.size(); l++) {
                if (sliding.get(l)) {
                    slidingLayers.add(l);
                }
            }
            if (!slidingLayers.isEmpty()) {
                f.add("sliding window of " + window + " positions on " + slidingLayers.size() + " of " + sliding.size()
                        + " layers " + GemmaParts.shortList(slidingLayers)
                        + (localRope.equals(common.rope()) ? "" : ", their RoPE theta " + localRope.theta() + (localRope.scaling()
                        instanceof dev.panamax.transformer.RopeScaling.None ? "" : ", " + localRope.scaling())));
            }
            if (attentionSoftCap != 0) {
                f.add("attention logit soft-cap " + attentionSoftCap);
            }
            if (finalSoftCap != 0) {
                f.add("final logit soft-cap " + finalSoftCap);
            }
            return f;
        }

        @Override
        public int slidingWindow(int layer) {
            return sliding.get(layer) ? window : 0;
        }

        @Override
        public Decoder build(ModelConfig c, BuildContext b) {
            Rope global = c.rope().toRope(), local = localRope.toRope();
            return GemmaParts.decoder(b, c, finalSoftCap, layer -> {
                boolean slides = sliding.get(layer);
                return new SandwichNormBlock(b.ops(), b.scratch(), c.dim(),
                        GemmaParts.norm(b, StandardParts.ATTN_NORM, layer, c.dim(), c.rmsEps()),
                        GemmaParts.attention(b, c, layer, slides ? local : global, attentionScale, qkNorm,
                                slidingWindow(layer), attentionSoftCap),
                        GemmaParts.norm(b, GemmaParts.POST_ATTENTION_NORM, layer, c.dim(), c.rmsEps()),
                        GemmaParts.norm(b, GemmaParts.PRE_FFN_NORM, layer, c.dim(), c.rmsEps()),
                        GemmaParts.geglu(b, c, layer),
                        GemmaParts.norm(b, GemmaParts.POST_FFN_NORM, layer, c.dim(), c.rmsEps()));
            });
        }
    }
}
