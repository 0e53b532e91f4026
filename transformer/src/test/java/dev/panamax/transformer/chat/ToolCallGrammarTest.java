package dev.panamax.transformer.chat;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.panamax.tensor.testing.Seeded;
import dev.panamax.transformer.sampling.grammar.Grammar;
import dev.panamax.transformer.sampling.grammar.GrammarMatcher;
import dev.panamax.transformer.sampling.grammar.SchemaCheck;
import dev.panamax.transformer.sampling.grammar.Schemas;
import dev.panamax.transformer.sampling.grammar.TokenTrie;
import java.io.ByteArrayOutputStream;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

/**
 * {@link ToolCallSyntax#grammar}: random walks through the grammar of a forced call, byte by byte, each read back by
 * {@link ToolCallSyntax#parse} after what the prompt already holds, are exactly one call of an allowed tool whose
 * arguments networknt's validator accepts against that tool's schema; beside a document ("auto" with a
 * response format), a walk is a call or a valid document. With several calls allowed ({@code parallel_tool_calls}),
 * a walk is one or more such calls, ended by the vocabulary's end token where the grammar allows it.
 */
@ExtendWith(Seeded.class)
class ToolCallGrammarTest {
    static final String ADD = "{\"type\": \"object\", \"properties\": {\"a\": {\"type\": \"integer\"}, \"b\": {\"type\": \"integer\"}},"
            + " \"required\": [\"a\", \"b\"]}";
    static final String MOOD = "{\"type\": \"object\", \"properties\": {\"mood\": {\"enum\": [\"glad\", \"sad\"]}, \"loud\": {\"type\": \"boolean\"}},"
            + " \"required\": [\"mood\"], \"additionalProperties\": false}";
    static final String NOTHING = "{\"type\": \"object\", \"properties\": {}, \"additionalProperties\": false}";

    private static final Map<String, String> SCHEMAS = new LinkedHashMap<>();

    static {
        SCHEMAS.put("add", ADD);
        SCHEMAS.put("add_more", Schemas.NO_FREE_STRINGS); // shares its name's beginning with add
        SCHEMAS.put("say \"mood\"", MOOD); // a name that needs escapes
        SCHEMAS.put("ping", NOTHING);
    }

    private static Map<String, Grammar> tools() {
        Map<String, Grammar> out = new LinkedHashMap<>();
        SCHEMAS.forEach((name, schema) -> out.put(name, Grammar.jsonSchema(schema)));
        return out;
    }

    /** Every single byte a token: the walks choose byte by byte. */
    private static final byte[][] BYTES = vocabulary(null);

    /** The single bytes and, for {@code syntax}, each tool's whole opening as one token, as a model's own call would begin. */
    private static byte[][] vocabulary(ToolCallSyntax syntax) {
        List<byte[]> v = new ArrayList<>();
        for (int b = 0; b < 256; b++) {
            v.add(new byte[] {(byte) b});
        }
        if (syntax != null) {
            for (String name : SCHEMAS.keySet()) {
                v.add(syntax.opening(name).getBytes(StandardCharsets.UTF_8));
            }
        }
        return v.toArray(byte[][]::new);
    }

    @Test
    void everyCompletedWalkOfAForcedCallIsOneValidCall(Random r) {
        for (ToolCallSyntax syntax : ToolCallSyntax.values()) {
            for (String forced : new String[] {null, "say \"mood\"", "add"}) {
                String written = syntax.opening(forced);
                Grammar g = syntax.grammar(tools(), written, null);
                List<String> names = new ArrayList<>();
                for (int w = 0; w < 40; w++) {
                    String text = walk(g, BYTES, r, 4000);
                    ToolCallSyntax.Reply reply = syntax.parse(written + text);
                    String what = syntax + ", forced " + forced + ", walk " + w + ": " + written + text;
                    assertEquals(1, reply.calls().size(), what);
                    assertEquals("", reply.text(), what);
                    ToolCall call = reply.calls().getFirst();
                    assertTrue(SCHEMAS.containsKey(call.name()), what);
                    if (forced != null) {
                        assertEquals(forced, call.name(), what);
                    }
                    SchemaCheck.assertValid(call.arguments(), SCHEMAS.get(call.name()), what);
                    names.add(call.name());
                }
                if (forced == null) {
                    assertTrue(names.containsAll(SCHEMAS.keySet()), syntax + ": every tool is reachable: " + names);
                }
            }
        }
    }

