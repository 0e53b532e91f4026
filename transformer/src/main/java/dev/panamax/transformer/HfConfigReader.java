package dev.panamax.transformer;

import dev.panamax.formats.FormatException;
import dev.panamax.formats.safetensors.HfConfig;
import dev.panamax.tensor.Rope;
import dev.panamax.transformer.family.Families;
import dev.panamax.transformer.family.ModelFamily;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;

/**
 * Maps a Hugging Face {@code config.json}, as read by {@link HfConfig}, to a {@link ModelConfig}:
 * the family named by {@code model_type} reads it ({@link ModelFamily#fromHf}), using
 * {@link #common} for the fields every family shares. Hugging Face checkpoints keep Q and K in
 * their natural layout, so RoPE is always {@link Rope.Layout#NEOX} (halves rotated together).
 */
public final class HfConfigReader {
    /** transformers' MixtralConfig default for {@code num_experts_per_tok}. */
    private static final int DEFAULT_EXPERTS_USED = 2;

    private HfConfigReader() {}

    /**
     * Reads {@code config.json} (or the {@code config.json} inside a directory).
     *
     * @param path a {@code config.json}, or the checkpoint directory holding it
     * @return the model's configuration
     */
    public static ModelConfig read(Path path) {
        return Families.read(path).common();
    }

    /**
     * Parses the text of a {@code config.json}; {@code file} only names it in errors (so families that
     * read fields of their own from the file, such as Gemma 2 and 3, need {@link Families#read(Path)}).
     *
     * @param file the file the text came from, for messages
     * @param text the JSON text
     * @return the model's configuration
     */
    public static ModelConfig parse(Path file, String text) {
        return Families.read(file, HfConfigJson.parse(file, text.getBytes(StandardCharsets.UTF_8))).common();
    }

    /**
     * {@code config.json} (or the one inside a directory) as its family's reader sees it: its language model's object, with the family's defaults.
     *
     * @param path a {@code config.json}, or the checkpoint directory holding it
     * @return the typed fields
     */
    public static HfConfig config(Path path) {
        Path file = Files.isDirectory(path) ? path.resolve("config.json") : path;
        HfConfigJson json = HfConfigJson.read(file);
        String type = json.modelType().orElseThrow(() -> new FormatException(file, "model_type", "missing", "is required"));
        return HfConfig.parse(file, json.withDefaults(Families.forHf(file, type).hfDefaults()).toJson(), t -> Families.forHf(file, t));
    }

    /**
     * Reads the fields every family shares ({@code hidden_size}, {@code num_hidden_layers},
     * {@code head_dim}, {@code rope_theta}, {@code rope_scaling}, {@code tie_word_embeddings}, Mixtral's
     * {@code num_local_experts} ...), with RoPE in Hugging Face's {@link Rope.Layout#NEOX} layout.
     *
     * @param file the config's file, for messages
     * @param c    the typed fields
     * @return the configuration of the shared fields, which a family then refines
     */
    public static ModelConfig common(Path file, HfConfig c) {
        int headDim = c.headDimension();
        int experts = c.numLocalExperts();
        int used = experts == 0 ? 0 : c.numExpertsPerTok() > 0 ? c.numExpertsPerTok() : DEFAULT_EXPERTS_USED;
        try {
            return new ModelConfig(c.modelType(), c.hiddenSize(), c.intermediateSize(), c.numHiddenLayers(),
                    c.numAttentionHeads(), c.numKeyValueHeads(), headDim, c.vocabSize(), c.maxPositionEmbeddings(),
                    (float) c.rmsNormEps(), rope(file, c, headDim), c.hasQkvBias(), c.tieWordEmbeddings(), experts, used);
        } catch (IllegalArgumentException e) {
            throw new FormatException(file, "config", c.modelType(), e.getMessage(), e);
        }
    }

