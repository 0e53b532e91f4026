package dev.panamax.formats.quant;

import dev.panamax.tensor.DType;
import java.util.Locale;

/**
 * What {@link ModelQuantizer} makes of a model: llama.cpp's {@code llama_ftype} "mostly X" file
 * types. Each has a default tensor type; the mixtures (the _S and _M presets, and the output tensor of
 * every quantized type) give some tensors more bits, as llama-quantize does ({@link QuantizationPlan}).
 */
public enum QuantType {
    /** Every matrix in F16: no loss worth measuring, half of F32's size. */
    F16(1, DType.F16),
    /** Every matrix in BF16. */
    BF16(32, DType.BF16),
    /** Mostly {@link DType#Q4_0}: 4.5 bits per weight. */
    Q4_0(2, DType.Q4_0),
    /** Mostly {@link DType#Q4_1}: 5 bits per weight. */
    Q4_1(3, DType.Q4_1),
    /** Mostly {@link DType#Q8_0}: 8.5 bits per weight, close to F16's quality. */
    Q8_0(7, DType.Q8_0),
    /** Mostly {@link DType#Q5_0}: 5.5 bits per weight. */
    Q5_0(8, DType.Q5_0),
    /** Mostly {@link DType#Q5_1}: 6 bits per weight. */
    Q5_1(9, DType.Q5_1),
    /** Mostly {@link DType#Q4_K}, a few tensors in more bits (the small preset). */
    Q4_K_S(14, DType.Q4_K),
    /** Mostly {@link DType#Q4_K}, half the attention values and feed-forward outputs in Q6_K (the medium preset). */
    Q4_K_M(15, DType.Q4_K),
    /** Mostly {@link DType#Q5_K} (the small preset). */
    Q5_K_S(16, DType.Q5_K),
    /** Mostly {@link DType#Q5_K}, some tensors in Q6_K (the medium preset). */
    Q5_K_M(17, DType.Q5_K),
    /** Mostly {@link DType#Q6_K}: 6.56 bits per weight. */
    Q6_K(18, DType.Q6_K),
    /** llama.cpp's MXFP4_MOE: MXFP4 for the 3-D expert tensors, Q8_0 for every other matrix. */
    MXFP4_MOE(38, DType.MXFP4);

    private final int fileType;
    private final DType defaultType;

    QuantType(int fileType, DType defaultType) {
        this.fileType = fileType;
        this.defaultType = defaultType;
    }

    /** {@return llama.cpp's {@code llama_ftype} value, stored as {@code general.file_type}} */
    public int fileType() {
        return fileType;
    }

    /** {@return the type most matrices get} */
    public DType defaultType() {
        return defaultType;
    }

    /**
     * The type named {@code name}, case-insensitively, with llama-quantize's aliases: {@code Q4_K} is
     * {@code Q4_K_M} and {@code Q5_K} is {@code Q5_K_M}.
     *
     * @param name a type name as llama-quantize takes it, e.g. {@code q4_k_m}
     * @return the type
     * @throws IllegalArgumentException naming the supported types if {@code name} is none of them
     */
    public static QuantType parse(String name) {
        String n = name.trim().toUpperCase(Locale.ROOT);
        switch (n) {
            case "Q4_K":
                return Q4_K_M;
            case "Q5_K":
                return Q5_K_M;
            default:
                for (QuantType t : values()) {
                    if (t.name().equals(n)) {
                        return t;
                    }
                }
                throw new IllegalArgumentException("unknown quantization type '" + name + "'; supported: F16, BF16, Q4_0, "
                        + "Q4_1, Q5_0, Q5_1, Q8_0, Q4_K (= Q4_K_M), Q4_K_S, Q4_K_M, Q5_K (= Q5_K_M), Q5_K_S, Q5_K_M, Q6_K, MXFP4_MOE");
        }
    }
}