    @Test
    void besideADocumentAWalkIsACallOrThatDocument(Random r) {
        for (ToolCallSyntax syntax : ToolCallSyntax.values()) {
            Grammar g = syntax.grammar(tools(), "", Grammar.jsonSchema(MOOD));
            byte[][] vocab = vocabulary(syntax); // byte by byte, a document's leading whitespace would nearly always win
            int calls = 0, documents = 0;
            for (int w = 0; w < 60; w++) {
                String text = walk(g, vocab, r, 4000);
                ToolCallSyntax.Reply reply = syntax.parse(text);
                String what = syntax + ", walk " + w + ": " + text;
                if (reply.calls().isEmpty()) {
                    SchemaCheck.assertValid(text, MOOD, what);
                    documents++;
                } else {
                    assertEquals(1, reply.calls().size(), what);
                    SchemaCheck.assertValid(reply.calls().getFirst().arguments(), SCHEMAS.get(reply.calls().getFirst().name()), what);
                    calls++;
                }
            }
            assertTrue(calls > 0 && documents > 0, syntax + ": " + calls + " calls, " + documents + " documents");
        }
    }

    /** The single bytes and an end token (id 256, no bytes), which the walks take only where the grammar allows it. */
    private static final byte[][] BYTES_AND_END = java.util.Arrays.copyOf(BYTES, 257);
    private static final int END = 256;

    @Test
    void withSeveralEveryCompletedWalkIsOneOrMoreValidCallsEndingWhereTheModelChooses(Random r) {
        for (ToolCallSyntax syntax : ToolCallSyntax.values()) {
            for (String forced : new String[] {null, "add"}) {
                String written = syntax.opening(forced);
                Grammar g = syntax.grammar(tools(), written, null, true);
                Map<Integer, Integer> counts = new java.util.TreeMap<>();
                List<String> later = new ArrayList<>();
                for (int w = 0; w < 60; w++) {
                    String text = walk(g, BYTES_AND_END, r, 20000, END);
                    ToolCallSyntax.Reply reply = syntax.parse(written + text);
                    String what = syntax + ", forced " + forced + ", walk " + w + ": " + written + text;
                    assertTrue(reply.calls().size() >= 1, what);
                    assertEquals("", reply.text(), what);
                    assertEquals(reply.calls().size() - 1, occurrences(text, syntax.separator() + syntax.opening(null)), what);
                    for (int i = 0; i < reply.calls().size(); i++) {
                        ToolCall call = reply.calls().get(i);
                        assertEquals("call_" + (i + 1), call.id(), what);
                        assertTrue(SCHEMAS.containsKey(call.name()), what);
                        SchemaCheck.assertValid(call.arguments(), SCHEMAS.get(call.name()), what + ", call " + i);
                        if (i == 0 && forced != null) {
                            assertEquals(forced, call.name(), what);
                        } else if (i > 0) {
                            later.add(call.name());
                        }
                    }
                    counts.merge(reply.calls().size(), 1, Integer::sum);
                }
                // after each call the end token is one of two choices (it or the separator's first byte): about half the walks go on
                assertTrue(counts.getOrDefault(1, 0) > 0 && counts.keySet().stream().anyMatch(k -> k >= 3), syntax + ": calls per reply " + counts);
                assertTrue(later.containsAll(SCHEMAS.keySet()), syntax + ", forced " + forced + ": any tool may follow: " + later);
            }
        }
    }

