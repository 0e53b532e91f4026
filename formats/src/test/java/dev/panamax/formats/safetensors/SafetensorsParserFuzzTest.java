package dev.panamax.formats.safetensors;

import com.code_intelligence.jazzer.junit.FuzzTest;
import dev.panamax.formats.FormatException;
import dev.panamax.tensor.testing.ParserContract;
import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.nio.file.Path;

/**
 * Coverage-guided fuzzing of the safetensors reader (header JSON, offsets, dtypes): a result or a
 * FormatException, within the heap bound of ParserContract. Seeds: SafetensorsParserFuzzTestInputs/.
 */
class SafetensorsParserFuzzTest {
    @FuzzTest(maxDuration = "8s")
    void anyFileGivesTensorsOrAFormatException(byte[] file) {
        ParserContract.check("safetensors reader", file, FormatException.class, () -> {
            try (Arena arena = Arena.ofConfined()) {
                MemorySegment image = arena.allocate(Math.max(1, file.length), 64).asSlice(0, file.length);
                MemorySegment.copy(file, 0, image, ValueLayout.JAVA_BYTE, 0, file.length);
                SafetensorsFile st = SafetensorsFile.parse(Path.of("fuzz.safetensors"), image, null);
                for (String name : st.tensorNames()) {
                    st.tensor(name);
                }
            }
        });
    }
}
