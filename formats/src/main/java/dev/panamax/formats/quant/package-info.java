/**
 * ggml's quantized block formats in plain scalar Java, and llama-quantize's model quantization.
 *
 * <ul>
 *   <li>{@link dev.panamax.formats.quant.Quants}: decode any of F32, F16, BF16, Q4_0, Q4_1, Q5_0, Q5_1,
 *       Q8_0, Q8_1, Q2_K, Q3_K, Q4_K, Q5_K, Q6_K, Q8_K, MXFP4 to F32 and encode F32 to it, bit for bit as ggml's
 *       {@code dequantize_row_*} and reference quantizers {@code quantize_row_*_ref} (llama.cpp commit
 *       c392e50). The block layouts are tabled in {@link dev.panamax.tensor.DType}; each codec class
 *       ({@code Q4KCodec} ...) documents its own.</li>
 *   <li>{@link dev.panamax.formats.quant.ModelQuantizer} with {@link dev.panamax.formats.quant.QuantizationPlan}
 *       and {@link dev.panamax.formats.quant.QuantType}: a GGUF model to a quantized GGUF model, the same
 *       file llama-quantize writes without an importance matrix.</li>
 * </ul>
 *
 * <p>Bit-exactness rests on doing every float operation of ggml's C code in the same order, in float
 * (Java never contracts {@code a * b + c} into a fused multiply-add, and neither does ggml's base
 * library built for x86-64 without FMA), and on its rounding rules: {@code nearest_int} (halves to
 * even, via adding 1.5 * 2^23), {@code roundf} (halves away from zero), truncating casts, and
 * round-to-nearest-even for f16 scales.
 */
package dev.panamax.formats.quant;
