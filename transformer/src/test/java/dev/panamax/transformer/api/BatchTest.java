package dev.panamax.transformer.api;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTimeoutPreemptively;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.panamax.tensor.Backends;
import dev.panamax.tensor.Ops;
import dev.panamax.tensor.testing.Seeded;
import dev.panamax.transformer.Model;
import dev.panamax.transformer.Transformer;
import dev.panamax.transformer.chat.ChatModels;
import dev.panamax.transformer.sampling.Sampler;
import dev.panamax.transformer.sampling.SamplerSettings;
import java.lang.reflect.InvocationTargetException;
import java.lang.reflect.Proxy;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Arrays;
import java.util.List;
import java.util.Random;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicReference;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.api.io.TempDir;

/**
 * {@link Batch}, the continuous-batching API: slots generating together, each with its own sampler
 * and seed, produce the tokens each produces alone (reference backend: the logits are bit-identical,
 * see {@code BatchedDecodeTest}); a request joins a running batch; a released slot serves the next;
 * misuse fails at once.
 */
@ExtendWith(Seeded.class)
class BatchTest {
    /** Tokens each request generates: request 2 joins slot 1 when 1 is done while 0 decodes; 3 takes slot 0 while 2 decodes. */
    private static final int[] GENERATED = {6, 3, 8, 4};
    private static final List<String> PROMPTS = List.of("once upon a time", "the cat", "zebra crossing", "hello world jump");

    @TempDir
    Path dir;

    @Test
    void slotsSampledWithTheirOwnSeedsGenerateWhatEachGeneratesAlone(Random random) throws Exception {
        Path file = ChatModels.write(dir.resolve("chat.gguf"), random, null);
        long seed = random.nextLong();
        try (LanguageModel model = LanguageModel.open(file, ModelOptions.defaults().backend("reference").threads(1))) {
            int[][] prompts = PROMPTS.stream().map(p -> model.tokenizer().encode(p, true, false)).toArray(int[][]::new);
            int[][] alone = new int[PROMPTS.size()][];
            for (int r = 0; r < PROMPTS.size(); r++) {
                alone[r] = generateAlone(model.model().transformer(), prompts[r], new Sampler(settings(r, seed), model.model().config().vocabSize()),
                        GENERATED[r]);
            }
            try (Batch batch = model.batch(2)) {
                assertEquals(2, batch.slots());
                int[][] together = new int[PROMPTS.size()][];
                int[] requestOf = {-1, -1}, made = new int[PROMPTS.size()];
                Sampler[] samplers = new Sampler[2];
                int[][] next = new int[2][];
                int started = 0;
                while (started < PROMPTS.size() || requestOf[0] >= 0 || requestOf[1] >= 0) {
                    while (batch.freeSlots() > 0 && started < PROMPTS.size()) {
                        int slot = batch.claim();
                        assertEquals(0, batch.position(slot));
                        requestOf[slot] = started;
                        together[started] = new int[GENERATED[started]];
                        samplers[slot] = batch.sampler(settings(started, seed));
                        next[slot] = prompts[started++];
                    }
                    batch.step(next);
                    for (int s = 0; s < 2; s++) {
                        if (next[s] == null) {
                            continue;
                        }
                        int r = requestOf[s];
                        together[r][made[r]++] = batch.sample(s, samplers[s]);
                        assertEquals(prompts[r].length + made[r] - 1, batch.position(s));
                        if (made[r] == GENERATED[r]) {
                            batch.release(s);
                            assertFalse(batch.busy(s));
                            requestOf[s] = -1;
                            next[s] = null;
                        } else {
                            next[s] = new int[] {together[r][made[r] - 1]};
                        }
                    }
                }
                for (int r = 0; r < PROMPTS.size(); r++) {
                    assertArrayEquals(alone[r], together[r], "request " + r + " (" + PROMPTS.get(r) + ")");
                }
            }
        }
    }

