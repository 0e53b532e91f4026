package dev.panamax.formats;

import com.fasterxml.jackson.core.JsonGenerator;
import com.fasterxml.jackson.core.JsonParseException;
import com.fasterxml.jackson.core.JsonParser;
import com.fasterxml.jackson.core.JsonToken;
import java.io.IOException;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * Reads one JSON value from a jackson-core streaming parser as plain Java values: {@code Map} (keys in
 * file order), {@code List}, {@code String}, {@code Long} (or {@code BigInteger} beyond its range), {@code Double}, {@code Boolean} or null;
 * and writes such values (and the other {@code Number} types) back.
 * For small documents whose shape is checked by the caller (tokenizer files, benchmark reports);
 * the parser's own {@code StreamReadConstraints} bound sizes and nesting.
 */
public final class JsonTree {
    private JsonTree() {
    }

    /**
     * The value at the parser's current token; afterwards the parser is on the value's last token.
     *
     * @param p a parser on the first token of a value
     * @return a {@code Map}, {@code List}, String, Long, Double, Boolean or null
     * @throws IOException if the parser fails (bad JSON, too deep, too long)
     */
    public static Object read(JsonParser p) throws IOException {
        JsonToken t = p.currentToken();
        if (t == null) {
            throw new JsonParseException(p, "unexpected end of input");
        }
        return switch (t) {
            case START_OBJECT -> {
                Map<String, Object> map = new LinkedHashMap<>();
                while (p.nextToken() == JsonToken.FIELD_NAME) {
                    String name = p.currentName();
                    p.nextToken();
                    map.put(name, read(p));
                }
                yield map;
            }
            case START_ARRAY -> {
                List<Object> list = new ArrayList<>();
                while (p.nextToken() != JsonToken.END_ARRAY) {
                    list.add(read(p));
                }
                yield list;
            }
            case VALUE_STRING -> p.getText();
            // integers beyond long (e.g. model_max_length = 1e30 in tokenizer_config.json) stay exact
            case VALUE_NUMBER_INT -> p.getNumberType() == JsonParser.NumberType.BIG_INTEGER
                    ? p.getBigIntegerValue() : (Object) p.getLongValue();
            case VALUE_NUMBER_FLOAT -> p.getDoubleValue();
            case VALUE_TRUE -> Boolean.TRUE;
            case VALUE_FALSE -> Boolean.FALSE;
            case VALUE_NULL -> null;
            default -> throw new JsonParseException(p, "unexpected JSON token " + t);
        };
    }

    /**
     * Writes {@code value} as JSON: a {@code Map} with String keys (in its iteration order), a {@code List},
     * a String, a Boolean, null, or an Integer, Long, BigInteger, Float, Double or BigDecimal.
     *
     * @param g     the generator to write to
     * @param value the value
     * @throws IOException if the generator fails
     * @throws IllegalArgumentException if {@code value} (or a value inside it) is of another type
     */
    public static void write(JsonGenerator g, Object value) throws IOException {
        switch (value) {
            case null -> g.writeNull();
            case Map<?, ?> m -> {
                g.writeStartObject();
                for (Map.Entry<?, ?> e : m.entrySet()) {
                    g.writeFieldName((String) e.getKey());
                    write(g, e.getValue());
                }
                g.writeEndObject();
            }
            case List<?> l -> {
                g.writeStartArray();
                for (Object v : l) {
                    write(g, v);
                }
                g.writeEndArray();
            }
            case String s -> g.writeString(s);
            case Boolean b -> g.writeBoolean(b);
            case Integer i -> g.writeNumber(i);
            case Long l -> g.writeNumber(l);
            case java.math.BigInteger i -> g.writeNumber(i);
            case Float f -> g.writeNumber(f);
            case Double d -> g.writeNumber(d);
            case java.math.BigDecimal d -> g.writeNumber(d);
            default -> throw new IllegalArgumentException("not a JSON value: " + value.getClass());
        }
    }
}
