package dev.panamax.transformer.api;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.panamax.tensor.Backends;
import dev.panamax.tensor.Ops;
import dev.panamax.tensor.testing.Seeded;
import dev.panamax.transformer.Model;
import dev.panamax.transformer.chat.ChatModels;
import dev.panamax.transformer.sampling.GenerationResult;
import dev.panamax.transformer.sampling.GenerationResult.StopReason;
import dev.panamax.transformer.sampling.Generator;
import dev.panamax.transformer.sampling.Sampler;
import dev.panamax.transformer.sampling.SamplerSettings;
import dev.panamax.transformer.tokenizer.Tokenizer;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.api.io.TempDir;

/**
 * The high-level API on a tiny random chat model (ChatML template; greedy replies never end by
 * themselves, see {@link ChatModels}): every call checked against the token-level classes.
 */
@ExtendWith(Seeded.class)
class LanguageModelTest {
    @TempDir
    Path dir;
    Path file;

    @BeforeEach
    void writeModel(Random random) throws Exception {
        file = ChatModels.write(dir.resolve("chat.gguf"), random, ChatModels.CHATML_JINJA);
    }

    private LanguageModel open() {
        return LanguageModel.open(file, ModelOptions.defaults().threads(2));
    }

    /** The text the token-level Generator produces for {@code prompt}: the reference for the API. */
    private String tokenLevel(String prompt, int maxTokens, SamplerSettings settings) {
        try (Ops ops = Backends.openCpu(2); Model m = Model.open(file, ops)) {
            Tokenizer tok = m.tokenizer();
            GenerationResult r = new Generator(m.transformer(), new Sampler(settings, m.config().vocabSize()), tok::isEog)
                    .generate(tok.encode(prompt, true, false), maxTokens);
            return tok.decode(r.tokens());
        }
    }

    @Test
    void generateIsTheTokenLevelGreedyContinuation() {
        try (LanguageModel model = open()) {
            Completion c = model.complete("once upon a time", GenerateOptions.greedy().maxTokens(12), s -> { });
            assertEquals(tokenLevel("once upon a time", 12, SamplerSettings.greedy()), c.text());
            assertEquals(StopReason.MAX_TOKENS, c.stopReason());
            assertEquals(12, c.generatedTokens());
            assertEquals(model.tokenizer().encode("once upon a time", true, false).length, c.promptTokens());
            assertTrue(c.prefillNanos() > 0 && c.decodeNanos() > 0);
            assertEquals(c.text(), model.generate("once upon a time", GenerateOptions.greedy().maxTokens(12)));
        }
    }

    @Test
    void streamedPiecesMakeTheText() {
        try (LanguageModel model = open()) {
            StringBuilder streamed = new StringBuilder();
            Completion c = model.complete("hello", GenerateOptions.greedy().maxTokens(10), streamed::append);
            assertEquals(c.text(), streamed.toString());
        }
    }

    @Test
    void aSeedFixesTheSampledTextAndAnotherSeedChangesIt() {
        try (LanguageModel model = open()) {
            GenerateOptions o = GenerateOptions.sampled(7).temperature(1.5f).maxTokens(24);
            String a = model.generate("the", o);
            assertEquals(a, model.generate("the", o));
            assertEquals(tokenLevel("the", 24, o.sampler()), a);
            assertNotEquals(a, model.generate("the", o.seed(8)));
        }
    }

    @Test
    void aStopStringEndsTheTextBeforeIt() {
        try (LanguageModel model = open()) {
            String full = model.generate("abc", GenerateOptions.greedy().maxTokens(30));
            String stop = full.substring(10, 13);
            Completion c = model.complete("abc", GenerateOptions.greedy().maxTokens(30).stop(stop), s -> { });
            assertEquals(StopReason.STOP_STRING, c.stopReason());
            assertEquals(full.substring(0, full.indexOf(stop)), c.text());
            assertTrue(c.generatedTokens() < 30);
        }
    }