    @Test
    void withOneCallTheEndTokenIsNeverAllowedAndTheReplyEndsAfterIt(Random r) {
        for (ToolCallSyntax syntax : ToolCallSyntax.values()) {
            Grammar g = syntax.grammar(tools(), syntax.opening(null), null, false);
            for (int w = 0; w < 20; w++) {
                String text = walk(g, BYTES_AND_END, r, 4000, END); // fails if the mask ever allows the end token
                assertEquals(1, syntax.parse(syntax.opening(null) + text).calls().size(), syntax + ": " + text);
            }
        }
    }

    @Test
    void withSeveralBesideADocumentAWalkIsCallsOrThatDocument(Random r) {
        for (ToolCallSyntax syntax : ToolCallSyntax.values()) {
            Grammar g = syntax.grammar(tools(), "", Grammar.jsonSchema(MOOD), true);
            byte[][] vocab = java.util.Arrays.copyOf(vocabulary(syntax), vocabulary(syntax).length + 1);
            int end = vocab.length - 1;
            int several = 0, documents = 0;
            for (int w = 0; w < 60; w++) {
                String text = walk(g, vocab, r, 20000, end);
                ToolCallSyntax.Reply reply = syntax.parse(text);
                String what = syntax + ", walk " + w + ": " + text;
                if (reply.calls().isEmpty()) {
                    SchemaCheck.assertValid(text, MOOD, what);
                    documents++;
                } else {
                    assertEquals("", reply.text(), what);
                    for (ToolCall call : reply.calls()) {
                        SchemaCheck.assertValid(call.arguments(), SCHEMAS.get(call.name()), what);
                    }
                    several += reply.calls().size() > 1 ? 1 : 0;
                }
            }
            assertTrue(several > 0 && documents > 0, syntax + ": " + several + " replies of several calls, " + documents + " documents");
        }
    }

    private static int occurrences(String text, String part) {
        int n = 0;
        for (int at = text.indexOf(part); at >= 0; at = text.indexOf(part, at + 1)) {
            n++;
        }
        return n;
    }

    @Test
    void aCallThatCannotBeginAsWrittenIsRefused() {
        assertThrows(IllegalArgumentException.class, () -> ToolCallSyntax.HERMES.grammar(tools(), ToolCallSyntax.HERMES.opening("mul"), null));
        assertThrows(IllegalArgumentException.class, () -> ToolCallSyntax.HERMES.grammar(tools(), ToolCallSyntax.HERMES.opening(null),
                Grammar.jsonObject()));
    }

    /** A random walk to a complete text (a step's allowed tokens equally likely); fails past {@code limit} bytes. */
    static String walk(Grammar g, byte[][] vocab, Random r, int limit) {
        return walk(g, vocab, r, limit, -1);
    }

    /**
     * As {@link #walk(Grammar, byte[][], Random, int)}, with token {@code end} (no bytes) the vocabulary's end token: the
     * mask must allow it exactly where the matcher says the text may end, and taking it ends the walk.
     */
    static String walk(Grammar g, byte[][] vocab, Random r, int limit, int end) {
        GrammarMatcher m = new GrammarMatcher(g, end < 0 ? TokenTrie.of(vocab) : TokenTrie.of(vocab, end));
        long[] mask = new long[m.maskLength()];
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        while (!m.complete()) {
            int count = m.allowed(mask);
            assertTrue(count > 0, "a dead end after " + out.toString(StandardCharsets.UTF_8));
            assertTrue(out.size() < limit, "no end within " + limit + " bytes: " + out.toString(StandardCharsets.UTF_8));
            if (end >= 0) {
                assertEquals(m.mayEnd(), (mask[end >>> 6] & 1L << end) != 0, "the end token where the text may end, only there: "
                        + out.toString(StandardCharsets.UTF_8));
            }
            int pick = r.nextInt(count);
            for (int id = 0; id < vocab.length; id++) {
                if ((mask[id >>> 6] & 1L << id) != 0 && pick-- == 0) {
                    assertTrue(m.accept(id));
                    if (id == end) {
                        assertTrue(m.complete(), "nothing after the end token");
                    } else {
                        out.writeBytes(vocab[id]);
                    }
                    break;
                }
            }
        }
        return out.toString(StandardCharsets.UTF_8);
    }
}
