package dev.panamax.transformer.tokenizer;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;

import java.util.Arrays;
import org.junit.jupiter.api.Test;

/**
 * llama.cpp's test vectors for the SentencePiece vocabularies (Llama 2, Phi-3), and Llama 2's vectors
 * again on the vocabulary inside a full model file (llama-2-tiny-random.gguf).
 */
class LlamaCppSpmVocabTest extends LlamaCppVocabTest {
    private static final Vocab PHI3 = Vocab.of("phi-3");

    LlamaCppSpmVocabTest() {
        super(Vocab.of("llama-spm"), PHI3, new Vocab("llama-2-tiny-random", "llama-2-tiny-random.gguf", "llama-spm"));
    }

    @Test
    void phi3_special_tokens_swallow_the_whitespace_after_them() throws Exception {
        Tokenizer tok = tokenizer(PHI3);
        int user = tok.vocabulary().id("<|user|>");
        int end = tok.vocabulary().id("<|end|>");
        // llama.cpp gives Phi-3's special tokens rstrip: the newlines go, and "Hello" follows a special
        // token, so it gets the space prefix and becomes the vectors' "Hello"
        int[] hello = cases(PHI3).get(HELLO_CASE).expected();
        int[] expected = new int[hello.length + 2];
        expected[0] = user;
        System.arraycopy(hello, 0, expected, 1, hello.length);
        expected[expected.length - 1] = end;
        int[] actual = tok.encode("<|user|>\nHello<|end|>\n", false, true);
        assertArrayEquals(expected, actual, () -> Arrays.toString(actual));
    }
}
