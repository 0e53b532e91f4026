package dev.panamax.kernels.cpu;

import static dev.panamax.kernels.cpu.Fixtures.CPU_EXP;
import static dev.panamax.kernels.cpu.Fixtures.REF_EXP;
import static dev.panamax.kernels.cpu.Fixtures.U;
import static dev.panamax.kernels.cpu.Fixtures.assertBitwise;
import static dev.panamax.kernels.cpu.Fixtures.assertWithin;
import static dev.panamax.kernels.cpu.Fixtures.gamma;
import static dev.panamax.kernels.cpu.Fixtures.pick;
import static dev.panamax.kernels.cpu.Fixtures.poisoned;
import static org.junit.jupiter.api.Assertions.assertThrows;

import dev.panamax.tensor.Attention;
import dev.panamax.tensor.DType;
import dev.panamax.tensor.Ops;
import dev.panamax.tensor.Tensor;
import dev.panamax.tensor.testing.Seeded;
import java.lang.foreign.Arena;
import java.util.Random;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

/**
 * Sliding-window, soft-capped and sink attention ({@link Attention}) of both backends against float64, on a
 * prompt evaluated in several batches and then decoded token by token, with odd head sizes, GQA groups, windows
 * shorter and longer than the sequence, F32 and F16 caches.
 *
 * <p>Bound: that of {@link AttentionTest}, with the score error {@code ds_j} grown by the soft cap's own error
 * {@code c_cap |s_j|} (tanh's slope is at most 1, so an error in the capped argument does not grow), the range
 * {@code R} and the softmax sum covering the sink as one more logit, and, in the online softmax, the sink counted
 * as one more rescaling step.
 */
@ExtendWith(Seeded.class)
class AttentionVariantsTest {
    private static final ReferenceOps REFERENCE = new ReferenceOps();
    private static final CpuOps CPU = new CpuOps(3);
    /** Relative error of VectorMath.tanh times the cap (see its javadoc), plus the division by the cap and the product. */
    private static final double CPU_CAP = (2 * VectorMath.EXP_ULPS * 1.92 * 2 + 3 + 3) * U;
    /** The reference's cap * tanh(s / cap) in double, rounded once. */
    private static final double REF_CAP = U * (1 + 1e-6);

    @AfterAll
    static void close() {
        CPU.close();
    }

    /** Query heads per KV head: {Hkv, group}. */
    private static final int[][] HEADS = {{3, 1}, {2, 2}, {1, 5}, {2, 4}};

    @Test
    void sliding_window_sees_exactly_the_last_window_positions(Random random) {
        for (int[] heads : HEADS) {
            for (DType cache : new DType[] {DType.F32, DType.F16}) {
                int length = 20 + random.nextInt(120);
                int window = pick(random, 1, 2, 7, 1 + random.nextInt(length), length + random.nextInt(5), 64, 65);
                scenario(random, length, pick(random, 3, 17, 33, 64, 80), heads, cache, Attention.CAUSAL.withWindow(window), 1);
            }
        }
    }

    @Test
    void soft_capped_scores_match_float64(Random random) {
        for (int[] heads : HEADS) {
            for (DType cache : new DType[] {DType.F32, DType.F16}) {
                float cap = pick(random, 1, 3, 8, 50) * (0.5f + random.nextFloat());
                scenario(random, 10 + random.nextInt(90), pick(random, 5, 16, 33, 65), heads, cache,
                        Attention.CAUSAL.withSoftCap(cap), 4);
            }
        }
    }

    @Test
    void sinks_join_the_softmax_denominator(Random random) {
        for (int[] heads : HEADS) {
            for (DType cache : new DType[] {DType.F32, DType.F16}) {
                int hq = heads[0] * heads[1];
                // sinks from far below to far above the scores: from no effect to nearly all the weight
                float[] sinks = new float[hq];
                for (int h = 0; h < hq; h++) {
                    sinks[h] = (float) (random.nextGaussian() * 3) + pick(random, -20, 0, 0, 5, 20);
                }
                Tensor s = Tensor.of(Arena.ofAuto(), sinks, hq);
                scenario(random, 10 + random.nextInt(90), pick(random, 7, 16, 31, 64), heads, cache,
                        Attention.CAUSAL.withSinks(s), 2);
            }
        }
    }

