package dev.panamax.transformer;

import dev.panamax.transformer.family.Families;
import static dev.panamax.transformer.TransformerForwardTest.open;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.panamax.tensor.DType;
import dev.panamax.tensor.Ops;
import dev.panamax.tensor.testing.Seeded;
import dev.panamax.transformer.api.Completion;
import dev.panamax.transformer.api.GenerateOptions;
import dev.panamax.transformer.api.LanguageModel;
import dev.panamax.transformer.api.ModelOptions;
import dev.panamax.transformer.api.Session;
import dev.panamax.transformer.family.FamilyConfig;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.Random;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

/**
 * Sliding-window layers keep a window cache of {@code W - 1 + C} rows ({@link KvCache}, {@code C} the rows of a
 * step; {@link dev.panamax.transformer.nn.Attention}): tiny random Gemma 3 (window 5 on six of seven layers) and
 * gpt-oss (window 3 on layers 0 and 2) give the logits of the same model with caches of the whole context, bit
 * for bit, on prompts longer than the window and the cache, in one call or chunk by chunk, while decoding past
 * it, and in batch slots; the cache takes the bytes it should; a slot goes on from a prefix only while its
 * window is still held.
 *
 * <p>Bit-identical, not within a bound: the window model's attention sees the same positions in the same order,
 * with the same (already rotated) keys, at positions shifted by the row-0 position, and every mask depends on
 * differences of positions only. The full model runs the same chunks (the same rows per matrix multiplication),
 * so every other operation sees the same inputs. On the CPU backend these tiny attention calls stay under the
 * scalar threshold on both sides ({@code SmallShapes}: at most {@code 8 x 4 x 24 x 40} multiply-adds), so both
 * take the same code path.
 */
@ExtendWith(Seeded.class)
class WindowCacheTest {
    private static final int WINDOW = 5, PROMPT = 20, DECODE = 14;

    @TempDir
    Path dir;

    private Path gemma3(Random random) throws Exception {
        // TinyGemma.gemma3's shape with a vocabulary (300 tokens) and a context of 40
        TinyGemma m = new TinyGemma(TinyGemma.Kind.GEMMA3, 64, 96, 7, 4, 2, 24, 300, 40, true);
        m.window = WINDOW;
        m.theta = 1e6;
        m.ropeLinearFactor = 8;
        m.fill(random);
        return m.writeGguf(dir.resolve("gemma3.gguf"), true);
    }

    private Path gptOss(Random random) throws Exception {
        return new TinyGptOss(random).writeGguf(dir.resolve("gpt-oss.gguf"), false, w -> { });
    }

    private Path model(String family, Random random) throws Exception {
        return family.equals("gemma3") ? gemma3(random) : gptOss(random);
    }

    /** A prompt of 20 in steps of {@code step} rows, then 14 decoded tokens, against caches of the whole context. */
    @ParameterizedTest
    @CsvSource({"gemma3, reference, 3, F32", "gemma3, cpu, 3, F16", "gemma3, cpu, 8, F32", "gpt-oss, reference, 3, F32",
            "gpt-oss, cpu, 3, F16", "gpt-oss, cpu, 8, F32"})
    void logitsEqualThoseOfFullCaches(String family, String backend, int step, DType cache, Random random) throws Exception {
        Path file = model(family, random);
        try (Ops ops = open(backend); Model window = Model.open(file, ops, new LoadOptions(step, cache, 0));
             Model full = Model.open(file, ops, new LoadOptions(1024, cache, 0))) {
            int context = window.config().contextLength();
            assertTrue(window.transformer().cache().bytes() < full.transformer().cache().bytes(), "the window model's cache is smaller");
            assertTrue(smallestRows(window) < PROMPT, "the prompt must be longer than a window cache");
            int vocab = window.config().vocabSize();
            int[] prompt = TransformerForwardTest.tokens(random, vocab, PROMPT);
            // the window model runs the prompt in one call (its own steps of `step` rows); the full one chunk by chunk
            float[] ours = window.transformer().forward(prompt, 0);
            float[] theirs = inChunks(full.transformer(), prompt, 0, step);
            assertArrayEquals(theirs, ours, "after the prompt");
            for (int s = 0; s < DECODE && PROMPT + s < context; s++) {
                int[] next = {random.nextInt(vocab)};
                assertArrayEquals(full.transformer().forward(next, PROMPT + s), window.transformer().forward(next, PROMPT + s),
                        "decode step " + s);
            }
        }
    }

