package dev.panamax.jmh.report;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.StringReader;
import java.io.StringWriter;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

import org.junit.jupiter.api.Test;

class JsonTest {

    @Test
    void nonFiniteScoresWriteAsStringsThatReadBackAsNumbers() throws Exception {
        Map<String, Object> metric = new LinkedHashMap<>();
        metric.put("score", 12.5);
        metric.put("scoreError", Double.NaN);
        metric.put("limit", Double.POSITIVE_INFINITY);
        metric.put("samples", List.of(1L, 2L));
        StringWriter out = new StringWriter();
        Json.write(metric, out);
        String text = out.toString();
        assertTrue(text.contains("\"NaN\"") && text.contains("\"Infinity\""), text); // as JMH writes them

        @SuppressWarnings("unchecked")
        Map<String, Object> back = (Map<String, Object>) Json.read(new StringReader(text));
        assertEquals(List.of("score", "scoreError", "limit", "samples"), List.copyOf(back.keySet()));
        assertEquals(12.5, Json.number(back.get("score")));
        assertTrue(Double.isNaN(Json.number(back.get("scoreError"))));
        assertEquals(Double.POSITIVE_INFINITY, Json.number(back.get("limit")));
        assertEquals(List.of(1L, 2L), back.get("samples"));
    }
}
