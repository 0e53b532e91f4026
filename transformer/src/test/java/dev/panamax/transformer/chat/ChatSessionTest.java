package dev.panamax.transformer.chat;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.panamax.tensor.Backends;
import dev.panamax.tensor.DType;
import dev.panamax.tensor.Ops;
import dev.panamax.tensor.testing.Seeded;
import dev.panamax.transformer.LoadOptions;
import dev.panamax.transformer.Model;
import dev.panamax.transformer.sampling.GenerationResult;
import dev.panamax.transformer.sampling.Generator;
import dev.panamax.transformer.sampling.Sampler;
import dev.panamax.transformer.sampling.SamplerSettings;
import dev.panamax.transformer.tokenizer.Tokenizer;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.Random;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.api.io.TempDir;

@ExtendWith(Seeded.class)
class ChatSessionTest {
    @TempDir
    Path dir;

    /**
     * Two turns: the second computes only the conversation's new suffix, and its greedy reply is the
     * one a fresh generation over the whole second prompt gives (reference backend, F32 cache, so the
     * cached keys and values are the ones a full prefill would compute, up to summation order).
     */
    @Test
    void theSecondTurnReusesTheCacheAndRepliesAsAFullPrefillWould(Random random) throws Exception {
        Path file = ChatModels.write(dir.resolve("chat.gguf"), random, ChatModels.CHATML_JINJA);
        LoadOptions f32 = LoadOptions.defaults().withCacheType(DType.F32);
        try (Ops ops = Backends.open("reference", 1); Model m = Model.open(file, ops, f32)) {
            Tokenizer tok = m.tokenizer();
            ChatSession chat = new ChatSession(m.transformer(), tok, ChatTemplate.CHATML,
                    new Sampler(SamplerSettings.greedy(), m.config().vocabSize()), "You are terse.");
            StringBuilder streamed = new StringBuilder();
            ChatSession.Reply first = chat.send("hello", 6, streamed::append);
            assertEquals(0, first.reusedTokens());
            assertFalse(first.text().isEmpty());
            assertEquals(first.text(), streamed.toString());
            int firstPrompt = first.prefilledTokens();
            assertEquals(firstPrompt + 6 - 1, chat.cachedTokens(), "prompt and all generated tokens but the last");

            ChatSession.Reply second = chat.send("more please", 6, text -> { });
            List<ChatMessage> sent = List.of(ChatMessage.system("You are terse."), ChatMessage.user("hello"),
                    ChatMessage.assistant(first.text()), ChatMessage.user("more please"));
            assertEquals(sent, chat.messages().subList(0, 4));
            assertEquals(ChatMessage.assistant(second.text()), chat.messages().get(4));
            int[] prompt = tok.encode(ChatTemplate.CHATML.format(sent, true), true, true);
            assertTrue(second.reusedTokens() >= firstPrompt, second.reusedTokens() + " reused of a first prompt of " + firstPrompt);
            assertEquals(prompt.length, second.reusedTokens() + second.prefilledTokens());
            assertTrue(second.prefilledTokens() < prompt.length - firstPrompt + 1, "prefilled " + second.prefilledTokens());

            Generator fresh = new Generator(m.transformer(), new Sampler(SamplerSettings.greedy(), m.config().vocabSize()), tok::isEog);
            GenerationResult full = fresh.generate(prompt, 6);
            assertEquals(prompt.length, full.promptTokens());
            assertArrayEquals(full.tokens(), second.generation().tokens());
        }
    }

    /** With the model's own template, the template writes BOS (once) and the tokenizer adds none, as Hugging Face tokenizes. */
    @Test
    void theModelsTemplateWritesBosAndEachTurnReusesTheCache(Random random) throws Exception {
        String jinja = "{{ bos_token }}" + ChatModels.CHATML_JINJA;
        Path file = ChatModels.write(dir.resolve("chat.gguf"), random, jinja);
        LoadOptions f32 = LoadOptions.defaults().withCacheType(DType.F32);
        try (Ops ops = Backends.open("reference", 1); Model m = Model.open(file, ops, f32)) {
            ChatFormat format = ModelChatTemplate.chatFormat(m, null, notice -> {
                throw new AssertionError("the model has a template: " + notice);
            });
            assertTrue(format instanceof JinjaChatTemplate, format.label());
            assertEquals(Map.of("bos_token", "<s>", "eos_token", "</s>", "unk_token", "<unk>"), ModelChatTemplate.specialTokens(m));
            Tokenizer tok = m.tokenizer();
            ChatSession chat = new ChatSession(m.transformer(), tok, format, new Sampler(SamplerSettings.greedy(), m.config().vocabSize()), "Be terse.");
            ChatSession.Reply first = chat.send("hello", 4, text -> { });
            ChatSession.Reply second = chat.send("again", 4, text -> { });
            String text = format.format(chat.messages().subList(0, 4), true);
            assertTrue(text.startsWith("<s><|im_start|>system\nBe terse.<|im_end|>\n"), text);
            int[] prompt = tok.encode(text, false, true);
            assertEquals(1, java.util.stream.IntStream.of(prompt).filter(id -> id == tok.bos()).count(), java.util.Arrays.toString(prompt));
            assertEquals(tok.bos(), prompt[0]);
            assertEquals(prompt.length, second.reusedTokens() + second.prefilledTokens());
            assertTrue(second.reusedTokens() >= first.prefilledTokens(), second.reusedTokens() + " reused");
        }
    }

    @Test
    void aConversationThatOutgrowsTheContextFailsWithTheSizes(Random random) throws Exception {
        Path file = ChatModels.write(dir.resolve("chat.gguf"), random, ChatModels.CHATML_JINJA);
        try (Ops ops = Backends.open("reference", 1); Model m = Model.open(file, ops, LoadOptions.defaults().withContextLength(24))) {
            ChatSession chat = new ChatSession(m.transformer(), m.tokenizer(), ChatTemplate.CHATML,
                    new Sampler(SamplerSettings.greedy(), m.config().vocabSize()), null);
            IllegalArgumentException e = org.junit.jupiter.api.Assertions.assertThrows(IllegalArgumentException.class,
                    () -> chat.send("a message far too long for a context of twenty-four positions", 4, t -> { }));
            assertTrue(e.getMessage().contains("context of 24") && e.getMessage().contains("--ctx-size"), e.getMessage());
            assertTrue(chat.messages().isEmpty(), "a failed turn leaves the conversation as it was");
        }
    }
}
