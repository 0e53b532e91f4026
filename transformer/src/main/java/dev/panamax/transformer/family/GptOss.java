package dev.panamax.transformer.family;

import dev.panamax.formats.FormatException;
import dev.panamax.formats.gguf.GgufFile;
import dev.panamax.formats.safetensors.HfConfig;
import dev.panamax.tensor.Rope;
import dev.panamax.tensor.Tensor;
import dev.panamax.transformer.GgufConfigReader;
import dev.panamax.transformer.HfConfigReader;
import dev.panamax.transformer.ModelConfig;
import dev.panamax.transformer.RopeScaling;
import dev.panamax.transformer.nn.TransformerBlock;
import dev.panamax.transformer.nn.Attention;
import dev.panamax.transformer.nn.Decoder;
import dev.panamax.transformer.nn.MixtureOfExperts;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

/**
 * OpenAI gpt-oss (20b, 120b): Llama's pre-norm block with biases on Q, K, V and O, a learned sink
 * logit per head in every softmax, a sliding window on alternate layers (even layers: the window,
 * odd layers: full), YaRN RoPE (NEOX halves), and a mixture of experts whose router has a bias,
 * whose top-k logits are softmaxed (equal to softmax over all, top-k, renormalized), and whose
 * experts have biases and the clamped SwiGLU ({@link dev.panamax.transformer.nn.GateActivation#clampedSwiGlu}).
 * Reference: transformers' {@code modeling_gpt_oss.py} ({@code GptOssAttention},
 * {@code eager_attention_forward}, {@code GptOssTopKRouter}, {@code GptOssExperts}), llama.cpp's
 * {@code src/models/openai-moe.cpp}.
 *
 * <p>GGUF vs Hugging Face: the FFN norm is {@code post_attention_norm} (not {@code ffn_norm});
 * sinks are {@code attn_sinks.weight} / {@code self_attn.sinks}; the router {@code ffn_gate_inp} /
 * {@code mlp.router}; the experts are described in {@link GptOssExperts}. Which layers slide:
 * GGUF {@code attention.sliding_window_pattern} (llama.cpp's default 2: layer {@code l} slides
 * when {@code l % 2 == 0}), config.json {@code layer_types}. YaRN: llama.cpp always truncates the
 * correction range; gpt-oss's config.json says {@code "truncate": false}, so the two formats of
 * the same model differ slightly in the frequencies of a few pairs, as their references do.
 */
public final class GptOss extends DescribedFamily {
    static final TensorName POST_ATTENTION_NORM = TensorName.layer("post_attention_norm", "post_attention_layernorm");
    static final TensorName SINKS = TensorName.layer("attn_sinks", "self_attn.sinks");
    static final TensorName ROUTER = TensorName.layer("ffn_gate_inp", "mlp.router");
    /** The clamped SwiGLU's alpha: a constant in transformers and llama.cpp. */
    static final float ALPHA = 1.702f;
    /** transformers' default {@code swiglu_limit} and llama.cpp's constant. */
    static final float DEFAULT_LIMIT = 7f;
    /** transformers' GptOssConfig defaults. */
    static final int DEFAULT_WINDOW = 128, DEFAULT_EXPERTS_USED = 4;

    public GptOss() {
        super("gpt-oss", List.of("gpt-oss"), List.of("gpt_oss"), readers(GptOss::readGguf, GptOss::readHf));
    }

    private static FamilyConfig readGguf(GgufFile file) {
        ModelConfig c = GgufConfigReader.common(file, Rope.Layout.NEOX);
        var md = file.metadata();
        String arch = c.architecture();
        String expertLength = arch + ".expert_feed_forward_length";
        if (md.contains(expertLength)) {
            c = withFfnDim(c, md.getInt(expertLength));
        }
        String windowKey = arch + ".attention.sliding_window";
        if (!md.contains(windowKey)) {
            throw new FormatException(file.path(), windowKey, "(absent)", "gpt-oss needs its sliding window");
        }
        int window = md.getInt(windowKey);
        boolean[] sliding = new boolean[c.layers()];
        String patternKey = arch + ".attention.sliding_window_pattern";
        if (md.contains(patternKey) && md.get(patternKey) instanceof List<?> list) {
            if (list.size() != c.layers()) {
                throw new FormatException(file.path(), patternKey, list.size() + " entries", "needs one per layer (" + c.layers() + ")");
            }
            for (int l = 0; l < sliding.length; l++) {
                sliding[l] = Boolean.TRUE.equals(list.get(l));
            }
        } else {
            int n = md.contains(patternKey) ? md.getInt(patternKey) : 2;
            for (int l = 0; l < sliding.length; l++) {
                sliding[l] = n == 0 || l % n < n - 1; // llama.cpp's set_swa_pattern
            }
        }
        return config(file.path(), c, window, sliding, DEFAULT_LIMIT);
    }

