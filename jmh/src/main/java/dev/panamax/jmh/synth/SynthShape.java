package dev.panamax.jmh.synth;

import java.util.List;

/**
 * The dimensions of a real model, enough to write a synthetic GGUF with its real tensor names, shapes
 * and metadata ({@link SynthLayout}, {@link SynthMetadata}). The named shapes take their values from
 * each model's Hugging Face {@code config.json} (quoted in the comments).
 *
 * @param name           the shape's name, e.g. "llama-3-8b"
 * @param architecture   GGUF {@code general.architecture}: llama, qwen3, qwen3moe, gemma3, phi3, deepseek2 or gpt-oss
 * @param vocab          vocabulary size
 * @param dim            embedding length
 * @param ffn            feed-forward length of the dense blocks (gpt-oss: of an expert, as its config says)
 * @param heads          query heads
 * @param kvHeads        key/value heads (deepseek2: as many as query heads; MLA has no key/value heads of its own)
 * @param headDim        entries of a query/key/value head (not necessarily dim / heads); 0 for deepseek2 (see latent)
 * @param layers         blocks (the real model's, or fewer: {@link #withLayers})
 * @param context        context length
 * @param ropeTheta      RoPE base frequency
 * @param tiedEmbeddings whether the output projection reuses token_embd (no output.weight)
 * @param experts        the mixture of experts, or null for a dense model
 * @param latent         DeepSeek's latent attention, or null
 * @param window         sliding-window length of the windowed layers, 0 for none
 */
