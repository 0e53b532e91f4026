package dev.panamax.jmh.synth;

import dev.panamax.tensor.DType;

/**
 * The weight formats of a synthetic model and the tensor types each one uses, following
 * llama.cpp's choices: norms stay F32; the output projection of quantized models is Q6_K except
 * for Q8_0; Q4_K_M gives {@code attn_v} and {@code ffn_down} Q6_K in the first and last eighth of
 * the layers and every third layer between (llama.cpp's {@code use_more_bits}), Q4_K elsewhere.
 */
public enum SynthType {
    F32(0, DType.F32),
    F16(1, DType.F16),
    Q8_0(7, DType.Q8_0),
    Q4_0(2, DType.Q4_0),
    Q4_K_M(15, DType.Q4_K),
    Q6_K(18, DType.Q6_K);

    private final int fileType;
    private final DType base;

    SynthType(int fileType, DType base) {
        this.fileType = fileType;
        this.base = base;
    }

    /** llama.cpp's {@code enum llama_ftype} value, stored as {@code general.file_type}. */
    public int fileType() {
        return fileType;
    }

    /** "q4_k_m" etc. to {@link SynthType}. */
    public static SynthType parse(String s) {
        try {
            return valueOf(s.toUpperCase(java.util.Locale.ROOT));
        } catch (IllegalArgumentException e) {
            throw new IllegalArgumentException("unknown weight type '" + s + "'; known: f32, f16, q8_0, q4_0, q4_k_m, q6_k");
        }
    }

    /**
     * The type of the matrix {@code role} ("attn_q", "attn_k", "attn_v", "attn_output", "ffn_gate",
     * "ffn_up", "ffn_down", "token_embd", "output") of block {@code layer} of {@code layers}.
     */
    public DType typeOf(String role, int layer, int layers) {
        if (role.equals("output") && base.isQuantized() && this != Q8_0) {
            return DType.Q6_K;
        }
        if (this == Q4_K_M && (role.equals("attn_v") || role.equals("ffn_down")) && useMoreBits(layer, layers)) {
            return DType.Q6_K;
        }
        return base;
    }

    /** llama.cpp's use_more_bits: the first and last eighth of the layers, and every third between. */
    static boolean useMoreBits(int layer, int layers) {
        return layer < layers / 8 || layer >= 7 * layers / 8 || (layer - layers / 8) % 3 == 2;
    }
}
