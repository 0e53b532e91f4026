package dev.panamax.transformer.tokenizer.hf;

/** Hugging Face's {@code clean_up_tokenization}: no space before punctuation and in English contractions. */
final class CleanUp {
    private CleanUp() {
    }

    /** transformers' {@code clean_up_tokenization}, applied to decoded text when the config asks for it. */
    static String tokenization(String text) {
        return text.replace(" .", ".").replace(" ?", "?").replace(" !", "!").replace(" ,", ",")
                .replace(" ' ", "'").replace(" n't", "n't").replace(" 'm", "'m").replace(" 's", "'s")
                .replace(" 've", "'ve").replace(" 're", "'re");
    }

    /** The WordPiece decoder's clean-up, which also turns {@code " do not"} into {@code " don't"}. */
    static String wordPiece(String text) {
        return text.replace(" .", ".").replace(" ?", "?").replace(" !", "!").replace(" ,", ",")
                .replace(" ' ", "'").replace(" n't", "n't").replace(" 'm", "'m").replace(" do not", " don't")
                .replace(" 's", "'s").replace(" 've", "'ve").replace(" 're", "'re");
    }
}
