package dev.panamax.kernels.cpu;

import static dev.panamax.kernels.cpu.Fixtures.CPU_EXP;
import static dev.panamax.kernels.cpu.Fixtures.REF_EXP;
import static dev.panamax.kernels.cpu.Fixtures.U;
import static dev.panamax.kernels.cpu.Fixtures.assertWithin;
import static dev.panamax.kernels.cpu.Fixtures.gamma;
import static dev.panamax.kernels.cpu.Fixtures.pick;
import static dev.panamax.kernels.cpu.Fixtures.poisoned;

import dev.panamax.tensor.DType;
import dev.panamax.tensor.Ops;
import dev.panamax.tensor.Tensor;
import dev.panamax.tensor.testing.Seeded;
import java.lang.foreign.Arena;
import java.util.Random;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

/**
 * Attention of both backends (reference: two-pass softmax over a score row; cpu: tiled online
 * softmax) against float64, for decode and prefill, GQA ratios 1, 2, 4 and multi-query, F32 and F16
 * caches, and positions past the start of the cache; prompts of {@link BlockedAttention#MIN_TOKENS} rows or more
 * take {@link BlockedAttention} (in {@link AttentionVectorPathTest}: here most of them are small enough for
 * {@link SmallAttention}).
 *
 * <p>Bound, per output entry {@code (t, h, i)} over the {@code n} visible positions: a score
 * {@code s_j = scale q.k_j} is off by {@code ds_j = gamma_D |scale| sum|q k_j| + u|s_j|}; the weight
 * {@code p_j} is then off relatively by {@code 2 max ds + 2u R + 2 c_exp + gamma_n + (3 tiles + 2) u}
 * (R = range of the scores, covering the rounded arguments of exp and, for the online softmax, the
 * rescaling by {@code e^(m - m')} once per tile), and the weighted sum of values by a further
 * {@code gamma_n + 2u}: {@code |err| <= 1.01 (rel_p + gamma_n + 2u) sum_j p_j |v_ji|}. F16 caches are
 * decoded exactly, so the float64 truth reads the same values.
 */
@ExtendWith(Seeded.class)
class AttentionTest {
    private static final ReferenceOps REFERENCE = new ReferenceOps();
    /** The cpu backend under test: its default small-shape thresholds here, every vector path in the subclass. */
    private final CpuOps cpu;

    AttentionTest() {
        this.cpu = backend();
    }

    /** The backend each test gets (a new one per test, closed after it). */
    CpuOps backend() {
        return new CpuOps(3);
    }

    @AfterEach
    void close() {
        cpu.close();
    }

    /** Query heads per KV head: GQA ratios 1, 2, 4, and multi-query (one KV head for 6 query heads). */
    private static final int[][] HEADS = {{3, 1}, {2, 2}, {2, 4}, {1, 6}};

    @Test
    void decode_matches_float64_for_every_group_ratio_and_cache_type(Random random) {
        for (int[] heads : HEADS) {
            for (DType cache : new DType[] {DType.F32, DType.F16}) {
                check(random, 1, random.nextInt(200), pick(random, 8, 64, 80, 128, 3, 17), heads[0], heads[1], cache);
            }
        }
    }

    @Test
    void prefill_matches_float64_for_every_group_ratio_and_cache_type(Random random) {
        for (int[] heads : HEADS) {
            for (DType cache : new DType[] {DType.F32, DType.F16}) {
                int startPos = random.nextBoolean() ? 0 : 1 + random.nextInt(100);
                check(random, 2 + random.nextInt(9), startPos, pick(random, 8, 64, 80, 33), heads[0], heads[1], cache);
            }
        }
    }

    @Test
    void prompts_of_many_rows_take_the_blocked_path_for_every_group_ratio_and_cache_type(Random random) {
        for (int[] heads : HEADS) {
            for (DType cache : new DType[] {DType.F32, DType.F16}) {
                int tokens = BlockedAttention.MIN_TOKENS + random.nextInt(60);
                int startPos = random.nextBoolean() ? 0 : 1 + random.nextInt(100);
                int d = pick(random, 1, 4, 5, 8) * BlockedAttention.TILE;
                check(random, tokens, startPos, d, heads[0], heads[1], cache);
            }
        }
        check(random, BlockedAttention.MIN_TOKENS - 1, 3, 64, 2, 4, DType.F32); // just below: the per-row path
    }

