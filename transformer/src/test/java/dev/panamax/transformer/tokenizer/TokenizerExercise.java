package dev.panamax.transformer.tokenizer;

import java.util.List;

/** What the tokenizer fuzz targets do with a tokenizer once read, as a user would: encode and decode a few texts. */
final class TokenizerExercise {
    /** Spaces, digits, accents, CJK, emoji, a NUL and a joiner, and special-token look-alikes. */
    private static final List<String> TEXTS = List.of("", " ", "Hello, world!  It's 2026.\n\n\tok",
            "naïve café 東京 🦙 \u0000\u200d", "<s></s><|endoftext|><unk>[CLS] ab  aa");

    private TokenizerExercise() {
    }

    /** Encodes each text with and without special tokens, decodes the ids, and reads the first tokens' bytes. */
    static void run(Tokenizer t) {
        for (String text : TEXTS) {
            t.decode(t.encode(text, true, true), false);
            t.decode(t.encode(text, false, false), true);
        }
        for (int id = 0, n = Math.min(t.vocabSize(), 64); id < n; id++) {
            t.tokenBytes(id);
        }
    }
}
