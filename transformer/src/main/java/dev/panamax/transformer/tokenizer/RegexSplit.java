package dev.panamax.transformer.tokenizer;

import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * A split by a regular expression, with the semantics of llama.cpp's general fallback: every match
 * becomes a chunk, and so does every stretch of text between matches.
 *
 * <p>llama.cpp runs ECMAScript {@code std::regex}, which knows no Unicode categories, so a pattern with
 * {@code \p{L}}, {@code \p{N}}, {@code \p{P}}, {@code \p{S}} or {@code \p{M}} is matched against a
 * <em>collapsed</em> text with one character per code point: ASCII as itself, other whitespace as
 * U+000B, anything else as a private character for its category (see {@link CodepointClass#collapse}),
 * and each {@code \p{X}} is rewritten to that private character plus the ASCII members of X. This class
 * does the same, so that its results agree with llama.cpp's, quirks included (for example
 * {@code \s} is ASCII whitespace plus U+000B, and {@code \p{S}} misses {@code ~}). A pattern without
 * categories is matched against the code points, with non-ASCII whitespace as U+000B.
 */
final class RegexSplit implements SplitRule {
    /** The ASCII members llama.cpp adds for each category it collapses. */
    private static final Map<String, String> CATEGORY_CLASS = Map.of(
            "\\p{N}", "\\x{D1}0-9",
            "\\p{L}", "\\x{D2}A-Za-z",
            "\\p{P}", "\\x{D3}!-#%-*,-/:-;?-@\\[-\\]_\\{\\}",
            "\\p{M}", "\\x{D4}",
            "\\p{S}", "\\x{D5}\\$\\+<->\\^`\\|",
            "\\p{Lu}", "\\x{D2}A-Za-z",
            "\\p{Ll}", "\\x{D2}A-Za-z",
            "\\p{Lt}", "\\x{D2}A-Za-z",
            "\\p{Lm}", "\\x{D2}A-Za-z",
            "\\p{Lo}", "\\x{D2}A-Za-z");

    private final String source;
    private final Pattern pattern;
    private final boolean collapsed;

    /** A split by {@code regex}, written as in the tokenizer's own definition. */
    RegexSplit(String regex) {
        this.source = regex;
        this.collapsed = CATEGORY_CLASS.keySet().stream().anyMatch(regex::contains);
        this.pattern = Pattern.compile(collapsed ? collapse(regex) : regex);
    }

    /** The pattern as written by the tokenizer. */
    String source() {
        return source;
    }

    @Override
    public IntList apply(SplitText text, IntList chunks) {
        String subject = collapsed ? text.collapsed() : text.wide();
        Matcher m = pattern.matcher(subject);
        IntList out = new IntList(chunks.size() * 4);
        int start = 0;
        for (int c = 0; c < chunks.size(); c++) {
            int end = start + chunks.get(c);
            int from = index(text, start);
            int to = index(text, end);
            m.region(from, to);
            int last = from;
            while (m.find()) {
                if (m.end() == m.start()) {
                    throw new IllegalStateException("pre-tokenizer pattern matched the empty string: " + source);
                }
                if (m.start() > last) {
                    out.add(cpIndex(text, m.start()) - cpIndex(text, last));
                }
                out.add(cpIndex(text, m.end()) - cpIndex(text, m.start()));
                last = m.end();
            }
            if (last < to) {
                out.add(cpIndex(text, to) - cpIndex(text, last));
            }
            start = end;
        }
        return out;
    }

    private int index(SplitText text, int cpIndex) {
        return collapsed ? cpIndex : text.wideIndex(cpIndex);
    }

    private int cpIndex(SplitText text, int charIndex) {
        return collapsed ? charIndex : text.cpIndexOfWide(charIndex);
    }

    /** Rewrites each {@code \p{X}} to the collapsed character class, inside or outside brackets. */
    static String collapse(String regex) {
        StringBuilder out = new StringBuilder(regex.length() + 32);
        boolean inClass = false;
        for (int i = 0; i < regex.length(); i++) {
            char c = regex.charAt(i);
            boolean escaped = i > 0 && regex.charAt(i - 1) == '\\';
            if (c == '[' && !escaped) {
                inClass = true;
            } else if (c == ']' && inClass && !escaped) {
                inClass = false;
            } else if (c == '\\' && regex.startsWith("\\p{", i)) {
                int close = regex.indexOf('}', i + 3);
                String members = close < 0 ? null : CATEGORY_CLASS.get(regex.substring(i, close + 1));
                if (members != null) {
                    out.append(inClass ? members : "[" + members + "]");
                    i = close;
                    continue;
                }
            }
            out.append(c);
        }
        return out.toString();
    }
}
