package dev.panamax.transformer.chat;

import com.fasterxml.jackson.core.JsonFactory;
import com.fasterxml.jackson.core.JsonParser;
import dev.panamax.formats.JsonTree;
import java.io.IOException;
import java.io.UncheckedIOException;

/** Test data in JSON as plain Java values (see {@link JsonTree}). */
public final class TestJson {
    private TestJson() {
    }

    public static Object parse(String json) {
        try (JsonParser p = new JsonFactory().createParser(json)) {
            p.nextToken();
            return JsonTree.read(p);
        } catch (IOException e) {
            throw new UncheckedIOException("not valid JSON: " + json, e);
        }
    }
}
