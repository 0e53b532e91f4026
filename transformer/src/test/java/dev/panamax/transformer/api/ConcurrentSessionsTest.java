package dev.panamax.transformer.api;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.panamax.tensor.testing.Seeded;
import dev.panamax.transformer.chat.ChatModels;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.CyclicBarrier;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.api.io.TempDir;

/** One loaded model serving several threads at once: each output equals its single-threaded run. */
@ExtendWith(Seeded.class)
class ConcurrentSessionsTest {
    private static final int THREADS = 4;
    private static final List<String> PROMPTS = List.of("once upon a time", "the cat", "zebra crossing", "hello world", "jump");

    @TempDir
    Path dir;

    @Test
    void threadsGeneratingAtOnceGetTheirSingleThreadedOutputs(Random random) throws Exception {
        Path file = ChatModels.write(dir.resolve("chat.gguf"), random, null);
        GenerateOptions greedy = GenerateOptions.greedy().maxTokens(12);
        try (LanguageModel model = LanguageModel.open(file, ModelOptions.defaults().threads(2))) {
            List<String> alone = new ArrayList<>();
            for (String p : PROMPTS) {
                alone.add(model.generate(p, greedy));
            }
            for (int round = 0; round < 2; round++) {
                CyclicBarrier start = new CyclicBarrier(THREADS);
                try (ExecutorService pool = Executors.newFixedThreadPool(THREADS)) {
                    List<Future<List<String>>> results = new ArrayList<>();
                    for (int t = 0; t < THREADS; t++) {
                        int first = t;
                        results.add(pool.submit(() -> {
                            start.await();
                            List<String> out = new ArrayList<>();
                            // each thread walks the prompts from its own start, half on model.generate, half on its own session
                            try (Session own = model.newSession()) {
                                for (int i = 0; i < PROMPTS.size(); i++) {
                                    String p = PROMPTS.get((first + i) % PROMPTS.size());
                                    out.add(i % 2 == 0 ? model.generate(p, greedy) : own.generate(p, greedy));
                                }
                            }
                            return out;
                        }));
                    }
                    for (int t = 0; t < THREADS; t++) {
                        List<String> out = results.get(t).get(60, TimeUnit.SECONDS);
                        for (int i = 0; i < PROMPTS.size(); i++) {
                            int p = (t + i) % PROMPTS.size();
                            assertEquals(alone.get(p), out.get(i), "thread " + t + ", prompt '" + PROMPTS.get(p) + "', round " + round);
                        }
                    }
                }
            }
        }
    }

    @Test
    void oneSessionUsedFromTwoThreadsFailsAtOnceWithoutHarmingTheFirst(Random random) throws Exception {
        Path file = ChatModels.write(dir.resolve("chat.gguf"), random, null);
        GenerateOptions greedy = GenerateOptions.greedy().maxTokens(10);
        try (LanguageModel model = LanguageModel.open(file, ModelOptions.defaults().threads(2));
             Session session = model.newSession(); ExecutorService pool = Executors.newSingleThreadExecutor()) {
            String expected = model.generate("the cat", greedy);
            CountDownLatch inside = new CountDownLatch(1), release = new CountDownLatch(1);
            Future<String> first = pool.submit(() -> session.complete("the cat", greedy, piece -> {
                inside.countDown();
                try {
                    release.await(30, TimeUnit.SECONDS);
                } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                }
            }).text());
            assertTrue(inside.await(30, TimeUnit.SECONDS));
            var e = assertThrows(IllegalStateException.class, () -> session.generate("other", greedy));
            assertTrue(e.getMessage().contains("two threads"), e.getMessage());
            release.countDown();
            assertEquals(expected, first.get(30, TimeUnit.SECONDS));
        }
    }
}
