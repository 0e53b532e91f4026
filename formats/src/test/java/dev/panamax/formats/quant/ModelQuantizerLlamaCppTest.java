package dev.panamax.formats.quant;

import static org.junit.jupiter.api.Assertions.assertEquals;

import dev.panamax.tensor.testing.Models;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

/**
 * Quantizing synth-k256-2L-f32.gguf must give the same file, byte for byte, as llama.cpp's
 * llama-quantize (commit c392e50) gave: metadata, tensor order, types, data and padding. Skipped
 * when the models are absent.
 */
class ModelQuantizerLlamaCppTest {
    @TempDir
    Path dir;

    @ParameterizedTest(name = "{1} pure={2} = {3}")
    @CsvSource({
        "synth-k256-2L-f32.gguf, Q8_0, false, synth-k256-2L-q8_0.gguf",
        "synth-k256-2L-f32.gguf, Q4_0, true, synth-k256-2L-q4_0.gguf",
        "synth-k256-2L-f32.gguf, Q4_K, true, synth-k256-2L-q4_k.gguf",
        "synth-k256-2L-f32.gguf, Q5_K, true, synth-k256-2L-q5_k.gguf",
        "synth-k256-2L-f32.gguf, Q6_K, true, synth-k256-2L-q6_k.gguf",
        "synth-k256-2L-f32.gguf, Q4_K_M, false, synth-k256-2L-q4_k_m.gguf",
    })
    void quantized_file_equals_llama_quantize_output_byte_for_byte(String input, String type, boolean pure, String expected)
            throws IOException {
        assertSameFile(Models.require(input), type, pure, Models.require(expected), dir);
    }

    static void assertSameFile(Path input, String type, boolean pure, Path expected, Path dir) throws IOException {
        Path out = dir.resolve(expected.getFileName() + ".mine");
        QuantizationPlan plan = ModelQuantizer.quantize(input, out, QuantType.parse(type), pure);
        byte[] mine = Files.readAllBytes(out);
        byte[] theirs = Files.readAllBytes(expected);
        long at = Arrays.mismatch(mine, theirs);
        assertEquals(-1, at, () -> "our " + type + (pure ? " --pure" : "") + " file differs from " + expected.getFileName()
                + " at byte " + at + " (sizes " + mine.length + " and " + theirs.length + ")\n" + plan);
    }
}
