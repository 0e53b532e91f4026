package dev.panamax.transformer.tokenizer;

import com.fasterxml.jackson.core.JsonFactory;
import com.fasterxml.jackson.core.JsonParser;
import com.fasterxml.jackson.core.JsonToken;
import dev.panamax.formats.FormatException;
import dev.panamax.formats.JsonTree;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * Reads a Hugging Face {@code tokenizer.json} into a {@link TokenizerConfig}, with jackson-core's
 * streaming parser (the vocabulary and merges are never held as a JSON tree).
 *
 * <p>Supported: {@code model.type = "BPE"} with {@code vocab} and {@code merges} (strings
 * {@code "a b"} or pairs {@code ["a", "b"]}), and a byte-level pre-tokenizer: {@code ByteLevel} with
 * its built-in GPT-2 pattern ({@code gpt-2}), or a {@code Sequence} of a {@code Split} by Llama 3's or
 * Qwen2's pattern and a {@code ByteLevel} ({@code llama-bpe}, {@code qwen2}). Like llama.cpp's GGUF
 * conversion, {@code added_tokens} override the vocabulary: special ones (or ones written
 * {@code <|...|>}) become control tokens, the others user-defined; their lstrip/rstrip flags and an NFC
 * normalizer are ignored, as llama.cpp ignores them. Ids missing from both become unused {@code [PAD<id>]}.
 *
 * <p>BOS and EOS are not part of {@code tokenizer.json}: they are read from a {@code tokenizer_config.json}
 * next to it ({@code bos_token}, {@code eos_token}, {@code add_bos_token}, {@code add_eos_token}) when
 * present; otherwise the tokenizer has none and adds none.
 */
public final class HuggingFaceTokenizerJson {
    static final String LLAMA3_PATTERN = "(?i:'s|'t|'re|'ve|'m|'ll|'d)|[^\\r\\n\\p{L}\\p{N}]?\\p{L}+|\\p{N}{1,3}"
            + "| ?[^\\s\\p{L}\\p{N}]+[\\r\\n]*|\\s*[\\r\\n]+|\\s+(?!\\S)|\\s+";
    static final String QWEN2_PATTERN = "(?i:'s|'t|'re|'ve|'m|'ll|'d)|[^\\r\\n\\p{L}\\p{N}]?\\p{L}+|\\p{N}"
            + "| ?[^\\s\\p{L}\\p{N}]+[\\r\\n]*|\\s*[\\r\\n]+|\\s+(?!\\S)|\\s+";
    static final String GPT2_PATTERN = "'s|'t|'re|'ve|'m|'ll|'d| ?\\p{L}+| ?\\p{N}+| ?[^\\s\\p{L}\\p{N}]+|\\s+(?!\\S)|\\s+";

    private static final JsonFactory JSON = new JsonFactory();

    private final Path file;
    private final Map<String, Integer> vocab = new HashMap<>();
    private final List<String> merges = new ArrayList<>();
    private final Map<Integer, AddedToken> added = new LinkedHashMap<>();
    private String pre;
    private boolean sawModel;

    private record AddedToken(String content, boolean special) {
    }

    private HuggingFaceTokenizerJson(Path file) {
        this.file = file;
    }

    /**
     * The configuration in {@code tokenizerJson} (and its sibling {@code tokenizer_config.json}, if any).
     *
     * @throws FormatException naming the file and field for malformed JSON or unsupported features
     */
    public static TokenizerConfig read(Path tokenizerJson) {
        HuggingFaceTokenizerJson reader = new HuggingFaceTokenizerJson(tokenizerJson);
        try (JsonParser p = JSON.createParser(tokenizerJson.toFile())) {
            reader.readRoot(p);
        } catch (com.fasterxml.jackson.core.JsonProcessingException e) {
            throw new FormatException(tokenizerJson, "json", e.getLocation(), "malformed JSON: " + e.getOriginalMessage(), e);
        } catch (IOException e) {
            throw new UncheckedIOException("cannot read " + tokenizerJson, e);
        }
        TokenizerConfig.Builder config = reader.toConfig();
        Path sibling = tokenizerJson.resolveSibling("tokenizer_config.json");
        if (Files.isRegularFile(sibling)) {
            applyTokenizerConfig(sibling, config, reader);
        } else {
            config.bos(-1).eos(-1).addBos(false).addEos(false);
        }
        return config.build();
    }

    private void readRoot(JsonParser p) throws IOException {
        expect(p, p.nextToken(), JsonToken.START_OBJECT, "$");
        while (p.nextToken() == JsonToken.FIELD_NAME) {
            String field = p.currentName();
            p.nextToken();
            switch (field) {
                case "added_tokens" -> readAddedTokens(p);
                case "normalizer" -> checkNormalizer(JsonTree.read(p));
                case "pre_tokenizer" -> pre = preTokenizerName(JsonTree.read(p));
                case "model" -> readModel(p);
                default -> p.skipChildren();
            }
        }
        if (!sawModel) {
            throw new FormatException(file, "model", null, "missing");
        }
        if (pre == null) {
            throw new FormatException(file, "pre_tokenizer", null, "missing: a byte-level BPE tokenizer needs one");
        }
    }

