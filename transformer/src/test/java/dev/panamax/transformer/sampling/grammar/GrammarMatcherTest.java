package dev.panamax.transformer.sampling.grammar;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.panamax.tensor.testing.Seeded;
import java.io.ByteArrayOutputStream;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import java.util.function.Consumer;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

/**
 * The trie walk's masks on adversarial vocabularies: tokens that span several JSON tokens ({@code "},{"},
 * {@code ":[}), that split multi-byte UTF-8 characters and escapes across tokens, bytes that are never
 * valid, duplicates. Each mask is checked against a brute-force one (each token's bytes fed to the automaton,
 * no trie), never empty before the document is complete, and every completed walk is parsed by
 * Jackson and validated against its schema by networknt's validator.
 */
@ExtendWith(Seeded.class)
class GrammarMatcherTest {
    private static final String[] FRAGMENTS = {"{", "}", "[", "]", ",", ":", "\"", " ", "\n", "\t", "{\"", "\"}", "\":", "\": ", "\",", "\",\"",
        "},{", "}]", "]}", "[{", ":[", ":{", ", ", "\\", "\\\"", "\\n", "\\u", "\\u00", "e9", "\\ud83d", "D7FF", "00", "0", "1", "12", "-", "-0",
        ".", ".5", "e", "E+", "e-", "true", "tr", "ue", "false", "fa", "lse", "null", "nu", "ll", "a", "b", "x", "y", "name", "age", "color",
        "tags", "red", "green", "blue", "cat", "value", "children", "city", "zip", "either", "tree", "counts", "level", "count", "low", "mid",
        "high", "ok", "points", "maybe", "none", "\"name\"", "\"age\":", "\"color\": \"", "\"red\"", "\"tags\": [", "\"x\":", "\"y\"", "7",
        "1e3", "\u00e9", "\ud83d\ude00", "\u4e2d\u6587", "caf\u00e9", "ratio"};

    /** A vocabulary of fragments, their pairs and triples, UTF-8 characters split at every byte, bad bytes, and every single byte. */
    static byte[][] adversarialVocabulary(Random r) {
        List<byte[]> v = new ArrayList<>();
        for (int b = 0; b < 256; b++) {
            v.add(new byte[] {(byte) b});
        }
        for (String f : FRAGMENTS) {
            v.add(f.getBytes(StandardCharsets.UTF_8));
        }
        for (int i = 0; i < 400; i++) {
            ByteArrayOutputStream out = new ByteArrayOutputStream();
            for (int k = 0, n = 2 + r.nextInt(2); k < n; k++) {
                out.writeBytes(FRAGMENTS[r.nextInt(FRAGMENTS.length)].getBytes(StandardCharsets.UTF_8));
            }
            v.add(out.toByteArray());
        }
        for (String ch : new String[] {"\u00e9", "\u4e2d", "\ud83d\ude00", "\u20ac"}) { // every split of a multi-byte character
            byte[] b = ch.getBytes(StandardCharsets.UTF_8);
            for (int cut = 1; cut < b.length; cut++) {
                v.add(java.util.Arrays.copyOfRange(b, 0, cut));
                v.add(java.util.Arrays.copyOfRange(b, cut, b.length));
                v.add(concat("a".getBytes(StandardCharsets.UTF_8), java.util.Arrays.copyOfRange(b, 0, cut)));
                v.add(concat(java.util.Arrays.copyOfRange(b, cut, b.length), "\"".getBytes(StandardCharsets.UTF_8)));
            }
        }
        v.add(new byte[] {(byte) 0xC0, (byte) 0xAF});
        v.add(new byte[] {(byte) 0xED, (byte) 0xA0, (byte) 0x80});
        v.add("\"}".getBytes(StandardCharsets.UTF_8)); // a duplicate: both ids must be allowed together
        v.add(null); // a token with no bytes (a control token): never allowed
        v.add(new byte[0]);
        return v.toArray(byte[][]::new);
    }

    @Test
    void masksEqualBruteForceAndEveryCompletedWalkValidates(Random r) {
        byte[][] vocab = adversarialVocabulary(r);
        TokenTrie trie = TokenTrie.of(vocab);
        String[] schemas = {null, Schemas.EVERYTHING, Schemas.NO_FREE_STRINGS};
        for (String schema : schemas) {
            Grammar g = schema == null ? Grammar.jsonObject() : Grammar.jsonSchema(schema);
            int completed = 0;
            int walks = 30;
            for (int w = 0; w < walks; w++) {
                int walk = w;
                if (walk(g, trie, vocab, r, text -> SchemaCheck.assertValid(text, schema, "walk " + walk), w)) {
                    completed++;
                }
            }
            assertTrue(completed >= walks / 2, completed + " of " + walks + " walks completed for " + schema);
        }
    }

