package dev.panamax.transformer.tokenizer;

import com.code_intelligence.jazzer.junit.FuzzTest;
import dev.panamax.formats.FormatException;
import dev.panamax.formats.gguf.GgufFile;
import dev.panamax.tensor.testing.ParserContract;
import java.nio.file.Path;

/**
 * Coverage-guided fuzzing of the tokenizer in a GGUF file's metadata ({@link Tokenizer#fromGguf}:
 * model, tokens, scores, token types, merges, pre-tokenizer name, special ids and flags): a tokenizer
 * that encodes and decodes, or a FormatException, within {@link ParserContract}'s heap bound. Seeds:
 * GgufTokenizerFuzzTestInputs/, vocabularies our GGUF writer made.
 */
class GgufTokenizerFuzzTest {
    @FuzzTest(maxDuration = "5s")
    void anyGgufVocabularyGivesATokenizerOrAFormatException(byte[] image) {
        Path file = FuzzFiles.write("vocab.gguf", image);
        ParserContract.check("GGUF tokenizer reader", image, FormatException.class, () -> {
            try (GgufFile gguf = GgufFile.open(file)) {
                TokenizerExercise.run(Tokenizer.fromGguf(gguf.metadata()));
            }
        });
    }
}
