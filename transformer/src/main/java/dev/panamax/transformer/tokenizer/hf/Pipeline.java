package dev.panamax.transformer.tokenizer.hf;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import java.util.function.IntConsumer;

/**
 * A Hugging Face tokenizer as {@code tokenizer.json} defines it, run the way transformers.js runs it:
 * added tokens are found in the raw text (those marked {@code normalized} in the normalized text),
 * each stretch between them is normalized, pre-tokenized and encoded by the model on its own, and
 * the post-processor adds special tokens. Decoding maps ids to token texts (dropping special tokens
 * on request), runs the decoder and optionally cleans up spaces. Immutable and thread-safe.
 */
public final class Pipeline {
    private final Path file;
    private final String[] idToText;
    private final List<AddedToken> added;
    private final AddedTokenSplitter rawTokens;
    private final AddedTokenSplitter normalizedTokens;
    private final Normalizer normalizer;
    private final PreTokenizerStep preTokenizer;
    private final TokenModel model;
    private final PostProcessor postProcessor;
    private final Decoder decoder;
    private final boolean byteFallback;
    private final int unknown;
    private final TokenizerConfigJson config;
    private final Set<String> specialTexts = new HashSet<>();

    Pipeline(Path file, String[] idToText, List<AddedToken> added, Normalizer normalizer, PreTokenizerStep preTokenizer,
            TokenModel model, PostProcessor postProcessor, Decoder decoder, boolean byteFallback, int unknown,
            TokenizerConfigJson config) {
        this.file = file;
        this.idToText = idToText;
        this.added = List.copyOf(added);
        this.normalizer = normalizer;
        this.preTokenizer = preTokenizer;
        this.model = model;
        this.postProcessor = postProcessor;
        this.decoder = decoder;
        this.byteFallback = byteFallback;
        this.unknown = unknown;
        this.config = config;
        List<AddedToken> raw = new ArrayList<>();
        List<AddedToken> normalized = new ArrayList<>();
        for (AddedToken t : added) {
            (t.normalized() && normalizer != null ? normalized : raw).add(t);
            if (t.special()) {
                specialTexts.add(t.content());
            }
        }
        specialTexts.addAll(config.additionalSpecial());
        this.rawTokens = new AddedTokenSplitter(raw, AddedToken::content);
        this.normalizedTokens = new AddedTokenSplitter(normalized, t -> normalizer.normalize(t.content()));
    }

    /** The file this pipeline was read from. */
    public Path file() {
        return file;
    }

    /** The token texts by id (added tokens' contents where they override); holes are null. */
    public String text(int id) {
        return idToText[id];
    }

    /** One more than the highest token id. */
    public int size() {
        return idToText.length;
    }

    /** The added tokens, in file order. */
    public List<AddedToken> addedTokens() {
        return added;
    }

    /** Whether byte tokens {@code <0xXX>} stand for raw bytes (BPE {@code byte_fallback}). */
    public boolean byteFallback() {
        return byteFallback;
    }

    /** The model's unknown token, or -1. */
    public int unknown() {
        return unknown;
    }

    /** The decoder, or null. */
    public Decoder decoder() {
        return decoder;
    }

    /** The options from {@code tokenizer_config.json}. */
    public TokenizerConfigJson config() {
        return config;
    }

    /**
     * The ids of {@code text}.
     *
     * @param addSpecial   let the post-processor add its special tokens (BOS...)
     * @param parseSpecial match special added tokens written in the text; non-special ones always match
     */
    public int[] encode(String text, boolean addSpecial, boolean parseSpecial) {
        IdBuffer ids = new IdBuffer(text.length() / 2 + 4);
        List<AddedTokenSplitter.Piece> sections = rawTokens.split(text, parseSpecial);
        for (int s = 0; s < sections.size(); s++) {
            AddedTokenSplitter.Piece section = sections.get(s);
            if (section.token() != null) {
                ids.accept(section.token().id());
                continue;
            }
            String normalizedText = normalizer == null ? section.text() : normalizer.normalize(section.text());
            if (normalizedText.isEmpty()) {
                continue;
            }
            for (AddedTokenSplitter.Piece piece : normalizedTokens.split(normalizedText, parseSpecial)) {
                if (piece.token() != null) {
                    ids.accept(piece.token().id());
                } else {
                    encodePiece(piece.text(), s == 0, ids);
                }
            }
        }
        int[] out = ids.toArray();
        return postProcessor == null ? out : postProcessor.process(out, addSpecial);
    }

    private void encodePiece(String text, boolean first, IntConsumer out) {
        if (preTokenizer == null) {
            model.encode(text, out);
            return;
        }
        List<String> words = new ArrayList<>();
        preTokenizer.split(text, first, words);
        for (String w : words) {
            model.encode(w, out);
        }
    }

    /**
     * The text of {@code ids}.
     *
     * @param skipSpecial leave out special added tokens (and the config's additional special tokens)
     * @throws IllegalArgumentException for an id outside the vocabulary
     */
    public String decode(int[] ids, boolean skipSpecial) {
        List<String> pieces = new ArrayList<>(ids.length);
        for (int id : ids) {
            if (id < 0 || id >= idToText.length) {
                throw new IllegalArgumentException("token id " + id + " is outside the vocabulary of " + idToText.length + " tokens");
            }
            String t = idToText[id];
            if (t == null) {
                t = unknown >= 0 ? idToText[unknown] : "";
            }
            if (skipSpecial && specialTexts.contains(t)) {
                continue;
            }
            pieces.add(t);
        }
        String text = decoder == null ? String.join(" ", pieces) : String.join("", decoder.decodeChain(pieces));
        return config.cleanUpSpaces() ? CleanUp.tokenization(text) : text;
    }

    /** A growing int array, the encoder's output. */
    private static final class IdBuffer implements IntConsumer {
        private int[] ids;
        private int n;

        IdBuffer(int capacity) {
            ids = new int[Math.max(capacity, 4)];
        }

        @Override
        public void accept(int id) {
            if (n == ids.length) {
                ids = java.util.Arrays.copyOf(ids, n * 2);
            }
            ids[n++] = id;
        }

        int[] toArray() {
            return java.util.Arrays.copyOf(ids, n);
        }
    }
}
