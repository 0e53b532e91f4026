package dev.panamax.transformer.sampling.grammar;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.panamax.transformer.tokenizer.Tokenizer;
import dev.panamax.transformer.tokenizer.TokenizerPack;
import java.nio.charset.StandardCharsets;
import java.util.Arrays;
import java.util.Locale;
import org.junit.jupiter.api.Test;

/**
 * Masks on real vocabularies, Mistral 7B's (32k, SentencePiece) and Qwen3's (151k, byte-level BPE), in the
 * states a JSON generation spends its time in: each equals the brute-force mask (every token's bytes fed to
 * the automaton), and the walk's cost per step is printed beside the brute force's (docs/server.md quotes it).
 */
class RealVocabularyMaskTest {
    private static final String[][] STATES = {
        {"in a string", null, "{\"name\": \"Tom"},
        {"object start", null, "{"},
        {"after a number", null, "{\"a\": 12"},
        {"a schema's key", Schemas.EVERYTHING, "{\"name\": \"x\", \""},
        {"a schema's value", Schemas.EVERYTHING, "{\"name\": \"x\", \"age\":"},
    };

    @Test
    void mistral32k() {
        check("mistral_7b", TokenizerPack.tokenizer("mistral_7b"));
    }

    @Test
    void qwen151k() {
        check("qwen3", TokenizerPack.tokenizer("qwen3"));
    }

    private static void check(String name, Tokenizer tokenizer) {
        long t0 = System.nanoTime();
        TokenTrie trie = TokenTrie.of(tokenizer);
        long built = System.nanoTime() - t0;
        byte[][] bytes = new byte[tokenizer.vocabSize()][];
        for (int id = 0; id < bytes.length; id++) {
            bytes[id] = trie.bytes(id);
        }
        StringBuilder report = new StringBuilder(String.format(Locale.ROOT, "%s: %d tokens, %d trie nodes, built in %.0f ms%n", name,
                tokenizer.vocabSize(), trie.nodes(), built / 1e6));
        for (String[] c : STATES) {
            Grammar g = c[1] == null ? Grammar.jsonObject() : Grammar.jsonSchema(c[1]);
            Frame state = g.start();
            for (byte b : c[2].getBytes(StandardCharsets.UTF_8)) {
                state = state.next(b & 0xFF);
            }
            Frame at = state;
            GrammarMatcher m = new GrammarMatcher(g, trie);
            for (byte b : c[2].getBytes(StandardCharsets.UTF_8)) { // the same state, reached through single-byte steps of the matcher's
                assertTrue(m.acceptBytes(new byte[] {b}), c[0]);
            }
            long[] mask = new long[m.maskLength()];
            long[] expected = new long[mask.length];
            int allowed = 0;
            for (int id = 0; id < bytes.length; id++) {
                Frame s = bytes[id] == null ? null : at;
                for (int i = 0; s != null && i < bytes[id].length; i++) {
                    s = s.next(bytes[id][i] & 0xFF);
                }
                if (s != null && !trie.isEnd(id)) { // an end token (Qwen's <|im_end|> has bytes) is an end, never text
                    expected[id >>> 6] |= 1L << id;
                    allowed++;
                }
            }
            long walk = Long.MAX_VALUE;
            for (int rep = 0; rep < 30; rep++) {
                long s0 = System.nanoTime();
                assertEquals(allowed, m.allowed(mask));
                walk = Math.min(walk, System.nanoTime() - s0);
            }
            assertTrue(Arrays.equals(expected, mask), c[0]);
            assertTrue(allowed > 0, c[0]);
            report.append(String.format(Locale.ROOT, "  %-17s %6d allowed: %.2f ms per mask%n", c[0], allowed, walk / 1e6));
        }
        System.out.print(report);
    }
}