    /** Two slots of a batch, one joining while the other decodes, against single sequences with full caches. */
    @ParameterizedTest
    @CsvSource({"gemma3", "gpt-oss"})
    void batchSlotsEqualFullCaches(String family, Random random) throws Exception {
        Path file = model(family, random);
        int step = 3;
        try (Ops ops = open("reference"); Model model = Model.open(file, ops, new LoadOptions(step, DType.F32, 0));
             ModelSession batch = model.newBatch(2); Model full = Model.open(file, ops, new LoadOptions(1024, DType.F32, 0));
             ModelSession other = full.newSession()) {
            int vocab = model.config().vocabSize();
            Transformer b = batch.transformer(), a0 = full.transformer(), a1 = other.transformer();
            int[] p0 = TransformerForwardTest.tokens(random, vocab, 11), p1 = TransformerForwardTest.tokens(random, vocab, 13);
            float[][] logits = {new float[vocab], new float[vocab]};
            b.forward(new int[][] {p0, null}, new int[] {0, 0}, logits);
            assertArrayEquals(a0.forward(p0, 0), logits[0], "slot 0 after its prompt");
            int[] pos = {p0.length, 0};
            for (int s = 0; s < 12; s++) {
                int[] t0 = {random.nextInt(vocab)};
                int[] t1 = s == 2 ? p1 : s > 2 ? new int[] {random.nextInt(vocab)} : null;
                b.forward(new int[][] {t0, t1}, pos, logits);
                assertArrayEquals(a0.forward(t0, pos[0]), logits[0], "slot 0, step " + s);
                if (t1 != null) {
                    assertArrayEquals(a1.forward(t1, pos[1]), logits[1], "slot 1, step " + s);
                    pos[1] += t1.length;
                }
                pos[0]++;
            }
            assertTrue(pos[0] > WINDOW + step && pos[1] > WINDOW + step, "both slots went past their window caches");
        }
    }

    /**
     * The bytes: global layers x context + sliding layers x (W - 1 + C) positions of K and V, per slot; what
     * {@link dev.panamax.transformer.family.FamilyConfig#kvCacheBytes} (and so {@code panamax inspect}) says.
     */
    @Test
    void cacheHoldsGlobalLayersTimesContextPlusLocalLayersTimesWindowRows(Random random) throws Exception {
        Path file = gemma3(random);
        int step = 3, slots = 2;
        try (Ops ops = open("reference"); Model model = Model.open(file, ops, new LoadOptions(step, DType.F16, 0));
             ModelSession batch = model.newBatch(slots)) {
            ModelConfig c = model.config();
            long perRow = 2L * c.kvHeads() * c.headDim() * 2; // K and V, F16
            int local = 6, global = 1; // layers 0-4 and 6 slide, layer 5 is full (the pattern of 6)
            long expected = perRow * ((long) global * c.contextLength() + (long) local * (WINDOW - 1 + step));
            assertEquals(expected, model.transformer().cache().bytes());
            assertEquals(slots * expected, batch.transformer().cache().bytes());
            for (int l = 0; l < c.layers(); l++) {
                assertEquals(l == 5 ? c.contextLength() : WINDOW - 1 + step, model.transformer().cache().rows(l), "layer " + l);
            }
            FamilyConfig family = Families.read(model.gguf().orElseThrow());
            assertEquals(expected, family.kvCacheBytes(c.contextLength(), DType.F16, step, true));
            assertEquals(perRow * c.layers() * c.contextLength(), family.kvCacheBytes(c.contextLength(), DType.F16, step, false));
            assertEquals(KvCache.bytes(c, DType.F16), family.kvCacheBytes(c.contextLength(), DType.F16, step, false));
        }
    }

