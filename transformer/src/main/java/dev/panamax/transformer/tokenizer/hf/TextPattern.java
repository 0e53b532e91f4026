package dev.panamax.transformer.tokenizer.hf;

import java.util.ArrayList;
import java.util.List;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.regex.PatternSyntaxException;

/**
 * A pattern of {@code tokenizer.json}: {@code {"String": "..."}} (a literal) or {@code {"Regex": "..."}}
 * (an Oniguruma expression, see {@link OnigurumaRegex}).
 */
public record TextPattern(String literal, Pattern regex) {

    /** The pattern described by {@code node}. */
    public static TextPattern read(JsonNode node) {
        if (node.has("String") && !node.get("String").isNull()) {
            String s = node.get("String").string();
            if (s.isEmpty()) {
                throw node.get("String").fail("an empty pattern matches nowhere");
            }
            return new TextPattern(s, null);
        }
        if (node.has("Regex")) {
            JsonNode r = node.get("Regex");
            try {
                return new TextPattern(null, OnigurumaRegex.compile(r.string()));
            } catch (PatternSyntaxException e) {
                throw r.fail("unsupported regular expression: " + e.getDescription());
            }
        }
        throw node.fail("expected {\"String\": ...} or {\"Regex\": ...}");
    }

    /** The non-empty matches in {@code text}, left to right, as {@code {start, end}} char offsets. */
    public List<int[]> find(String text) {
        List<int[]> out = new ArrayList<>();
        if (literal != null) {
            for (int i = text.indexOf(literal); i >= 0; i = text.indexOf(literal, i + literal.length())) {
                out.add(new int[] {i, i + literal.length()});
            }
            return out;
        }
        Matcher m = regex.matcher(text);
        while (m.find()) {
            if (m.end() > m.start()) {
                out.add(new int[] {m.start(), m.end()});
            }
        }
        return out;
    }

    /** {@code text} with every match replaced by {@code content}. */
    public String replaceAll(String text, String content) {
        return literal != null ? text.replace(literal, content)
                : regex.matcher(text).replaceAll(Matcher.quoteReplacement(content));
    }
}
