package dev.panamax.transformer.family;

/** The two ways a checkpoint names its tensors (see {@link TensorName}). */
public enum TensorFormat {
    /** llama.cpp's GGUF: {@code token_embd.weight}, {@code blk.N.attn_q.weight}, experts stacked as 3-D tensors. */
    GGUF,
    /** transformers' safetensors: {@code model.embed_tokens.weight}, {@code model.layers.N.self_attn.q_proj.weight}, one tensor per expert. */
    HUGGING_FACE
}
