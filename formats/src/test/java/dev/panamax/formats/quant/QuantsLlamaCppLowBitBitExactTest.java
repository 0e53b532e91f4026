package dev.panamax.formats.quant;

import java.io.IOException;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

/**
 * Q2_K and Q3_K (llama-quantize {@code --pure}) and the Q4_K_M mixture (Q4_K and Q6_K tensors) of
 * llama.cpp commit c392e50 against ours, byte for byte; see
 * {@link QuantsLlamaCppBitExactTest#assertRequantizesExactly}. Skipped when the models are absent.
 */
class QuantsLlamaCppLowBitBitExactTest {

    @ParameterizedTest(name = "{1}")
    @CsvSource({
        "synth-k256-2L-f32.gguf, synth-k256-2L-q3_k.gguf, Q3_K",
        "synth-k256-2L-f32.gguf, synth-k256-2L-q2_k.gguf, Q2_K",
        "synth-k256-2L-f32.gguf, synth-k256-2L-q4_k_m.gguf, Q4_K Q6_K",
    })
    void low_bit_k_quants_of_the_f32_model_reproduce_llama_quantize_byte_for_byte(String f32Name, String quantName,
            String expectedTypes) throws IOException {
        QuantsLlamaCppBitExactTest.assertRequantizesExactly(f32Name, quantName, expectedTypes);
    }
}
