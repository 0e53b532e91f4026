package dev.panamax.formats.quant;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;

import dev.panamax.formats.gguf.GgufFile;
import dev.panamax.formats.gguf.GgufTensorInfo;
import dev.panamax.tensor.testing.Models;
import java.io.IOException;
import java.lang.foreign.ValueLayout;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

/**
 * stories260K, whose rows of 64 and 172 values force llama-quantize's fallbacks (K-quants to Q5_0 or
 * Q8_0, and ffn_down to F16): our files must equal llama-quantize's byte for byte. Skipped when the
 * models are absent.
 */
class ModelQuantizerStoriesTest {
    @TempDir
    Path dir;

    @ParameterizedTest(name = "{1} = {2}")
    @CsvSource({
        "stories260K-f32.gguf, Q6_K, stories260K-q8_0.gguf",
        "stories260K-f32.gguf, Q4_K_M, stories260K-q5_0-mix.gguf",
        "stories260K-f32.gguf, F16, stories260K-f16.gguf",
    })
    void fallbacks_give_llama_quantize_files_byte_for_byte(String input, String type, String expected) throws IOException {
        ModelQuantizerLlamaCppTest.assertSameFile(Models.require(input), type, false, Models.require(expected), dir);
    }

    /**
     * stories260K-q4_0.gguf was written by a helper around ggml_quantize_chunk (MODELS.md), which kept
     * the input's tensor order: metadata, and each tensor's type, shape and bytes must equal ours.
     */
    @Test
    void pure_q4_0_matches_the_ggml_quantize_chunk_file_tensor_by_tensor() throws IOException {
        Path out = dir.resolve("q4_0.gguf");
        ModelQuantizer.quantize(Models.require("stories260K-f32.gguf"), out, QuantType.Q4_0, true);
        try (GgufFile mine = GgufFile.open(out); GgufFile theirs = GgufFile.open(Models.require("stories260K-q4_0.gguf"))) {
            assertEquals(List.copyOf(theirs.metadata().keys()), List.copyOf(mine.metadata().keys()));
            for (String key : theirs.metadata().keys()) {
                assertEquals(String.valueOf(theirs.metadata().get(key)), String.valueOf(mine.metadata().get(key)), key);
            }
            assertEquals(theirs.tensorInfos().size(), mine.tensorInfos().size());
            for (GgufTensorInfo t : theirs.tensorInfos()) {
                GgufTensorInfo m = mine.findTensorInfo(t.name()).orElseThrow();
                assertEquals(t.type(), m.type(), t.name());
                assertArrayEquals(t.shape(), m.shape(), t.name());
                assertArrayEquals(theirs.tensorBytes(t.name()).toArray(ValueLayout.JAVA_BYTE),
                        mine.tensorBytes(t.name()).toArray(ValueLayout.JAVA_BYTE), t.name());
            }
        }
    }
}
