package dev.panamax.transformer.tokenizer.hf;

import com.fasterxml.jackson.core.JsonFactory;
import com.fasterxml.jackson.core.JsonParser;
import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.core.JsonToken;
import dev.panamax.formats.FormatException;
import dev.panamax.formats.JsonTree;
import java.io.CharConversionException;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * Reads a Hugging Face {@code tokenizer.json} into a {@link Pipeline}. The model's vocabulary and merges
 * are streamed (jackson-core), the small sections read as trees. Every unsupported type or option is a
 * {@link FormatException} naming the file, the JSON path and the value.
 */
public final class TokenizerJson {
    /** Vocabulary keys are read once: interning 100 000s of field names would only cost time. */
    private static final JsonFactory JSON = JsonFactory.builder()
            .disable(JsonFactory.Feature.INTERN_FIELD_NAMES).disable(JsonFactory.Feature.CANONICALIZE_FIELD_NAMES).build();

    private final Path file;
    private final Map<String, Integer> vocab = new HashMap<>();
    private final List<String[]> merges = new ArrayList<>();
    private final Map<String, Object> modelOptions = new LinkedHashMap<>();
    private final Map<String, Object> sections = new HashMap<>();
    private boolean sawModel;

    private TokenizerJson(Path file) {
        this.file = file;
    }

    /**
     * The pipeline in {@code tokenizerJson}, with the options of {@code config}.
     *
     * @throws FormatException for malformed JSON or unsupported content
     * @throws UncheckedIOException if the file cannot be read
     */
    public static Pipeline read(Path tokenizerJson, TokenizerConfigJson config) {
        TokenizerJson reader = new TokenizerJson(tokenizerJson);
        try (JsonParser p = JSON.createParser(tokenizerJson.toFile())) {
            reader.readRoot(p);
        } catch (JsonProcessingException e) {
            throw new FormatException(tokenizerJson, "json", e.getLocation(), "malformed JSON: " + e.getOriginalMessage(), e);
        } catch (CharConversionException e) {
            // Jackson guesses UTF-16/32 from leading NULs, then meets bytes that are not
            throw new FormatException(tokenizerJson, "json", null, "not JSON text in UTF-8, UTF-16 or UTF-32: " + e.getMessage(), e);
        } catch (IOException e) {
            throw new UncheckedIOException("cannot read " + tokenizerJson, e);
        }
        return reader.build(config);
    }

    private void readRoot(JsonParser p) throws IOException {
        if (p.nextToken() != JsonToken.START_OBJECT) {
            throw new FormatException(file, "$", p.currentToken(), "expected a JSON object");
        }
        while (p.nextToken() == JsonToken.FIELD_NAME) {
            String field = p.currentName();
            p.nextToken();
            if (field.equals("model")) {
                readModel(p);
            } else {
                sections.put(field, JsonTree.read(p));
            }
        }
        if (!sawModel) {
            throw new FormatException(file, "model", null, "missing");
        }
    }

    private void readModel(JsonParser p) throws IOException {
        if (p.currentToken() != JsonToken.START_OBJECT) {
            throw new FormatException(file, "model", p.getText(), "expected an object");
        }
        sawModel = true;
        while (p.nextToken() == JsonToken.FIELD_NAME) {
            String field = p.currentName();
            p.nextToken();
            switch (field) {
                case "vocab" -> readVocab(p);
                case "merges" -> readMerges(p);
                default -> modelOptions.put(field, JsonTree.read(p));
            }
        }
    }

    private void readVocab(JsonParser p) throws IOException {
        if (p.currentToken() != JsonToken.START_OBJECT) {
            throw new FormatException(file, "model.vocab", p.getText(), "expected an object of token: id (Unigram's list is unsupported)");
        }
        while (p.nextToken() == JsonToken.FIELD_NAME) {
            String token = p.currentName();
            if (p.nextToken() != JsonToken.VALUE_NUMBER_INT || p.getNumberType() == JsonParser.NumberType.BIG_INTEGER
                    || p.getLongValue() < 0 || p.getLongValue() >= Integer.MAX_VALUE) {
                throw new FormatException(file, "model.vocab[\"" + token + "\"]", p.getText(), "not a token id");
            }
            vocab.put(token, p.getIntValue());
        }
    }

    private void readMerges(JsonParser p) throws IOException {
        if (p.currentToken() != JsonToken.START_ARRAY) {
            throw new FormatException(file, "model.merges", p.getText(), "expected an array");
        }
        while (p.nextToken() != JsonToken.END_ARRAY) {
            if (p.currentToken() == JsonToken.VALUE_STRING) {
                String merge = p.getText();
                int space = merge.indexOf(' ');
                if (space <= 0 || space == merge.length() - 1 || merge.indexOf(' ', space + 1) >= 0) {
                    throw new FormatException(file, "model.merges[" + merges.size() + "]", merge,
                            "not \"left right\" with exactly one space");
                }
                merges.add(new String[] {merge.substring(0, space), merge.substring(space + 1)});
            } else if (JsonTree.read(p) instanceof List<?> pair && pair.size() == 2
                    && pair.get(0) instanceof String a && pair.get(1) instanceof String b) {
                merges.add(new String[] {a, b});
            } else {
                throw new FormatException(file, "model.merges[" + merges.size() + "]", null, "not \"a b\" or [\"a\", \"b\"]");
            }
        }
    }

