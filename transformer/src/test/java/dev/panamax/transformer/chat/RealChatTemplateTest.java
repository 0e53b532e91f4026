package dev.panamax.transformer.chat;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.panamax.formats.gguf.GgufFile;
import dev.panamax.tensor.testing.Models;
import dev.panamax.transformer.tokenizer.Tokenizer;
import dev.panamax.transformer.tokenizer.Vocabulary;
import java.util.Arrays;
import java.util.List;
import java.util.stream.IntStream;
import org.junit.jupiter.api.Test;

/** Templates shipped in real GGUF files (llama.cpp's vocabulary test files), with their tokenizers. */
class RealChatTemplateTest {

    /** Phi-3's template is detected, and its markers become the vocabulary's control tokens, <|end|> ending generation. */
    @Test
    void phi3sShippedTemplateFormatsIntoItsControlTokens() throws Exception {
        try (GgufFile gguf = GgufFile.open(Models.require("vocab/ggml-vocab-phi-3.gguf"))) {
            String jinja = gguf.model().chatTemplate().orElseThrow();
            assertEquals(ChatTemplate.PHI3, ChatTemplate.require(jinja));
            Tokenizer tok = Tokenizer.fromGguf(gguf.model());
            Vocabulary v = tok.vocabulary();
            String prompt = ChatTemplate.PHI3.format(List.of(ChatMessage.user("Hello"), ChatMessage.assistant("Hi"),
                    ChatMessage.user("Bye")), true);
            int[] ids = tok.encode(prompt, true, true);
            int user = v.id("<|user|>"), end = v.id("<|end|>"), assistant = v.id("<|assistant|>");
            assertTrue(user >= 0 && end >= 0 && assistant >= 0);
            assertEquals(2, count(ids, user), Arrays.toString(ids));
            assertEquals(3, count(ids, end), Arrays.toString(ids));
            assertEquals(2, count(ids, assistant), Arrays.toString(ids));
            // Phi-3's markers strip the whitespace after them (as in llama.cpp), so the newline disappears
            assertEquals(assistant, ids[ids.length - 1], "the prompt ends with <|assistant|>: " + Arrays.toString(ids));
            assertTrue(tok.isEog(end));
            // without special-token parsing the markers would be spelled out in pieces
            assertTrue(count(tok.encode(prompt, true, false), user) == 0);
            assertArrayEquals(ids, tok.encode(prompt, true, true), "tokenizing is deterministic");
        }
    }

    /** Phi-3's own template, rendered: BOS, then {@code <|user|>\n...<|end|>\n<|assistant|>\n} per turn, as its Jinja says. */
    @Test
    void phi3sOwnTemplateRendersWithItsBos() throws Exception {
        try (GgufFile gguf = GgufFile.open(Models.require("vocab/ggml-vocab-phi-3.gguf"))) {
            Tokenizer tok = Tokenizer.fromGguf(gguf.model());
            Vocabulary v = tok.vocabulary();
            JinjaChatTemplate t = JinjaChatTemplate.of(gguf.model().chatTemplate().orElseThrow(),
                    java.util.Map.of("bos_token", v.text(v.bos()), "eos_token", v.text(v.eos())));
            String prompt = t.format(List.of(ChatMessage.user("Hello"), ChatMessage.assistant("Hi"), ChatMessage.user("Bye")), true);
            assertEquals("<s><|user|>\nHello<|end|>\n<|assistant|>\nHi<|end|>\n<|user|>\nBye<|end|>\n<|assistant|>\n", prompt);
            int[] ids = tok.encode(prompt, t.tokenizerAddsBos(), true);
            assertEquals(v.bos(), ids[0]);
            assertEquals(1, count(ids, v.bos()), Arrays.toString(ids));
            assertEquals(2, count(ids, v.id("<|assistant|>")), Arrays.toString(ids));
        }
    }

    private static long count(int[] ids, int id) {
        return IntStream.of(ids).filter(x -> x == id).count();
    }
}