    private static FamilyConfig readHf(Path file, HfConfig config) {
        ModelConfig c = HfConfigReader.common(file, config);
        if (config.numExpertsPerTok() == 0 && c.isMoe()) {
            c = c.withExperts(c.expertCount(), Math.min(DEFAULT_EXPERTS_USED, c.expertCount()));
        }
        HfConfig.OtherFields f = config.others();
        boolean[] sliding = new boolean[c.layers()];
        Object types = f.values().get("layer_types");
        if (types == null) {
            for (int l = 0; l < sliding.length; l++) {
                sliding[l] = l % 2 == 0; // GptOssConfig's default
            }
        } else {
            if (!(types instanceof List<?> list) || list.size() != c.layers()) {
                throw new FormatException(file, "layer_types", types, "needs one entry per layer (" + c.layers() + ")");
            }
            for (int l = 0; l < sliding.length; l++) {
                Object t = list.get(l);
                if (!"sliding_attention".equals(t) && !"full_attention".equals(t)) {
                    throw new FormatException(file, "layer_types[" + l + "]", t, "must be sliding_attention or full_attention");
                }
                sliding[l] = t.equals("sliding_attention");
            }
        }
        return config(file, c, f.integer("sliding_window").orElse(DEFAULT_WINDOW), sliding,
                (float) f.number("swiglu_limit").orElse(DEFAULT_LIMIT));
    }

    private static Config config(Path file, ModelConfig c, int window, boolean[] sliding, float limit) {
        if (!c.isMoe()) {
            throw new FormatException(file, "expert_count", 0, "gpt-oss is a mixture of experts");
        }
        if (window <= 0) {
            throw new FormatException(file, "sliding_window", window, "must be positive");
        }
        if (!(limit > 0) || Float.isInfinite(limit)) {
            throw new FormatException(file, "swiglu_limit", limit, "must be positive and finite");
        }
        return new Config(c, window, List.copyOf(toList(sliding)), limit);
    }

    private static List<Boolean> toList(boolean[] b) {
        List<Boolean> out = new ArrayList<>(b.length);
        for (boolean x : b) {
            out.add(x);
        }
        return out;
    }

    private static ModelConfig withFfnDim(ModelConfig c, int ffnDim) {
        return new ModelConfig(c.architecture(), c.dim(), ffnDim, c.layers(), c.heads(), c.kvHeads(), c.headDim(), c.vocabSize(),
                c.contextLength(), c.rmsEps(), c.rope(), c.qkvBias(), c.tiedEmbeddings(), c.expertCount(), c.expertsUsed());
    }

    /**
     * @param slidingWindow positions a windowed layer sees, itself included
     * @param slidingLayers per layer: whether it is windowed
     * @param swigluLimit   the experts' clamp
     */
    record Config(ModelConfig common, int slidingWindow, List<Boolean> slidingLayers, float swigluLimit) implements FamilyConfig {
        @Override
        public List<String> features() {
            List<String> f = new ArrayList<>(StandardParts.features(common));
            f.add("Q/K/V/O biases");
            f.add("attention sinks (one learned logit per head)");
            long windowed = slidingLayers.stream().filter(b -> b).count();
            f.add("sliding window of " + slidingWindow + " on " + windowed + " of " + slidingLayers.size() + " layers");
            if (common.rope().scaling() instanceof RopeScaling.Yarn y) {
                f.add("YaRN attention factor " + (float) y.attentionFactor());
            }
            f.add("router with bias, softmax over the top-" + common.expertsUsed() + " logits");
            f.add("experts with biases, clamped SwiGLU (alpha " + ALPHA + ", limit " + swigluLimit + ")");
            return f;
        }

        @Override
        public int slidingWindow(int layer) {
            return slidingLayers.get(layer) ? slidingWindow : 0;
        }

        @Override
        public Decoder build(ModelConfig c, BuildContext b) {
            Rope rope = c.rope().toRope();
            WeightLoader w = b.weights();
            return StandardParts.decoder(b, c, 1, 1, layer -> new TransformerBlock(b.ops(), b.scratch(), c.dim(),
                    w.rmsNorm(StandardParts.ATTN_NORM, layer, c.dim(), c.rmsEps()), attention(b, c, layer, rope),
                    w.rmsNorm(POST_ATTENTION_NORM, layer, c.dim(), c.rmsEps()),
                    new MixtureOfExperts(b.ops(), b.scratch(), c.dim(), w.linear(ROUTER, layer, c.expertCount(), c.dim(), true),
                            GptOssExperts.load(b, c, layer, ALPHA, swigluLimit),
                            new MixtureOfExperts.Routing(c.expertsUsed(), true), null)));
        }

        private Attention attention(BuildContext b, ModelConfig c, int layer, Rope rope) {
            WeightLoader w = b.weights();
            String sinkName = SINKS.in(w.format(), layer, w.format() == TensorFormat.GGUF ? ".weight" : "");
            Tensor sinks = w.floats(sinkName, c.heads());
            dev.panamax.tensor.Attention variant = dev.panamax.tensor.Attention.CAUSAL.withSinks(sinks)
                    .withWindow(slidingWindow(layer));
            return new Attention(b.ops(), b.scratch(), StandardParts.attentionOptions(c, rope),
                    w.linear(StandardParts.ATTN_Q, layer, c.qDim(), c.dim(), true),
                    w.linear(StandardParts.ATTN_K, layer, c.kvDim(), c.dim(), true),
                    w.linear(StandardParts.ATTN_V, layer, c.kvDim(), c.dim(), true),
                    w.linear(StandardParts.ATTN_OUTPUT, layer, c.dim(), c.qDim(), true),
                    null, null, b.cache().keys(layer), b.cache().values(layer), variant);
        }
    }
}