    @Test
    void all_options_together_as_gemma2_and_gpt_oss_local_layers(Random random) {
        for (int[] heads : HEADS) {
            for (DType cache : new DType[] {DType.F32, DType.F16}) {
                int hq = heads[0] * heads[1];
                Tensor sinks = Tensor.of(Arena.ofAuto(), Seeded.gaussian(random, hq, 2), hq);
                int length = 40 + random.nextInt(100);
                Attention options = Attention.CAUSAL.withWindow(1 + random.nextInt(length)).withSoftCap(2 + 10 * random.nextFloat())
                        .withSinks(sinks);
                scenario(random, length, pick(random, 9, 32, 63), heads, cache, options, 3);
            }
        }
    }

    @Test
    void bidirectional_queries_see_the_later_positions_of_their_batch_too(Random random) {
        for (int[] heads : HEADS) {
            for (DType cache : new DType[] {DType.F32, DType.F16}) {
                // whole prompts in one call (an encoder's use), odd head sizes, lengths past one tile of 64
                int length = pick(random, 1, 2, 7, 63, 64, 65, 1 + random.nextInt(150));
                Fixture f = new Fixture(random, length, 0, pick(random, 3, 17, 33, 64, 80), heads[0], heads[1], cache, null);
                check(f, 0, length, Attention.BIDIRECTIONAL, 1 + 2 * random.nextFloat());
                // and a later batch over a cache already written, as a chunked encoder pass would make
                int start = random.nextInt(length);
                check(f, start, length - start, Attention.BIDIRECTIONAL.withSoftCap(4 + random.nextFloat()), 2);
            }
        }
    }

