package dev.panamax.jmh.report;

import java.io.IOException;
import java.io.Reader;
import java.io.Writer;

import com.fasterxml.jackson.core.JsonFactory;
import com.fasterxml.jackson.core.JsonGenerator;
import com.fasterxml.jackson.core.JsonParser;
import com.fasterxml.jackson.core.JsonToken;
import dev.panamax.formats.JsonTree;

/**
 * JSON as plain Java values: objects are {@code Map<String, Object>} (in file order), arrays
 * {@code List<Object>}, numbers {@code Long} or {@code Double}, then String, Boolean and null.
 * Enough to read JMH's result files and write ours, without a data-binding library.
 */
final class Json {
    private static final JsonFactory FACTORY = new JsonFactory();

    private Json() {
    }

    static Object read(Reader in) throws IOException {
        try (JsonParser p = FACTORY.createParser(in)) {
            JsonToken first = p.nextToken();
            if (first == null) {
                throw new IOException("empty JSON document");
            }
            return JsonTree.read(p);
        }
    }

    static void write(Object value, Writer out) throws IOException {
        try (JsonGenerator g = FACTORY.createGenerator(out)) {
            g.useDefaultPrettyPrinter();
            JsonTree.write(g, value); // Jackson quotes NaN and infinities ("NaN"), as JMH writes them
        }
    }

    /** A number that JMH may also have written as a string ("NaN"). */
    static double number(Object v) {
        if (v instanceof Number n) {
            return n.doubleValue();
        }
        if (v instanceof String s) {
            try {
                return Double.parseDouble(s);
            } catch (NumberFormatException e) {
                return Double.NaN;
            }
        }
        return Double.NaN;
    }
}
