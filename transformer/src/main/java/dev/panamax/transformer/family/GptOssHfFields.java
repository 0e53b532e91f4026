package dev.panamax.transformer.family;

import com.fasterxml.jackson.core.JsonFactory;
import com.fasterxml.jackson.core.JsonParser;
import com.fasterxml.jackson.core.JsonToken;
import dev.panamax.formats.FormatException;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

/**
 * gpt-oss's own top-level config.json fields, which {@link dev.panamax.formats.safetensors.HfConfig}
 * does not keep: {@code sliding_window}, {@code layer_types}, {@code swiglu_limit} (null where absent).
 */
record GptOssHfFields(Integer slidingWindow, List<String> layerTypes, Double swigluLimit) {

    static GptOssHfFields read(Path file) {
        Path json = Files.isDirectory(file) ? file.resolve("config.json") : file;
        Integer window = null;
        List<String> types = null;
        Double limit = null;
        try (JsonParser p = new JsonFactory().createParser(Files.readAllBytes(json))) {
            if (p.nextToken() != JsonToken.START_OBJECT) {
                throw new FormatException(json, "config", "not an object", "must be a JSON object");
            }
            while (p.nextToken() == JsonToken.FIELD_NAME) {
                String key = p.currentName();
                JsonToken t = p.nextToken();
                if (t == JsonToken.VALUE_NULL) {
                    continue;
                }
                switch (key) {
                    case "sliding_window" -> {
                        if (t != JsonToken.VALUE_NUMBER_INT) {
                            throw new FormatException(json, key, p.getText(), "must be an integer");
                        }
                        window = p.getIntValue();
                    }
                    case "swiglu_limit" -> {
                        if (!t.isNumeric()) {
                            throw new FormatException(json, key, p.getText(), "must be a number");
                        }
                        limit = p.getDoubleValue();
                    }
                    case "layer_types" -> {
                        if (t != JsonToken.START_ARRAY) {
                            throw new FormatException(json, key, p.getText(), "must be an array of strings");
                        }
                        types = new ArrayList<>();
                        while (p.nextToken() == JsonToken.VALUE_STRING) {
                            types.add(p.getText());
                        }
                        if (p.currentToken() != JsonToken.END_ARRAY) {
                            throw new FormatException(json, key + "[" + types.size() + "]", p.getText(), "must be a string");
                        }
                    }
                    default -> p.skipChildren();
                }
            }
        } catch (IOException e) {
            throw new FormatException(json, "config", e.getMessage(), "cannot be read as JSON", e);
        }
        return new GptOssHfFields(window, types, limit);
    }
}
