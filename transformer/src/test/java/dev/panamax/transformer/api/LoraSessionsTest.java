package dev.panamax.transformer.api;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;

import dev.panamax.tensor.DType;
import dev.panamax.tensor.testing.Seeded;
import dev.panamax.transformer.TinyTensorAdapter;
import dev.panamax.transformer.Transformer;
import dev.panamax.transformer.chat.ChatModels;
import dev.panamax.transformer.lora.AdapterSet;
import dev.panamax.transformer.lora.LoraAdapter;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.concurrent.Callable;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.api.io.TempDir;

/**
 * LoRA adapters chosen per session and per batch slot over one loaded model's weights. On the
 * reference backend a step's logits do not depend on the other rows of the step or on other sessions
 * (see {@code BatchedDecodeTest}), so every comparison here is to the bit: a session with an adapter
 * equals a model opened with it, alone or running beside a session with another adapter, and a batch
 * slot equals the session with its adapter. Each adapter changes the logits (checked), so no
 * comparison can pass with the adapters ignored.
 */
@ExtendWith(Seeded.class)
class LoraSessionsTest {
    private static final int GENERATED = 10;

    @TempDir
    Path dir;

    private Path file;
    private AdapterSet one, two;

    private void setUp(Random random) throws Exception {
        file = ChatModels.write(dir.resolve("chat.gguf"), random, null);
        Map<String, long[]> shapes = TinyTensorAdapter.shapesOf(file);
        TinyTensorAdapter a = new TinyTensorAdapter("llama", shapes, TinyTensorAdapter.named(shapes, ".attn_q.weight",
                ".attn_v.weight", ".ffn_down.weight", "token_embd.weight"), 4, 8, random);
        TinyTensorAdapter b = new TinyTensorAdapter("llama", shapes, TinyTensorAdapter.named(shapes, ".attn_k.weight",
                ".attn_output.weight", ".ffn_gate.weight", ".ffn_up.weight"), 2, 2, random);
        LoraAdapter la = LoraAdapter.open(a.writeGguf(dir.resolve("one.gguf"), DType.F32));
        LoraAdapter lb = LoraAdapter.open(b.writeGguf(dir.resolve("two.gguf"), DType.F16));
        one = AdapterSet.NONE.with(la, 0.8f);
        two = AdapterSet.NONE.with(lb, 1f).with(la, -0.3f);
    }

    private ModelOptions options() {
        return ModelOptions.defaults().backend("reference").threads(1);
    }

    @Test
    void twoSessionsWithTheirOwnAdaptersGenerateConcurrentlyWhatEachGeneratesAloneAndWhatAModelOpenedWithItDoes(Random random)
            throws Exception {
        setUp(random);
        String promptOne = "once upon a time", promptTwo = "the cat sat";
        GenerateOptions greedy = GenerateOptions.greedy().maxTokens(GENERATED);
        String expectedOne, expectedTwo;
        float[] logitsOne, logitsTwo;
        try (LanguageModel m = LanguageModel.open(file, options().load(options().load().withAdapters(one)))) {
            expectedOne = m.generate(promptOne, greedy);
            logitsOne = logits(m.newSession(), promptOne);
        }
        try (LanguageModel m = LanguageModel.open(file, options().load(options().load().withAdapters(two)))) {
            expectedTwo = m.generate(promptTwo, greedy);
            logitsTwo = logits(m.newSession(), promptTwo);
        }
        try (LanguageModel model = LanguageModel.open(file, options());
             Session a = model.newSession(one); Session b = model.newSession(two); Session plain = model.newSession()) {
            assertEquals(one, a.adapters());
            assertEquals(AdapterSet.NONE, plain.adapters());
            float[] base = logits(plain, promptOne);
            assertFalse(Arrays.equals(base, logitsOne), "adapter one changes the logits");
            assertFalse(Arrays.equals(logits(plain, promptTwo), logitsTwo), "adapter set two changes the logits");
            assertArrayEquals(logitsOne, logits(a, promptOne), "session with one = model opened with one");
            assertArrayEquals(logitsTwo, logits(b, promptTwo), "session with two = model opened with two");
            String aloneOne = a.generate(promptOne, greedy), aloneTwo = b.generate(promptTwo, greedy);
            assertEquals(expectedOne, aloneOne);
            assertEquals(expectedTwo, aloneTwo);
            for (int round = 0; round < 3; round++) {
                a.reset();
                b.reset();
                ExecutorService pool = Executors.newFixedThreadPool(2);
                try {
                    Future<String> fa = pool.submit((Callable<String>) () -> a.generate(promptOne, greedy));
                    Future<String> fb = pool.submit((Callable<String>) () -> b.generate(promptTwo, greedy));
                    assertEquals(aloneOne, fa.get(), "round " + round + ": session one beside session two");
                    assertEquals(aloneTwo, fb.get(), "round " + round + ": session two beside session one");
                } finally {
                    pool.shutdown();
                }
            }
            // a change of adapters forgets the cache (computed with the others): the logits are those of a fresh session
            a.useAdapters(two);
            assertEquals(0, a.cachedTokens());
            assertArrayEquals(logitsTwo, logits(a, promptTwo), "session one switched to two");
            a.useAdapters(AdapterSet.NONE);
            assertArrayEquals(base, logits(a, promptOne), "switched to no adapter: the base");
        }
    }