    private JsonNode section(String name) {
        return new JsonNode(file, name, sections.get(name));
    }

    private Pipeline build(TokenizerConfigJson config) {
        JsonNode model = new JsonNode(file, "model", modelOptions);
        List<AddedToken> added = new ArrayList<>();
        JsonNode addedNode = section("added_tokens");
        int entries = vocab.size() + (addedNode.isNull() ? 0 : addedNode.elements().size());
        // ids index arrays, so they must fit the number of entries the file holds
        if (!addedNode.isNull()) {
            for (JsonNode t : addedNode.elements()) {
                added.add(AddedToken.read(t, entries - 1));
            }
        }
        String[] texts = new String[entries];
        for (Map.Entry<String, Integer> e : vocab.entrySet()) {
            int id = e.getValue();
            if (id >= entries) {
                throw new FormatException(file, "model.vocab[\"" + e.getKey() + "\"]", id,
                        "token id beyond the " + entries + " entries of the file");
            }
            if (texts[id] != null) {
                throw new FormatException(file, "model.vocab[\"" + e.getKey() + "\"]", id,
                        "id also used by \"" + texts[id] + "\"");
            }
            texts[id] = e.getKey();
        }
        Map<String, Integer> modelVocab = vocab; // added tokens join the model's text-to-id map, as in transformers.js
        for (AddedToken t : added) {
            texts[t.id()] = t.content();
            modelVocab.put(t.content(), t.id());
        }
        int size = entries;
        while (size > 0 && texts[size - 1] == null) {
            size--;
        }
        String[] idToText = java.util.Arrays.copyOf(texts, size);

        Normalizer normalizer = section("normalizer").isNull() ? null : Normalizer.read(section("normalizer"));
        PreTokenizerStep preTokenizer = section("pre_tokenizer").isNull() ? null : PreTokenizerStep.read(section("pre_tokenizer"));
        PostProcessor postProcessor = section("post_processor").isNull() ? null : PostProcessor.read(section("post_processor"), size);
        Decoder decoder = section("decoder").isNull() ? null : Decoder.read(section("decoder"));
        ModelParts parts = readModelOptions(model, modelVocab, size);
        return new Pipeline(file, idToText, added, normalizer, preTokenizer, parts.model, postProcessor, decoder,
                parts.byteFallback, parts.unknown, config);
    }

    private record ModelParts(TokenModel model, boolean byteFallback, int unknown) {
    }

    private ModelParts readModelOptions(JsonNode model, Map<String, Integer> modelVocab, int size) {
        String type = model.has("type") ? model.type() : !merges.isEmpty() || model.has("merges") ? "BPE" : "WordPiece";
        String unkText = model.string("unk_token", null);
        Integer unk = unkText == null ? null : modelVocab.get(unkText);
        if (unkText != null && unk == null) {
            throw model.get("unk_token").fail("not a token of the vocabulary");
        }
        int unknown = unk == null ? -1 : unk;
        String prefix = model.string("continuing_subword_prefix", null);
        return switch (type) {
            case "BPE" -> {
                JsonNode dropout = model.get("dropout");
                if (!dropout.isNull() && !(dropout.value() instanceof Number n && n.doubleValue() == 0)) {
                    throw dropout.fail("unsupported: BPE dropout makes encoding random");
                }
                String suffix = model.string("end_of_word_suffix", null);
                boolean byteFallback = model.bool("byte_fallback", false);
                MergeTable mergeMap = mergeMap(modelVocab, prefix);
                yield new ModelParts(new BpeModel(modelVocab, mergeMap, unknown, byteFallback, model.bool("fuse_unk", false),
                        model.bool("ignore_merges", false), prefix, suffix), byteFallback, unknown);
            }
            case "WordPiece" -> {
                if (unknown < 0) {
                    throw model.get("unk_token").fail("WordPiece needs an unknown token");
                }
                int max = model.has("max_input_chars_per_word") ? model.get("max_input_chars_per_word").intValue(1, Integer.MAX_VALUE) : 100;
                yield new ModelParts(new WordPieceModel(modelVocab, unknown, prefix == null ? "##" : prefix, max), false, unknown);
            }
            default -> throw model.get("type").fail("unsupported model (supported: BPE, WordPiece)");
        };
    }

    private MergeTable mergeMap(Map<String, Integer> modelVocab, String prefix) {
        MergeTable out = new MergeTable(merges.size());
        int prefixLength = prefix == null ? 0 : prefix.length();
        for (int rank = 0; rank < merges.size(); rank++) {
            String[] m = merges.get(rank);
            Integer a = modelVocab.get(m[0]);
            Integer b = modelVocab.get(m[1]);
            if (a == null || b == null) {
                throw new FormatException(file, "model.merges[" + rank + "]", m[0] + " " + m[1], "merges a token that is not in the vocabulary");
            }
            String right = prefixLength > 0 && m[1].startsWith(prefix) ? m[1].substring(prefixLength) : m[1];
            Integer merged = modelVocab.get(m[0] + right);
            if (merged == null) {
                throw new FormatException(file, "model.merges[" + rank + "]", m[0] + " " + m[1], "the merged token is not in the vocabulary");
            }
            out.putIfAbsent(a, b, rank, merged);
        }
        return out;
    }
}
