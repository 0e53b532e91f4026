package dev.panamax.transformer.tokenizer;

import com.code_intelligence.jazzer.junit.FuzzTest;
import dev.panamax.formats.FormatException;
import dev.panamax.tensor.testing.ParserContract;
import java.nio.file.Path;

/**
 * Coverage-guided fuzzing of tokenizer.json (Jazzer): any file gives a tokenizer that encodes and
 * decodes, or a FormatException, within {@link ParserContract}'s heap bound. Seeds:
 * HuggingFaceTokenizerFuzzTestInputs/ (small tokenizers of our own); {@code scripts/fuzz.sh} adds the
 * real ones in ../shared/tokenizers for longer runs.
 */
class HuggingFaceTokenizerFuzzTest {
    @FuzzTest(maxDuration = "5s")
    void anyTokenizerJsonGivesATokenizerOrAFormatException(byte[] json) {
        FuzzFiles.delete("tokenizer_config.json");
        Path file = FuzzFiles.write("tokenizer.json", json);
        ParserContract.check("tokenizer.json reader", json, FormatException.class, () -> TokenizerExercise.run(HuggingFaceTokenizer.read(file)));
    }
}