    /**
     * LongRoPE: {@code rope_scaling.short_factor} / {@code long_factor}, the original context from
     * {@code rope_scaling.original_max_position_embeddings} or the top-level field of that name (Phi-3),
     * the attention factor from {@code rope_scaling.attention_factor} or transformers' default.
     */
    private static RopeScaling longRope(Path file, HfConfig c, HfConfig.RopeScaling s) {
        var x = c.others();
        int original = s.originalMaxPositionEmbeddings().isPresent() ? s.originalMaxPositionEmbeddings().getAsInt()
                : x.integer("original_max_position_embeddings").orElseThrow(() -> new FormatException(file,
                        "original_max_position_embeddings", "missing", "longrope RoPE scaling needs the original context"));
        float[] shortFactors = floats(file, x.numbers("rope_scaling.short_factor"), "rope_scaling.short_factor");
        float[] longFactors = floats(file, x.numbers("rope_scaling.long_factor"), "rope_scaling.long_factor");
        double attention = x.number("rope_scaling.attention_factor")
                .orElse(RopeScaling.LongRope.defaultAttentionFactor(c.maxPositionEmbeddings(), original));
        try {
            return new RopeScaling.LongRope(shortFactors, longFactors, original, attention);
        } catch (IllegalArgumentException e) {
            throw new FormatException(file, "rope_scaling", s.type(), e.getMessage(), e);
        }
    }

    private static float[] floats(Path file, java.util.Optional<double[]> values, String key) {
        double[] d = values.orElseThrow(() -> new FormatException(file, key, "missing", "longrope RoPE scaling needs it"));
        float[] f = new float[d.length];
        for (int i = 0; i < d.length; i++) {
            f[i] = (float) d[i];
        }
        return f;
    }

    private static RopeConfig rope(Path file, HfConfig c, int headDim) {
        RopeScaling scaling = ropeScaling(file, c);
        int dims = (int) Math.round(headDim * c.partialRotaryFactor());
        try {
            return new RopeConfig(Rope.Layout.NEOX, dims, c.ropeTheta(), scaling);
        } catch (IllegalArgumentException e) {
            throw new FormatException(file, "rope_scaling", scaling, e.getMessage(), e);
        }
    }

    /**
     * {@code rope_scaling} (or transformers 5's {@code rope_parameters}) as a {@link RopeScaling}:
     * none, linear, llama3, yarn or longrope.
     *
     * @param file the config's file, for messages
     * @param c    the typed fields
     * @return the scaling, or null without one
     * @throws UnsupportedModelException for other types
     * @throws FormatException for invalid parameters
     */
    public static RopeScaling ropeScaling(Path file, HfConfig c) {
        try {
            return scaling(file, c);
        } catch (IllegalArgumentException e) {
            throw new FormatException(file, "rope_scaling", c.ropeScaling().map(HfConfig.RopeScaling::type).orElse("none"), e.getMessage(), e);
        }
    }

    private static RopeScaling scaling(Path file, HfConfig c) {
        return c.ropeScaling().<RopeScaling>map(s -> switch (s.type()) {
            case "default" -> new RopeScaling.None();
            case "linear" -> new RopeScaling.Linear(s.factor());
            // llama3's defaults are those of Llama 3.1's config
            case "llama3" -> new RopeScaling.Llama3(s.factor(), s.lowFreqFactor().orElse(1.0), s.highFreqFactor().orElse(4.0),
                    s.originalMaxPositionEmbeddings().orElse(8192));
            case "yarn" -> yarn(c, s);
            case "longrope", "su" -> longRope(file, c, s);
            default -> throw new UnsupportedModelException(file + ": rope_scaling type '" + s.type() + "' is not supported"
                    + " (supported: default, linear, llama3, yarn, longrope)");
        }).orElseGet(RopeScaling.None::new);
    }

    /**
     * transformers' {@code _compute_yarn_parameters}: with {@code original_max_position_embeddings}
     * given, the factor is {@code max_position_embeddings / original_max_position_embeddings};
     * beta_fast 32, beta_slow 1, truncate true; {@code mscale} / {@code mscale_all_dim} (DeepSeek's) 0
     * when absent; the attention factor as given, else {@link RopeScaling.Yarn#of}'s.
     */
    private static RopeScaling yarn(HfConfig c, HfConfig.RopeScaling s) {
        int original = s.originalMaxPositionEmbeddings().orElse(c.maxPositionEmbeddings());
        double factor = s.originalMaxPositionEmbeddings().isPresent() ? (double) c.maxPositionEmbeddings() / original : s.factor();
        HfConfig.Yarn y = s.yarn();
        HfConfig.OtherFields x = c.others();
        return RopeScaling.Yarn.of(factor, original, y.betaFast().orElse(32), y.betaSlow().orElse(1), y.truncate().orElse(true),
                x.number("rope_scaling.mscale").orElse(0), x.number("rope_scaling.mscale_all_dim").orElse(0), y.attentionFactor());
    }

}
