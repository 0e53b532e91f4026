package dev.panamax.formats.quant;

import java.io.IOException;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

/**
 * The K-quants of llama.cpp's llama-quantize (commit c392e50, no importance matrix, {@code --pure}
 * except Q4_K_M) against ours, tensor by tensor and byte for byte, from the same F32 model; see
 * {@link QuantsLlamaCppBitExactTest#assertRequantizesExactly}. Q2_K, Q3_K and the Q4_K_M mixture are in
 * {@link QuantsLlamaCppLowBitBitExactTest}. Skipped when the models are absent.
 */
class QuantsLlamaCppKQuantBitExactTest {

    @ParameterizedTest(name = "{1}")
    @CsvSource({
        "synth-k256-2L-f32.gguf, synth-k256-2L-q4_k.gguf, Q4_K",
        "synth-k256-2L-f32.gguf, synth-k256-2L-q5_k.gguf, Q5_K",
        "synth-k256-2L-f32.gguf, synth-k256-2L-q6_k.gguf, Q6_K",
    })
    void k_quants_of_the_f32_model_reproduce_llama_quantize_byte_for_byte(String f32Name, String quantName,
            String expectedTypes) throws IOException {
        QuantsLlamaCppBitExactTest.assertRequantizesExactly(f32Name, quantName, expectedTypes);
    }
}