    @Test
    void bidirectional_attention_of_the_last_query_equals_causal_and_a_window_is_refused(Random random) {
        int d = pick(random, 7, 64, 65);
        int tokens = 2 + random.nextInt(9);
        Fixture f = new Fixture(random, tokens, 0, d, 2, 3, DType.F32, null);
        for (Ops ops : new Ops[] {REFERENCE, CPU}) {
            Tensor causal = poisoned(tokens, 6, d);
            Tensor both = poisoned(tokens, 6, d);
            ops.attention(f.q, f.k, f.v, 0, f.scale, causal);
            ops.attention(f.q, f.k, f.v, 0, f.scale, Attention.BIDIRECTIONAL, both);
            float[] c = causal.toFloatArray();
            float[] b = both.toFloatArray();
            int row = (tokens - 1) * 6 * d; // the last query sees the same positions either way
            assertBitwise(ops.name() + " last query", java.util.Arrays.copyOfRange(c, row, c.length),
                    java.util.Arrays.copyOfRange(b, row, b.length));
            org.junit.jupiter.api.Assertions.assertFalse(java.util.Arrays.equals(java.util.Arrays.copyOf(c, row),
                    java.util.Arrays.copyOf(b, row)), ops.name() + ": earlier queries must see later positions");
        }
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> Attention.BIDIRECTIONAL.withWindow(4));
        org.junit.jupiter.api.Assertions.assertTrue(e.getMessage().contains("bidirectional"), e.getMessage());
    }

    @Test
    void a_window_skips_the_tiles_before_it_on_a_long_context(Random random) {
        // decode at positions far past the window: only the last window positions are read and weighed
        int length = 700 + random.nextInt(300);
        scenario(random, length, 64, new int[] {2, 4}, DType.F16, Attention.CAUSAL.withWindow(pick(random, 63, 64, 65, 128, 200)),
                1);
    }

    @Test
    void window_one_returns_the_value_row_and_long_windows_equal_full_attention(Random random) {
        int d = pick(random, 7, 64, 65);
        int hkv = 2;
        int group = 3;
        int tokens = 1 + random.nextInt(9);
        int startPos = random.nextInt(100);
        Fixture f = new Fixture(random, tokens, startPos, d, hkv, group, DType.F32, null);
        for (Ops ops : new Ops[] {REFERENCE, CPU}) {
            Tensor out = poisoned(tokens, hkv * group, d);
            ops.attention(f.q, f.k, f.v, startPos, f.scale, Attention.CAUSAL.withWindow(1), out);
            float[] expected = new float[tokens * hkv * group * d];
            for (int t = 0; t < tokens; t++) {
                for (int h = 0; h < hkv * group; h++) {
                    System.arraycopy(f.vr, ((startPos + t) * hkv + h / group) * d, expected, (t * hkv * group + h) * d, d);
                }
            }
            assertBitwise(ops.name() + " window 1", expected, out.toFloatArray());
            Tensor full = poisoned(tokens, hkv * group, d);
            ops.attention(f.q, f.k, f.v, startPos, f.scale, full);
            Tensor wide = poisoned(tokens, hkv * group, d);
            ops.attention(f.q, f.k, f.v, startPos, f.scale, Attention.CAUSAL.withWindow(startPos + tokens + random.nextInt(3)), wide);
            assertBitwise(ops.name() + " window >= sequence", full.toFloatArray(), wide.toFloatArray());
        }
    }

    @Test
    void bad_options_are_rejected_naming_the_value() {
        assertThrows(IllegalArgumentException.class, () -> Attention.CAUSAL.withWindow(-1));
        assertThrows(IllegalArgumentException.class, () -> Attention.CAUSAL.withSoftCap(Float.NaN));
        assertThrows(IllegalArgumentException.class, () -> Attention.CAUSAL.withSoftCap(-2));
        Random random = new Random(1);
        Fixture f = new Fixture(random, 2, 3, 8, 1, 2, DType.F32, null);
        Tensor wrong = Tensor.of(Arena.ofAuto(), new float[] {1, 2, 3}, 3);
        for (Ops ops : new Ops[] {REFERENCE, CPU}) {
            IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> ops.attention(f.q, f.k, f.v, 3,
                    f.scale, Attention.CAUSAL.withSinks(wrong), poisoned(2, 2, 8)));
            org.junit.jupiter.api.Assertions.assertTrue(e.getMessage().contains("sinks"), e.getMessage());
            assertThrows(IllegalArgumentException.class, () -> ops.attention(f.q, f.k, f.v, 3, f.scale, null, poisoned(2, 2, 8)));
        }
    }

    /**
     * A sequence of {@code length} positions: a prompt evaluated in random batches, then the rest
     * decoded one token at a time; each call checked on both backends.
     */
    private void scenario(Random random, int length, int d, int[] heads, DType cache, Attention options, float scaleBoost) {
        int hkv = heads[0];
        int group = heads[1];
        int prompt = 1 + random.nextInt(Math.min(length, 160)); // the rest decoded, some steps skipped
        int pos = 0;
        Fixture f = new Fixture(random, length, 0, d, hkv, group, cache, options.sinks());
        while (pos < length) {
            int tokens = pos < prompt ? Math.min(prompt - pos, 1 + random.nextInt(Math.max(1, prompt / 2 + 1))) : 1;
            check(f, pos, tokens, options, scaleBoost);
            pos += tokens;
            if (pos >= prompt && random.nextInt(4) != 0) {
                pos += random.nextInt(Math.max(1, length / 6)); // skip some decode steps: they test nothing new
            }
        }
    }

    /** Queries of a whole sequence and its cache (filled up front: a call reads only positions up to its last query). */
    private static final class Fixture {
        final Tensor q;
        final Tensor k;
        final Tensor v;
        final float[] qv;
        final float[] kr;
        final float[] vr;
        final float[] sinks;
        final float scale;
        final int d;
        final int hkv;
        final int group;

        Fixture(Random random, int tokens, int startPos, int d, int hkv, int group, DType cacheType, Tensor sinkTensor) {
            this.d = d;
            this.hkv = hkv;
            this.group = group;
            int hq = hkv * group;
            int capacity = startPos + tokens + random.nextInt(3);
            scale = (float) (1 / Math.sqrt(d)) * (0.5f + 2 * random.nextFloat());
            qv = Seeded.gaussian(random, tokens * hq * d, 1);
            Arena arena = Arena.ofAuto();
            q = Tensor.of(arena, qv, tokens, hq, d);
            k = Tensor.of(arena, Seeded.gaussian(random, capacity * hkv * d, 1), capacity, hkv, d).to(arena, cacheType);
            v = Tensor.of(arena, Seeded.gaussian(random, capacity * hkv * d, 1), capacity, hkv, d).to(arena, cacheType);
            kr = k.toFloatArray(); // the values the kernels see (F16-rounded for F16 caches)
            vr = v.toFloatArray();
            sinks = sinkTensor == null ? null : sinkTensor.toFloatArray();
        }
    }

    /** Queries {@code startPos ... startPos + tokens - 1} of the fixture (its rows at those positions) on both backends. */
    private static void check(Fixture f, int startPos, int tokens, Attention options, float scaleBoost) {
        int hq = f.hkv * f.group;
        int d = f.d;
        float scale = f.scale * scaleBoost; // larger scores, so that soft-capping and sinks bite
        Tensor q = f.q.narrow(0, startPos, tokens);
        int size = tokens * hq * d;
        double[] truth = new double[size];
        double[][] bound = {new double[size], new double[size]}; // reference, cpu
        double[] both = new double[size];
        for (int t = 0; t < tokens; t++) {
            int query = startPos + t;
            // causal: up to the query itself; bidirectional: up to the call's last query, later ones of the batch included
            int last = options.bidirectional() ? startPos + tokens - 1 : query;
            int first = options.window() == 0 ? 0 : Math.max(0, query - options.window() + 1);
            int n = last - first + 1;
            // rescalings: one per tile of the cpu path with the smaller tiles (BlockedAttention's), bounding both paths
            int tiles = (n + BlockedAttention.TILE - 1) / BlockedAttention.TILE + (f.sinks == null ? 0 : 1);
            for (int h = 0; h < hq; h++) {
                int g = h / f.group;
                double[] s = new double[n];
                double[] maxDs = new double[2];
                double sink = f.sinks == null ? Double.NEGATIVE_INFINITY : f.sinks[h];
                double max = sink;
                double min = f.sinks == null ? Double.POSITIVE_INFINITY : sink;
                for (int j = 0; j < n; j++) {
                    double dot = 0;
                    double abs = 0;
                    for (int i = 0; i < d; i++) {
                        double p = (double) f.qv[(query * hq + h) * d + i] * f.kr[((first + j) * f.hkv + g) * d + i];
                        dot += p;
                        abs += Math.abs(p);
                    }
                    double raw = scale * dot;
                    double ds = gamma(d) * Math.abs(scale) * abs + U * Math.abs(raw);
                    double[] dsCap = {0, 0};
                    if (options.softCap() != 0) {
                        raw = options.softCap() * Math.tanh(raw / options.softCap());
                        dsCap[0] = REF_CAP * Math.abs(raw);
                        dsCap[1] = CPU_CAP * Math.abs(raw);
                    }
                    s[j] = raw;
                    for (int b = 0; b < 2; b++) {
                        maxDs[b] = Math.max(maxDs[b], ds + dsCap[b]);
                    }
                    max = Math.max(max, s[j]);
                    min = Math.min(min, s[j]);
                }
                double sum = f.sinks == null ? 0 : Math.exp(sink - max);
                for (int j = 0; j < n; j++) {
                    s[j] = Math.exp(s[j] - max);
                    sum += s[j];
                }
                int terms = n + (f.sinks == null ? 0 : 1);
                double[] relP = new double[2];
                for (int b = 0; b < 2; b++) {
                    double ce = b == 1 ? CPU_EXP : REF_EXP;
                    relP[b] = 2 * maxDs[b] + 2 * U * (max - min) + 2 * ce + gamma(terms) + (3 * tiles + 2) * U;
                }
                for (int i = 0; i < d; i++) {
                    double o = 0;
                    double weighted = 0;
                    for (int j = 0; j < n; j++) {
                        double vji = f.vr[((first + j) * f.hkv + g) * d + i];
                        o += s[j] / sum * vji;
                        weighted += s[j] / sum * Math.abs(vji);
                    }
                    int e = (t * hq + h) * d + i;
                    truth[e] = o;
                    for (int b = 0; b < 2; b++) {
                        bound[b][e] = 1.01 * (relP[b] + gamma(n) + 2 * U) * weighted + Float.MIN_NORMAL;
                        both[e] += bound[b][e];
                    }
                }
            }
        }
        float[][] results = new float[2][];
        for (Ops ops : new Ops[] {REFERENCE, CPU}) {
            int b = ops == CPU ? 1 : 0;
            Tensor out = poisoned(tokens, hq, d);
            ops.attention(q, f.k, f.v, startPos, scale, options, out);
            assertWithin(ops.name() + " attention " + options + " T=" + tokens + " startPos=" + startPos + " D=" + d + " Hq=" + hq
                    + " Hkv=" + f.hkv + " " + f.k.dtype(), out.toFloatArray(), truth, bound[b]);
            results[b] = out.toFloatArray();
        }
        assertWithin("cpu vs reference attention " + options, results[1], Fixtures.toDouble(results[0]), both);
    }
}
