package dev.panamax.kernels.cuda;

import dev.panamax.tensor.DType;
import java.util.Locale;

/**
 * Every kernel entry point the backend launches, with the PTX module (file under
 * {@code dev/panamax/kernels/cuda/}) that declares it. A test checks each name against the
 * {@code .entry} declarations of the committed PTX.
 */
enum Kernel {
    SILU("elementwise", "silu_f32"),
    GELU_ERF("elementwise", "gelu_erf_f32"),
    GELU_TANH("elementwise", "gelu_tanh_f32"),
    SWIGLU("elementwise", "swiglu_f32"),
    ADD("elementwise", "add_f32"),
    MUL("elementwise", "mul_f32"),
    SCALE("elementwise", "scale_f32"),
    CONVERT("elementwise", "convert"),
    RMS_NORM("norm", "rms_norm_f32"),
    LAYER_NORM("norm", "layer_norm_f32"),
    SOFTMAX("norm", "softmax_f32"),
    ARGMAX("norm", "argmax_f32"),
    ROPE_INTERLEAVED("rope", "rope_interleaved_f32"),
    ROPE_NEOX("rope", "rope_neox_f32"),
    ATTENTION_F32("attention", "attention_f32"),
    ATTENTION_F16("attention", "attention_f16"),
    EMBED_F32("embed", "embed_f32"),
    EMBED_F16("embed", "embed_f16"),
    EMBED_BF16("embed", "embed_bf16"),
    EMBED_Q8_0("embed", "embed_q8_0"),
    EMBED_Q4_0("embed", "embed_q4_0"),
    EMBED_Q4_K("embed", "embed_q4_k"),
    EMBED_Q6_K("embed", "embed_q6_k"),
    MATVEC_F32("matvec", "matvec_f32"),
    MATVEC_F16("matvec", "matvec_f16"),
    MATVEC_BF16("matvec", "matvec_bf16"),
    MATVEC_Q8_0("matvec", "matvec_q8_0"),
    MATVEC_Q4_0("matvec", "matvec_q4_0"),
    MATVEC_Q4_K("matvec", "matvec_q4_k"),
    MATVEC_Q6_K("matvec", "matvec_q6_k"),
    MATMUL_TILED_F32("matmul", "matmul_tiled_f32"),
    MATMUL_TILED_Q8_0("matmul", "matmul_tiled_q8_0"),
    MATMUL_TILED_Q4_0("matmul", "matmul_tiled_q4_0"),
    MATMUL_TILED_Q4_K("matmul", "matmul_tiled_q4_k"),
    MATMUL_TILED_Q6_K("matmul", "matmul_tiled_q6_k"),
    MATMUL_WMMA_F16("matmul", "matmul_wmma_f16"),
    MATMUL_WMMA_BF16("matmul", "matmul_wmma_bf16");

    /** Weight and table dtypes with CUDA kernels (matmul, embed). */
    static final java.util.Set<DType> WEIGHT_TYPES = java.util.EnumSet.of(
            DType.F32, DType.F16, DType.BF16, DType.Q8_0, DType.Q4_0, DType.Q4_K, DType.Q6_K);

    final String module;
    final String entry;

    Kernel(String module, String entry) {
        this.module = module;
        this.entry = entry;
    }

    /** The PTX resource of this kernel's module, relative to this class. */
    String resource() {
        return module + ".ptx";
    }

    static Kernel embed(DType type) {
        return valueOf("EMBED_" + suffix("embed", type));
    }

    static Kernel matvec(DType type) {
        return valueOf("MATVEC_" + suffix("matmul", type));
    }

    /** The many-row matmul kernel for {@code type}: tensor cores for F16/BF16, shared-memory tiles otherwise. */
    static Kernel matmul(DType type) {
        String s = suffix("matmul", type);
        return type == DType.F16 || type == DType.BF16 ? valueOf("MATMUL_WMMA_" + s) : valueOf("MATMUL_TILED_" + s);
    }

    private static String suffix(String op, DType type) {
        if (!WEIGHT_TYPES.contains(type)) {
            throw new UnsupportedOperationException("cuda " + op + " has no CUDA kernel for dtype " + type
                    + "; supported: " + WEIGHT_TYPES);
        }
        return type.name().toUpperCase(Locale.ROOT);
    }
}
