package dev.panamax.transformer.api;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.panamax.tensor.testing.Seeded;
import dev.panamax.transformer.chat.ChatModels;
import dev.panamax.transformer.sampling.GenerationResult.StopReason;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.api.io.TempDir;

/** A generation driven one forward step at a time gives what {@link Session#complete} gives, whoever runs the steps. */
@ExtendWith(Seeded.class)
class GenerationTest {
    @TempDir
    Path dir;
    LanguageModel model;

    @BeforeEach
    void open(Random random) throws Exception {
        model = LanguageModel.open(ChatModels.write(dir.resolve("chat.gguf"), random, null), ModelOptions.defaults().threads(2));
    }

    @org.junit.jupiter.api.AfterEach
    void close() {
        model.close();
    }

    private int[] prompt(String text) {
        return model.tokenizer().encode(text, true, false);
    }

    @Test
    void steppingWithAChunkedPrefillGivesTheWholeCompletionsTokens() {
        int[] prompt = prompt("the quick brown fox jumps over the lazy dog");
        GenerateOptions o = GenerateOptions.sampled(11).temperature(1.2f).maxTokens(20);
        Completion whole;
        try (Session s = model.newSession()) {
            whole = s.complete(prompt, o, p -> { });
        }
        for (int chunk : new int[] {1, 3, 7, 1000}) {
            try (Session s = model.newSession()) {
                List<String> pieces = new ArrayList<>();
                Generation g = s.start(prompt, o, pieces::add, chunk);
                int steps = 0;
                StringBuilder returned = new StringBuilder();
                while (!g.finished()) {
                    assertTrue(g.input().length <= chunk);
                    returned.append(g.step());
                    steps++;
                }
                Completion c = g.completion();
                assertArrayEquals(whole.generation().tokens(), c.generation().tokens(), "chunk " + chunk);
                assertEquals(whole.text(), c.text());
                assertEquals(c.text(), String.join("", pieces));
                assertEquals(c.text(), returned.toString());
                assertEquals(whole.stopReason(), c.stopReason()); // the limit, or an end token the random model drew
                assertEquals((prompt.length + chunk - 1) / chunk + c.generatedTokens() - 1, steps,
                        "prefill steps, then one per token after the first");
            }
        }
    }

    @Test
    void logitsFromAnotherTransformerDriveItThroughAdvance() {
        int[] prompt = prompt("hello there");
        GenerateOptions o = GenerateOptions.greedy().maxTokens(9);
        String expected = model.generate("hello there", o);
        try (Session driven = model.newSession(); Session computing = model.newSession()) {
            Generation g = driven.start(prompt, o, p -> { }, 4);
            float[] logits = new float[model.model().config().vocabSize()];
            while (!g.finished()) {
                computing.transformer().forward(g.input(), g.position(), logits);
                g.advance(logits);
            }
            assertEquals(expected, g.completion().text());
            assertEquals(9, g.generatedTokens());
        }
    }

    @Test
    void closingARunningGenerationCancelsItAndFreesTheSession() {
        try (Session s = model.newSession()) {
            Generation g = s.start(prompt("abc"), GenerateOptions.greedy().maxTokens(50), p -> { }, 64);
            g.step();
            g.step();
            assertThrows(IllegalStateException.class, () -> s.start(prompt("abc"), GenerateOptions.greedy(), p -> { }, 64),
                    "one generation at a time on a session");
            g.close();
            assertEquals(StopReason.CANCELLED, g.completion().stopReason());
            assertEquals(2, g.completion().generatedTokens());
            assertThrows(IllegalStateException.class, g::input);
            // the session goes on, reusing what the cancelled generation left in its cache
            Completion next = s.complete(prompt("abc"), GenerateOptions.greedy().maxTokens(5), p -> { });
            assertEquals(model.generate("abc", GenerateOptions.greedy().maxTokens(5)), next.text());
            assertTrue(next.reusedTokens() > 0);
        }
    }

    @Test
    void zeroTokensRunsThePromptAndSamplesNothing() {
        try (Session s = model.newSession()) {
            int[] prompt = prompt("abc def");
            Generation g = s.start(prompt, GenerateOptions.greedy().maxTokens(0), p -> { }, 2);
            while (!g.finished()) {
                g.step();
            }
            assertEquals(0, g.completion().generatedTokens());
            assertEquals(StopReason.MAX_TOKENS, g.completion().stopReason());
            assertEquals(prompt.length, s.cachedTokens());
        }
    }
}