    /**
     * Framed values (tool calls in a chat syntax: fixed text, arguments kept to a schema, fixed text), several ways
     * sharing a beginning and one that is a bare document: every mask equals the brute-force one, and every completed
     * walk is one of the ways, its value valid against that way's schema.
     */
    @Test
    void framedValuesMasksEqualBruteForceAndEveryCompletedWalkIsOneOfTheWays(Random r) {
        byte[][] vocab = adversarialVocabulary(r);
        TokenTrie trie = TokenTrie.of(vocab);
        String small = "{\"type\": \"object\", \"properties\": {\"a\": {\"type\": \"integer\"}}, \"required\": [\"a\"]}";
        String[][] ways = { // before, schema (null: any object), after
            {"<tool_call>\n{\"name\": \"add\", \"arguments\": ", small, "}\n</tool_call>"},
            {"<tool_call>\n{\"name\": \"adder\", \"arguments\": ", Schemas.NO_FREE_STRINGS, "}\n</tool_call>"},
            {"<tool_call>\n{\"name\": \"x\", \"arguments\": ", null, "}\n</tool_call>"},
            {"", Schemas.NO_FREE_STRINGS, ""},
        };
        List<Grammar.Framed> framed = new ArrayList<>();
        for (String[] way : ways) {
            framed.add(new Grammar.Framed(way[0], way[1] == null ? Grammar.jsonObject() : Grammar.jsonSchema(way[1]), way[2]));
        }
        Grammar g = Grammar.anyOf(framed);
        int[] seen = new int[ways.length];
        int walks = 60;
        int completed = 0;
        for (int w = 0; w < walks; w++) {
            int walk = w;
            // every sixth walk is steered through way 0's opening, so that calls are reached whatever the seed (a
            // free walk mostly takes the bare document's '{', and may never spell "add" with the call's quote after it)
            String steer = w % 6 == 0 ? ways[0][0] : "";
            if (walk(g, trie, vocab, r, text -> seen[wayOf(text, ways, walk)]++, w, steer)) {
                completed++;
            }
        }
        assertTrue(completed >= walks / 2, completed + " of " + walks + " walks completed");
        assertTrue(seen[0] > 0 && seen[3] > 0, "walks reached a call and a bare document: " + java.util.Arrays.toString(seen));
    }

    /** The way {@code text} was written: its fixed texts around a value that validates against the way's schema. */
    private static int wayOf(String text, String[][] ways, int walk) {
        for (int i = 0; i < ways.length; i++) { // the bare document last: it has no fixed text to tell it by
            String[] way = ways[i];
            if (!text.startsWith(way[0]) || !text.endsWith(way[2])) {
                continue;
            }
            String value = text.substring(way[0].length(), text.length() - way[2].length());
            SchemaCheck.assertValid(value, way[1], "walk " + walk + ": " + text);
            return i;
        }
        throw new AssertionError("walk " + walk + " wrote none of the ways: " + text);
    }

    @Test
    void partsRepeatAndTheTextMayEndAfterEach() {
        Grammar g = Grammar.oneOrMore(List.of(new Grammar.Framed("<", Grammar.jsonObject(), ">")),
                List.of(new Grammar.Framed(",<", Grammar.jsonObject(), ">"), new Grammar.Framed(";", Grammar.jsonObject(), "")));
        assertTrue(g.matches("<{}>"));
        assertTrue(g.matches("<{}>,<{\"a\": 1}>,<{}>"));
        assertTrue(g.matches("<{}>;{},<{}>;{}"), "each later part any of its ways");
        assertFalse(g.matches("<{}>,"), "a part begun must be finished");
        assertFalse(g.matches(",<{}>"), "the first part in its own ways");
        assertFalse(g.matches(""), "at least one part");
        assertFalse(g.matches("<{}><{}>"), "a later part in its ways, separator included");
        Grammar either = Grammar.either(List.of(g, Grammar.jsonObject()));
        assertTrue(either.matches("<{}>,<{}>"));
        assertTrue(either.matches(" {\"a\": [1]}"), "or the document");
        assertFalse(either.matches("{}<{}>"));
        org.junit.jupiter.api.Assertions.assertThrows(IllegalArgumentException.class, () -> Grammar.oneOrMore(List.of(), List.of(
                new Grammar.Framed("", Grammar.jsonObject(), ""))));
        org.junit.jupiter.api.Assertions.assertThrows(IllegalArgumentException.class, () -> Grammar.either(List.of()));
        org.junit.jupiter.api.Assertions.assertThrows(IllegalArgumentException.class, () -> new Grammar.Framed("", g, ""));
    }

