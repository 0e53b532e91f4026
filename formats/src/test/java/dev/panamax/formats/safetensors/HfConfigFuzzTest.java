package dev.panamax.formats.safetensors;

import com.code_intelligence.jazzer.junit.FuzzTest;
import dev.panamax.formats.FormatException;
import dev.panamax.tensor.testing.ParserContract;
import java.nio.file.Path;

/** Coverage-guided fuzzing of config.json: a result or a FormatException, within ParserContract's heap bound. */
class HfConfigFuzzTest {
    @FuzzTest(maxDuration = "8s")
    void anyConfigGivesHyperParametersOrAFormatException(byte[] json) {
        ParserContract.check("config.json reader", json, FormatException.class, () -> HfConfig.parse(Path.of("config.json"), json));
    }
}
