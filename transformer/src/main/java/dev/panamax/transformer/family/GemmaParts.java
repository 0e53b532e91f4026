package dev.panamax.transformer.family;

import dev.panamax.formats.FormatException;
import dev.panamax.formats.gguf.GgufArray;
import dev.panamax.formats.gguf.GgufFile;
import dev.panamax.formats.safetensors.HfConfig;
import dev.panamax.formats.gguf.GgufMetadata;
import dev.panamax.formats.gguf.GgufValueType;
import dev.panamax.tensor.Rope;
import dev.panamax.transformer.ModelConfig;
import dev.panamax.transformer.UnsupportedModelException;
import dev.panamax.transformer.nn.Attention;
import dev.panamax.transformer.nn.Block;
import dev.panamax.transformer.nn.Decoder;
import dev.panamax.transformer.nn.Embedding;
import dev.panamax.transformer.nn.GateActivation;
import dev.panamax.transformer.nn.GatedFeedForward;
import dev.panamax.transformer.nn.Linear;
import dev.panamax.transformer.nn.OutputHead;
import dev.panamax.transformer.nn.RmsNorm;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.function.IntFunction;

/**
 * What Gemma 1, 2 and 3 share: the embedding scaled by {@code sqrt(dim)}, RMSNorms that multiply by
 * {@code 1 + w} (Hugging Face stores {@code w}; llama.cpp's converter adds the 1, so GGUF stores
 * {@code w + 1} and the plain RMSNorm applies), GeGLU with the tanh GELU ({@code gelu_pytorch_tanh}),
 * the output tied to the embedding, RoPE in halves ({@link Rope.Layout#NEOX}) in both formats.
 */
final class GemmaParts {
    /** Gemma 2/3's norm after attention: HF's {@code post_attention_layernorm} is not Llama's pre-FFN norm here. */
    static final TensorName POST_ATTENTION_NORM = TensorName.layer("post_attention_norm", "post_attention_layernorm");
    static final TensorName PRE_FFN_NORM = TensorName.layer("ffn_norm", "pre_feedforward_layernorm");
    static final TensorName POST_FFN_NORM = TensorName.layer("post_ffw_norm", "post_feedforward_layernorm");

    private GemmaParts() {
    }

    /** What to add to a stored norm gain: 1 for Hugging Face's {@code w} of {@code (1 + w)}, 0 for GGUF's {@code w + 1}. */
    static float normOffset(BuildContext b) {
        return b.weights().format() == TensorFormat.HUGGING_FACE ? 1 : 0;
    }

    /** Gemma's RMSNorm of the gain {@code name [length]}: {@code x / rms(x) · (1 + w)}. */
    static RmsNorm norm(BuildContext b, TensorName name, int layer, int length, float eps) {
        return new RmsNorm(b.ops(), b.weights().vector(name, layer, length, normOffset(b)), eps);
    }

    /**
     * {@code sqrt(dim)} rounded to float: HF multiplies the embedding rows by
     * {@code torch.tensor(hidden_size ** 0.5, dtype=hidden_states.dtype)}, float32 for a float32 run (a
     * bfloat16 run rounds it further, 45.25 for dim 2048), llama.cpp by {@code sqrtf(n_embd)}.
     */
    static float embeddingScale(ModelConfig c) {
        return (float) Math.sqrt(c.dim());
    }

    /**
     * Embedding (scaled), blocks, final norm, output (the embedding unless the file has its own), and
     * the final-logit soft-cap ({@code cap · tanh(logits / cap)}; 0 for none).
     */
    static Decoder decoder(BuildContext b, ModelConfig c, float finalSoftCap, IntFunction<Block> block) {
        WeightLoader w = b.weights();
        Embedding embedding = w.embedding(StandardParts.TOKEN_EMBEDDING, c.vocabSize(), c.dim(), embeddingScale(c), c.tiedEmbeddings());
        List<Block> blocks = new ArrayList<>(c.layers());
        for (int l = 0; l < c.layers(); l++) {
            blocks.add(block.apply(l));
        }
        Linear output = c.tiedEmbeddings() ? w.tiedOutput(embedding)
                : w.linear(StandardParts.OUTPUT, -1, c.vocabSize(), c.dim(), false);
        RmsNorm norm = norm(b, StandardParts.OUTPUT_NORM, -1, c.dim(), c.rmsEps());
        return new Decoder(embedding, blocks, new OutputHead(b.ops(), norm, output, 1, finalSoftCap));
    }

    /**
     * Grouped-query attention without biases, logits scaled by {@code scale}, with Gemma 3's per-head
     * Q/K RMSNorm ({@code (1 + w)}, gains {@code [headDim]}) before RoPE if {@code qkNorm}, over the
     * last {@code window} positions (0: all) and soft-capped at {@code softCap} (0: not).
     */
    static Attention attention(BuildContext b, ModelConfig c, int layer, Rope rope, float scale, boolean qkNorm, int window,
                               float softCap) {
        WeightLoader w = b.weights();
        return new Attention(b.ops(), b.scratch(),
                new Attention.Options(c.heads(), c.kvHeads(), c.headDim(), rope, scale, Attention.QkNormScope.PER_HEAD,
                        dev.panamax.tensor.Attention.CAUSAL.withWindow(window).withSoftCap(softCap)),
                w.linear(StandardParts.ATTN_Q, layer, c.qDim(), c.dim(), false),
                w.linear(StandardParts.ATTN_K, layer, c.kvDim(), c.dim(), false),
                w.linear(StandardParts.ATTN_V, layer, c.kvDim(), c.dim(), false),
                w.linear(StandardParts.ATTN_OUTPUT, layer, c.dim(), c.qDim(), false),
                qkNorm ? norm(b, StandardParts.ATTN_Q_NORM, layer, c.headDim(), c.rmsEps()) : null,
                qkNorm ? norm(b, StandardParts.ATTN_K_NORM, layer, c.headDim(), c.rmsEps()) : null,
                b.cache().keys(layer), b.cache().values(layer));
    }

