package dev.panamax.transformer;

import com.code_intelligence.jazzer.junit.FuzzTest;
import dev.panamax.formats.FormatException;
import dev.panamax.tensor.testing.ParserContract;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.List;

/**
 * Coverage-guided fuzzing of config.json into a model configuration, through the family layer
 * ({@link HfConfigReader#parse}: the family's fromHf, then the common fields): a ModelConfig, a
 * FormatException, or an UnsupportedModelException for a model_type no family reads; within
 * {@link ParserContract}'s heap bound. Seeds: HfConfigReaderFuzzTestInputs/.
 */
class HfConfigReaderFuzzTest {
    @FuzzTest(maxDuration = "5s")
    void anyConfigJsonGivesAModelConfigOrATypedException(byte[] json) {
        ParserContract.check("config.json to model config", json, List.of(FormatException.class, UnsupportedModelException.class),
                () -> HfConfigReader.parse(Path.of("config.json"), new String(json, StandardCharsets.UTF_8)));
    }
}