    @Test
    void aFullContextStopsGeneration() {
        try (LanguageModel model = LanguageModel.open(file, ModelOptions.defaults().threads(2).contextLength(16))) {
            Completion c = model.complete("ab", GenerateOptions.greedy().maxTokens(100), s -> { });
            assertEquals(StopReason.CONTEXT_FULL, c.stopReason());
            assertEquals(16 - c.promptTokens() + 1, c.generatedTokens());
        }
    }

    @Test
    void anotherThreadCancelsAGeneration() throws Exception {
        try (LanguageModel model = open(); ExecutorService pool = Executors.newSingleThreadExecutor()) {
            Cancellation cancel = new Cancellation();
            CountDownLatch started = new CountDownLatch(1), cancelled = new CountDownLatch(1);
            List<String> pieces = new ArrayList<>();
            Future<Completion> f = pool.submit(() -> model.complete("x", GenerateOptions.greedy().maxTokens(400).cancellation(cancel), p -> {
                pieces.add(p);
                started.countDown();
                await(cancelled);
            }));
            assertTrue(started.await(30, TimeUnit.SECONDS));
            cancel.cancel();
            cancelled.countDown();
            Completion c = f.get(30, TimeUnit.SECONDS);
            assertEquals(StopReason.CANCELLED, c.stopReason());
            assertTrue(c.generatedTokens() < 5, "stopped after the token it was in: " + c.generatedTokens());
            assertEquals(String.join("", pieces), c.text());
        }
    }

    @Test
    void aSessionReusesTheCachedPrefixAndGivesTheSameText() {
        try (LanguageModel model = open(); Session s = model.newSession()) {
            GenerateOptions o = GenerateOptions.greedy().maxTokens(8);
            Completion first = s.complete("the quick brown fox", o, p -> { });
            assertEquals(0, first.reusedTokens());
            Completion second = s.complete("the quick brown fox jumps", o, p -> { });
            assertTrue(second.reusedTokens() > 0, "reused " + second.reusedTokens());
            assertEquals(tokenLevel("the quick brown fox jumps", 8, SamplerSettings.greedy()), second.text());
        }
    }

    @Test
    void aChatKeepsItsTurnsAndReusesTheCache() {
        try (LanguageModel model = open(); Chat chat = model.chat("be brief")) {
            GenerateOptions o = GenerateOptions.greedy().maxTokens(6);
            Completion first = chat.send("hi", o, p -> { });
            Completion second = chat.send("and then", o, p -> { });
            assertEquals(5, chat.messages().size());
            assertEquals(first.text(), chat.messages().get(2).content());
            // the cache covers the first turn's prompt, up to the few tokens at the turn boundary that the
            // template's text re-tokenizes differently once the reply follows them
            assertTrue(second.reusedTokens() >= first.promptTokens() - 2 && second.reusedTokens() < second.promptTokens(),
                    "the second turn reuses the first: " + second.reusedTokens() + " of " + second.promptTokens() + " (first: "
                            + first.promptTokens() + ")");
            // the same conversation from scratch gives the same second reply
            try (Chat fresh = model.chat("be brief")) {
                fresh.send("hi", o);
                assertEquals(second.text(), fresh.send("and then", o));
            }
        }
    }

    @Test
    void aModelWithoutAChatTemplateChatsInChatMLOrTheFormatNamed(Random random) throws Exception {
        Path plain = ChatModels.write(dir.resolve("plain.gguf"), random, null);
        try (LanguageModel model = LanguageModel.open(plain, ModelOptions.defaults().threads(2))) {
            assertEquals("chatml", model.chatFormat().label());
        }
        try (LanguageModel model = LanguageModel.open(plain, ModelOptions.defaults().threads(2).chatTemplate("llama2"))) {
            assertEquals("llama2", model.chatFormat().label());
        }
        try (LanguageModel model = LanguageModel.open(plain, ModelOptions.defaults().threads(2).chatTemplate("no-such-format"))) {
            var e = assertThrows(dev.panamax.transformer.chat.UnsupportedChatTemplateException.class, () -> model.chat(null));
            assertTrue(e.getMessage().contains("no-such-format"), e.getMessage());
        }
    }

    private static void await(CountDownLatch latch) {
        try {
            latch.await(30, TimeUnit.SECONDS);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }
}
