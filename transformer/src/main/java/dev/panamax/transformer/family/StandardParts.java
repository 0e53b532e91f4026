package dev.panamax.transformer.family;

import dev.panamax.tensor.Rope;
import dev.panamax.transformer.ModelConfig;
import dev.panamax.transformer.nn.TransformerBlock;
import dev.panamax.transformer.nn.Attention;
import dev.panamax.transformer.nn.Block;
import dev.panamax.transformer.nn.Decoder;
import dev.panamax.transformer.nn.Embedding;
import dev.panamax.transformer.nn.FeedForward;
import dev.panamax.transformer.nn.GateActivation;
import dev.panamax.transformer.nn.GatedFeedForward;
import dev.panamax.transformer.nn.Linear;
import dev.panamax.transformer.nn.Norm;
import dev.panamax.transformer.nn.OutputHead;
import java.util.ArrayList;
import java.util.List;
import java.util.function.IntFunction;

/**
 * What the Llama lineage (Llama, Mistral, Qwen2, Qwen3, Qwen-MoE and most later families) shares:
 * the tensor names llama.cpp and transformers give the common weights, and the layers built from
 * them. A family uses the parts it shares and builds the rest itself.
 */
public final class StandardParts {
    public static final TensorName TOKEN_EMBEDDING = TensorName.global("token_embd", "model.embed_tokens");
    public static final TensorName OUTPUT_NORM = TensorName.global("output_norm", "model.norm");
    public static final TensorName OUTPUT = TensorName.global("output", "lm_head");

    public static final TensorName ATTN_NORM = TensorName.layer("attn_norm", "input_layernorm");
    public static final TensorName ATTN_Q = TensorName.layer("attn_q", "self_attn.q_proj");
    public static final TensorName ATTN_K = TensorName.layer("attn_k", "self_attn.k_proj");
    public static final TensorName ATTN_V = TensorName.layer("attn_v", "self_attn.v_proj");
    public static final TensorName ATTN_OUTPUT = TensorName.layer("attn_output", "self_attn.o_proj");
    public static final TensorName ATTN_Q_NORM = TensorName.layer("attn_q_norm", "self_attn.q_norm");
    public static final TensorName ATTN_K_NORM = TensorName.layer("attn_k_norm", "self_attn.k_norm");

    public static final TensorName FFN_NORM = TensorName.layer("ffn_norm", "post_attention_layernorm");
    public static final TensorName FFN_GATE = TensorName.layer("ffn_gate", "mlp.gate_proj");
    public static final TensorName FFN_UP = TensorName.layer("ffn_up", "mlp.up_proj");
    public static final TensorName FFN_DOWN = TensorName.layer("ffn_down", "mlp.down_proj");

    private StandardParts() {
    }

    /**
     * Embedding, the blocks {@code block(0) ... block(layers - 1)}, final RMSNorm and output
     * projection (the embedding table when the output is tied), with the family's embedding and
     * logit scales (1 for most).
     */
    public static Decoder decoder(BuildContext b, ModelConfig c, float embeddingScale, float logitScale, IntFunction<Block> block) {
        return decoder(b, c, embeddingScale, logitScale, b.weights().rmsNorm(OUTPUT_NORM, -1, c.dim(), c.rmsEps()), block);
    }

    /** As above, with the final norm {@code outputNorm} (StarCoder 2: a LayerNorm with bias). */
    public static Decoder decoder(BuildContext b, ModelConfig c, float embeddingScale, float logitScale, Norm outputNorm,
                                  IntFunction<Block> block) {
        WeightLoader w = b.weights();
        Embedding embedding = w.embedding(TOKEN_EMBEDDING, c.vocabSize(), c.dim(), embeddingScale, c.tiedEmbeddings());
        List<Block> blocks = new ArrayList<>(c.layers());
        for (int l = 0; l < c.layers(); l++) {
            blocks.add(block.apply(l));
        }
        Linear output = c.tiedEmbeddings() ? w.tiedOutput(embedding) : w.linear(OUTPUT, -1, c.vocabSize(), c.dim(), false);
        OutputHead head = new OutputHead(b.ops(), outputNorm, output, logitScale);
        return new Decoder(embedding, blocks, head);
    }

    /** Llama's pre-norm block: RMSNorm ({@code attn_norm}), attention, RMSNorm ({@code ffn_norm}), feed-forward. */
    public static TransformerBlock preNormBlock(BuildContext b, ModelConfig c, int layer, Attention attention, FeedForward ffn) {
        WeightLoader w = b.weights();
        return new TransformerBlock(b.ops(), b.scratch(), c.dim(), w.rmsNorm(ATTN_NORM, layer, c.dim(), c.rmsEps()), attention,
                w.rmsNorm(FFN_NORM, layer, c.dim(), c.rmsEps()), ffn);
    }