    @Test
    void anEndTokenIsAllowedOnlyWhereTheTextMayEndAndNeverAsText() {
        // tokens: "<", "{", "}", ">", ",", an end token without bytes, an end token whose bytes are "}" (some vocabularies' own)
        byte[][] vocab = {bytes("<"), bytes("{"), bytes("}"), bytes(">"), bytes(","), null, bytes("}")};
        Grammar g = Grammar.oneOrMore(List.of(new Grammar.Framed("<", Grammar.jsonObject(), ">")),
                List.of(new Grammar.Framed(",<", Grammar.jsonObject(), ">")));
        GrammarMatcher m = new GrammarMatcher(g, TokenTrie.of(vocab, 5, 6));
        long[] mask = new long[m.maskLength()];
        int[][] steps = {{0}, {1}, {2}, {3}, {4}, {0}, {1}, {2}, {3}}; // <{}>,<{}>
        for (int i = 0; i < steps.length; i++) {
            m.allowed(mask);
            if (i == 4) { // after the first part: it may end, or ',' begin the next
                assertTrue(m.mayEnd());
                assertEquals(1L << 4 | 1L << 5 | 1L << 6, mask[0]);
            } else {
                assertFalse(m.mayEnd());
                assertFalse(m.accept(5), "no end before a part is whole");
                assertEquals(0L, mask[0] & (1L << 5 | 1L << 6), "neither end token inside a part: " + Long.toBinaryString(mask[0]));
            }
            assertTrue(m.accept(steps[i][0]));
        }
        assertTrue(m.mayEnd());
        assertFalse(m.complete(), "another part may follow");
        assertEquals(3, m.allowed(mask), "',' or an end token");
        assertEquals(1L << 4 | 1L << 5 | 1L << 6, mask[0]);
        assertTrue(m.accept(6));
        assertTrue(m.complete());
        assertEquals(0, m.allowed(mask));
        assertFalse(m.accept(4), "nothing after the end");
        GrammarMatcher one = new GrammarMatcher(Grammar.jsonObject(), TokenTrie.of(vocab, 5, 6));
        assertEquals(1, one.allowed(mask));
        assertTrue(one.accept(1));
        assertEquals(1, one.allowed(mask), "'}' as text, not the end token that shares its bytes");
        assertEquals(1L << 2, mask[0]);
        assertFalse(one.accept(6));
        assertTrue(one.accept(2));
        assertTrue(one.complete(), "a document that nothing may follow ends by itself, with no end token");
        org.junit.jupiter.api.Assertions.assertThrows(IllegalArgumentException.class, () -> TokenTrie.of(vocab, 7));
    }

    private static byte[] bytes(String s) {
        return s.getBytes(StandardCharsets.UTF_8);
    }

    @Test
    void aFramedValueIsNotAFramedGrammar() {
        Grammar framed = Grammar.anyOf(List.of(new Grammar.Framed("a", Grammar.jsonObject(), "b")));
        assertTrue(framed.matches("a {}b"));
        assertFalse(framed.matches("a {} b"), "nothing between the value and the text after it");
        assertFalse(framed.matches("a{}"), "the text after is part of it");
        org.junit.jupiter.api.Assertions.assertThrows(IllegalArgumentException.class, () -> new Grammar.Framed("", framed, ""));
        org.junit.jupiter.api.Assertions.assertThrows(IllegalArgumentException.class, () -> Grammar.anyOf(List.of()));
    }

    /** One random walk through the grammar, checking each mask; whether it reached a complete document. */
    private static boolean walk(Grammar g, TokenTrie trie, byte[][] vocab, Random r, Consumer<String> check, int w) {
        return walk(g, trie, vocab, r, check, w, "");
    }

