package dev.panamax.kernels.cuda;

import dev.panamax.tensor.DType;
import java.util.Locale;

/**
 * Every kernel entry point the backend launches, with the PTX module (file under
 * {@code dev/panamax/kernels/cuda/}) that declares it and its parameter list. A test checks each
 * name and parameter list against the {@code .entry} declarations of the committed PTX.
 */
enum Kernel {
    SILU("elementwise", "silu_f32", "LLL"),
    GELU_ERF("elementwise", "gelu_erf_f32", "LLL"),
    GELU_TANH("elementwise", "gelu_tanh_f32", "LLL"),
    SWIGLU("elementwise", "swiglu_f32", "LLLL"),
    ADD("elementwise", "add_f32", "LLLLL"),
    MUL("elementwise", "mul_f32", "LLLLL"),
    SCALE("elementwise", "scale_f32", "LFLL"),
    CONVERT("elementwise", "convert", "LILIL"),
    RMS_NORM("norm", "rms_norm_f32", "LLLIF"),
    LAYER_NORM("norm", "layer_norm_f32", "LLLLIF"),
    SOFTMAX("norm", "softmax_f32", "LLI"),
    ARGMAX("norm", "argmax_f32", "LLI"),
    ROPE_INTERLEAVED("rope", "rope_interleaved_f32", "LLIIIILI"),
    ROPE_NEOX("rope", "rope_neox_f32", "LLIIIILI"),
    ATTENTION_F32("attention", "attention_f32", "LLLLIIIIF"),
    ATTENTION_F16("attention", "attention_f16", "LLLLIIIIF"),
    EMBED_F32("embed", "embed_f32", "LLLLI"),
    EMBED_F16("embed", "embed_f16", "LLLLI"),
    EMBED_BF16("embed", "embed_bf16", "LLLLI"),
    EMBED_Q8_0("embed", "embed_q8_0", "LLLLI"),
    EMBED_Q4_0("embed", "embed_q4_0", "LLLLI"),
    EMBED_Q4_K("embed", "embed_q4_k", "LLLLI"),
    EMBED_Q6_K("embed", "embed_q6_k", "LLLLI"),
    MATVEC_F32("matvec", "matvec_f32", "LLLLII"),
    MATVEC_F16("matvec", "matvec_f16", "LLLLII"),
    MATVEC_BF16("matvec", "matvec_bf16", "LLLLII"),
    MATVEC_Q8_0("matvec", "matvec_q8_0", "LLLLII"),
    MATVEC_Q4_0("matvec", "matvec_q4_0", "LLLLII"),
    MATVEC_Q4_K("matvec", "matvec_q4_k", "LLLLII"),
    MATVEC_Q6_K("matvec", "matvec_q6_k", "LLLLII"),
    MATMUL_TILED_F32("matmul", "matmul_tiled_f32", "LLLLIII"),
    MATMUL_TILED_Q8_0("matmul", "matmul_tiled_q8_0", "LLLLIII"),
    MATMUL_TILED_Q4_0("matmul", "matmul_tiled_q4_0", "LLLLIII"),
    MATMUL_TILED_Q4_K("matmul", "matmul_tiled_q4_k", "LLLLIII"),
    MATMUL_TILED_Q6_K("matmul", "matmul_tiled_q6_k", "LLLLIII"),
    MATMUL_WMMA_F16("matmul", "matmul_wmma_f16", "LLLIII"),
    MATMUL_WMMA_BF16("matmul", "matmul_wmma_bf16", "LLLIII");

    /** Weight and table dtypes with CUDA kernels (matmul, embed). */
    static final java.util.Set<DType> WEIGHT_TYPES = java.util.EnumSet.of(
            DType.F32, DType.F16, DType.BF16, DType.Q8_0, DType.Q4_0, DType.Q4_K, DType.Q6_K);

    final String module;
    final String entry;
    /**
     * The parameter list, one letter per parameter: L for 8 bytes (a device pointer or a 64-bit
     * integer, passed as {@link Long}), I for a 32-bit int, F for a float. Checked against the PTX's
     * {@code .param} declarations by a test and against the arguments at every launch.
     */
    final String signature;

    Kernel(String module, String entry, String signature) {
        this.module = module;
        this.entry = entry;
        this.signature = signature;
    }

    /**
     * Checks launch arguments against {@link #signature}: a wrong count or type would otherwise reach
     * the GPU as garbage.
     *
     * @throws IllegalArgumentException naming the kernel, its signature and the first offending argument
     */
    void checkArguments(Object... args) {
        for (int i = 0; i < Math.max(args.length, signature.length()); i++) {
            char expected = i < signature.length() ? signature.charAt(i) : '-';
            char actual = i >= args.length ? '-' : switch (args[i]) {
                case Long l -> 'L';
                case Integer n -> 'I';
                case Float f -> 'F';
                default -> '?';
            };
            if (expected != actual) {
                throw new IllegalArgumentException("kernel " + entry + " takes (" + signature + "), but argument " + i
                        + " of " + args.length + " is " + (i < args.length ? args[i] : "missing"));
            }
        }
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