    private void readAddedTokens(JsonParser p) throws IOException {
        expect(p, p.currentToken(), JsonToken.START_ARRAY, "added_tokens");
        int index = 0;
        while (p.nextToken() != JsonToken.END_ARRAY) {
            String where = "added_tokens[" + index++ + "]";
            if (!(JsonTree.read(p) instanceof Map<?, ?> token)) {
                throw new FormatException(file, where, null, "not an object");
            }
            Object id = token.get("id");
            Object content = token.get("content");
            if (!(id instanceof Number number) || number.longValue() < 0 || number.longValue() > Integer.MAX_VALUE) {
                throw new FormatException(file, where + ".id", id, "not a token id");
            }
            if (!(content instanceof String text) || text.isEmpty()) {
                throw new FormatException(file, where + ".content", content, "not a token text");
            }
            added.put(number.intValue(), new AddedToken(text, Boolean.TRUE.equals(token.get("special"))));
        }
    }

    private void checkNormalizer(Object normalizer) {
        if (normalizer != null && !(normalizer instanceof Map<?, ?> m && "NFC".equals(m.get("type")))) {
            throw new FormatException(file, "normalizer", describe(normalizer), "unsupported (only none or NFC)");
        }
    }

    /** The {@link PreTokenizer} name for a supported pre-tokenizer definition. */
    private String preTokenizerName(Object definition) {
        if (definition instanceof Map<?, ?> m && "ByteLevel".equals(m.get("type"))) {
            checkByteLevel(m, "pre_tokenizer", true);
            return "gpt-2";
        }
        if (definition instanceof Map<?, ?> m && "Sequence".equals(m.get("type"))
                && m.get("pretokenizers") instanceof List<?> steps && steps.size() == 2
                && steps.get(0) instanceof Map<?, ?> split && "Split".equals(split.get("type"))
                && steps.get(1) instanceof Map<?, ?> byteLevel && "ByteLevel".equals(byteLevel.get("type"))) {
            checkByteLevel(byteLevel, "pre_tokenizer.pretokenizers[1]", false);
            Object pattern = split.get("pattern") instanceof Map<?, ?> pm ? pm.get("Regex") : null;
            if (!"Isolated".equals(split.get("behavior")) || Boolean.TRUE.equals(split.get("invert"))) {
                throw new FormatException(file, "pre_tokenizer.pretokenizers[0]", describe(split),
                        "unsupported split (only behavior Isolated, not inverted)");
            }
            if (LLAMA3_PATTERN.equals(pattern)) {
                return "llama-bpe";
            }
            if (QWEN2_PATTERN.equals(pattern)) {
                return "qwen2";
            }
            if (GPT2_PATTERN.equals(pattern)) {
                return "gpt-2";
            }
            throw new FormatException(file, "pre_tokenizer.pretokenizers[0].pattern.Regex", pattern,
                    "unsupported split pattern (supported: GPT-2's, Llama 3's and Qwen2's)");
        }
        throw new FormatException(file, "pre_tokenizer", describe(definition),
                "unsupported (supported: ByteLevel, or Sequence of Split and ByteLevel)");
    }

    private void checkByteLevel(Map<?, ?> byteLevel, String where, boolean regex) {
        if (Boolean.TRUE.equals(byteLevel.get("add_prefix_space"))) {
            throw new FormatException(file, where + ".add_prefix_space", true, "unsupported");
        }
        Object useRegex = byteLevel.get("use_regex");
        boolean usesRegex = useRegex == null || Boolean.TRUE.equals(useRegex);
        if (usesRegex != regex) {
            throw new FormatException(file, where + ".use_regex", usesRegex,
                    regex ? "must be true for a lone ByteLevel" : "must be false after a Split");
        }
    }

    private void readModel(JsonParser p) throws IOException {
        expect(p, p.currentToken(), JsonToken.START_OBJECT, "model");
        sawModel = true;
        while (p.nextToken() == JsonToken.FIELD_NAME) {
            String field = p.currentName();
            JsonToken value = p.nextToken();
            switch (field) {
                case "type" -> {
                    if (value != JsonToken.VALUE_STRING || !"BPE".equals(p.getText())) {
                        throw new FormatException(file, "model.type", p.getText(), "unsupported (only BPE)");
                    }
                }
                case "byte_fallback" -> {
                    if (value == JsonToken.VALUE_TRUE) {
                        throw new FormatException(file, "model.byte_fallback", true,
                                "unsupported: SentencePiece-style vocabularies are read from GGUF");
                    }
                }
                case "vocab" -> readVocab(p);
                case "merges" -> readMerges(p);
                default -> p.skipChildren();
            }
        }
    }

