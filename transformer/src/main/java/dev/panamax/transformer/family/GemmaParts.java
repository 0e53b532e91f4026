package dev.panamax.transformer.family;

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
        Embedding embedding = new Embedding(b.ops(), w.matrix(StandardParts.TOKEN_EMBEDDING, -1, c.vocabSize(), c.dim()),
                embeddingScale(c));
        List<Block> blocks = new ArrayList<>(c.layers());
        for (int l = 0; l < c.layers(); l++) {
            blocks.add(block.apply(l));
        }
        Linear output = c.tiedEmbeddings() ? new Linear(b.ops(), embedding.table(), null)
                : w.linear(StandardParts.OUTPUT, -1, c.vocabSize(), c.dim(), false);
        RmsNorm norm = norm(b, StandardParts.OUTPUT_NORM, -1, c.dim(), c.rmsEps());
        if (finalSoftCap != 0) {
            throw new UnsupportedModelException(c.architecture() + ": final logit soft-capping is not supported yet");
        }
        return new Decoder(embedding, blocks, new OutputHead(b.ops(), norm, output, 1));
    }

    /**
     * Grouped-query attention without biases, logits scaled by {@code scale}, with Gemma 3's per-head
     * Q/K RMSNorm ({@code (1 + w)}, gains {@code [headDim]}) before RoPE if {@code qkNorm}.
     */
    static Attention attention(BuildContext b, ModelConfig c, int layer, Rope rope, float scale, boolean qkNorm) {
        WeightLoader w = b.weights();
        return new Attention(b.ops(), b.scratch(),
                new Attention.Options(c.heads(), c.kvHeads(), c.headDim(), rope, scale, Attention.QkNormScope.PER_HEAD),
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

    /** What every Gemma shows in {@code inspect} besides the common features. */
    static List<String> features(ModelConfig c) {
        List<String> f = new ArrayList<>(StandardParts.features(c));
        f.add("embedding scaled by sqrt(dim) = " + embeddingScale(c));
        f.add("RMSNorm gains 1 + w (GGUF stores w + 1)");
        f.add("GeGLU feed-forward (tanh GELU)");
        return f;
    }
}
