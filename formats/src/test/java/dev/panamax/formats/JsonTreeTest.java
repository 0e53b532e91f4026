package dev.panamax.formats;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import com.fasterxml.jackson.core.JsonFactory;
import com.fasterxml.jackson.core.JsonGenerator;
import com.fasterxml.jackson.core.JsonParser;
import java.io.IOException;
import java.io.StringWriter;
import java.math.BigDecimal;
import java.math.BigInteger;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/** JsonTree reads JSON into plain values and writes them back: key order, big integers and nulls survive. */
class JsonTreeTest {
    private static final JsonFactory JSON = new JsonFactory();

    @Test
    void whatItReadsItWritesBackUnchanged() throws IOException {
        String text = "{\"b\":[1,-2.5,\"x\\\"y\",true,null,{}],\"a\":1000000000000000000000000000000,\"c\":{\"d\":[]}}";
        assertEquals(text, write(read(text)));
    }

    @Test
    void writesEveryNumberTypeAndRefusesOtherValues() throws IOException {
        Map<String, Object> m = new LinkedHashMap<>();
        m.put("i", 3);
        m.put("f", 0.5f);
        m.put("d", new BigDecimal("1.25"));
        m.put("n", Arrays.asList(null, BigInteger.TWO, 7L, 2.0));
        assertEquals("{\"i\":3,\"f\":0.5,\"d\":1.25,\"n\":[null,2,7,2.0]}", write(m));
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> write(List.of(new Object())));
        assertEquals("not a JSON value: class java.lang.Object", e.getMessage());
    }

    private static Object read(String text) throws IOException {
        try (JsonParser p = JSON.createParser(text)) {
            p.nextToken();
            return JsonTree.read(p);
        }
    }

    private static String write(Object value) throws IOException {
        StringWriter out = new StringWriter();
        try (JsonGenerator g = JSON.createGenerator(out)) {
            JsonTree.write(g, value);
        }
        return out.toString();
    }
}
