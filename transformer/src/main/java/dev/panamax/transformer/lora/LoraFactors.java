package dev.panamax.transformer.lora;

import dev.panamax.tensor.Tensor;

/**
 * The two factors of one adapted projection, as stored: {@code a [r, in]} and {@code b [out, r]}
 * (on the host, F32, F16 or BF16), so that the projection's change is {@code ΔW = scale · b · a}.
 *
 * @param a the down projection {@code [r, in]} (PEFT's {@code lora_A}, llama.cpp's {@code lora_a})
 * @param b the up projection {@code [out, r]} (PEFT's {@code lora_B}, llama.cpp's {@code lora_b})
 */
public record LoraFactors(Tensor a, Tensor b) {
    /** {@return the rank {@code r}} */
    public int rank() {
        return (int) b.size(b.rank() - 1); // llama.cpp: lora_b's ne[0] in every layout
    }
}
