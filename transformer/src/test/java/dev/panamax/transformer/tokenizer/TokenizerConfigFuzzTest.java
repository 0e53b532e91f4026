package dev.panamax.transformer.tokenizer;

import com.code_intelligence.jazzer.junit.FuzzTest;
import dev.panamax.formats.FormatException;
import dev.panamax.tensor.testing.ParserContract;
import dev.panamax.transformer.chat.ModelChatTemplate;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.file.Path;

/**
 * Coverage-guided fuzzing of tokenizer_config.json, through every reader of it: the chat templates
 * ({@link HuggingFaceTokenizer#readChatTemplates}, {@link ModelChatTemplate#ofHuggingFace}), the special
 * tokens a template sees, and the options a tokenizer.json beside it takes (bos/eos tokens, flags).
 * A result or a FormatException, within {@link ParserContract}'s heap bound.
 */
class TokenizerConfigFuzzTest {
    private static final byte[] TOKENIZER_JSON = resource("/dev/panamax/transformer/tokenizer/hf-bpe/tokenizer.json");

    @FuzzTest(maxDuration = "5s")
    void anyTokenizerConfigGivesTemplatesAndOptionsOrAFormatException(byte[] json) {
        Path tokenizer = FuzzFiles.write("tokenizer.json", TOKENIZER_JSON);
        Path config = FuzzFiles.write("tokenizer_config.json", json);
        Path dir = config.getParent();
        ParserContract.check("tokenizer_config.json readers", json, FormatException.class, () -> {
            HuggingFaceTokenizer.readChatTemplates(config);
            ModelChatTemplate.ofHuggingFace(dir);
            ModelChatTemplate.specialTokensOfHuggingFace(dir);
            HuggingFaceTokenizer t = HuggingFaceTokenizer.read(tokenizer);
            t.chatTemplates();
            t.addBosTokenFlag();
            TokenizerExercise.run(t);
        });
    }

    private static byte[] resource(String name) {
        try (InputStream in = TokenizerConfigFuzzTest.class.getResourceAsStream(name)) {
            return in.readAllBytes();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }
}