    /**
     * Grouped-query attention of {@code layer}: Q/K/V projections (with biases if {@code c.qkvBias()}),
     * per-head RMSNorm of Q and K if {@code qkNorm} (gains {@code [headDim]}), RoPE, this layer's cache.
     */
    public static Attention attention(BuildContext b, ModelConfig c, int layer, Rope rope, boolean qkNorm) {
        WeightLoader w = b.weights();
        boolean bias = c.qkvBias();
        Norm qNorm = qkNorm ? w.rmsNorm(ATTN_Q_NORM, layer, c.headDim(), c.rmsEps()) : null;
        Norm kNorm = qkNorm ? w.rmsNorm(ATTN_K_NORM, layer, c.headDim(), c.rmsEps()) : null;
        return new Attention(b.ops(), b.scratch(), attentionOptions(c, rope),
                w.linear(ATTN_Q, layer, c.qDim(), c.dim(), bias), w.linear(ATTN_K, layer, c.kvDim(), c.dim(), bias),
                w.linear(ATTN_V, layer, c.kvDim(), c.dim(), bias), w.linear(ATTN_OUTPUT, layer, c.dim(), c.qDim(), false),
                qNorm, kNorm, b.cache().keys(layer), b.cache().values(layer));
    }

    /**
     * {@link Attention.Options#standard}, with the logit scale times the square of RoPE's attention
     * factor (YaRN multiplies the cos and sin of both q and k by it; 1 for other scalings).
     */
    public static Attention.Options attentionOptions(ModelConfig c, Rope rope) {
        double af = c.rope().scaling().attentionFactor();
        return new Attention.Options(c.heads(), c.kvHeads(), c.headDim(), rope, (float) (af * af / Math.sqrt(c.headDim())),
                Attention.QkNormScope.PER_HEAD);
    }

    /** The dense SwiGLU feed-forward of {@code layer} ({@code ffn_gate}, {@code ffn_up}, {@code ffn_down}, width {@code ffnDim}). */
    public static GatedFeedForward swiglu(BuildContext b, ModelConfig c, int layer) {
        return gated(b, c.dim(), c.ffnDim(), layer, FFN_GATE, FFN_UP, FFN_DOWN, GateActivation.SILU);
    }

    /** A gated feed-forward of width {@code ffnDim} from the projections named {@code gate}, {@code up}, {@code down}. */
    public static GatedFeedForward gated(BuildContext b, int dim, int ffnDim, int layer, TensorName gate, TensorName up,
                                         TensorName down, GateActivation activation) {
        WeightLoader w = b.weights();
        return new GatedFeedForward(b.ops(), b.scratch(), w.linear(gate, layer, ffnDim, dim, false),
                w.linear(up, layer, ffnDim, dim, false), w.linear(down, layer, dim, ffnDim, false), activation);
    }

    /** The experts of a mixture: expert {@code e}'s gated feed-forward from the {@code e}-th slices of the three projections. */
    public static List<GatedFeedForward> experts(BuildContext b, int dim, int ffnDim, int count, int layer, TensorName gate,
                                                 TensorName up, TensorName down) {
        WeightLoader w = b.weights();
        var gates = w.expertLinears(gate, layer, count, ffnDim, dim);
        var ups = w.expertLinears(up, layer, count, ffnDim, dim);
        var downs = w.expertLinears(down, layer, count, dim, ffnDim);
        List<GatedFeedForward> experts = new ArrayList<>(count);
        for (int e = 0; e < count; e++) {
            experts.add(new GatedFeedForward(b.ops(), b.scratch(), gates.get(e), ups.get(e), downs.get(e), GateActivation.SILU));
        }
        return experts;
    }

    /**
     * What every family's model shows in {@code inspect} (attention shape, RoPE, biases, tied output,
     * experts), then the family's own {@code more}.
     */
    public static List<String> features(ModelConfig c, String... more) {
        List<String> f = new ArrayList<>();
        f.add(c.kvHeads() == c.heads() ? c.heads() + " attention heads of " + c.headDim()
                : "grouped-query attention: " + c.heads() + " query heads over " + c.kvHeads() + " KV heads of " + c.headDim());
        if (c.qDim() != c.dim()) {
            f.add("head dimension " + c.headDim() + " != dim / heads = " + c.dim() / c.heads());
        }
        f.add(c.rope().layout() + " RoPE over " + c.rope().dims() + " dims, theta " + c.rope().theta()
                + (c.rope().scaling() instanceof dev.panamax.transformer.RopeScaling.None ? "" : ", " + c.rope().scaling()));
        if (c.qkvBias()) {
            f.add("Q/K/V biases");
        }
        f.add(c.tiedEmbeddings() ? "output tied to the embedding" : "own output matrix");
        if (c.isMoe()) {
            f.add("mixture of " + c.expertCount() + " experts, " + c.expertsUsed() + " per token");
        }
        f.addAll(List.of(more));
        return f;
    }
}
