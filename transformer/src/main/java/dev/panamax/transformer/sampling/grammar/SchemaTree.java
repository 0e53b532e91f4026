package dev.panamax.transformer.sampling.grammar;

import com.fasterxml.jackson.core.JsonFactory;
import com.fasterxml.jackson.core.JsonGenerator;
import com.fasterxml.jackson.core.JsonParser;
import com.fasterxml.jackson.core.JsonToken;
import dev.panamax.formats.JsonTree;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * A schema as plain values (maps in key order, lists, strings, {@link java.math.BigInteger} and
 * {@link java.math.BigDecimal} numbers, booleans, null), read with jackson-core; and the compact JSON
 * text of such a value, which is how a literal ({@code enum}, {@code const}) is written.
 */
final class SchemaTree {
    private static final JsonFactory JSON = new JsonFactory();

    private SchemaTree() {
    }

    /** {@return the value of {@code json}} @throws IllegalArgumentException if it is not one JSON value */
    static Object parse(String json) {
        try (JsonParser p = JSON.createParser(json)) {
            JsonToken first = p.nextToken();
            if (first == null) {
                throw new IllegalArgumentException("the schema is empty");
            }
            Object value = read(p, first, 0);
            if (p.nextToken() != null) {
                throw new IllegalArgumentException("the schema has text after its value");
            }
            return value;
        } catch (IOException e) {
            throw new IllegalArgumentException("the schema is not valid JSON: " + (e instanceof com.fasterxml.jackson.core.JsonProcessingException j ? j.getOriginalMessage() : e.getMessage()), e);
        }
    }

    private static Object read(JsonParser p, JsonToken t, int depth) throws IOException {
        if (depth > 64) {
            throw new IllegalArgumentException("the schema nests deeper than 64 levels");
        }
        return switch (t) {
            case START_OBJECT -> {
                Map<String, Object> m = new LinkedHashMap<>();
                for (JsonToken k = p.nextToken(); k != JsonToken.END_OBJECT; k = p.nextToken()) {
                    String name = p.currentName();
                    m.put(name, read(p, p.nextToken(), depth + 1));
                }
                yield m;
            }
            case START_ARRAY -> {
                List<Object> l = new ArrayList<>();
                for (JsonToken v = p.nextToken(); v != JsonToken.END_ARRAY; v = p.nextToken()) {
                    l.add(read(p, v, depth + 1));
                }
                yield l;
            }
            case VALUE_STRING -> p.getText();
            case VALUE_NUMBER_INT -> p.getBigIntegerValue();
            case VALUE_NUMBER_FLOAT -> p.getDecimalValue();
            case VALUE_TRUE -> Boolean.TRUE;
            case VALUE_FALSE -> Boolean.FALSE;
            case VALUE_NULL -> null;
            default -> throw new IllegalArgumentException("unexpected " + t + " in the schema");
        };
    }

    /** {@return the compact JSON text of {@code value}, as UTF-8} */
    static byte[] write(Object value) {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        try (JsonGenerator g = JSON.createGenerator(out)) {
            JsonTree.write(g, value);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        return out.toByteArray();
    }

}