    @Test
    void aBatchWhoseSlotsUseDifferentAdaptersGivesEachSlotItsSessionsLogits(Random random) throws Exception {
        setUp(random);
        List<String> prompts = List.of("once upon a time", "the cat", "zebra crossing");
        List<AdapterSet> sets = List.of(one, two, AdapterSet.NONE);
        try (LanguageModel model = LanguageModel.open(file, options().load(options().load().withAdapters(two)))) {
            int[][] ids = prompts.stream().map(p -> model.tokenizer().encode(p, true, false)).toArray(int[][]::new);
            // each slot's tokens: its prompt, then greedy tokens of its own session
            float[][][] expected = new float[3][GENERATED][];
            int[][] next = new int[3][GENERATED];
            for (int s = 0; s < 3; s++) {
                try (Session session = model.newSession(sets.get(s))) {
                    Transformer t = session.transformer();
                    float[] l = t.forward(ids[s], 0);
                    for (int i = 0; i < GENERATED; i++) {
                        expected[s][i] = l;
                        next[s][i] = argmax(l);
                        l = t.forward(new int[] {next[s][i]}, ids[s].length + i);
                    }
                }
            }
            // requests: (combination, step it joins at); request 3 joins a running batch beside request 0's set
            int[] combo = {0, 1, 2, 0}, joins = {0, 0, 0, 3};
            int[] slotOf = {-1, -1, -1, -1}, made = new int[4];
            try (Batch batch = model.batch(4)) {
                int[][] step = new int[4][];
                int done = 0;
                for (int i = 0; done < 4; i++) {
                    for (int r = 0; r < 4; r++) {
                        if (joins[r] == i) {
                            slotOf[r] = r == 1 ? batch.claim() : batch.claim(sets.get(combo[r]));
                            assertEquals(sets.get(combo[r]), batch.adapters(slotOf[r]), "request " + r + "'s slot adapters");
                        }
                        if (slotOf[r] >= 0 && made[r] < GENERATED) {
                            step[slotOf[r]] = made[r] == 0 ? ids[combo[r]] : new int[] {next[combo[r]][made[r] - 1]};
                        }
                    }
                    batch.step(step);
                    for (int r = 0; r < 4; r++) {
                        if (slotOf[r] >= 0 && made[r] < GENERATED) {
                            assertArrayEquals(expected[combo[r]][made[r]], batch.logits(slotOf[r]),
                                    "request " + r + " (" + sets.get(combo[r]) + "), token " + made[r]);
                            if (++made[r] == GENERATED) {
                                batch.release(slotOf[r]);
                                step[slotOf[r]] = null;
                                done++;
                            }
                        }
                    }
                }
            }
        }
    }

    private static float[] logits(Session s, String prompt) {
        s.reset();
        return s.transformer().forward(s.tokenizer().encode(prompt, true, false), 0);
    }

    private static int argmax(float[] l) {
        int best = 0;
        for (int i = 1; i < l.length; i++) {
            if (l[i] > l[best]) {
                best = i;
            }
        }
        return best;
    }
}
