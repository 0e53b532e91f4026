package dev.panamax.transformer.tokenizer.hf;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.regex.Pattern;

/**
 * Finds added tokens in text: at each position the longest token that starts there (leftmost-longest,
 * as Hugging Face's Aho-Corasick matcher), honouring {@code single_word} (a match touching a word
 * character is passed over) and {@code lstrip}/{@code rstrip} (adjacent whitespace is swallowed).
 */
final class AddedTokenSplitter {
    private static final Pattern WORD_CHAR = OnigurumaRegex.compile("\\w");

    /** A stretch of text, or an added token when {@code token} is not null. */
    record Piece(String text, AddedToken token) {
    }

    private final Map<String, AddedToken> byText = new HashMap<>();
    /** Per first char, the distinct token lengths starting with it, longest first. */
    private final Map<Character, int[]> lengths = new HashMap<>();

    /** A splitter for {@code tokens}, each matched by the text {@code match} gives (its content or normalized content). */
    AddedTokenSplitter(List<AddedToken> tokens, java.util.function.Function<AddedToken, String> match) {
        Map<Character, List<Integer>> byFirst = new HashMap<>();
        for (AddedToken t : tokens) {
            String text = match.apply(t);
            if (text.isEmpty()) {
                continue;
            }
            byText.putIfAbsent(text, t);
            byFirst.computeIfAbsent(text.charAt(0), c -> new ArrayList<>()).add(text.length());
        }
        byFirst.forEach((c, ls) -> lengths.put(c, ls.stream().distinct().sorted((a, b) -> b - a)
                .mapToInt(Integer::intValue).toArray()));
    }

    boolean isEmpty() {
        return byText.isEmpty();
    }

    /** {@code text} cut into stretches and tokens; special tokens are matched only when {@code withSpecial}. */
    List<Piece> split(String text, boolean withSpecial) {
        List<Piece> out = new ArrayList<>();
        int done = 0;
        int i = 0;
        while (i < text.length()) {
            int[] candidates = lengths.get(text.charAt(i));
            AddedToken found = null;
            int foundEnd = 0;
            if (candidates != null) {
                for (int len : candidates) {
                    if (i + len > text.length()) {
                        continue;
                    }
                    AddedToken t = byText.get(text.substring(i, i + len));
                    if (t != null && (withSpecial || !t.special())) {
                        found = t;
                        foundEnd = i + len;
                        break;
                    }
                }
            }
            if (found == null) {
                i++;
                continue;
            }
            if (found.singleWord() && (endsWithWord(text, i) || startsWithWord(text, foundEnd))) {
                i = foundEnd; // Hugging Face discards this match and continues after it
                continue;
            }
            int start = i;
            int end = foundEnd;
            if (found.lstrip()) {
                while (start > done && Chars.isWhiteSpace(text.codePointBefore(start))) {
                    start -= Character.charCount(text.codePointBefore(start));
                }
            }
            if (found.rstrip()) {
                while (end < text.length() && Chars.isWhiteSpace(text.codePointAt(end))) {
                    end += Character.charCount(text.codePointAt(end));
                }
            }
            if (start > done) {
                out.add(new Piece(text.substring(done, start), null));
            }
            out.add(new Piece(null, found));
            done = end;
            i = end;
        }
        if (done < text.length()) {
            out.add(new Piece(text.substring(done), null));
        }
        return out;
    }

    private static boolean endsWithWord(String text, int at) {
        return at > 0 && WORD_CHAR.matcher(new String(Character.toChars(text.codePointBefore(at)))).matches();
    }

    private static boolean startsWithWord(String text, int at) {
        return at < text.length() && WORD_CHAR.matcher(new String(Character.toChars(text.codePointAt(at)))).matches();
    }

    @Override
    public String toString() {
        return "AddedTokenSplitter" + Arrays.toString(byText.keySet().toArray());
    }
}
