package dev.panamax.transformer.tokenizer;

import dev.panamax.formats.FormatException;
import dev.panamax.formats.gguf.GgufMetadata;
import java.util.OptionalLong;

/** Maps GGUF's {@code tokenizer.ggml.*} metadata to a {@link TokenizerConfig}. */
final class GgufTokenizerConfig {
    private GgufTokenizerConfig() {
    }

    /**
     * The tokenizer configuration in {@code m}.
     *
     * @throws FormatException naming the file and key when a key is missing, of the wrong type, or
     *                         sized or valued inconsistently with the vocabulary
     */
    static TokenizerConfig from(GgufMetadata m) {
        String model = m.getString("tokenizer.ggml.model");
        var tokens = m.getStringArray("tokenizer.ggml.tokens");
        float[] scores = m.contains("tokenizer.ggml.scores") ? m.getFloatArray("tokenizer.ggml.scores") : null;
        int[] types = m.contains("tokenizer.ggml.token_type") ? m.getIntArray("tokenizer.ggml.token_type") : null;
        checkLength(m, "tokenizer.ggml.scores", scores == null ? -1 : scores.length, tokens.size());
        checkLength(m, "tokenizer.ggml.token_type", types == null ? -1 : types.length, tokens.size());
        if (!model.equals("llama") && !model.equals("gpt2") && !model.equals("bert")) {
            throw new FormatException(m.file(), "metadata[\"tokenizer.ggml.model\"]", model,
                    "unsupported tokenizer (supported: llama, gpt2, bert)");
        }
        if (types != null) {
            for (int id = 0; id < types.length; id++) {
                if (TokenType.fromGguf(types[id]) == TokenType.BYTE && SpmTokenizer.byteValue(tokens.get(id)) < 0) {
                    throw new FormatException(m.file(), "metadata[\"tokenizer.ggml.tokens\"][" + id + "]", tokens.get(id),
                            "a byte token must be written <0xXX> with two hex digits");
                }
            }
        }
        if (model.equals("bert")) {
            return bert(m, tokens, types);
        }
        if (model.equals("gpt2") && !m.contains("tokenizer.ggml.merges")) {
            throw new FormatException(m.file(), "metadata[\"tokenizer.ggml.merges\"]", "(absent)",
                    "a gpt2 tokenizer needs merges");
        }
        String pre = m.findString("tokenizer.ggml.pre").orElse(null);
        if (model.equals("gpt2") && pre != null && !PreTokenizer.names().contains(pre)) {
            throw new FormatException(m.file(), "metadata[\"tokenizer.ggml.pre\"]", pre,
                    "unsupported pre-tokenizer (supported: " + PreTokenizer.names() + ")");
        }
        return TokenizerConfig.builder(model, tokens)
                .pre(pre)
                .scores(scores)
                .tokenTypes(types)
                .merges(m.contains("tokenizer.ggml.merges") ? m.getStringArray("tokenizer.ggml.merges") : null)
                .bos(id(m, "tokenizer.ggml.bos_token_id", tokens.size()))
                .eos(id(m, "tokenizer.ggml.eos_token_id", tokens.size()))
                .unknown(id(m, "tokenizer.ggml.unknown_token_id", tokens.size()))
                .eot(id(m, "tokenizer.ggml.eot_token_id", tokens.size()))
                .eom(id(m, "tokenizer.ggml.eom_token_id", tokens.size()))
                .addBos(m.findBoolean("tokenizer.ggml.add_bos_token").orElse(null))
                .addEos(m.findBoolean("tokenizer.ggml.add_eos_token").orElse(null))
                .addSpacePrefix(m.findBoolean("tokenizer.ggml.add_space_prefix").orElse(null))
                .modelName(m.findString("general.name").orElse(null))
                .build();
    }

    /**
     * A WordPiece vocabulary: CLS is the BOS and SEP the EOS that encoding with special tokens adds,
     * as llama.cpp's {@code add_bos} and {@code add_sep} do for BERT.
     */
    private static TokenizerConfig bert(GgufMetadata m, java.util.List<String> tokens, int[] types) {
        for (String key : new String[] {"tokenizer.ggml.normalizer.lowercase", "tokenizer.ggml.normalizer.strip_accents"}) {
            if (m.findBoolean(key).isPresent() && !m.findBoolean(key).get()) {
                throw new FormatException(m.file(), "metadata[\"" + key + "\"]", false,
                        "unsupported: only BERT's lower-casing, accent-stripping normalizer is implemented");
            }
        }
        Integer unknown = id(m, "tokenizer.ggml.unknown_token_id", tokens.size());
        if (unknown == null || unknown < 0) {
            // WordPiece writes a word it cannot cover as the unknown token, so it must have one
            unknown = tokens.indexOf("[UNK]");
            if (unknown < 0) {
                throw new FormatException(m.file(), "metadata[\"tokenizer.ggml.unknown_token_id\"]", null,
                        "a WordPiece (bert) vocabulary needs an unknown token, and it has no [UNK] either");
            }
        }
        Integer cls = id(m, "tokenizer.ggml.cls_token_id", tokens.size());
        Integer sep = id(m, "tokenizer.ggml.seperator_token_id", tokens.size());
        return TokenizerConfig.builder("bert", tokens)
                .tokenTypes(types)
                .bos(cls != null ? cls : id(m, "tokenizer.ggml.bos_token_id", tokens.size()))
                .eos(sep != null ? sep : id(m, "tokenizer.ggml.eos_token_id", tokens.size()))
                .unknown(unknown)
                .addBos(m.findBoolean("tokenizer.ggml.add_bos_token").orElse(true))
                .addEos(m.findBoolean("tokenizer.ggml.add_sep_token").orElse(m.findBoolean("tokenizer.ggml.add_eos_token").orElse(true)))
                .addSpacePrefix(false)
                .modelName(m.findString("general.name").orElse(null))
                .build();
    }

    private static void checkLength(GgufMetadata m, String key, int length, int tokens) {
        if (length >= 0 && length != tokens) {
            throw new FormatException(m.file(), "metadata[\"" + key + "\"].length", length,
                    "expected one entry per token (" + tokens + ")");
        }
    }

    /** llama.cpp's "no token", written as int32 -1 or uint32 0xFFFFFFFF. */
    private static final long NO_TOKEN_UNSIGNED = 0xFFFFFFFFL;

    /** The token id under {@code key}: null when absent, -1 for llama.cpp's "none" (-1 or 0xFFFFFFFF). */
    private static Integer id(GgufMetadata m, String key, int tokens) {
        OptionalLong v = m.findLong(key);
        if (v.isEmpty()) {
            return null;
        }
        if (v.getAsLong() == -1 || v.getAsLong() == NO_TOKEN_UNSIGNED) {
            return -1;
        }
        if (v.getAsLong() < 0 || v.getAsLong() >= tokens) {
            throw new FormatException(m.file(), "metadata[\"" + key + "\"]", v.getAsLong(),
                    "not a token id of the " + tokens + "-token vocabulary");
        }
        return (int) v.getAsLong();
    }
}
