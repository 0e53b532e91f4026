package dev.panamax.transformer.chat;

import com.fasterxml.jackson.core.JsonParser;
import com.fasterxml.jackson.core.JsonToken;
import java.io.IOException;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * Reads one JSON value into plain Java values (String, Long, Double, Boolean, null, List, insertion-ordered
 * Map), as a template's context wants them: tool definitions and tool calls, or a tokenizer_config.json field.
 */
public final class JsonTree {
    private JsonTree() {
    }

    /** The value starting at the parser's current token (call {@code nextToken()} first). */
    public static Object read(JsonParser p) throws IOException {
        JsonToken t = p.currentToken();
        return switch (t) {
            case START_OBJECT -> {
                Map<String, Object> m = new LinkedHashMap<>();
                while (p.nextToken() == JsonToken.FIELD_NAME) {
                    String name = p.currentName();
                    p.nextToken();
                    m.put(name, read(p));
                }
                yield m;
            }
            case START_ARRAY -> {
                List<Object> l = new ArrayList<>();
                while (p.nextToken() != JsonToken.END_ARRAY) {
                    l.add(read(p));
                }
                yield l;
            }
            case VALUE_STRING -> p.getText();
            case VALUE_NUMBER_INT -> p.getLongValue();
            case VALUE_NUMBER_FLOAT -> p.getDoubleValue();
            case VALUE_TRUE -> true;
            case VALUE_FALSE -> false;
            case VALUE_NULL -> null;
            default -> throw new IOException("unexpected JSON token " + t + " at " + p.currentLocation());
        };
    }

    /** {@code json} as Java values. */
    public static Object parse(String json) {
        try (JsonParser p = new com.fasterxml.jackson.core.JsonFactory().createParser(json)) {
            p.nextToken();
            return read(p);
        } catch (IOException e) {
            throw new IllegalArgumentException("not valid JSON: " + e.getMessage(), e);
        }
    }
}
