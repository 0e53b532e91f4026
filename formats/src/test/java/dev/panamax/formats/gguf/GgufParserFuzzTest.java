package dev.panamax.formats.gguf;

import com.code_intelligence.jazzer.junit.FuzzTest;
import dev.panamax.formats.FormatException;
import dev.panamax.tensor.testing.ParserContract;
import java.lang.foreign.ValueLayout;

/**
 * Coverage-guided fuzzing of the GGUF parser with Jazzer: any image, opened and read as a user
 * would, gives a result or a FormatException, within the heap bound of {@link ParserContract}.
 * In the normal test run it replays its seeds (GgufParserFuzzTestInputs/, tiny files our writer made)
 * and, in a surefire execution of its own, fuzzes for a few seconds; {@code scripts/fuzz.sh}
 * fuzzes it for longer, seeded with the real models in ../shared.
 */
class GgufParserFuzzTest {
    @FuzzTest(maxDuration = "8s")
    void anyImageGivesAModelOrAFormatException(byte[] image) {
        ParserContract.check("GGUF parser", image, FormatException.class, () -> {
            try (GgufFile g = Fixtures.openBytes(image)) {
                for (String k : g.metadata().keys()) {
                    g.metadata().get(k);
                }
                var m = g.model();
                m.tokens();
                m.blockCount();
                m.rmsNormEpsilon();
                m.ropeFreqBase();
                for (GgufTensorInfo info : g.tensorInfos()) {
                    if (info.byteSize() > 0) {
                        g.tensorBytes(info.name()).get(ValueLayout.JAVA_BYTE, info.byteSize() - 1);
                    }
                    if (info.isSupported()) {
                        g.tensor(info);
                    }
                }
            }
        });
    }
}
