package dev.panamax.transformer.tokenizer.hf;

import java.util.List;

/**
 * {@code Metaspace} (SentencePiece style): spaces become {@code replacement} ({@code ▁}), which is also
 * put in front of text that does not start with it ({@code prepend_scheme} always, only at the start
 * of the text ({@code first}), or never); with {@code split}, the text is cut before each replacement.
 */
public record MetaspacePreTokenizer(String replacement, PrependScheme prependScheme, boolean split)
        implements PreTokenizerStep {

    /** When the replacement character is prepended. */
    public enum PrependScheme { ALWAYS, FIRST, NEVER }

    static MetaspacePreTokenizer read(JsonNode node) {
        String replacement = node.string("replacement", "\u2581");
        if (replacement.codePointCount(0, replacement.length()) != 1) {
            throw node.get("replacement").fail("expected one character");
        }
        PrependScheme scheme;
        if (node.has("prepend_scheme") && !node.get("prepend_scheme").isNull()) {
            JsonNode s = node.get("prepend_scheme");
            scheme = switch (s.string()) {
                case "always" -> PrependScheme.ALWAYS;
                case "first" -> PrependScheme.FIRST;
                case "never" -> PrependScheme.NEVER;
                default -> throw s.fail("unsupported prepend_scheme (supported: always, first, never)");
            };
        } else {
            // files written before prepend_scheme existed say add_prefix_space
            scheme = node.bool("add_prefix_space", true) ? PrependScheme.ALWAYS : PrependScheme.NEVER;
        }
        return new MetaspacePreTokenizer(replacement, scheme, node.bool("split", true));
    }

    @Override
    public void split(String piece, boolean first, List<String> out) {
        String text = piece.replace(" ", replacement);
        boolean prepend = prependScheme == PrependScheme.ALWAYS || (prependScheme == PrependScheme.FIRST && first);
        if (prepend && !text.startsWith(replacement)) {
            text = replacement + text;
        }
        if (split) {
            int mark = replacement.codePointAt(0);
            SplitBehavior.MERGED_WITH_NEXT.split(text, SplitBehavior.eachCodePoint(text, cp -> cp == mark), false, out);
        } else if (!text.isEmpty()) {
            out.add(text);
        }
    }
}
