package dev.panamax.jmh.synth;

import dev.panamax.formats.quant.QuantType;

/**
 * The weight formats of a synthetic model. Which tensor gets which type follows llama.cpp's
 * llama-quantize, through {@link dev.panamax.formats.quant.QuantizationPlan}: norms stay F32; the
 * output projection of quantized models is Q6_K except for Q8_0; Q4_K_M gives {@code attn_v} and
 * {@code ffn_down} Q6_K in some layers.
 */
public enum SynthType {
    /** Every tensor in F32. */
    F32(0, null),
    /** Matrices in F16, as llama-quantize's F16. */
    F16(1, QuantType.F16),
    /** Matrices mostly in Q8_0, as llama-quantize's Q8_0. */
    Q8_0(7, QuantType.Q8_0),
    /** Matrices mostly in Q4_0, as llama-quantize's Q4_0. */
    Q4_0(2, QuantType.Q4_0),
    /** Matrices mostly in Q4_K with some in Q6_K, as llama-quantize's Q4_K_M. */
    Q4_K_M(15, QuantType.Q4_K_M),
    /** Matrices mostly in Q6_K, as llama-quantize's Q6_K. */
    Q6_K(18, QuantType.Q6_K),
    /** llama.cpp's MXFP4_MOE (gpt-oss): MXFP4 routed experts, Q8_0 for every other matrix. */
    MXFP4_MOE(38, QuantType.MXFP4_MOE);

    private final int fileType;
    private final QuantType quantType;

    SynthType(int fileType, QuantType quantType) {
        this.fileType = fileType;
        this.quantType = quantType;
    }

    /** {@return llama.cpp's {@code enum llama_ftype} value, stored as {@code general.file_type}} */
    public int fileType() {
        return fileType;
    }

    /** The llama-quantize type that gives this format's tensor types; null for F32 (nothing is converted). */
    QuantType quantType() {
        return quantType;
    }

    /**
     * "q4_k_m" etc. to {@link SynthType}.
     *
     * @param s a type's name in any case, e.g. {@code q4_k_m}
     * @return the type
     * @throws IllegalArgumentException listing the known names
     */
    public static SynthType parse(String s) {
        try {
            return valueOf(s.toUpperCase(java.util.Locale.ROOT));
        } catch (IllegalArgumentException e) {
            throw new IllegalArgumentException("unknown weight type '" + s + "'; known: f32, f16, q8_0, q4_0, q4_k_m, q6_k, mxfp4_moe");
        }
    }
}
