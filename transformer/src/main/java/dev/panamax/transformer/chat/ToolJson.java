package dev.panamax.transformer.chat;

import com.fasterxml.jackson.core.JsonFactory;
import com.fasterxml.jackson.core.JsonGenerator;
import com.fasterxml.jackson.core.JsonParser;
import dev.panamax.formats.JsonTree;
import java.io.IOException;
import java.io.StringWriter;
import java.io.UncheckedIOException;
import java.util.List;
import java.util.Map;

/** JSON text to plain values and back, for tool calls: what a model writes is read, what a caller gives is written. */
final class ToolJson {
    private static final JsonFactory FACTORY = new JsonFactory();

    private ToolJson() {
    }

    /** The one JSON value {@code text} holds (Map, List, String, Long, Double, Boolean, null), or null if it is not one. */
    static Object readOrNull(String text) {
        try (JsonParser p = FACTORY.createParser(text)) {
            if (p.nextToken() == null) {
                return null;
            }
            Object value = JsonTree.read(p);
            return p.nextToken() == null ? value : null; // trailing text: not one value
        } catch (IOException e) {
            return null;
        }
    }

    /** {@code value} as compact JSON text. */
    static String write(Object value) {
        StringWriter out = new StringWriter();
        try (JsonGenerator g = FACTORY.createGenerator(out)) {
            write(g, value);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        return out.toString();
    }

    private static void write(JsonGenerator g, Object v) throws IOException {
        switch (v) {
            case null -> g.writeNull();
            case Map<?, ?> m -> {
                g.writeStartObject();
                for (Map.Entry<?, ?> e : m.entrySet()) {
                    g.writeFieldName(String.valueOf(e.getKey()));
                    write(g, e.getValue());
                }
                g.writeEndObject();
            }
            case List<?> l -> {
                g.writeStartArray();
                for (Object o : l) {
                    write(g, o);
                }
                g.writeEndArray();
            }
            case String s -> g.writeString(s);
            case Boolean b -> g.writeBoolean(b);
            case Long n -> g.writeNumber(n);
            case Integer n -> g.writeNumber(n);
            case Double d -> g.writeNumber(d);
            case java.math.BigInteger n -> g.writeNumber(n);
            case Number n -> g.writeNumber(n.doubleValue());
            default -> g.writeString(v.toString());
        }
    }
}