public record SynthShape(String name, String architecture, int vocab, int dim, int ffn, int heads, int kvHeads, int headDim,
                         int layers, int context, float ropeTheta, boolean tiedEmbeddings, Experts experts, Latent latent,
                         int window) {

    /**
     * A mixture of experts.
     *
     * @param count       routed experts
     * @param used        experts per token (top-k)
     * @param ffn         feed-forward length of one expert
     * @param shared      shared experts (always active, each of {@code ffn})
     * @param denseLayers leading blocks with a dense feed-forward instead (DeepSeek's {@code first_k_dense_replace})
     */
    public record Experts(int count, int used, int ffn, int shared, int denseLayers) {
    }

    /**
     * DeepSeek's multi-head latent attention.
     *
     * @param qLora  rank of the query down-projection, 0 for a plain query projection
     * @param kvLora rank of the latent ({@code kv_lora_rank})
     * @param nope   query/key entries per head without RoPE
     * @param rope   with RoPE
     * @param value  value entries per head
     */
    public record Latent(int qLora, int kvLora, int nope, int rope, int value) {
    }

    /** The architectures {@link SynthLayout} writes (first: the shapes below need it). */
    public static final List<String> ARCHITECTURES = List.of("llama", "qwen3", "qwen3moe", "gemma3", "phi3", "deepseek2", "gpt-oss");

    // Llama lineage (config.json: hidden_size, intermediate_size, num_attention_heads, num_key_value_heads,
    // num_hidden_layers, max_position_embeddings, rope_theta, tie_word_embeddings)
    public static final SynthShape TINYLLAMA_1_1B = new SynthShape("tinyllama-1.1b", 32000, 2048, 5632, 32, 4, 22, 2048, 10_000f, false);
    public static final SynthShape LLAMA_3_2_1B = new SynthShape("llama-3.2-1b", 128256, 2048, 8192, 32, 8, 16, 131072, 500_000f, true);
    public static final SynthShape LLAMA_3_8B = new SynthShape("llama-3-8b", 128256, 4096, 14336, 32, 8, 32, 8192, 500_000f, false);
    public static final SynthShape MISTRAL_7B = new SynthShape("mistral-7b", 32000, 4096, 14336, 32, 8, 32, 32768, 10_000f, false);

    /**
     * Qwen/Qwen3-0.6B: hidden_size 1024, intermediate_size 3072, num_hidden_layers 28, num_attention_heads 16,
     * num_key_value_heads 8, head_dim 128 (not 1024/16), vocab_size 151936, max_position_embeddings 40960,
     * rope_theta 1000000, tie_word_embeddings true; per-head q/k RMSNorm.
     */
    public static final SynthShape QWEN3_0_6B = new SynthShape("qwen3-0.6b", "qwen3", 151936, 1024, 3072, 16, 8, 128, 28, 40960,
            1_000_000f, true, null, null, 0);

    /**
     * Qwen/Qwen3-30B-A3B: hidden_size 2048, intermediate_size 6144, moe_intermediate_size 768, num_hidden_layers 48,
     * num_attention_heads 32, num_key_value_heads 4, head_dim 128, num_experts 128, num_experts_per_tok 8,
     * norm_topk_prob true, no shared experts, vocab_size 151936, max_position_embeddings 40960, rope_theta 1000000,
     * tie_word_embeddings false.
     */
    public static final SynthShape QWEN3_30B_A3B = new SynthShape("qwen3-30b-a3b", "qwen3moe", 151936, 2048, 6144, 32, 4, 128, 48,
            40960, 1_000_000f, false, new Experts(128, 8, 768, 0, 0), null, 0);

    /**
     * google/gemma-3-1b-pt: hidden_size 1152, intermediate_size 6912 (gelu_pytorch_tanh), num_hidden_layers 26,
     * num_attention_heads 4, num_key_value_heads 1, head_dim 256, vocab_size 262144, max_position_embeddings 32768,
     * sliding_window 512 (5 sliding layers, then a global one), rope_theta 1000000, rope_local_base_freq 10000,
     * query_pre_attn_scalar 256, tied embeddings.
     */
    public static final SynthShape GEMMA3_1B = new SynthShape("gemma3-1b", "gemma3", 262144, 1152, 6912, 4, 1, 256, 26, 32768,
            1_000_000f, true, null, null, 512);

    /**
     * microsoft/Phi-4-mini-instruct: hidden_size 3072, intermediate_size 8192, num_hidden_layers 32,
     * num_attention_heads 24, num_key_value_heads 8 (head dim 128), partial_rotary_factor 0.75 (96 rotated),
     * vocab_size 200064, max_position_embeddings 131072, original_max_position_embeddings 4096 (LongRoPE,
     * 48 short/long factors), rope_theta 10000, tie_word_embeddings true; fused qkv_proj and gate_up_proj.
     */
    public static final SynthShape PHI4_MINI = new SynthShape("phi-4-mini", "phi3", 200064, 3072, 8192, 24, 8, 128, 32, 131072,
            10_000f, true, null, null, 0);

    /**
     * deepseek-ai/DeepSeek-V2-Lite: hidden_size 2048, intermediate_size 10944 (the dense first block),
     * moe_intermediate_size 1408, num_hidden_layers 27, first_k_dense_replace 1, num_attention_heads 16,
     * q_lora_rank null, kv_lora_rank 512, qk_nope_head_dim 128, qk_rope_head_dim 64, v_head_dim 128,
     * n_routed_experts 64, num_experts_per_tok 6, n_shared_experts 2, scoring_func softmax, norm_topk_prob false,
     * routed_scaling_factor 1.0, vocab_size 102400, max_position_embeddings 163840, rope_theta 10000,
     * rope_scaling yarn (factor 40, original_max_position_embeddings 4096, mscale 0.707, mscale_all_dim 0.707),
     * tie_word_embeddings false.
     */
    public static final SynthShape DEEPSEEK_V2_LITE = new SynthShape("deepseek-v2-lite", "deepseek2", 102400, 2048, 10944, 16, 16, 0,
            27, 163840, 10_000f, false, new Experts(64, 6, 1408, 2, 1), new Latent(0, 512, 128, 64, 128), 0);

    /**
     * openai/gpt-oss-20b: hidden_size 2880, intermediate_size 2880 (per expert), num_hidden_layers 24,
     * num_attention_heads 64, num_key_value_heads 8, head_dim 64, num_local_experts 32, experts_per_token 4,
     * vocab_size 201088, sliding_window 128 (even layers), attention sinks, biases on q/k/v/o and the experts,
     * swiglu_limit 7.0, rope_theta 150000, rope_scaling yarn (factor 32, original_max_position_embeddings 4096),
     * max_position_embeddings 131072, tie_word_embeddings false; experts stored MXFP4.
     */
    public static final SynthShape GPT_OSS_20B = new SynthShape("gpt-oss-20b", "gpt-oss", 201088, 2880, 2880, 64, 8, 64, 24, 131072,
            150_000f, false, new Experts(32, 4, 2880, 0, 0), null, 128);

    /** The named shapes the synth command offers. */
    public static final List<SynthShape> NAMED = List.of(TINYLLAMA_1_1B, LLAMA_3_2_1B, LLAMA_3_8B, MISTRAL_7B, QWEN3_0_6B,
            QWEN3_30B_A3B, GEMMA3_1B, PHI4_MINI, DEEPSEEK_V2_LITE, GPT_OSS_20B);

    /**
     * A Llama: head dim {@code dim / heads}, no experts, no window.
     *
     * @param name           the shape's name
     * @param vocab          the vocabulary size
     * @param dim            the model dimension
     * @param ffn            the feed-forward width
     * @param heads          the query heads
     * @param kvHeads        the key/value heads, dividing {@code heads}
     * @param layers         the blocks
     * @param context        the trained context length
     * @param ropeTheta      the RoPE base
     * @param tiedEmbeddings whether the output projection is the embedding table
     */
    public SynthShape(String name, int vocab, int dim, int ffn, int heads, int kvHeads, int layers, int context, float ropeTheta,
                      boolean tiedEmbeddings) {
        this(name, "llama", vocab, dim, ffn, heads, kvHeads, heads == 0 ? 0 : dim / heads, layers, context, ropeTheta,
                tiedEmbeddings, null, null, 0);
    }

    /**
     * Checks that the sizes fit the architecture.
     *
     * @throws IllegalArgumentException naming the shape and what does not fit
     */
    public SynthShape {
        if (!ARCHITECTURES.contains(architecture)) {
            throw new IllegalArgumentException(name + ": unknown architecture '" + architecture + "'; known: " + ARCHITECTURES);
        }
        if (heads <= 0 || kvHeads <= 0 || heads % kvHeads != 0) {
            throw new IllegalArgumentException(name + ": heads " + heads + " must be a positive multiple of kv heads " + kvHeads);
        }
        if (architecture.equals("llama") && dim % heads != 0) {
            throw new IllegalArgumentException(name + ": heads " + heads + " must divide dim " + dim);
        }
        if ((latent != null) != architecture.equals("deepseek2") || (latent == null && headDim <= 0)) {
            throw new IllegalArgumentException(name + ": deepseek2, and only it, has latent attention; others need a head dim");
        }
        boolean moe = architecture.equals("qwen3moe") || architecture.equals("deepseek2") || architecture.equals("gpt-oss");
        if ((experts != null) != moe) {
            throw new IllegalArgumentException(name + ": " + architecture + (moe ? " needs" : " has no") + " experts");
        }
        if (experts != null && (experts.used() < 1 || experts.used() > experts.count() || experts.denseLayers() >= layers)) {
            throw new IllegalArgumentException(name + ": " + experts + " does not fit " + layers + " layers");
        }
    }

    /**
     * The shape called {@code name}.
     *
     * @param name one of {@link #NAMED}'s names, e.g. {@code tinyllama-1.1b}
     * @return the shape
     * @throws IllegalArgumentException listing the known names if there is none of that name
     */
    public static SynthShape named(String name) {
        return NAMED.stream().filter(s -> s.name.equals(name)).findFirst().orElseThrow(() -> new IllegalArgumentException(
                "unknown model shape '" + name + "'; known: " + NAMED.stream().map(SynthShape::name).toList()));
    }

    /** {@return key (and value) entries of all KV heads: {@code kvHeads · headDim}} */
    public int kvDim() {
        return kvHeads * headDim;
    }

    /** {@return query entries of all heads: {@code heads · headDim}} */
    public int qDim() {
        return heads * headDim;
    }

    /**
     * The same shape with {@code n} blocks (a cut-down model for quick runs).
     *
     * @param n the blocks to keep
     * @return the new shape
     */
    public SynthShape withLayers(int n) {
        if (n < 1) {
            throw new IllegalArgumentException("a model needs at least one layer, got " + n);
        }
        return new SynthShape(name, architecture, vocab, dim, ffn, heads, kvHeads, headDim, n, context, ropeTheta, tiedEmbeddings,
                experts, latent, window);
    }
}