    /** GeGLU: {@code down(gelu_tanh(gate(x)) ⊙ up(x))}. */
    static GatedFeedForward geglu(BuildContext b, ModelConfig c, int layer) {
        return StandardParts.gated(b, c.dim(), c.ffnDim(), layer, StandardParts.FFN_GATE, StandardParts.FFN_UP,
                StandardParts.FFN_DOWN, GateActivation.GELU_TANH);
    }

    /**
     * Refuses a {@code hidden_activation} other than the tanh GELU (Gemma's configs say
     * {@code gelu_pytorch_tanh}, or nothing, and transformers then uses it).
     */
    static void checkActivation(Path file, Optional<String> hiddenActivation) {
        if (hiddenActivation.isPresent() && !hiddenActivation.get().equals("gelu_pytorch_tanh")) {
            throw new UnsupportedModelException(file + ": hidden_activation '" + hiddenActivation.get()
                    + "' is not supported (supported: gelu_pytorch_tanh)");
        }
    }

    /**
     * Which layers of a GGUF file slide, as llama.cpp decides: none without a window;
     * {@code <arch>.attention.sliding_window_pattern} as one flag per layer, or as a period {@code n}
     * (layer l slides iff {@code l % n < n - 1}; 0: all), {@code defaultPeriod} if absent.
     */
    static List<Boolean> ggufSlidingLayers(GgufFile file, int layers, int window, int defaultPeriod) {
        List<Boolean> sliding = new ArrayList<>(layers);
        String key = file.model().architecture() + ".attention.sliding_window_pattern";
        GgufMetadata md = file.metadata();
        if (window > 0 && md.contains(key) && md.get(key) instanceof GgufArray flags) {
            if (flags.elementType() != GgufValueType.BOOL || flags.size() != layers) {
                throw new FormatException(file.path(), key, "array of " + flags.size() + " " + flags.elementType(),
                        "must hold one bool per layer (" + layers + ")");
            }
            for (Object flag : flags) {
                sliding.add((Boolean) flag);
            }
            return sliding;
        }
        int period = md.contains(key) ? md.getInt(key) : defaultPeriod;
        if (period < 0) {
            throw new FormatException(file.path(), key, period, "must be a period >= 0 or one bool per layer");
        }
        for (int l = 0; l < layers; l++) {
            sliding.add(window > 0 && (period == 0 || l % period < period - 1));
        }
        return sliding;
    }

    /**
     * Which layers of a Hugging Face model slide: none without a window; as {@code layer_types} says
     * ("sliding_attention" / "full_attention"), or else every layer but each {@code sliding_window_pattern}-th
     * ({@code defaultPeriod} if absent), as transformers' configs derive their {@code layer_types}.
     */
    static List<Boolean> hfSlidingLayers(HfConfig.OtherFields fields, int layers, int window, int defaultPeriod) {
        List<Boolean> sliding = new ArrayList<>(layers);
        var types = fields.strings("layer_types");
        if (types.isPresent()) {
            if (types.get().size() != layers) {
                throw new FormatException(fields.file(), "layer_types", types.get().size() + " entries",
                        "must have one per layer (num_hidden_layers = " + layers + ")");
            }
            for (String t : types.get()) {
                if (!t.equals("sliding_attention") && !t.equals("full_attention")) {
                    throw new UnsupportedModelException(fields.file() + ": layer_types entry '" + t
                            + "' is not supported (supported: sliding_attention, full_attention)");
                }
                sliding.add(window > 0 && t.equals("sliding_attention"));
            }
            return sliding;
        }
        int period = fields.integer("sliding_window_pattern").orElse(defaultPeriod);
        if (period == 0) {
            throw new FormatException(fields.file(), "sliding_window_pattern", 0, "must be positive");
        }
        for (int l = 0; l < layers; l++) {
            sliding.add(window > 0 && (l + 1) % period != 0);
        }
        return sliding;
    }

    /** {@code query_pre_attn_scalar^-1/2}, the attention scale of Gemma 2 and 3. */
    static float hfAttentionScale(HfConfig.OtherFields fields) {
        double q = fields.number("query_pre_attn_scalar").orElseThrow();
        if (!(q > 0)) {
            throw new FormatException(fields.file(), "query_pre_attn_scalar", q, "must be positive");
        }
        return (float) Math.pow(q, -0.5);
    }

    /** {@code [0, 2, 4]}, or its first few and a count when long. */
    static String shortList(List<Integer> values) {
        return values.size() <= 8 ? values.toString()
                : values.subList(0, 6).toString().replace("]", ", ... (" + values.size() + ")]");
    }

    /** What every Gemma shows in {@code inspect} besides the common features. */
    static List<String> features(ModelConfig c) {
        List<String> f = new ArrayList<>(StandardParts.features(c));
        f.add("embedding scaled by sqrt(dim) = " + embeddingScale(c));
        f.add("RMSNorm gains 1 + w (GGUF stores w + 1)");
        f.add("GeGLU feed-forward (tanh GELU)");
        return f;
    }
}
