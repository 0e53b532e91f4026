package dev.panamax.transformer;

import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.panamax.tensor.Ops;
import dev.panamax.tensor.testing.Models;
import java.nio.file.Path;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/** Every real model of shared/models (F32, F16, Q8_0, Q4_0, Q5_0, K-quants) runs (skipped when absent). */
class ShippedModelsTest {

    /** Every shipped model loads, and prefill plus a few decode steps give finite logits. */
    @ParameterizedTest
    @ValueSource(strings = {"stories260K-f32.gguf", "stories260K-f16.gguf", "stories260K-q8_0.gguf", "stories260K-q4_0.gguf",
        "stories260K-q5_0-mix.gguf", "llama-2-tiny-random.gguf", "synth-k256-2L-f32.gguf", "synth-k256-2L-q8_0.gguf",
        "synth-k256-2L-q4_0.gguf", "synth-k256-2L-q4_k.gguf", "synth-k256-2L-q4_k_m.gguf", "synth-k256-2L-q5_k.gguf",
        "synth-k256-2L-q6_k.gguf", "synth-k256-2L-q3_k.gguf", "synth-k256-2L-q2_k.gguf"})
    void everyShippedModelRunsWithFiniteLogits(String name) {
        Path file = Models.require(name);
        try (Ops ops = dev.panamax.tensor.Backends.open("cpu", 1); Model model = Model.open(file, ops, LoadOptions.defaults().withContextLength(64))) {
            int vocab = model.config().vocabSize();
            int[] prompt = {1, 2 % vocab, 100 % vocab, 7 % vocab, 42 % vocab};
            float[] logits = model.transformer().forward(prompt, 0);
            for (int s = 0; s < 3; s++) {
                assertFinite(logits, name);
                logits = model.transformer().forward(new int[] {RealModelTest.argmax(logits)}, prompt.length + s);
            }
            assertFinite(logits, name);
        }
    }

    private static void assertFinite(float[] logits, String what) {
        for (int i = 0; i < logits.length; i++) {
            assertTrue(Float.isFinite(logits[i]), what + ": logit " + i + " = " + logits[i]);
        }
    }
}
