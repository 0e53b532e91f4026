package dev.panamax.transformer;

import static dev.panamax.transformer.TransformerForwardTest.F32_TOLERANCE;
import static dev.panamax.transformer.TransformerForwardTest.open;
import static dev.panamax.transformer.TransformerForwardTest.options;
import static dev.panamax.transformer.TransformerForwardTest.tokens;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.panamax.formats.quant.ModelQuantizer;
import dev.panamax.formats.quant.QuantType;
import dev.panamax.tensor.DType;
import dev.panamax.tensor.Ops;
import dev.panamax.tensor.testing.Seeded;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Random;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

/**
 * Several sequences decoded together ({@link Model#newBatch}, {@link Transformer#forward(int[][], int[], float[][])})
 * give each sequence the logits it gets decoded alone, for tiny random models of the families whose
 * attention differs: Llama, Qwen3-MoE (experts routed per row), Gemma 2 (a window of 4, soft-caps),
 * DeepSeek 2 (latent attention over its own cache) and gpt-oss (sinks, a window of 3, MXFP4 experts).
 *
 * <p>The script ({@link #SCRIPT}) runs three slots through seven steps: two prompts of different
 * lengths start together, a third joins at step 2 with its prompt in two chunks while the others
 * decode, the second finishes at step 3 and its slot is taken at step 4 by a fourth sequence (from
 * position 0: the stale cache of the third must not be read). Batches of 3 rows ({@code maxBatch}
 * 3) make the first step three passes, one of them shared by the tail of one prompt and the head of
 * another.
 *
 * <p>Bounds. Reference backend: bit-identical. Every reference operation computes a row from that
 * row's inputs alone, in an order that does not depend on the other rows (a matmul dots each row
 * in order over k), and attention runs per run of one sequence with that sequence's queries, cache
 * and positions, as alone; so the same floats meet in the same order. CPU backend: a matrix product
 * over another number of rows may take another path (dot products below a few rows, a GEMM above,
 * blocked differently), which sums in another order. Both orders are within the family's float32
 * bound of the float64 forward (its ForwardTest: 2e-4 of the logit scale, Gemma's its own), which
 * holds for any summation order, so batched and alone differ by at most twice that bound.
 */
@ExtendWith(Seeded.class)
class BatchedDecodeTest {
    /** A sequence of the script: its slot, the step it starts at, its prompt chunks, then single tokens. */
    record Request(int slot, int firstStep, int[] chunks, int decoded) {
        int steps() {
            return chunks.length + decoded;
        }
    }

    private static final int SLOTS = 3, STEPS = 7;
    private static final List<Request> SCRIPT = List.of(
            new Request(0, 0, new int[] {5}, 6),
            new Request(1, 0, new int[] {2}, 2),
            new Request(2, 2, new int[] {4, 3}, 3),
            new Request(1, 4, new int[] {4}, 2));

    @TempDir
    Path dir;

    @ParameterizedTest
    @CsvSource({"llama, reference", "llama, cpu", "qwen3moe, reference", "qwen3moe, cpu", "gemma2, reference", "gemma2, cpu",
            "deepseek2, reference", "deepseek2, cpu", "gpt-oss, reference", "gpt-oss, cpu"})
    void sequencesDecodedTogetherGetTheLogitsEachGetsAlone(String family, String backend, Random random) throws Exception {
        double familyTolerance = F32_TOLERANCE;
        Path file;
        switch (family) {
            case "llama" -> file = TinyModel.llama(random).writeGguf(dir.resolve("llama.gguf"));
            case "qwen3moe" -> file = TinyModel.qwen3moe(random).writeGguf(dir.resolve("moe.gguf"));
            case "gemma2" -> {
                TinyGemma m = TinyGemma.gemma2(random);
                familyTolerance = GemmaForwardTest.tolerance(m);
                file = m.writeGguf(dir.resolve("gemma2.gguf"));
            }
            case "deepseek2" -> file = new TinyDeepSeek(random, 24, 1).writeGguf(dir.resolve("ds.gguf"), false);
            case "gpt-oss" -> file = new TinyGptOss(random).writeGguf(dir.resolve("oss.gguf"), false, w -> { });
            default -> throw new IllegalArgumentException(family);
        }
        double tolerance = backend.equals("reference") ? 0 : 2 * familyTolerance;
        try (Ops ops = open(backend); Model model = Model.open(file, ops, options(DType.F32))) {
            List<int[][]> inputs = inputs(random, model.config().vocabSize());
            List<float[][]> alone = decodedAlone(model.transformer(), inputs);
            try (ModelSession batch = model.newBatch(SLOTS)) {
                assertEquals(SLOTS, batch.transformer().slots());
                List<float[][]> together = decodedTogether(batch.transformer(), inputs);
                for (int r = 0; r < SCRIPT.size(); r++) {
                    for (int i = 0; i < SCRIPT.get(r).steps(); i++) {
                        String what = family + " on " + backend + ", request " + r + " (slot " + SCRIPT.get(r).slot() + "), its step " + i;
                        if (tolerance == 0) {
                            assertArrayEquals(alone.get(r)[i], together.get(r)[i], what);
                        } else {
                            assertNear(alone.get(r)[i], together.get(r)[i], tolerance, what);
                        }
                    }
                }
            }
        }
    }

