package dev.panamax.transformer.chat;

import com.fasterxml.jackson.core.JsonFactory;
import com.fasterxml.jackson.core.JsonParser;
import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.core.JsonToken;
import dev.panamax.formats.FormatException;
import dev.panamax.formats.JsonTree;
import dev.panamax.formats.gguf.GgufFile;
import dev.panamax.transformer.Model;
import dev.panamax.transformer.chat.jinja.JinjaException;
import java.io.CharConversionException;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.function.Consumer;

/**
 * Finds the Jinja chat template a model ships: {@code tokenizer.chat_template} in a GGUF file; in a
 * Hugging Face checkpoint directory, {@code chat_template.jinja} or the {@code chat_template} field of
 * {@code tokenizer_config.json} (a string, or a list of named templates of which {@code "default"} is used);
 * and the special tokens a template may write ({@code bos_token}, {@code eos_token}, ...).
 */
public final class ModelChatTemplate {
    private ModelChatTemplate() {
    }

    /**
     * The chat format to use for {@code model}: {@code override} if given (a built-in format's name, a
     * Jinja template's text, or the path of a template file), else the model's own template, else (said
     * once to {@code notice}) the built-in ChatML format.
     *
     * @param model    the loaded model
     * @param override the user's choice, or null
     * @param notice   told, once, when the fallback format is used
     * @return the format
     * @throws UnsupportedChatTemplateException if {@code override} is none of these, or a template cannot be parsed
     */
    public static ChatFormat chatFormat(Model model, String override, Consumer<String> notice) {
        if (override != null) {
            Optional<ChatTemplate> named = ChatTemplate.named(override);
            if (named.isPresent()) {
                return named.get();
            }
            if (override.contains("{{") || override.contains("{%")) {
                return parsed(override, model, "the --template text");
            }
            Path file = Path.of(override);
            if (Files.isRegularFile(file)) {
                try {
                    return parsed(Files.readString(file), model, file.toString());
                } catch (IOException e) {
                    throw new UncheckedIOException("cannot read the chat template " + file, e);
                }
            }
            throw new UnsupportedChatTemplateException("--template " + override + " is not a built-in format, a Jinja template or a template file;"
                    + " built-in formats: " + ChatTemplate.supportedNames());
        }
        Optional<String> own = of(model);
        if (own.isPresent()) {
            return parsed(own.get(), model, "the model's template");
        }
        notice.accept(model.path().getFileName() + " has no chat template (tokenizer.chat_template, or chat_template in tokenizer_config.json);"
                + " using the built-in chatml format. Choose another with --template NAME: " + ChatTemplate.supportedNames());
        return ChatTemplate.CHATML;
    }

    private static ChatFormat parsed(String jinja, Model model, String name) {
        try {
            return JinjaChatTemplate.of(jinja, specialTokens(model), name);
        } catch (JinjaException e) {
            throw new UnsupportedChatTemplateException(name + " cannot be parsed: " + e.getMessage()
                    + "; choose a built-in format with --template NAME: " + ChatTemplate.supportedNames(), e);
        }
    }

    /**
     * {@return the model's Jinja chat template, if it has one}
     *
     * @param model the loaded model (its GGUF metadata, or its checkpoint's tokenizer_config.json)
     */
    public static Optional<String> of(Model model) {
        Optional<GgufFile> gguf = model.gguf();
        if (gguf.isPresent()) {
            return gguf.get().model().chatTemplate();
        }
        return ofHuggingFace(model.path());
    }

    /**
     * {@return the chat template of the Hugging Face checkpoint in {@code dir}, if it has one}
     *
     * @param dir a checkpoint directory
     */
    public static Optional<String> ofHuggingFace(Path dir) {
        try {
            Path jinja = dir.resolve("chat_template.jinja");
            if (Files.isRegularFile(jinja)) {
                return Optional.of(Files.readString(jinja));
            }
            Path config = dir.resolve("tokenizer_config.json");
            return Files.isRegularFile(config) ? fromTokenizerConfig(config) : Optional.empty();
        } catch (JsonProcessingException | CharConversionException e) {
            throw malformed(dir.resolve("tokenizer_config.json"), e);
        } catch (IOException e) {
            throw new UncheckedIOException("cannot read the chat template in " + dir, e);
        }
    }

    /** The special-token names a template sees, as transformers.js passes them to {@code apply_chat_template}. */
    static final List<String> SPECIAL_TOKENS = List.of("bos_token", "eos_token", "unk_token", "sep_token", "pad_token", "cls_token", "mask_token");