    /**
     * A random walk through {@code g}'s masks, each checked against the byte-by-byte automaton; while its text is a
     * beginning of {@code steer}, it takes an allowed token that continues {@code steer} where there is one.
     */
    private static boolean walk(Grammar g, TokenTrie trie, byte[][] vocab, Random r, Consumer<String> check, int w, String steer) {
        byte[] steerBytes = steer.getBytes(StandardCharsets.UTF_8);
        GrammarMatcher m = new GrammarMatcher(g, trie);
        long[] mask = new long[m.maskLength()];
        Frame state = g.start(); // the reference: the automaton fed byte by byte, no trie
        ByteArrayOutputStream text = new ByteArrayOutputStream();
        for (int step = 0; step < 600; step++) {
            int count = m.allowed(mask);
            List<Integer> allowed = new ArrayList<>();
            for (int id = 0; id < vocab.length; id++) {
                boolean expected = after(state, vocab[id]) != null;
                boolean got = (mask[id >>> 6] & (1L << id)) != 0;
                assertEquals(expected, got, "walk " + w + ", step " + step + ", token " + id + " " + show(vocab[id]) + " after "
                        + text.toString(StandardCharsets.UTF_8));
                if (got) {
                    allowed.add(id);
                }
            }
            assertEquals(allowed.size(), count);
            if (m.complete()) {
                assertEquals(0, count, "nothing after a complete document");
                check.accept(text.toString(StandardCharsets.UTF_8));
                return true;
            }
            assertFalse(allowed.isEmpty(), "a dead end after " + text.toString(StandardCharsets.UTF_8));
            // prefer short tokens half the time, so that walks also cross character and escape boundaries byte by byte
            int pick = allowed.get(r.nextInt(allowed.size()));
            if (r.nextBoolean()) {
                for (int tries = 0; tries < 4 && vocab[pick].length > 1; tries++) {
                    pick = allowed.get(r.nextInt(allowed.size()));
                }
            }
            int steered = text.size() < steerBytes.length ? continuing(allowed, vocab, steerBytes, text.toByteArray(), r) : -1;
            pick = steered >= 0 ? steered : pick;
            assertTrue(m.accept(pick));
            state = after(state, vocab[pick]);
            text.writeBytes(vocab[pick]);
        }
        return false;
    }

    /** A random one of the {@code allowed} tokens that continue {@code written} along {@code steer}, or -1 if none does or it has left it. */
    private static int continuing(List<Integer> allowed, byte[][] vocab, byte[] steer, byte[] written, Random r) {
        if (!java.util.Arrays.equals(written, 0, written.length, steer, 0, written.length)) {
            return -1;
        }
        List<Integer> along = new ArrayList<>();
        for (int id : allowed) {
            byte[] t = vocab[id];
            int end = Math.min(steer.length, written.length + t.length);
            if (t.length > 0 && java.util.Arrays.equals(t, 0, end - written.length, steer, written.length, end)) {
                along.add(id);
            }
        }
        return along.isEmpty() ? -1 : along.get(r.nextInt(along.size()));
    }

    /** The state after {@code bytes}, or null if the grammar refuses them (or they are none). */
    private static Frame after(Frame state, byte[] bytes) {
        if (bytes == null || bytes.length == 0) {
            return null;
        }
        Frame s = state;
        for (int i = 0; i < bytes.length && s != null; i++) {
            s = s.next(bytes[i] & 0xFF);
        }
        return s;
    }

    @Test
    void tokensWithoutBytesAreNeverAllowedAndOutOfRangeIdsAreRefused() {
        byte[][] vocab = {null, new byte[0], "{".getBytes(StandardCharsets.UTF_8), "}".getBytes(StandardCharsets.UTF_8)};
        GrammarMatcher m = new GrammarMatcher(Grammar.jsonObject(), TokenTrie.of(vocab));
        long[] mask = new long[m.maskLength()];
        assertEquals(1, m.allowed(mask));
        assertEquals(1L << 2, mask[0]);
        assertFalse(m.accept(0));
        assertFalse(m.accept(1));
        assertFalse(m.accept(-1));
        assertFalse(m.accept(4));
        assertFalse(m.accept(3));
        assertTrue(m.accept(2));
        assertEquals(1, m.allowed(mask));
        assertTrue(m.accept(3));
        assertTrue(m.complete());
    }

    private static byte[] concat(byte[] a, byte[] b) {
        byte[] out = java.util.Arrays.copyOf(a, a.length + b.length);
        System.arraycopy(b, 0, out, a.length, b.length);
        return out;
    }

    private static String show(byte[] b) {
        return b == null ? "null" : java.util.HexFormat.of().formatHex(b);
    }
}
