package dev.panamax.transformer.tokenizer;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;

import dev.panamax.formats.gguf.GgufFile;
import dev.panamax.tensor.testing.Models;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * The tok512 SentencePiece vocabulary of stories260K, read from the GGUF, against an independent
 * route to the expected ids: the same vocabulary in llama2.c's own tokenizer file
 * ({@code tok512.llama2c.bin}, spaces as real spaces) encoded with llama2.c's algorithm (BOS, a
 * dummy-prefix space token, one token per character or its bytes at id byte + 3, then repeatedly merge
 * the adjacent pair whose concatenation is the best-scored token, leftmost on ties).
 */
class Stories260KTokenizerTest {
    private static Tokenizer gguf;
    private static String[] pieces;
    private static float[] scores;
    private static Map<String, Integer> ids;

    @BeforeAll
    static void load() throws IOException {
        try (GgufFile file = GgufFile.open(Models.require("stories260K-f32.gguf"))) {
            gguf = Tokenizer.fromGguf(file.model());
        }
        ByteBuffer b = ByteBuffer.wrap(Files.readAllBytes(Models.require("tok512.llama2c.bin"))).order(ByteOrder.LITTLE_ENDIAN);
        b.getInt(); // max token length
        List<String> texts = new ArrayList<>();
        List<Float> s = new ArrayList<>();
        while (b.hasRemaining()) {
            s.add(b.getFloat());
            byte[] bytes = new byte[b.getInt()];
            b.get(bytes);
            texts.add(new String(bytes, StandardCharsets.UTF_8));
        }
        pieces = texts.toArray(String[]::new);
        scores = new float[s.size()];
        ids = new HashMap<>();
        for (int i = 0; i < pieces.length; i++) {
            scores[i] = s.get(i);
            ids.putIfAbsent(pieces[i], i);
        }
    }

    /** llama2.c's encode: BOS, dummy prefix, characters (or bytes + 3), then greedy best-score merges. */
    private static int[] llama2cEncode(String text) {
        List<Integer> tokens = new ArrayList<>();
        tokens.add(1);
        if (!text.isEmpty()) {
            tokens.add(ids.get(" "));
        }
        text.codePoints().forEach(cp -> {
            String c = Character.toString(cp);
            Integer id = ids.get(c);
            if (id != null) {
                tokens.add(id);
            } else {
                for (byte x : c.getBytes(StandardCharsets.UTF_8)) {
                    tokens.add((x & 0xFF) + 3);
                }
            }
        });
        while (true) {
            float best = Float.NEGATIVE_INFINITY;
            int bestId = -1;
            int bestIndex = -1;
            for (int i = 1; i + 1 < tokens.size(); i++) { // never merge BOS
                Integer id = ids.get(pieces[tokens.get(i)] + pieces[tokens.get(i + 1)]);
                if (id != null && scores[id] > best) {
                    best = scores[id];
                    bestId = id;
                    bestIndex = i;
                }
            }
            if (bestIndex < 0) {
                break;
            }
            tokens.set(bestIndex, bestId);
            tokens.remove(bestIndex + 1);
        }
        return tokens.stream().mapToInt(Integer::intValue).toArray();
    }

    @ParameterizedTest
    @ValueSource(strings = {"Once upon a time",
        "Once upon a time, there was a little girl named Lily. She loved to play outside in the park.",
        "Tom's dog ran fast!  Then it stopped.", "Café ☕ \n 42"})
    void ids_match_llama2c_on_its_own_tokenizer_file(String text) {
        int[] expected = llama2cEncode(text);
        int[] actual = gguf.encode(text, true, false);
        assertArrayEquals(expected, actual, () -> "expected " + Arrays.toString(expected) + " got " + Arrays.toString(actual));
        StringBuilder spelled = new StringBuilder();
        for (int i = 1; i < expected.length; i++) {
            String p = pieces[expected[i]];
            spelled.append(p.startsWith("<0x") ? "" : p);
        }
        if (text.chars().allMatch(c -> c < 0x80)) {
            assertEquals(" " + text, spelled.toString(), "the llama2.c pieces spell the text");
        }
        assertEquals(text, gguf.decode(Arrays.copyOfRange(actual, 1, actual.length)));
    }

    @Test
    void once_upon_a_time_starts_with_bos_and_the_space_marked_pieces() {
        int[] ids = gguf.encode("Once upon a time", true, false);
        assertEquals(1, ids[0]);
        assertEquals(1, gguf.bos());
        assertEquals(2, gguf.eos());
        StringBuilder pieceText = new StringBuilder();
        for (int i = 1; i < ids.length; i++) {
            pieceText.append(gguf.vocabulary().text(ids[i]));
        }
        assertEquals("▁Once▁upon▁a▁time", pieceText.toString());
    }
}
