package dev.panamax.transformer.tokenizer.hf;

/** A {@code tokenizer.json} normalizer: rewrites text before it is split into words. */
public sealed interface Normalizer permits UnicodeNormalizer, SequenceNormalizer, PrependNormalizer,
        ReplaceNormalizer, LowercaseNormalizer, StripNormalizer, StripAccentsNormalizer, BertNormalizer {

    /** The normalized form of {@code text}. */
    String normalize(String text);

    /** The normalizer that {@code node} describes (its {@code type} and options). */
    static Normalizer read(JsonNode node) {
        return switch (node.type()) {
            case "NFC" -> new UnicodeNormalizer(java.text.Normalizer.Form.NFC);
            case "NFD" -> new UnicodeNormalizer(java.text.Normalizer.Form.NFD);
            case "NFKC" -> new UnicodeNormalizer(java.text.Normalizer.Form.NFKC);
            case "NFKD" -> new UnicodeNormalizer(java.text.Normalizer.Form.NFKD);
            case "Sequence" -> new SequenceNormalizer(node.get("normalizers").elements().stream().map(Normalizer::read).toList());
            case "Prepend" -> new PrependNormalizer(node.get("prepend").string());
            case "Replace" -> new ReplaceNormalizer(TextPattern.read(node.get("pattern")), node.get("content").string());
            case "Lowercase" -> new LowercaseNormalizer();
            case "Strip" -> new StripNormalizer(node.bool("strip_left", true), node.bool("strip_right", true));
            case "StripAccents" -> new StripAccentsNormalizer();
            case "BertNormalizer" -> BertNormalizer.read(node);
            default -> throw node.get("type").fail("unsupported normalizer (supported: NFC, NFD, NFKC, NFKD, Sequence, "
                    + "Prepend, Replace, Lowercase, Strip, StripAccents, BertNormalizer)");
        };
    }
}
