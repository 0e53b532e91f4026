package dev.panamax.transformer.tokenizer.hf;

import dev.panamax.formats.FormatException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.regex.PatternSyntaxException;

/**
 * A pattern of {@code tokenizer.json}: {@code {"String": "..."}} (a literal) or {@code {"Regex": "..."}}
 * (an Oniguruma expression, see {@link OnigurumaRegex}). A regex reads each text within a step budget
 * ({@link BoundedText}): one that backtracks catastrophically fails fast with a {@link FormatException}
 * naming the file and the field it came from, instead of hanging.
 *
 * @param file  the file the pattern was read from, or null for a built-in pattern
 * @param field the JSON path of the pattern in that file
 */
public record TextPattern(String literal, Pattern regex, Path file, String field) {

    /** A built-in pattern. */
    public TextPattern(String literal, Pattern regex) {
        this(literal, regex, null, "built-in pattern");
    }

    /** The pattern described by {@code node}. */
    public static TextPattern read(JsonNode node) {
        if (node.has("String") && !node.get("String").isNull()) {
            String s = node.get("String").string();
            if (s.isEmpty()) {
                throw node.get("String").fail("an empty pattern matches nowhere");
            }
            return new TextPattern(s, null, node.file(), node.path());
        }
        if (node.has("Regex")) {
            JsonNode r = node.get("Regex");
            try {
                return new TextPattern(null, OnigurumaRegex.compile(r.string()), r.file(), r.path());
            } catch (PatternSyntaxException e) {
                throw r.fail("unsupported regular expression: " + e.getDescription());
            }
        }
        throw node.fail("expected {\"String\": ...} or {\"Regex\": ...}");
    }

    /**
     * The non-empty matches in {@code text}, left to right, as {@code {start, end}} char offsets.
     *
     * @throws FormatException if the regex exceeds its step budget on this text
     */
    public List<int[]> find(String text) {
        List<int[]> out = new ArrayList<>();
        if (literal != null) {
            for (int i = text.indexOf(literal); i >= 0; i = text.indexOf(literal, i + literal.length())) {
                out.add(new int[] {i, i + literal.length()});
            }
            return out;
        }
        Matcher m = regex.matcher(new BoundedText(text));
        try {
            while (m.find()) {
                if (m.end() > m.start()) {
                    out.add(new int[] {m.start(), m.end()});
                }
            }
        } catch (BoundedText.Exhausted e) {
            throw exhausted(text);
        }
        return out;
    }

    /**
     * {@code text} with every match replaced by {@code content}.
     *
     * @throws FormatException if the regex exceeds its step budget on this text
     */
    public String replaceAll(String text, String content) {
        if (literal != null) {
            return text.replace(literal, content);
        }
        try {
            return regex.matcher(new BoundedText(text)).replaceAll(Matcher.quoteReplacement(content));
        } catch (BoundedText.Exhausted e) {
            throw exhausted(text);
        }
    }

    private FormatException exhausted(String text) {
        return new FormatException(file, field, regex.pattern(), "the regular expression backtracks too much: it read "
                + BoundedText.budget(text.length()) + " characters matching a text of " + text.length()
                + " (a pattern with nested repetition such as (a+)+ can take exponential time)");
    }
}