    /**
     * The special tokens of the model for its template: {@code tokenizer_config.json}'s in a Hugging Face
     * checkpoint, else the texts of the vocabulary's BOS, EOS and unknown tokens. Only those that exist.
     *
     * @param model the loaded model
     * @return name (e.g. {@code bos_token}) to text
     */
    public static Map<String, String> specialTokens(Model model) {
        if (model.gguf().isEmpty()) {
            Path config = model.path().resolve("tokenizer_config.json");
            if (Files.isRegularFile(config)) {
                return specialTokensOfHuggingFace(model.path());
            }
        }
        var v = model.tokenizer().vocabulary();
        Map<String, String> tokens = new LinkedHashMap<>();
        putToken(tokens, "bos_token", v.bos() >= 0 ? v.text(v.bos()) : null);
        putToken(tokens, "eos_token", v.eos() >= 0 ? v.text(v.eos()) : null);
        putToken(tokens, "unk_token", v.unknown() >= 0 ? v.text(v.unknown()) : null);
        return tokens;
    }

    /**
     * The special tokens named in {@code dir/tokenizer_config.json}: strings, or {@code {"content": ...}} objects.
     *
     * @param dir a checkpoint directory
     * @return name (e.g. {@code eos_token}) to text, empty without the file
     */
    public static Map<String, String> specialTokensOfHuggingFace(Path dir) {
        Path file = dir.resolve("tokenizer_config.json");
        Map<String, String> tokens = new LinkedHashMap<>();
        try (JsonParser p = new JsonFactory().createParser(file.toFile())) {
            if (p.nextToken() != JsonToken.START_OBJECT) {
                throw new FormatException(file, "(root)", p.currentToken(), "expected a JSON object");
            }
            while (p.nextToken() == JsonToken.FIELD_NAME) {
                String name = p.currentName();
                p.nextToken();
                if (!SPECIAL_TOKENS.contains(name)) {
                    p.skipChildren();
                    continue;
                }
                Object value = JsonTree.read(p);
                if (value instanceof Map<?, ?> m) {
                    value = m.get("content");
                }
                if (value != null && !(value instanceof String)) {
                    throw new FormatException(file, name, value, "expected a string or an object with a string content");
                }
                putToken(tokens, name, (String) value);
            }
        } catch (JsonProcessingException | CharConversionException e) {
            throw malformed(file, e);
        } catch (IOException e) {
            throw new UncheckedIOException("cannot read " + file, e);
        }
        return tokens;
    }

    /** Malformed JSON, or bytes Jackson cannot decode (leading NULs make it guess UTF-16/32), named as such. */
    private static FormatException malformed(Path file, IOException e) {
        return new FormatException(file, "json", e instanceof JsonProcessingException j ? j.getLocation() : null,
                "malformed JSON: " + (e instanceof JsonProcessingException j ? j.getOriginalMessage() : e.getMessage()), e);
    }

    private static void putToken(Map<String, String> tokens, String name, String text) {
        if (text != null && !text.isEmpty()) {
            tokens.put(name, text);
        }
    }

    private static Optional<String> fromTokenizerConfig(Path file) throws IOException {
        try (JsonParser p = new JsonFactory().createParser(file.toFile())) {
            if (p.nextToken() != JsonToken.START_OBJECT) {
                throw new FormatException(file, "(root)", p.currentToken(), "expected a JSON object");
            }
            while (p.nextToken() == JsonToken.FIELD_NAME) {
                String name = p.currentName();
                JsonToken value = p.nextToken();
                if (!name.equals("chat_template")) {
                    p.skipChildren();
                } else if (value == JsonToken.VALUE_STRING) {
                    return Optional.of(p.getText());
                } else if (value == JsonToken.START_ARRAY) {
                    return namedDefault(p, file);
                } else if (value != JsonToken.VALUE_NULL) {
                    throw new FormatException(file, "chat_template", value, "expected a string or a list of {name, template}");
                }
            }
            return Optional.empty();
        }
    }

    /** {@code [{"name": "default", "template": "..."}, {"name": "tool_use", ...}]}: the default one, else the first. */
    private static Optional<String> namedDefault(JsonParser p, Path file) throws IOException {
        String first = null;
        String chosen = null;
        while (p.nextToken() == JsonToken.START_OBJECT) {
            String name = null;
            String template = null;
            while (p.nextToken() == JsonToken.FIELD_NAME) {
                String field = p.currentName();
                JsonToken v = p.nextToken();
                if (v == JsonToken.VALUE_STRING && field.equals("name")) {
                    name = p.getText();
                } else if (v == JsonToken.VALUE_STRING && field.equals("template")) {
                    template = p.getText();
                } else {
                    p.skipChildren();
                }
            }
            if (template == null) {
                throw new FormatException(file, "chat_template[].template", "(absent)", "each named chat template needs a template");
            }
            first = first == null ? template : first;
            chosen = "default".equals(name) ? template : chosen;
        }
        return Optional.ofNullable(chosen != null ? chosen : first);
    }
}
