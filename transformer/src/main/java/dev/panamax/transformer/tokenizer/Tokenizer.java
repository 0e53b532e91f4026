package dev.panamax.transformer.tokenizer;

import dev.panamax.formats.gguf.GgufMetadata;
import dev.panamax.formats.gguf.ModelMetadata;
import java.nio.file.Path;

/**
 * Text to token ids and back, with llama.cpp's results.
 *
 * <pre>{@code
 * Tokenizer tok = Tokenizer.fromGguf(gguf.metadata());
 * int[] ids = tok.encode("Once upon a time", true, false);   // BOS added if the model wants it
 * String text = tok.decode(ids);                             // control tokens such as BOS are skipped
 * }</pre>
 *
 * Implementations are immutable and thread-safe.
 */
public sealed interface Tokenizer permits AbstractTokenizer, HuggingFaceTokenizer {

    /**
     * The token ids of {@code text}.
     *
     * @param text         the text to encode
     * @param addSpecial   add BOS / EOS where the vocabulary asks for them ({@link Vocabulary#addsBos()})
     * @param parseSpecial recognise control tokens written in the text (e.g. {@code <|eot_id|>}); when
     *                     false they are tokenized as plain text. User-defined tokens are always recognised.
     * @return the ids, in order
     */
    int[] encode(String text, boolean addSpecial, boolean parseSpecial);

    /**
     * {@link #encode(String, boolean, boolean)} with special tokens added and not parsed.
     *
     * @param text the text to encode
     * @return the ids, in order
     */
    default int[] encode(String text) {
        return encode(text, true, false);
    }

    /**
     * The text of {@code ids} as llama.cpp's {@code llama_detokenize(remove_special=false,
     * unparse_special=false)} writes it: control and unknown tokens are skipped, the space prefix that
     * SentencePiece encoding added is removed from the first token, and bytes that do not form valid
     * UTF-8 become U+FFFD. No clean-up of spaces before punctuation is done.
     *
     * @param ids token ids, each in the vocabulary
     * @return the text
     */
    default String decode(int[] ids) {
        return decode(ids, true);
    }

    /**
     * The text of {@code ids}; with {@code skipSpecial} false, control tokens (BOS, chat markers) are
     * written out as their text instead of being skipped.
     *
     * @param ids         token ids, each in the vocabulary
     * @param skipSpecial true to leave control tokens out
     * @return the text
     */
    String decode(int[] ids, boolean skipSpecial);

    /**
     * The bytes token {@code id} stands for: the text of normal tokens (with {@code ▁} as a space for
     * SentencePiece, GPT-2's byte characters as bytes for byte-level BPE), the byte of a byte token,
     * the written form of control, unknown and user-defined tokens, nothing for unused ones. A piece may
     * be part of a UTF-8 sequence; see {@link StreamingDecoder}.
     *
     * @param id a token id
     * @return a new array with the token's bytes
     */
    byte[] tokenBytes(int id);

    /** {@return the vocabulary, with its token texts, types and special ids} */
    Vocabulary vocabulary();

    /** {@return whether SentencePiece encoding prepends a space, which decoding then removes again} */
    boolean addsSpacePrefix();

    /** {@return the beginning-of-sequence token, or -1} */
    default int bos() {
        return vocabulary().bos();
    }

    /** {@return the end-of-sequence token, or -1} */
    default int eos() {
        return vocabulary().eos();
    }

    /**
     * Whether generating {@code id} ends generation.
     *
     * @param id a token id
     * @return true for end-of-generation tokens (EOS, EOT, chat end markers)
     */
    default boolean isEog(int id) {
        return vocabulary().isEndOfGeneration(id);
    }

    /** {@return the number of tokens in the vocabulary} */
    default int vocabSize() {
        return vocabulary().size();
    }

    /**
     * The tokenizer of {@code config}: {@link SpmTokenizer} for {@code "llama"}, {@link WordPieceTokenizer}
     * for {@code "bert"}, {@link BpeTokenizer}
     * for {@code "gpt2"} with the pre-tokenizer named by {@link TokenizerConfig#pre()} (llama.cpp's
     * {@code default} when null).
     *
     * @param config the vocabulary, merges and settings
     * @return the tokenizer
     * @throws IllegalArgumentException for another model, an unsupported pre-tokenizer, missing merges
     *                                  or inconsistent special ids
     */
    static Tokenizer create(TokenizerConfig config) {
        Vocabulary vocab = new Vocabulary(config);
        return switch (config.model()) {
            case "llama" -> new SpmTokenizer(vocab);
            case "bert" -> new WordPieceTokenizer(vocab);
            case "gpt2" -> {
                if (config.merges() == null) {
                    throw new IllegalArgumentException("a gpt2 tokenizer needs merges");
                }
                yield new BpeTokenizer(vocab, config.merges(),
                        PreTokenizer.forName(config.pre() == null ? "default" : config.pre()));
            }
            default -> throw new IllegalArgumentException("unsupported tokenizer model '" + config.model() + "'");
        };
    }

    /**
     * The tokenizer stored in a GGUF file's {@code tokenizer.ggml.*} metadata (vocabulary, scores,
     * token types, merges, pre-tokenizer name, special ids and add-BOS/EOS/space-prefix flags).
     *
     * @param metadata a GGUF file's metadata
     * @return the tokenizer
     * @throws dev.panamax.formats.FormatException naming the file and key for missing, malformed or
     *                                             unsupported tokenizer metadata
     */
    static Tokenizer fromGguf(GgufMetadata metadata) {
        Tokenizer t = create(GgufTokenizerConfig.from(metadata));
        Vocabulary v = t.vocabulary();
        // a flag that asks for a token the vocabulary lacks would fail every encode with special tokens
        if (v.addsBos() && v.bos() < 0) {
            throw new dev.panamax.formats.FormatException(metadata.file(), "metadata[\"tokenizer.ggml.add_bos_token\"]", true,
                    "BOS is to be added, but the vocabulary has no BOS token (tokenizer.ggml.bos_token_id)");
        }
        if (v.addsEos() && v.eos() < 0) {
            throw new dev.panamax.formats.FormatException(metadata.file(), "metadata[\"tokenizer.ggml.add_eos_token\"]", true,
                    "EOS is to be added, but the vocabulary has no EOS token (tokenizer.ggml.eos_token_id)");
        }
        return t;
    }

    /**
     * {@link #fromGguf(GgufMetadata)} of the metadata behind {@code model}.
     *
     * @param model a GGUF model's metadata
     * @return the tokenizer
     */
    static Tokenizer fromGguf(ModelMetadata model) {
        return fromGguf(model.metadata());
    }

    /**
     * The tokenizer of a Hugging Face {@code tokenizer.json} and the {@code tokenizer_config.json}
     * beside it (see {@link HuggingFaceTokenizer} for what is supported).
     *
     * @param tokenizerJson a {@code tokenizer.json} file
     * @return the tokenizer
     * @throws dev.panamax.formats.FormatException if the file is malformed or uses unsupported features
     */
    static HuggingFaceTokenizer fromHuggingFace(Path tokenizerJson) {
        return HuggingFaceTokenizer.read(tokenizerJson);
    }
}
