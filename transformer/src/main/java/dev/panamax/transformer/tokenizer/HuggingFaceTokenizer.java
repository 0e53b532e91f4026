package dev.panamax.transformer.tokenizer;

import dev.panamax.transformer.tokenizer.hf.AddedToken;
import dev.panamax.transformer.tokenizer.hf.ByteFallbackDecoder;
import dev.panamax.transformer.tokenizer.hf.Pipeline;
import dev.panamax.transformer.tokenizer.hf.TokenPieces;
import dev.panamax.transformer.tokenizer.hf.TokenizerConfigJson;
import dev.panamax.transformer.tokenizer.hf.TokenizerJson;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * A tokenizer read from a Hugging Face {@code tokenizer.json} (and the {@code tokenizer_config.json}
 * beside it), giving the ids and texts that Hugging Face's tokenizers (as transformers.js runs them)
 * give. Supported, with anything else a {@link dev.panamax.formats.FormatException} naming the file,
 * JSON path and value:
 * <ul>
 * <li>normalizers NFC, NFD, NFKC, NFKD, Sequence, Prepend, Replace, Lowercase, Strip, StripAccents,
 *     BertNormalizer;</li>
 * <li>pre-tokenizers Sequence, Split (every behaviour, {@code invert}), ByteLevel, Metaspace, Digits,
 *     Punctuation, Whitespace, WhitespaceSplit, BertPreTokenizer;</li>
 * <li>models BPE ({@code byte_fallback}, {@code fuse_unk}, {@code ignore_merges},
 *     {@code continuing_subword_prefix}, {@code end_of_word_suffix}) and WordPiece;</li>
 * <li>decoders ByteLevel, Metaspace, ByteFallback, Fuse, Strip, Replace, Sequence, WordPiece;</li>
 * <li>post-processors TemplateProcessing, ByteLevel, Sequence; added tokens with all their flags.</li>
 * </ul>
 *
 * <p>Special tokens are added only as the post-processor says, as transformers.js and Python
 * transformers 5 do: {@code add_bos_token} in the config is exposed ({@link #addBosTokenFlag()}) but
 * does not change encoding (transformers 4's {@code LlamaTokenizerFast} rebuilt the post-processor from
 * it; docs/tokenizers.md). Options transformers.js does not implement ({@code Split}'s merging
 * behaviours and {@code invert}, Metaspace's {@code split}, Punctuation's behaviour, non-ASCII digits)
 * follow Hugging Face tokenizers. In {@link #encode(String, boolean, boolean)} {@code parseSpecial} decides whether special
 * added tokens written in the text are recognised; non-special ones (e.g. Qwen's FIM markers) always
 * are. In the {@link #vocabulary()} special added tokens are {@link TokenType#CONTROL}, other added
 * tokens {@link TokenType#USER_DEFINED}, byte-fallback tokens {@link TokenType#BYTE}.
 */
public final class HuggingFaceTokenizer implements Tokenizer {
    private final Pipeline pipeline;
    private final Vocabulary vocab;
    private final boolean stripsFirstSpace;

    private HuggingFaceTokenizer(Pipeline pipeline) {
        this.pipeline = pipeline;
        this.vocab = new Vocabulary(vocabularyConfig(pipeline));
        this.stripsFirstSpace = TokenPieces.stripsFirstSpace(pipeline.decoder());
    }

    /**
     * The tokenizer in {@code tokenizerJson}, with the options of a {@code tokenizer_config.json} beside it.
     *
     * @param tokenizerJson a {@code tokenizer.json} file
     * @return the tokenizer
     * @throws dev.panamax.formats.FormatException for malformed or unsupported content
     * @throws java.io.UncheckedIOException        if a file cannot be read
     */
    public static HuggingFaceTokenizer read(Path tokenizerJson) {
        return new HuggingFaceTokenizer(TokenizerJson.read(tokenizerJson, TokenizerConfigJson.besides(tokenizerJson)));
    }

    private static TokenizerConfig vocabularyConfig(Pipeline p) {
        int n = p.size();
        String[] texts = new String[n];
        int[] types = new int[n];
        for (int id = 0; id < n; id++) {
            String t = p.text(id);
            texts[id] = t == null ? "[PAD" + id + "]" : t;
            TokenType type = t == null ? TokenType.UNUSED
                    : p.byteFallback() && ByteFallbackDecoder.byteOf(t) >= 0 ? TokenType.BYTE
                    : id == p.unknown() ? TokenType.UNKNOWN : TokenType.NORMAL;
            types[id] = type.ggufId();
        }
        for (AddedToken t : p.addedTokens()) {
            types[t.id()] = (t.special() ? TokenType.CONTROL : TokenType.USER_DEFINED).ggufId();
        }
        TokenizerConfigJson c = p.config();
        int[] template = p.encode("", true, false);
        Integer bos = idOf(p, texts, c.bosToken(), "bos_token");
        Integer eos = idOf(p, texts, c.eosToken(), "eos_token");
        return TokenizerConfig.builder("huggingface", List.of(texts)).tokenTypes(types)
                .bos(bos).eos(eos).unknown(p.unknown())
                .addBos(bos >= 0 && template.length > 0 && template[0] == bos)
                .addEos(eos >= 0 && template.length > 0 && template[template.length - 1] == eos)
                .addSpacePrefix(false)
                .build();
    }

    private static int idOf(Pipeline p, String[] texts, String token, String field) {
        if (token == null) {
            return -1;
        }
        for (AddedToken t : p.addedTokens()) {
            if (t.content().equals(token)) {
                return t.id();
            }
        }
        for (int id = 0; id < texts.length; id++) {
            if (token.equals(p.text(id))) {
                return id;
            }
        }
        throw new dev.panamax.formats.FormatException(p.file().resolveSibling("tokenizer_config.json"), field, token,
                "no such token in " + p.file().getFileName());
    }

    @Override
    public int[] encode(String text, boolean addSpecial, boolean parseSpecial) {
        return pipeline.encode(AbstractTokenizer.wellFormed(text), addSpecial, parseSpecial);
    }

    @Override
    public String decode(int[] ids, boolean skipSpecial) {
        return pipeline.decode(ids, skipSpecial);
    }

    @Override
    public byte[] tokenBytes(int id) {
        if (id < 0 || id >= vocab.size()) {
            throw new IllegalArgumentException("token id " + id + " is outside the vocabulary of " + vocab.size() + " tokens");
        }
        String text = vocab.text(id);
        return switch (vocab.type(id)) {
            case CONTROL, UNKNOWN, USER_DEFINED -> text.getBytes(StandardCharsets.UTF_8);
            case BYTE -> new byte[] {(byte) ByteFallbackDecoder.byteOf(text)};
            case NORMAL -> TokenPieces.bytes(pipeline.decoder(), text);
            case UNUSED, UNDEFINED -> new byte[0];
        };
    }

    @Override
    public Vocabulary vocabulary() {
        return vocab;
    }

    /** Whether decoding removes one leading space from the first token (SentencePiece-style decoders). */
    @Override
    public boolean addsSpacePrefix() {
        return stripsFirstSpace;
    }

    /**
     * {@return the chat template of {@code tokenizer_config.json}: the one named {@code "default"}, or the only
     * one}
     */
    public Optional<String> chatTemplate() {
        return pipeline.config().chatTemplate();
    }

    /** {@return all chat templates of {@code tokenizer_config.json} by name (a single string is {@code "default"})} */
    public Map<String, String> chatTemplates() {
        return pipeline.config().chatTemplates();
    }

    /**
     * {@return {@code add_bos_token} of {@code tokenizer_config.json}, if given (informational, see the class
     * comment)}
     */
    public Optional<Boolean> addBosTokenFlag() {
        return Optional.ofNullable(pipeline.config().addBosToken());
    }

    /** {@return {@code add_eos_token} of {@code tokenizer_config.json}, if given (informational)} */
    public Optional<Boolean> addEosTokenFlag() {
        return Optional.ofNullable(pipeline.config().addEosToken());
    }

    /**
     * The chat templates of a {@code tokenizer_config.json}, by name, without reading a tokenizer: a
     * string is named {@code "default"}, a list of {@code {name, template}} keeps its names.
     *
     * @param tokenizerConfigJson a {@code tokenizer_config.json} file
     * @return name to Jinja template, empty if the file has none
     * @throws dev.panamax.formats.FormatException for malformed JSON or a chat_template of another shape
     */
    public static Map<String, String> readChatTemplates(Path tokenizerConfigJson) {
        return TokenizerConfigJson.read(tokenizerConfigJson).chatTemplates();
    }
}