    /**
     * A released slot keeps its cache: a prompt that starts with the tokens it held claims it after them
     * ({@link Batch#claim(int[])}), and the logits of the rest equal the whole prompt's from position 0 (reference
     * backend: to the bit); the same prompt again reuses all but its last token; a prompt that starts otherwise
     * takes an empty slot from 0 and leaves the kept cache alone; a generation in a reused slot completes as a
     * session does.
     */
    @Test
    void aReleasedSlotsCacheServesTheNextPromptThatStartsWithItsTokens(Random random) throws Exception {
        Path file = ChatModels.write(dir.resolve("chat.gguf"), random, null);
        try (LanguageModel model = LanguageModel.open(file, ModelOptions.defaults().backend("reference").threads(1));
             Batch batch = model.batch(3)) {
            int vocab = batch.vocabSize();
            Transformer alone = model.model().transformer();
            int[] first = randomTokens(random, vocab, 5 + 2 * random.nextInt(3));
            int a = batch.claim(first);
            assertEquals(0, batch.position(a), "nothing kept yet");
            batch.step(only(3, a, first));
            int fed = batch.sample(a, batch.sampler(SamplerSettings.greedy()));
            batch.step(only(3, a, new int[] {fed}));
            batch.release(a);

            int[] longer = concat(first, new int[] {fed}, randomTokens(random, vocab, 3));
            int b = batch.claim(longer);
            assertEquals(a, b, "the slot that holds the prefix");
            assertEquals(first.length + 1, batch.position(b), "the prompt and the token fed after it are reused");
            batch.step(only(3, b, Arrays.copyOfRange(longer, first.length + 1, longer.length)));
            assertArrayEquals(alone.forward(longer, 0), batch.logits(b), "the rest after the reused prefix");
            assertEquals(longer.length, batch.position(b));
            batch.release(b);

            int c = batch.claim(longer);
            assertEquals(longer.length - 1, batch.position(c), "all but the last token, which must run for its logits");
            batch.step(only(3, c, new int[] {longer[longer.length - 1]}));
            assertArrayEquals(alone.forward(longer, 0), batch.logits(c));
            batch.release(c);

            int[] other = longer.clone();
            other[0] = (other[0] + 1) % vocab;
            int d = batch.claim(other);
            assertNotEquals(c, d, "an empty slot, so the kept cache stays");
            assertEquals(0, batch.position(d));
            batch.release(d);

            int e = batch.claim(longer);
            assertEquals(c, e);
            GenerateOptions greedy = GenerateOptions.greedy().maxTokens(4);
            Generation g = Generation.inSlot(batch, e, longer, greedy, t -> { }, 2);
            int[][] in = new int[3][];
            while (!g.finished()) {
                in[e] = g.input();
                batch.step(in);
                g.advance(batch.logits(e));
            }
            Completion expected;
            try (Session s = model.newSession()) {
                expected = s.complete(longer, greedy, t -> { });
            }
            assertEquals(expected.text(), g.completion().text());
            assertEquals(longer.length - 1, g.completion().reusedTokens());
            assertThrows(IllegalArgumentException.class, () -> Generation.inSlot(batch, e, other, greedy, t -> { }, 2),
                    "a slot holding another prompt's prefix");
        }
    }

    private static int[] randomTokens(Random random, int vocab, int n) {
        int[] t = new int[n];
        for (int i = 0; i < n; i++) {
            t[i] = random.nextInt(vocab);
        }
        return t;
    }

    private static int[][] only(int slots, int slot, int[] tokens) {
        int[][] step = new int[slots][];
        step[slot] = tokens;
        return step;
    }

    private static int[] concat(int[]... parts) {
        int[] all = new int[Arrays.stream(parts).mapToInt(p -> p.length).sum()];
        int at = 0;
        for (int[] p : parts) {
            System.arraycopy(p, 0, all, at, p.length);
            at += p.length;
        }
        return all;
    }

