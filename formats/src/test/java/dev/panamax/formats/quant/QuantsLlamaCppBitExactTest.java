package dev.panamax.formats.quant;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.panamax.formats.gguf.GgufFile;
import dev.panamax.formats.gguf.GgufTensorInfo;
import dev.panamax.tensor.DType;
import dev.panamax.tensor.Tensor;
import dev.panamax.tensor.testing.Models;
import java.io.IOException;
import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.nio.file.Path;
import java.util.EnumSet;
import java.util.Set;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

/**
 * The decisive test: files that llama.cpp's llama-quantize (commit c392e50, no importance matrix)
 * made from an F32 model (see shared/models/MODELS.md): the legacy types and F16 here, the K-quants
 * in {@link QuantsLlamaCppKQuantBitExactTest}. Quantizing each tensor's F32 rows with
 * {@link Quants#quantizeRow} must give exactly the stored bytes, and decoding the stored bytes must
 * put every value on the nearest point of its sub-block's grid ({@link SubBlockGrid#assertNearest}).
 * Skipped when the models are absent.
 */
class QuantsLlamaCppBitExactTest {

    @ParameterizedTest(name = "{1}")
    @CsvSource({
        "synth-k256-2L-f32.gguf, synth-k256-2L-q8_0.gguf, Q8_0",
        "synth-k256-2L-f32.gguf, synth-k256-2L-q4_0.gguf, Q4_0",
        "stories260K-f32.gguf, stories260K-q8_0.gguf, Q8_0 F16",
        "stories260K-f32.gguf, stories260K-q4_0.gguf, Q4_0 F16",
        "stories260K-f32.gguf, stories260K-q5_0-mix.gguf, Q5_0 Q8_0 F16",
        "stories260K-f32.gguf, stories260K-f16.gguf, F16",
    })
    void quantizing_the_f32_model_reproduces_llama_quantize_byte_for_byte(String f32Name, String quantName,
            String expectedTypes) throws IOException {
        assertRequantizesExactly(f32Name, quantName, expectedTypes);
    }

    /**
     * Quantizes every non-F32 tensor of {@code quantName} from the same tensor of {@code f32Name}
     * and compares with the stored bytes; {@code expectedTypes} (space-separated) must all occur.
     */
    static void assertRequantizesExactly(String f32Name, String quantName, String expectedTypes) throws IOException {
        Path f32Path = Models.require(f32Name);
        Path quantPath = Models.require(quantName);
        Set<DType> seen = EnumSet.noneOf(DType.class);
        try (GgufFile f32 = GgufFile.open(f32Path); GgufFile quant = GgufFile.open(quantPath);
                Arena arena = Arena.ofConfined()) {
            int compared = 0;
            for (GgufTensorInfo info : quant.tensorInfos()) {
                DType type = info.dtype();
                if (type == DType.F32) {
                    continue;
                }
                seen.add(type);
                Tensor source = f32.tensor(info.name());
                assertEquals(DType.F32, source.dtype(), info.name());
                MemorySegment stored = quant.tensorBytes(info.name());
                int cols = Math.toIntExact(info.shape()[info.shape().length - 1]);
                long rows = info.numel() / cols;
                long rowBytes = type.byteSize(cols);
                float[] row = new float[cols];
                MemorySegment mine = arena.allocate(rowBytes);
                MemorySegment sourceData = source.data();
                for (long r = 0; r < rows; r++) {
                    MemorySegment.copy(sourceData, ValueLayout.JAVA_FLOAT_UNALIGNED, r * cols * 4L, row, 0, cols);
                    Quants.quantizeRow(type, row, 0, cols, mine, 0);
                    long mismatch = MemorySegment.mismatch(mine, 0, rowBytes, stored, r * rowBytes, (r + 1) * rowBytes);
                    long at = r;
                    assertEquals(-1, mismatch, () -> quantName + ": tensor " + info.name() + " (" + type + ") row " + at
                            + " differs from llama.cpp's bytes at byte " + mismatch + " of the row (block "
                            + mismatch / type.bytesPerBlock() + ")");
                    if (type.isQuantized()) {
                        SubBlockGrid.assertNearest(type, row, stored.asSlice(r * rowBytes, rowBytes), cols);
                    }
                }
                compared++;
            }
            assertTrue(compared > 0, quantName + " has no quantized tensors");
            for (String t : expectedTypes.split(" ")) {
                assertTrue(seen.contains(DType.valueOf(t)), quantName + " should hold " + t + " tensors, has " + seen);
            }
        }
    }
}
