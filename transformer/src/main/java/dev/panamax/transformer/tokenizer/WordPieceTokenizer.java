package dev.panamax.transformer.tokenizer;

import java.nio.charset.StandardCharsets;
import java.text.Normalizer;
import java.util.ArrayList;
import java.util.List;

/**
 * WordPiece over a GGUF {@code bert} vocabulary, as llama.cpp's {@code llm_tokenizer_wpm} (BERT and
 * embedding models such as BGE). GGUF stores word-initial pieces with a leading {@code ▁} and
 * continuation pieces bare (Hugging Face's {@code ##} removed).
 *
 * <p>The text is split into words: at whitespace (dropped), and around every punctuation character,
 * ASCII symbol and CJK ideograph (each a word of its own); NUL, U+FFFD and control characters are
 * dropped; text is lower-cased and, after NFD, stripped of combining marks (llama.cpp's defaults for
 * BERT). Each word, with {@code ▁} in front, is cut greedily into the longest tokens from the left; a
 * word that cannot be covered becomes the unknown token. Encoding with special tokens puts the CLS
 * token ({@link Vocabulary#bos()}) first and the SEP token ({@link Vocabulary#eos()}) last.
 */
public final class WordPieceTokenizer extends AbstractTokenizer {
    private static final String WORD_START = "\u2581";

    private final int maxTokenChars;

    /**
     * A WordPiece tokenizer over {@code vocab}, which must be a {@code bert} vocabulary.
     *
     * @param vocab the vocabulary, with {@code ##} marking pieces that continue a word
     */
    public WordPieceTokenizer(Vocabulary vocab) {
        super(vocab);
        if (!vocab.model().equals("bert")) {
            throw new IllegalArgumentException("WordPieceTokenizer needs a bert vocabulary, not " + vocab.model());
        }
        int max = 1;
        for (int i = 0; i < vocab.size(); i++) {
            max = Math.max(max, vocab.text(i).length());
        }
        this.maxTokenChars = max;
    }

    @Override
    void encodeFragments(String text, List<Fragment> fragments, IntList out) {
        for (Fragment f : fragments) {
            if (f.isToken()) {
                out.add(f.token());
                continue;
            }
            for (String word : words(text.substring(f.start(), f.end()))) {
                encodeWord(WORD_START + word, out);
            }
        }
    }

    /** llama.cpp's WordPiece pre-processing: normalization and the split into words. */
    static List<String> words(String text) {
        String nfd = Normalizer.normalize(text, Normalizer.Form.NFD);
        List<String> words = new ArrayList<>();
        StringBuilder word = new StringBuilder();
        for (int i = 0; i < nfd.length(); ) {
            int cp = nfd.codePointAt(i);
            i += Character.charCount(cp);
            int category = CodepointClass.category(cp);
            if (CodepointClass.isWhitespace(cp)) {
                flush(word, words);
                continue;
            }
            if (cp == 0 || cp == 0xFFFD || category == CodepointClass.CONTROL || category == CodepointClass.MARK) {
                continue;
            }
            int lower = Character.toLowerCase(cp);
            if (category == CodepointClass.PUNCTUATION || (cp < 0x7F && category == CodepointClass.SYMBOL) || isCjk(cp)) {
                flush(word, words);
                words.add(new String(Character.toChars(lower)));
            } else {
                word.appendCodePoint(lower);
            }
        }
        flush(word, words);
        return words;
    }

    private static void flush(StringBuilder word, List<String> words) {
        if (!word.isEmpty()) {
            words.add(word.toString());
            word.setLength(0);
        }
    }

    /** The CJK ideograph blocks BERT isolates (with Hugging Face's 0x2B920 start of the sixth range). */
    private static boolean isCjk(int cp) {
        return (cp >= 0x4E00 && cp <= 0x9FFF) || (cp >= 0x3400 && cp <= 0x4DBF) || (cp >= 0x20000 && cp <= 0x2A6DF)
                || (cp >= 0x2A700 && cp <= 0x2B73F) || (cp >= 0x2B740 && cp <= 0x2B81F) || (cp >= 0x2B920 && cp <= 0x2CEAF)
                || (cp >= 0xF900 && cp <= 0xFAFF) || (cp >= 0x2F800 && cp <= 0x2FA1F);
    }

    private void encodeWord(String word, IntList out) {
        int before = out.size();
        for (int i = 0; i < word.length(); ) {
            int found = -1;
            int end = Math.min(word.length(), i + maxTokenChars);
            if (end < word.length() && Character.isLowSurrogate(word.charAt(end))) {
                end--;
            }
            for (; end > i; end = word.offsetByCodePoints(end, -1)) {
                found = vocab.id(word.substring(i, end));
                if (found >= 0) {
                    break;
                }
            }
            if (found < 0) {
                out.truncate(before);
                break;
            }
            out.add(found);
            i = end;
        }
        if (out.size() == before) {
            if (vocab.unknown() < 0) {
                throw new IllegalStateException("word '" + word.substring(1) + "' has no tokens and the vocabulary has no unknown token");
            }
            out.add(vocab.unknown());
        }
    }

    @Override
    byte[] normalBytes(int id) {
        return vocab.text(id).replace(WORD_START, " ").getBytes(StandardCharsets.UTF_8);
    }

    /** Word-initial pieces decode with a space before them; the first token's is dropped. */
    @Override
    public boolean addsSpacePrefix() {
        return true;
    }
}
