package dev.panamax.transformer.tokenizer.hf;

import java.util.List;

/** A {@code tokenizer.json} pre-tokenizer: cuts normalized text into the words the model encodes. */
public sealed interface PreTokenizerStep permits SequencePreTokenizer, SplitPreTokenizer, ByteLevelPreTokenizer,
        MetaspacePreTokenizer, DigitsPreTokenizer, PunctuationPreTokenizer, WhitespacePreTokenizer,
        WhitespaceSplitPreTokenizer, BertPreTokenizer {

    /**
     * Appends the words of {@code piece} to {@code out}.
     *
     * @param first whether {@code piece} starts the text (not after an added token), for Metaspace's
     *              {@code prepend_scheme: "first"}
     */
    void split(String piece, boolean first, List<String> out);

    /** The pre-tokenizer that {@code node} describes. */
    static PreTokenizerStep read(JsonNode node) {
        return switch (node.type()) {
            case "Sequence" -> new SequencePreTokenizer(node.get("pretokenizers").elements().stream()
                    .map(PreTokenizerStep::read).toList());
            case "Split" -> new SplitPreTokenizer(TextPattern.read(node.get("pattern")),
                    SplitBehavior.read(node.get("behavior")), node.bool("invert", false));
            case "ByteLevel" -> new ByteLevelPreTokenizer(node.bool("add_prefix_space", true), node.bool("use_regex", true));
            case "Metaspace" -> MetaspacePreTokenizer.read(node);
            case "Digits" -> new DigitsPreTokenizer(node.bool("individual_digits", false));
            case "Punctuation" -> new PunctuationPreTokenizer(node.has("behavior")
                    ? SplitBehavior.read(node.get("behavior")) : SplitBehavior.ISOLATED);
            case "Whitespace" -> new WhitespacePreTokenizer();
            case "WhitespaceSplit" -> new WhitespaceSplitPreTokenizer();
            case "BertPreTokenizer" -> new BertPreTokenizer();
            default -> throw node.get("type").fail("unsupported pre-tokenizer (supported: Sequence, Split, ByteLevel, "
                    + "Metaspace, Digits, Punctuation, Whitespace, WhitespaceSplit, BertPreTokenizer)");
        };
    }
}
