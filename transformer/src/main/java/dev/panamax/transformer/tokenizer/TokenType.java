package dev.panamax.transformer.tokenizer;

/**
 * The kind of a vocabulary entry, with the ids GGUF stores in {@code tokenizer.ggml.token_type}
 * (llama.cpp's {@code llama_token_type}).
 */
public enum TokenType {
    /** Type 0 or any id GGUF does not define: never produced by encoding, decodes to nothing. */
    UNDEFINED(0),
    /** Type 1: an ordinary piece of text. */
    NORMAL(1),
    /** Type 2: the unknown token, e.g. {@code <unk>}. */
    UNKNOWN(2),
    /** Type 3: a control token such as {@code <s>}; matched in text only when parsing specials. */
    CONTROL(3),
    /** Type 4: a user-defined token, always matched in text before the model's own splitting. */
    USER_DEFINED(4),
    /** Type 5: a reserved slot that is never produced. */
    UNUSED(5),
    /** Type 6: one raw byte, written {@code <0xXX>}, for SentencePiece byte fallback. */
    BYTE(6);

    private final int ggufId;

    TokenType(int ggufId) {
        this.ggufId = ggufId;
    }

    /** {@return the id GGUF uses for this type} */
    public int ggufId() {
        return ggufId;
    }

    /**
     * {@return the type of a GGUF {@code token_type} value; unknown values are {@link #UNDEFINED}, as in llama.cpp}
     *
     * @param id a {@code tokenizer.ggml.token_type} entry
     */
    public static TokenType fromGguf(int id) {
        return switch (id) {
            case 1 -> NORMAL;
            case 2 -> UNKNOWN;
            case 3 -> CONTROL;
            case 4 -> USER_DEFINED;
            case 5 -> UNUSED;
            case 6 -> BYTE;
            default -> UNDEFINED;
        };
    }
}
