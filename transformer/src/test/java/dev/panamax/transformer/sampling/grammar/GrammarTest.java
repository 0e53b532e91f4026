package dev.panamax.transformer.sampling.grammar;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.charset.StandardCharsets;
import org.junit.jupiter.api.Test;

/** The languages themselves, document by document: what JSON mode and the schemas accept and refuse. */
class GrammarTest {
    private final Grammar object = Grammar.jsonObject();

    @Test
    void jsonModeAcceptsObjectsOfAnyValues() {
        for (String ok : new String[] {"{}", " {\"a\":1}", "{\"a\": [1, -0.5, 2.5e-3, 1E+10, \"x\\u00e9\\n\\\"\", true, false, null, {\"b\": {}}, []]}",
                "{\n  \"k\": \"caf\u00e9 \ud83d\ude00\",\n  \"k\": 0\n}", "{\"\\ud7ff\": \"\\/\\b\\f\\r\\t\"}"}) {
            assertTrue(object.matches(ok), ok);
        }
    }

    @Test
    void jsonModeRefusesWhatIsNotAnObjectOrNotJson() {
        for (String bad : new String[] {"", "[]", "\"x\"", "1", "{", "{\"a\":}", "{\"a\":1,}", "{\"a\" 1}", "{a:1}", "{\"a\":01}", "{\"a\":1.}",
                "{\"a\":-}", "{\"a\":.5}", "{\"a\":tru}", "{\"a\":\"\\ud800\"}", "{\"a\":\"\\x\"}", "{\"a\":\"tab\there\"}", "{} ", "{}{}",
                "{\"a\":[1,]}", "{\"a\":NaN}", "{\"a\":1e}"}) {
            assertFalse(object.matches(bad), bad);
        }
    }

    @Test
    void stringsMustBeWellFormedUtf8() {
        assertFalse(matchesBytes(object, "{\"a\":\"", 0xC3, 0x28, "\"}"), "a lead byte without its continuation");
        assertFalse(matchesBytes(object, "{\"a\":\"", 0xC0, 0xAF, "\"}"), "an overlong form");
        assertFalse(matchesBytes(object, "{\"a\":\"", 0xED, 0xA0, 0x80, "\"}"), "an encoded surrogate");
        assertFalse(matchesBytes(object, "{\"a\":\"", 0xF4, 0x90, 0x80, 0x80, "\"}"), "past U+10FFFF");
        assertFalse(matchesBytes(object, "{\"a\":\"", 0xFF, "\"}"), "never a UTF-8 byte");
        assertTrue(matchesBytes(object, "{\"a\":\"", 0xF0, 0x9F, 0x98, 0x80, "\"}"), "an emoji");
    }

    @Test
    void whitespaceIsBoundedPerGap() {
        assertTrue(object.matches("{" + " ".repeat(Frame.MAX_WHITESPACE) + "}"));
        assertFalse(object.matches("{" + " ".repeat(Frame.MAX_WHITESPACE + 1) + "}"));
        assertTrue(object.matches("{\n" + " ".repeat(Frame.MAX_WHITESPACE - 1) + "\"a\":\t1\r\n}"));
        assertFalse(object.matches("{\"a\": 1\n\n}"), "two line breaks in one gap");
        assertFalse(object.matches("{\"a\":" + " ".repeat(Frame.MAX_WHITESPACE + 1) + "1}"));
    }

    @Test
    void numbersAreBoundedInDigits() {
        assertTrue(object.matches("{\"a\":" + "9".repeat(NumberFrame.MAX_DIGITS) + "}"));
        assertFalse(object.matches("{\"a\":" + "9".repeat(NumberFrame.MAX_DIGITS + 1) + "}"));
        assertTrue(object.matches("{\"a\":1.5e-99}"));
        assertFalse(object.matches("{\"a\":1.5e-999}"));
    }