    /**
     * After a prompt of 20 in steps of 3 (W 5: 7 rows), the window caches hold positions from 14 on: going on at
     * p works for p = 0 and p - 4 >= 14 (18 ... 20), each giving the full model's logits; anywhere else the
     * transformer refuses by name, and {@link Transformer#reusablePrefix} says 0.
     */
    @Test
    void aPrefixIsReusedOnlyWhileItsWindowIsHeld(Random random) throws Exception {
        Path file = gemma3(random);
        int step = 3;
        try (Ops ops = open("reference"); Model window = Model.open(file, ops, new LoadOptions(step, DType.F32, 0));
             Model full = Model.open(file, ops, new LoadOptions(1024, DType.F32, 0))) {
            Transformer w = window.transformer(), f = full.transformer();
            int[] prompt = TransformerForwardTest.tokens(random, window.config().vocabSize(), PROMPT);
            int[] other = TransformerForwardTest.tokens(random, window.config().vocabSize(), PROMPT + 3);
            int held = 0;
            for (int p = 0; p <= PROMPT; p++) {
                w.forward(prompt, 0);
                f.forward(prompt, 0);
                boolean expected = p == 0 || p - (WINDOW - 1) >= 14;
                assertEquals(expected, w.canContinue(0, p), "position " + p);
                assertEquals(expected ? p : 0, w.reusablePrefix(0, p), "position " + p);
                int[] tail = Arrays.copyOfRange(other, p, other.length);
                if (expected) {
                    held++;
                    assertArrayEquals(inChunks(f, tail, p, step), w.forward(tail, p), "going on at " + p);
                } else {
                    int at = p;
                    IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> w.forward(tail, at));
                    assertTrue(e.getMessage().contains("position " + p) && e.getMessage().contains("sliding-window"), e.getMessage());
                }
            }
            assertEquals(4, held, "0 and 18 ... 20");
        }
    }

    /**
     * A session reuses a shared prefix while the window caches hold its window, and runs the prompt again from 0
     * otherwise; the completions are those of a model with full caches either way.
     */
    @Test
    void sessionsRecomputeWhenTheWindowIsGone(Random random) throws Exception {
        Path file = gemma3(random);
        ModelOptions windowed = ModelOptions.defaults().backend("reference").load(new LoadOptions(3, DType.F32, 0));
        ModelOptions whole = ModelOptions.defaults().backend("reference").load(new LoadOptions(1024, DType.F32, 0));
        try (LanguageModel wm = LanguageModel.open(file, windowed); LanguageModel fm = LanguageModel.open(file, whole);
             Session w = wm.newSession(); Session f = fm.newSession()) {
            int vocab = w.transformer().config().vocabSize();
            int[] first = TransformerForwardTest.tokens(random, vocab, PROMPT);
            GenerateOptions greedy = GenerateOptions.greedy().maxTokens(3);
            Completion c1 = w.complete(first, greedy, t -> { });
            assertArrayEquals(f.complete(first, greedy, t -> { }).generation().tokens(), c1.generation().tokens());
            // the cache holds the prompt and the generated tokens but the last (not run): a prompt going on from
            // them reuses them all, their window being the last one written
            int held = w.cachedTokens();
            assertTrue(held >= PROMPT && held == f.cachedTokens(), held + " cached tokens");
            int[] longer = new int[held + 3];
            System.arraycopy(first, 0, longer, 0, PROMPT);
            System.arraycopy(c1.generation().tokens(), 0, longer, PROMPT, held - PROMPT);
            for (int i = held; i < longer.length; i++) {
                longer[i] = random.nextInt(vocab);
            }
            int[] shorter = Arrays.copyOf(first, 8);
            for (int i = 4; i < shorter.length; i++) {
                shorter[i] = (first[i] + 1) % vocab; // shares 4 tokens: their window was overwritten long ago
            }
            assertEquals(held, w.reusableTokens(longer), "the whole cached sequence is a prefix whose window is held");
            Completion wl = w.complete(longer, greedy, t -> { }), fl = f.complete(longer, greedy, t -> { });
            assertEquals(held, wl.reusedTokens());
            assertEquals(held, fl.reusedTokens());
            assertArrayEquals(fl.generation().tokens(), wl.generation().tokens());
            assertEquals(0, w.reusableTokens(shorter), "4 shared tokens, but positions 0 ... 3 are gone");
            assertTrue(f.reusableTokens(shorter) == 4, "the full cache would reuse them");
            Completion ws = w.complete(shorter, greedy, t -> { }), fs = f.complete(shorter, greedy, t -> { });
            assertEquals(0, ws.reusedTokens());
            assertArrayEquals(fs.generation().tokens(), ws.generation().tokens());
        }
    }

    /** The smallest cache rows of any layer. */
    private static int smallestRows(Model m) {
        int min = Integer.MAX_VALUE;
        for (int l = 0; l < m.config().layers(); l++) {
            min = Math.min(min, m.transformer().cache().rows(l));
        }
        return min;
    }

    /** Runs {@code tokens} from {@code start} in calls of {@code step} tokens; the logits after the last. */
    private static float[] inChunks(Transformer t, int[] tokens, int start, int step) {
        float[] logits = null;
        for (int off = 0; off < tokens.length; off += step) {
            logits = t.forward(Arrays.copyOfRange(tokens, off, Math.min(tokens.length, off + step)), start + off);
        }
        return logits;
    }
}
