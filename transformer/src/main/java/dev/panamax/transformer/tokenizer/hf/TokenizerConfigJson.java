package dev.panamax.transformer.tokenizer.hf;

import com.fasterxml.jackson.core.JsonFactory;
import com.fasterxml.jackson.core.JsonParser;
import com.fasterxml.jackson.core.JsonProcessingException;
import dev.panamax.formats.FormatException;
import dev.panamax.formats.JsonTree;
import java.io.CharConversionException;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * What Panamax reads from a {@code tokenizer_config.json}: the special tokens (strings or
 * {@code AddedToken} objects), the add-BOS/EOS flags, {@code clean_up_tokenization_spaces},
 * {@code additional_special_tokens} and the chat templates (a string, or a list of named ones).
 * Other members (e.g. {@code model_max_length}, which may exceed a long) are ignored.
 *
 * @param bosToken               the text of {@code bos_token}, or null
 * @param eosToken               the text of {@code eos_token}, or null
 * @param unkToken               the text of {@code unk_token}, or null
 * @param addBosToken            {@code add_bos_token}, or null when absent
 * @param addEosToken            {@code add_eos_token}, or null when absent
 * @param cleanUpSpaces          {@code clean_up_tokenization_spaces} (default true, as transformers)
 * @param additionalSpecial      texts of {@code additional_special_tokens}, also skipped when decoding without specials
 * @param chatTemplates          named chat templates in file order; a single string is named {@code "default"}
 */
public record TokenizerConfigJson(String bosToken, String eosToken, String unkToken, Boolean addBosToken,
        Boolean addEosToken, boolean cleanUpSpaces, List<String> additionalSpecial, Map<String, String> chatTemplates) {

    private static final JsonFactory JSON = new JsonFactory();

    /** The configuration of a tokenizer without a {@code tokenizer_config.json}. */
    public static final TokenizerConfigJson NONE = new TokenizerConfigJson(null, null, null, null, null, true, List.of(), Map.of());

    public TokenizerConfigJson {
        additionalSpecial = List.copyOf(additionalSpecial);
        chatTemplates = java.util.Collections.unmodifiableMap(new LinkedHashMap<>(chatTemplates));
    }

    /** The chat template named {@code "default"}, or the only one. */
    public Optional<String> chatTemplate() {
        if (chatTemplates.containsKey("default")) {
            return Optional.of(chatTemplates.get("default"));
        }
        return chatTemplates.size() == 1 ? Optional.of(chatTemplates.values().iterator().next()) : Optional.empty();
    }

    /** {@code tokenizer_config.json} beside {@code tokenizerJson}, or {@link #NONE} when there is none. */
    public static TokenizerConfigJson besides(Path tokenizerJson) {
        Path sibling = tokenizerJson.resolveSibling("tokenizer_config.json");
        return Files.isRegularFile(sibling) ? read(sibling) : NONE;
    }

    /**
     * The configuration in {@code file}.
     *
     * @throws FormatException naming the file and member for malformed JSON or values of the wrong kind
     */
    public static TokenizerConfigJson read(Path file) {
        Object root;
        try (JsonParser p = JSON.createParser(file.toFile())) {
            p.nextToken();
            root = JsonTree.read(p);
        } catch (JsonProcessingException e) {
            throw new FormatException(file, "json", e.getLocation(), "malformed JSON: " + e.getOriginalMessage(), e);
        } catch (CharConversionException e) {
            // Jackson guesses UTF-16/32 from leading NULs, then meets bytes that are not
            throw new FormatException(file, "json", null, "not JSON text in UTF-8, UTF-16 or UTF-32: " + e.getMessage(), e);
        } catch (IOException e) {
            throw new UncheckedIOException("cannot read " + file, e);
        }
        JsonNode n = JsonNode.root(file, root);
        if (!(root instanceof Map<?, ?>)) {
            throw n.fail("expected a JSON object");
        }
        List<String> additional = new ArrayList<>();
        JsonNode extra = n.get("additional_special_tokens");
        if (!extra.isNull()) {
            for (JsonNode t : extra.elements()) {
                additional.add(tokenText(t));
            }
        }
        Map<String, String> templates = new LinkedHashMap<>();
        JsonNode template = n.get("chat_template");
        if (template.value() instanceof String s) {
            templates.put("default", s);
        } else if (!template.isNull()) {
            for (JsonNode named : template.elements()) {
                templates.put(named.get("name").string(), named.get("template").string());
            }
        }
        return new TokenizerConfigJson(tokenText(n.get("bos_token")), tokenText(n.get("eos_token")),
                tokenText(n.get("unk_token")), flag(n.get("add_bos_token")), flag(n.get("add_eos_token")),
                n.bool("clean_up_tokenization_spaces", true), additional, templates);
    }

    /** A special token given as its text or as an {@code AddedToken} object; null stays null. */
    private static String tokenText(JsonNode token) {
        if (token.isNull()) {
            return null;
        }
        if (token.value() instanceof String s) {
            return s;
        }
        if (token.value() instanceof Map<?, ?>) {
            return token.get("content").string();
        }
        throw token.fail("expected a token text or an AddedToken object {\"content\": ...}");
    }

    private static Boolean flag(JsonNode n) {
        if (n.isNull()) {
            return null;
        }
        if (!(n.value() instanceof Boolean b)) {
            throw n.fail("expected true or false");
        }
        return b;
    }
}
