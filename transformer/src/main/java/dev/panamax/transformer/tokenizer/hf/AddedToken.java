package dev.panamax.transformer.tokenizer.hf;

/**
 * An entry of {@code added_tokens}: a token matched in the text before the model runs.
 *
 * @param special    a control token (BOS, chat markers): skipped when decoding without specials, and
 *                   matched in text only when special tokens are parsed
 * @param lstrip     whitespace before a match belongs to the token (is dropped)
 * @param rstrip     whitespace after a match belongs to the token
 * @param singleWord matches only where no word character touches it on either side
 * @param normalized matched in the normalized text rather than the raw text
 */
public record AddedToken(int id, String content, boolean special, boolean lstrip, boolean rstrip,
        boolean singleWord, boolean normalized) {

    static AddedToken read(JsonNode node, int maxId) {
        JsonNode content = node.get("content");
        if (content.isNull() || content.string().isEmpty()) {
            throw content.fail("an added token needs a non-empty content");
        }
        boolean special = node.bool("special", false);
        return new AddedToken(node.get("id").intValue(0, maxId), content.string(), special, node.bool("lstrip", false),
                node.bool("rstrip", false), node.bool("single_word", false), node.bool("normalized", !special));
    }
}