    @Test
    void long_context_spans_many_tiles(Random random) {
        check(random, 1, 600 + random.nextInt(200), 64, 2, 4, DType.F16);
        check(random, 2, 150 + random.nextInt(100), 128, 1, 6, DType.F32);
    }

    private void check(Random random, int tokens, int startPos, int d, int hkv, int group, DType cacheType) {
        int hq = hkv * group;
        int capacity = startPos + tokens + random.nextInt(3);
        float scale = (float) (1 / Math.sqrt(d)) * (0.5f + 2 * random.nextFloat());
        float[] qv = Seeded.gaussian(random, tokens * hq * d, 1);
        float[] kv = Seeded.gaussian(random, capacity * hkv * d, 1);
        float[] vv = Seeded.gaussian(random, capacity * hkv * d, 1);
        Arena arena = Arena.ofAuto();
        Tensor q = Tensor.of(arena, qv, tokens, hq, d);
        Tensor k = Tensor.of(arena, kv, capacity, hkv, d).to(arena, cacheType);
        Tensor v = Tensor.of(arena, vv, capacity, hkv, d).to(arena, cacheType);
        float[] kr = k.toFloatArray(); // the values the kernels see (F16-rounded for F16 caches)
        float[] vr = v.toFloatArray();
        float[][] results = new float[2][];
        double[] both = new double[qv.length];
        for (Ops ops : new Ops[] {REFERENCE, cpu}) {
            double ce = ops == cpu ? CPU_EXP : REF_EXP;
            double[] truth = new double[qv.length];
            double[] bound = new double[qv.length];
            for (int t = 0; t < tokens; t++) {
                int n = startPos + t + 1;
                // rescalings: one per tile of the path with the smaller tiles (BlockedAttention's), which bounds both paths
                int tiles = (n + BlockedAttention.TILE - 1) / BlockedAttention.TILE;
                for (int h = 0; h < hq; h++) {
                    int g = h / group;
                    double[] s = new double[n];
                    double maxDs = 0;
                    double max = Double.NEGATIVE_INFINITY;
                    double min = Double.POSITIVE_INFINITY;
                    for (int j = 0; j < n; j++) {
                        double dot = 0;
                        double abs = 0;
                        for (int i = 0; i < d; i++) {
                            double p = (double) qv[(t * hq + h) * d + i] * kr[(j * hkv + g) * d + i];
                            dot += p;
                            abs += Math.abs(p);
                        }
                        s[j] = scale * dot;
                        maxDs = Math.max(maxDs, gamma(d) * Math.abs(scale) * abs + U * Math.abs(s[j]));
                        max = Math.max(max, s[j]);
                        min = Math.min(min, s[j]);
                    }
                    double sum = 0;
                    for (int j = 0; j < n; j++) {
                        s[j] = Math.exp(s[j] - max);
                        sum += s[j];
                    }
                    double relP = 2 * maxDs + 2 * U * (max - min) + 2 * ce + gamma(n) + (3 * tiles + 2) * U;
                    for (int i = 0; i < d; i++) {
                        double o = 0;
                        double weighted = 0;
                        for (int j = 0; j < n; j++) {
                            double vji = vr[(j * hkv + g) * d + i];
                            o += s[j] / sum * vji;
                            weighted += s[j] / sum * Math.abs(vji);
                        }
                        truth[(t * hq + h) * d + i] = o;
                        bound[(t * hq + h) * d + i] = 1.01 * (relP + gamma(n) + 2 * U) * weighted;
                        both[(t * hq + h) * d + i] += bound[(t * hq + h) * d + i];
                    }
                }
            }
            Tensor out = poisoned(tokens, hq, d);
            ops.attention(q, k, v, startPos, scale, out);
            assertWithin(ops.name() + " attention T=" + tokens + " startPos=" + startPos + " D=" + d + " Hq=" + hq + " Hkv="
                    + hkv + " " + cacheType, out.toFloatArray(), truth, bound);
            results[ops == cpu ? 1 : 0] = out.toFloatArray();
        }
        // online softmax against the two-pass oracle: within the sum of both bounds
        assertWithin("cpu vs reference attention", results[1], Fixtures.toDouble(results[0]), both);
    }
}
