package dev.panamax.transformer.tokenizer.hf;

import java.util.function.IntConsumer;

/** A {@code tokenizer.json} model: turns one pre-tokenized word into token ids. */
public sealed interface TokenModel permits BpeModel, WordPieceModel {

    /** Appends the ids of {@code word} to {@code out}. */
    void encode(String word, IntConsumer out);
}