    private void readVocab(JsonParser p) throws IOException {
        expect(p, p.currentToken(), JsonToken.START_OBJECT, "model.vocab");
        while (p.nextToken() == JsonToken.FIELD_NAME) {
            String token = p.currentName();
            if (p.nextToken() != JsonToken.VALUE_NUMBER_INT || p.getLongValue() < 0 || p.getLongValue() > Integer.MAX_VALUE) {
                throw new FormatException(file, "model.vocab[\"" + token + "\"]", p.getText(), "not a token id");
            }
            vocab.put(token, p.getIntValue());
        }
    }

    private void readMerges(JsonParser p) throws IOException {
        expect(p, p.currentToken(), JsonToken.START_ARRAY, "model.merges");
        while (p.nextToken() != JsonToken.END_ARRAY) {
            String where = "model.merges[" + merges.size() + "]";
            if (p.currentToken() == JsonToken.VALUE_STRING) {
                merges.add(p.getText());
            } else if (JsonTree.read(p) instanceof List<?> pair && pair.size() == 2
                    && pair.get(0) instanceof String a && pair.get(1) instanceof String b) {
                merges.add(a + " " + b);
            } else {
                throw new FormatException(file, where, null, "not \"a b\" or [\"a\", \"b\"]");
            }
        }
    }

    private TokenizerConfig.Builder toConfig() {
        int size = 0;
        for (int id : vocab.values()) {
            size = Math.max(size, id + 1);
        }
        for (int id : added.keySet()) {
            size = Math.max(size, id + 1);
        }
        String[] tokens = new String[size];
        int[] types = new int[size];
        for (Map.Entry<String, Integer> e : vocab.entrySet()) {
            tokens[e.getValue()] = e.getKey();
            types[e.getValue()] = TokenType.NORMAL.ggufId();
        }
        for (Map.Entry<Integer, AddedToken> e : added.entrySet()) {
            String text = e.getValue().content();
            boolean control = e.getValue().special() || (text.startsWith("<|") && text.endsWith("|>"));
            tokens[e.getKey()] = text;
            types[e.getKey()] = (control ? TokenType.CONTROL : TokenType.USER_DEFINED).ggufId();
        }
        for (int i = 0; i < size; i++) {
            if (tokens[i] == null) {
                tokens[i] = "[PAD" + i + "]";
                types[i] = TokenType.UNUSED.ggufId();
            }
        }
        return TokenizerConfig.builder("gpt2", List.of(tokens)).pre(pre).tokenTypes(types).merges(merges);
    }

    /** Reads BOS/EOS and the add flags from a {@code tokenizer_config.json}. */
    private static void applyTokenizerConfig(Path path, TokenizerConfig.Builder config, HuggingFaceTokenizerJson reader) {
        Object root;
        try (JsonParser p = JSON.createParser(path.toFile())) {
            p.nextToken();
            root = JsonTree.read(p);
        } catch (com.fasterxml.jackson.core.JsonProcessingException e) {
            throw new FormatException(path, "json", e.getLocation(), "malformed JSON: " + e.getOriginalMessage(), e);
        } catch (IOException e) {
            throw new UncheckedIOException("cannot read " + path, e);
        }
        if (!(root instanceof Map<?, ?> m)) {
            throw new FormatException(path, "$", describe(root), "not an object");
        }
        config.bos(reader.specialId(path, "bos_token", m.get("bos_token")));
        config.eos(reader.specialId(path, "eos_token", m.get("eos_token")));
        config.addBos(Boolean.TRUE.equals(m.get("add_bos_token")));
        config.addEos(Boolean.TRUE.equals(m.get("add_eos_token")));
    }

    private int specialId(Path path, String field, Object value) {
        Object text = value instanceof Map<?, ?> m ? m.get("content") : value;
        if (text == null) {
            return -1;
        }
        for (Map.Entry<Integer, AddedToken> e : added.entrySet()) {
            if (e.getValue().content().equals(text)) {
                return e.getKey();
            }
        }
        Integer id = vocab.get(String.valueOf(text));
        if (id == null) {
            throw new FormatException(path, field, text, "no such token in " + file.getFileName());
        }
        return id;
    }

    private void expect(JsonParser p, JsonToken actual, JsonToken wanted, String field) throws IOException {
        if (actual != wanted) {
            throw new FormatException(file, field, actual == null ? "end of file" : p.getText(), "expected " + wanted);
        }
    }

    private static String describe(Object value) {
        String s = String.valueOf(value);
        return s.length() > 200 ? s.substring(0, 200) + "..." : s;
    }
}