    /**
     * A batch step with one row runs the same backend calls on the same shapes as the single-sequence forward
     * (one row of x per matmul: the matrix-vector kernels; attention over the slot's own cache region; the head
     * over that one row), so its logits are those of the sequence alone to the bit, on the CPU backend's vector
     * kernels too (Q4_K_M: Q4_K and Q6_K weights, rows of 512 and 768, above the scalar small-shape limit), in
     * whichever slot of the batch it runs and however many slots the batch has.
     */
    @Test
    void aOneRowBatchStepGivesTheSingleSequenceLogitsBitForBit(Random random) throws Exception {
        Path f32 = TinyModel.llamaWide(random).writeGguf(dir.resolve("wide.gguf"));
        Path file = dir.resolve("wide-q4_k_m.gguf");
        ModelQuantizer.quantize(f32, file, QuantType.Q4_K_M, false);
        try (Ops ops = open("cpu"); Model model = Model.open(file, ops, new LoadOptions(16, DType.F16, 0))) {
            int vocab = model.config().vocabSize();
            int[] prompt = tokens(random, vocab, 5 + 2 * random.nextInt(4)); // odd: 5 to 11 tokens
            int decoded = 7;
            int[] next = tokens(random, vocab, decoded);
            Transformer alone = model.transformer();
            float[][] expected = new float[decoded + 1][];
            expected[0] = alone.forward(prompt, 0);
            for (int i = 0; i < decoded; i++) {
                expected[i + 1] = alone.forward(new int[] {next[i]}, prompt.length + i);
            }
            for (int slots : new int[] {1, 3}) {
                try (ModelSession batch = model.newBatch(slots)) {
                    int slot = slots - 1;
                    int[][] tokens = new int[slots][];
                    int[] position = new int[slots];
                    float[][] logits = new float[slots][];
                    logits[slot] = new float[vocab];
                    for (int i = 0; i <= decoded; i++) {
                        tokens[slot] = i == 0 ? prompt : new int[] {next[i - 1]};
                        position[slot] = i == 0 ? 0 : prompt.length + i - 1;
                        Arrays.fill(logits[slot], Float.NaN);
                        batch.transformer().forward(tokens, position, logits);
                        assertArrayEquals(expected[i], logits[slot], "slot " + slot + " of " + slots + ", step " + i);
                    }
                }
            }
        }
    }

