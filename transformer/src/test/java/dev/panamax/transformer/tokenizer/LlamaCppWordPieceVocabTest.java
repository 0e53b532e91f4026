package dev.panamax.transformer.tokenizer;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;

import dev.panamax.transformer.tokenizer.LlamaCppVocabTest.Case;
import dev.panamax.transformer.tokenizer.LlamaCppVocabTest.Vocab;
import java.util.Arrays;
import java.util.List;
import java.util.stream.IntStream;
import java.util.stream.Stream;
import org.junit.jupiter.api.DynamicTest;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestFactory;

/**
 * llama.cpp's test vectors for the WordPiece vocabulary bert-bge (BGE small). WordPiece lower-cases,
 * strips accents and drops whitespace, so decoding does not give the text back; only encoding is
 * compared, and the CLS/SEP framing of encoding with special tokens.
 */
class LlamaCppWordPieceVocabTest {
    private static final Vocab BGE = Vocab.of("bert-bge");

    @TestFactory
    Stream<DynamicTest> every_case_matches_llama_cpp() throws Exception {
        List<Case> cases = LlamaCppVocabTest.cases(BGE);
        return IntStream.range(0, cases.size()).mapToObj(i -> DynamicTest.dynamicTest("case " + i, () -> {
            Case c = cases.get(i);
            int[] actual = LlamaCppVocabTest.tokenizer(BGE).encode(c.text(), false, false);
            assertArrayEquals(c.expected(), actual, () -> "case " + i + " '" + c.text() + "': expected "
                    + Arrays.toString(c.expected()) + " got " + Arrays.toString(actual));
        }));
    }

    @Test
    void special_tokens_frame_the_text_with_cls_and_sep() throws Exception {
        Tokenizer tok = LlamaCppVocabTest.tokenizer(BGE);
        int[] hello = LlamaCppVocabTest.cases(BGE).get(LlamaCppVocabTest.HELLO_CASE).expected();
        int[] framed = tok.encode("Hello", true, false);
        assertEquals(101, framed[0]); // [CLS]
        assertEquals(102, framed[framed.length - 1]); // [SEP]
        assertArrayEquals(hello, Arrays.copyOfRange(framed, 1, framed.length - 1));
        assertEquals("hello", tok.decode(hello));
        assertArrayEquals(new int[] {hello[0], 102}, tok.encode("Hello[SEP]", false, true));
    }
}
