package dev.panamax.transformer;

/**
 * The names a file format gives each weight. {@link #GGUF} follows llama.cpp, {@link #HUGGING_FACE}
 * follows the transformers library's Llama/Mistral/Mixtral/Qwen2 modules.
 */
public interface TensorNames {
    String tokenEmbedding();

    String outputNorm();

    String output();

    String attentionNorm(int layer);

    /** {@code part} is one of "q", "k", "v", "o". */
    String attention(int layer, String part);

    /** The bias of the "q", "k" or "v" projection. */
    String attentionBias(int layer, String part);

    String ffnNorm(int layer);

    /** {@code part} is one of "gate", "up", "down". */
    String ffn(int layer, String part);

    /** The router: {@code [experts, dim]}. */
    String router(int layer);

    /**
     * True if all experts of a projection are stored as one 3-D tensor {@code [experts, rows, cols]}
     * ({@link #stackedExperts}); false if each expert is its own tensor ({@link #expert}).
     */
    boolean stacksExperts();

    /** The 3-D tensor holding {@code part} ("gate", "up", "down") of every expert. */
    String stackedExperts(int layer, String part);

    /** {@code part} ("gate", "up", "down") of one expert. */
    String expert(int layer, int expert, String part);

    /** llama.cpp's names: {@code token_embd.weight}, {@code blk.N.attn_q.weight}, {@code blk.N.ffn_gate_exps.weight} ... */
    TensorNames GGUF = new TensorNames() {
        @Override public String tokenEmbedding() { return "token_embd.weight"; }
        @Override public String outputNorm() { return "output_norm.weight"; }
        @Override public String output() { return "output.weight"; }
        @Override public String attentionNorm(int l) { return "blk." + l + ".attn_norm.weight"; }
        @Override public String attention(int l, String part) {
            return "blk." + l + ".attn_" + (part.equals("o") ? "output" : part) + ".weight";
        }
        @Override public String attentionBias(int l, String part) { return "blk." + l + ".attn_" + part + ".bias"; }
        @Override public String ffnNorm(int l) { return "blk." + l + ".ffn_norm.weight"; }
        @Override public String ffn(int l, String part) { return "blk." + l + ".ffn_" + part + ".weight"; }
        @Override public String router(int l) { return "blk." + l + ".ffn_gate_inp.weight"; }
        @Override public boolean stacksExperts() { return true; }
        @Override public String stackedExperts(int l, String part) { return "blk." + l + ".ffn_" + part + "_exps.weight"; }
        @Override public String expert(int l, int e, String part) {
            throw new UnsupportedOperationException("GGUF stores experts stacked");
        }
    };

    /**
     * Hugging Face names: {@code model.embed_tokens.weight}, {@code model.layers.N.self_attn.q_proj.weight},
     * {@code model.layers.N.mlp.gate_proj.weight}, Mixtral's {@code block_sparse_moe.experts.E.w1/w3/w2}.
     */
    TensorNames HUGGING_FACE = new TensorNames() {
        @Override public String tokenEmbedding() { return "model.embed_tokens.weight"; }
        @Override public String outputNorm() { return "model.norm.weight"; }
        @Override public String output() { return "lm_head.weight"; }
        @Override public String attentionNorm(int l) { return "model.layers." + l + ".input_layernorm.weight"; }
        @Override public String attention(int l, String part) {
            return "model.layers." + l + ".self_attn." + part + "_proj.weight";
        }
        @Override public String attentionBias(int l, String part) { return "model.layers." + l + ".self_attn." + part + "_proj.bias"; }
        @Override public String ffnNorm(int l) { return "model.layers." + l + ".post_attention_layernorm.weight"; }
        @Override public String ffn(int l, String part) { return "model.layers." + l + ".mlp." + part + "_proj.weight"; }
        @Override public String router(int l) { return "model.layers." + l + ".block_sparse_moe.gate.weight"; }
        @Override public boolean stacksExperts() { return false; }
        @Override public String stackedExperts(int l, String part) {
            throw new UnsupportedOperationException("Hugging Face stores one tensor per expert");
        }
        @Override public String expert(int l, int e, String part) {
            String w = switch (part) {
                case "gate" -> "w1";
                case "down" -> "w2";
                case "up" -> "w3";
                default -> throw new IllegalArgumentException("unknown expert projection " + part);
            };
            return "model.layers." + l + ".block_sparse_moe.experts." + e + "." + w + ".weight";
        }
    };
}