    @Test
    void aSchemasObjectsHaveTheirPropertiesOnceAndTheRequiredOnes() {
        Grammar g = Grammar.jsonSchema(Schemas.EVERYTHING);
        String base = "\"name\": \"Tom\", \"age\": 3, \"color\": \"red\", \"tags\": []";
        assertTrue(g.matches("{" + base + "}"));
        assertTrue(g.matches("{\"tags\": [\"a\", \"b\"], \"color\": 7, \"age\": -12, \"name\": \"\"}"), "any order");
        assertFalse(g.matches("{\"name\": \"Tom\", \"age\": 3, \"color\": \"red\"}"), "tags missing");
        assertFalse(g.matches("{" + base + ", \"age\": 4}"), "age twice");
        assertFalse(g.matches("{" + base + ", \"extra\": 1}"), "additionalProperties false");
        assertFalse(g.matches("{\"name\": \"Tom\", \"age\": 3.5, \"color\": \"red\", \"tags\": []}"), "age is an integer");
        assertFalse(g.matches("{" + base.replace("red", "pink") + "}"), "not in the enum");
        assertTrue(g.matches("{" + base + ", \"kind\": \"cat\", \"member\": false, \"nothing\": null, \"score\": 1e3}"));
        assertFalse(g.matches("{" + base + ", \"kind\": \"dog\"}"), "const");
        assertTrue(g.matches("{" + base + ", \"address\": {\"city\": \"Oslo\", \"zip\": null}}"));
        assertFalse(g.matches("{" + base + ", \"address\": {\"zip\": \"1\"}}"), "city is required");
        assertTrue(g.matches("{" + base + ", \"either\": 5}"));
        assertTrue(g.matches("{" + base + ", \"either\": {\"x\": 1.5}}"));
        assertTrue(g.matches("{" + base + ", \"either\": {\"x\": \"s\", \"y\": true}}"));
        assertFalse(g.matches("{" + base + ", \"either\": {\"x\": 1.5, \"y\": true}}"), "y belongs to the other alternative");
        assertFalse(g.matches("{" + base + ", \"either\": {\"x\": \"s\"}}"), "the string alternative needs y");
        assertTrue(g.matches("{" + base + ", \"tree\": {\"value\": 1, \"children\": [{\"value\": 2, \"children\": []}, {\"value\": 3}]}}"));
        assertFalse(g.matches("{" + base + ", \"tree\": {\"value\": 1, \"children\": [{}]}}"), "a child needs its value");
        assertTrue(g.matches("{" + base + ", \"counts\": {\"a\": 1, \"b\": 2}}"));
        assertFalse(g.matches("{" + base + ", \"counts\": {\"a\": \"1\"}}"));
    }

    @Test
    void unsupportedKeywordsAreNamed() {
        String[][] cases = {
                {"{\"type\": \"object\", \"properties\": {\"a\": {\"type\": \"string\", \"pattern\": \"^a\"}}}", "pattern", "/properties/a"},
                {"{\"type\": \"object\", \"properties\": {\"a\": {\"type\": \"string\", \"format\": \"date\"}}}", "format", "/properties/a"},
                {"{\"type\": \"object\", \"minProperties\": 1}", "minProperties", ""},
                {"{\"type\": \"object\", \"properties\": {\"a\": {\"type\": \"array\", \"minItems\": 1}}}", "minItems", "/properties/a"},
                {"{\"type\": \"object\", \"properties\": {\"a\": {\"oneOf\": [{\"type\": \"string\"}]}}}", "oneOf", "/properties/a"},
                {"{\"type\": \"object\", \"properties\": {\"a\": {\"type\": \"integer\", \"maximum\": 3}}}", "maximum", "/properties/a"},
                {"{\"type\": \"object\", \"properties\": {\"a\": {\"$ref\": \"https://example.com/s\"}}}", "$ref", "/properties/a"},
                {"{\"type\": \"object\", \"properties\": {\"a\": {\"type\": \"string\"}}, \"required\": [\"b\"]}", "required", ""},
                {"{\"type\": \"array\"}", "type", ""},
                {"{\"type\": \"object\", \"properties\": {\"a\": {\"type\": \"text\"}}}", "type", "/properties/a"},
                {"{\"type\": \"object\", \"properties\": {\"a\": {\"anyOf\": [], \"description\": \"x\"}}}", "anyOf", "/properties/a"},
                {"{\"type\": \"object\", \"properties\": {\"a\": {\"anyOf\": [{\"type\": \"string\"}], \"type\": \"string\"}}}", "type",
                        "/properties/a"},
        };
        for (String[] c : cases) {
            UnsupportedSchemaException e = assertThrows(UnsupportedSchemaException.class, () -> Grammar.jsonSchema(c[0]), c[0]);
            assertEquals(c[1], e.keyword(), e.getMessage());
            assertEquals(c[2], e.path(), e.getMessage());
            assertTrue(e.getMessage().contains("'" + c[1] + "'"), e.getMessage());
        }
        assertThrows(IllegalArgumentException.class, () -> Grammar.jsonSchema("{\"type\": "));
    }

    @Test
    void keysAreWrittenAsTheSchemaEncodesThem() {
        Grammar g = Grammar.jsonSchema("{\"type\": \"object\", \"properties\": {\"a\\\"b\": {\"type\": \"integer\"}, \"\u00e9\": {\"type\": \"null\"}},"
                + " \"additionalProperties\": false}");
        assertTrue(g.matches("{\"a\\\"b\": 1, \"\u00e9\": null}"));
        assertFalse(g.matches("{\"a\\u0022b\": 1}"), "another spelling of the same key is not generated");
    }

    private static boolean matchesBytes(Grammar g, Object... parts) {
        java.io.ByteArrayOutputStream out = new java.io.ByteArrayOutputStream();
        for (Object p : parts) {
            if (p instanceof String s) {
                out.writeBytes(s.getBytes(StandardCharsets.UTF_8));
            } else {
                out.write((Integer) p);
            }
        }
        Frame s = g.start();
        for (byte b : out.toByteArray()) {
            s = s.next(b & 0xFF);
            if (s == null) {
                return false;
            }
        }
        return s.complete();
    }
}