    @Test
    void aStepIsRefusedWholeWhenOneSlotsTokensDoNotFit(Random random) throws Exception {
        Path file = TinyModel.llama(random).writeGguf(dir.resolve("llama.gguf"));
        try (Ops ops = open("reference"); Model model = Model.open(file, ops, options(DType.F32));
             ModelSession batch = model.newBatch(2)) {
            Transformer t = batch.transformer();
            int context = model.config().contextLength();
            float[][] logits = {new float[model.config().vocabSize()], new float[model.config().vocabSize()]};
            float[] poison = logits[0].clone();
            Arrays.fill(logits[0], Float.NaN);
            Arrays.fill(poison, Float.NaN);
            IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                    () -> t.forward(new int[][] {{1, 2}, {3, 4}}, new int[] {0, context - 1}, logits));
            assertTrue(e.getMessage().startsWith("slot 1: "), e.getMessage());
            assertArrayEquals(poison, logits[0], "nothing ran");
            assertThrows(IllegalArgumentException.class, () -> t.forward(new int[][] {{1}, {model.config().vocabSize()}}, new int[2], logits));
            assertThrows(IllegalArgumentException.class, () -> t.forward(new int[][] {null, {}}, new int[2], logits));
            assertThrows(IllegalArgumentException.class, () -> t.forward(new int[][] {{1}}, new int[1], logits));
            assertThrows(IllegalArgumentException.class, () -> t.forward(new int[][] {{1}, null}, new int[2], new float[][] {null, null}));
            assertThrows(IllegalArgumentException.class, () -> model.newBatch(0));
        }
    }

    /** Per request: its chunks of prompt, then its single tokens, random. */
    private static List<int[][]> inputs(Random random, int vocab) {
        List<int[][]> inputs = new ArrayList<>();
        for (Request r : SCRIPT) {
            int[][] in = new int[r.steps()][];
            for (int i = 0; i < r.steps(); i++) {
                in[i] = tokens(random, vocab, i < r.chunks().length ? r.chunks()[i] : 1);
            }
            inputs.add(in);
        }
        return inputs;
    }

    /** Each request on the single-sequence path, one after another: the logits after each of its steps. */
    private static List<float[][]> decodedAlone(Transformer t, List<int[][]> inputs) {
        List<float[][]> out = new ArrayList<>();
        for (int[][] in : inputs) {
            float[][] logits = new float[in.length][];
            int pos = 0;
            for (int i = 0; i < in.length; i++) {
                logits[i] = t.forward(in[i], pos);
                pos += in[i].length;
            }
            out.add(logits);
        }
        return out;
    }

    /** The script's steps, each one batched call for every slot that has tokens then. */
    private static List<float[][]> decodedTogether(Transformer t, List<int[][]> inputs) {
        List<float[][]> out = new ArrayList<>();
        for (int[][] in : inputs) {
            out.add(new float[in.length][]);
        }
        int[] position = new int[SLOTS];
        for (int step = 0; step < STEPS; step++) {
            int[][] tokens = new int[SLOTS][];
            float[][] logits = new float[SLOTS][];
            int[] requestOf = new int[SLOTS];
            for (int r = 0; r < SCRIPT.size(); r++) {
                Request q = SCRIPT.get(r);
                int i = step - q.firstStep();
                if (i >= 0 && i < q.steps()) {
                    if (i == 0) {
                        position[q.slot()] = 0; // a new sequence in this slot (the slot released and claimed again)
                    }
                    tokens[q.slot()] = inputs.get(r)[i];
                    logits[q.slot()] = new float[t.config().vocabSize()];
                    Arrays.fill(logits[q.slot()], Float.NaN);
                    requestOf[q.slot()] = r;
                }
            }
            t.forward(tokens, position.clone(), logits);
            for (int s = 0; s < SLOTS; s++) {
                if (tokens[s] != null) {
                    int r = requestOf[s];
                    out.get(r)[step - SCRIPT.get(r).firstStep()] = logits[s];
                    position[s] += tokens[s].length;
                }
            }
        }
        return out;
    }

    /** |together - alone| ≤ tolerance · max(1, max|alone|) for every logit. */
    private static void assertNear(float[] alone, float[] together, double tolerance, String what) {
        double scale = 1;
        for (float a : alone) {
            scale = Math.max(scale, Math.abs(a));
        }
        for (int i = 0; i < alone.length; i++) {
            assertTrue(Float.isFinite(together[i]), what + ": logit " + i + " is " + together[i]);
            double err = Math.abs(together[i] - alone[i]);
            assertTrue(err <= tolerance * scale, what + ": logit " + i + " is " + together[i] + " batched, " + alone[i] + " alone (err "
                    + err + " > " + tolerance * scale + ")");
        }
    }
}