    @Test
    void misuseFailsAtOnceNamingTheSlot(Random random) throws Exception {
        Path file = ChatModels.write(dir.resolve("chat.gguf"), random, null);
        try (LanguageModel model = LanguageModel.open(file, ModelOptions.defaults().backend("reference").threads(1));
             Batch batch = model.batch(2)) {
            int a = batch.claim();
            var free = assertThrows(IllegalArgumentException.class, () -> batch.step(new int[][] {null, {1}}));
            assertTrue(free.getMessage().contains("slot 1 is free"), free.getMessage());
            assertThrows(IllegalArgumentException.class, () -> batch.step(new int[][] {{1}}));
            var none = assertThrows(IllegalStateException.class, () -> batch.logits(a));
            assertTrue(none.getMessage().contains("slot " + a), none.getMessage());
            batch.claim();
            assertThrows(IllegalStateException.class, batch::claim);
            assertThrows(IndexOutOfBoundsException.class, () -> batch.position(2));
            int[] tooLong = new int[batch.contextLength() + 1];
            var overflow = assertThrows(IllegalArgumentException.class, () -> batch.step(new int[][] {tooLong, null}));
            assertTrue(overflow.getMessage().contains("slot 0"), overflow.getMessage());
            assertEquals(0, batch.position(a), "a refused step runs nothing");
            assertThrows(IllegalArgumentException.class, () -> model.batch(0));
        }
    }

    @Test
    void aSecondThreadEnteringABatchFailsAtOnceWithoutHarmingTheFirst(Random random) throws Exception {
        Path file = ChatModels.write(dir.resolve("chat.gguf"), random, null);
        AtomicBoolean armed = new AtomicBoolean();
        CountDownLatch inside = new CountDownLatch(1), release = new CountDownLatch(1);
        try (Ops real = Backends.open("reference", 1); Model model = Model.open(file, holdingInsideMatmul(real, armed, inside, release))) {
            Batch batch = new Batch(model.newBatch(2), model.tokenizer());
            int slot = batch.claim();
            int[] prompt = {1, 2, 3};
            batch.step(new int[][] {prompt, null});
            float[] expected = batch.logits(slot).clone();
            batch.release(slot);
            batch.claim();
            AtomicReference<Throwable> firstFailure = new AtomicReference<>();
            armed.set(true);
            Thread first = Thread.ofPlatform().name("batch-driver").start(() -> {
                try {
                    batch.step(new int[][] {prompt, null});
                } catch (Throwable e) {
                    firstFailure.set(e);
                }
            });
            assertTimeoutPreemptively(Duration.ofSeconds(30), () -> inside.await());
            IllegalStateException caught;
            try {
                caught = assertThrows(IllegalStateException.class, batch::freeSlots);
            } finally {
                release.countDown();
            }
            first.join();
            assertTrue(caught.getMessage().contains("two threads") && caught.getMessage().contains("batch-driver"), caught.getMessage());
            assertEquals(null, firstFailure.get());
            assertArrayEquals(expected, batch.logits(slot), "the first thread's step finished normally");
            batch.close();
        }
    }

    /** Request {@code r}'s sampler: greedy for the first, seeded sampling of its own for the others. */
    private static SamplerSettings settings(int r, long seed) {
        return r == 0 ? SamplerSettings.greedy() : SamplerSettings.defaults(seed + r);
    }

    private static int[] generateAlone(Transformer t, int[] prompt, Sampler sampler, int generated) {
        int[] out = new int[generated];
        float[] logits = t.forward(prompt, 0);
        for (int i = 0; i < generated; i++) {
            out[i] = sampler.sample(logits);
            if (i + 1 < generated) {
                logits = t.forward(new int[] {out[i]}, prompt.length + i);
            }
        }
        return out;
    }

    /** A backend whose next matmul, once armed, waits inside until released: a thread held in a step. */
    private static Ops holdingInsideMatmul(Ops real, AtomicBoolean armed, CountDownLatch inside, CountDownLatch release) {
        return (Ops) Proxy.newProxyInstance(Ops.class.getClassLoader(), new Class<?>[] {Ops.class}, (proxy, method, args) -> {
            if (method.getName().equals("matmul") && armed.compareAndSet(true, false)) {
                inside.countDown();
                release.await();
            }
            try {
                return method.invoke(real, args);
            } catch (InvocationTargetException e) {
                throw e.getCause();
            }
        });
    }
}
