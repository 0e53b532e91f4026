package dev.panamax.transformer.nn;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.panamax.formats.quant.Quants;
import dev.panamax.tensor.Backends;
import dev.panamax.tensor.DType;
import dev.panamax.tensor.Ops;
import dev.panamax.tensor.Tensor;
import dev.panamax.tensor.testing.Seeded;
import java.lang.foreign.Arena;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

/**
 * A decode step's experts in two {@link Ops#matmuls} calls ({@link ExpertsOfOneToken}) against the
 * expert-by-expert path of {@link MixtureOfExperts}, bit for bit: the same products, biases, activations and
 * weighted sums in the same order, so any difference is a wrong expert, weight, view or order. Random mixtures
 * (dtypes mixed per projection, as in Q4_K_M files; with and without biases; no shared expert, a gated one
 * (Qwen2-MoE) or an ungated one (DeepSeekMoE), of its own width, whose products join the two calls; renormalized
 * top-k, SwiGLU or gpt-oss's clamped SwiGLU), big enough for the cpu backend's vector matmuls, on 1 and 2 threads;
 * the outputs are poisoned before each call. The ungated shared expert's expert-by-expert path is checked, bit for
 * bit, against what DeepSeekMoE computed before it was part of the mixture: the routed experts' sum, then
 * {@code + shared(x)}.
 */
@ExtendWith(Seeded.class)
class ExpertsOfOneTokenTest {
    private static final DType[] TYPES = {DType.F32, DType.Q8_0, DType.Q4_K, DType.Q6_K, DType.Q5_0, DType.Q4_0};

    @Test
    void equals_the_expert_by_expert_path_bit_for_bit(Random random) {
        for (int trial = 0; trial < 18; trial++) {
            int threads = 1 + random.nextInt(2);
            try (Arena arena = Arena.ofShared(); Ops ops = Backends.open("cpu", threads)) {
                int dim = 256 * (1 + random.nextInt(2)), width = 256 + 32 * random.nextInt(4);
                int count = 4 + random.nextInt(9), k = 1 + random.nextInt(Math.min(count, 6));
                boolean biases = random.nextBoolean(), normalize = random.nextBoolean();
                int sharedKind = trial % 3; // 0: none, 1: gated (Qwen2-MoE), 2: ungated (DeepSeekMoE)
                int sharedWidth = width + 32 * random.nextInt(3);
                GateActivation act = random.nextBoolean() ? GateActivation.SILU : GateActivation.clampedSwiGlu(1.702f, 7f);
                List<GatedFeedForward> experts = new ArrayList<>();
                Scratch scratch = new Scratch(ops, arena, 4);
                for (int e = 0; e < count; e++) {
                    experts.add(expert(ops, scratch, arena, random, dim, width, biases, act));
                }
                Linear router = new Linear(ops, weight(arena, random, DType.F32, count, dim), null);
                GatedFeedForward sharedFfn = sharedKind == 0 ? null : expert(ops, scratch, arena, random, dim, sharedWidth, biases, act);
                MixtureOfExperts.SharedExpert shared = sharedKind == 0 ? null : new MixtureOfExperts.SharedExpert(sharedFfn,
                        sharedKind == 1 ? new Linear(ops, weight(arena, random, DType.F32, 1, dim), null) : null);
                var routing = new MixtureOfExperts.Routing(k, normalize);
                MixtureOfExperts fused = new MixtureOfExperts(ops, scratch, dim, router, experts, routing, shared);
                MixtureOfExperts reference = MixtureOfExperts.expertByExpert(ops, scratch, dim, router, experts, routing, shared);
                MixtureOfExperts routedOnly = MixtureOfExperts.expertByExpert(ops, scratch, dim, router, experts, routing, null);
                for (int token = 0; token < 3; token++) {
                    Tensor x = Tensor.of(arena, Seeded.gaussian(random, dim, 1.0), 1, dim);
                    Tensor expected = Tensor.allocate(arena, DType.F32, 1, dim).fill(Float.NaN);
                    Tensor actual = Tensor.allocate(arena, DType.F32, 1, dim).fill(Float.NaN);
                    reference.forward(x, expected);
                    fused.forward(x, actual);
                    if (sharedKind == 2) {
                        Tensor sum = Tensor.allocate(arena, DType.F32, 1, dim).fill(Float.NaN);
                        Tensor sharedOut = Tensor.allocate(arena, DType.F32, 1, dim).fill(Float.NaN);
                        routedOnly.forward(x, sum);
                        sharedFfn.forward(x, sharedOut);
                        ops.add(sum, sharedOut, sum);
                        float[] before = sum.toFloatArray(), now = expected.toFloatArray();
                        for (int i = 0; i < dim; i++) {
                            assertEquals(Float.floatToRawIntBits(before[i]), Float.floatToRawIntBits(now[i]),
                                    "trial " + trial + " token " + token + ": routed + shared, value " + i);
                        }
                    }
                    float[] e = expected.toFloatArray(), a = actual.toFloatArray();
                    double norm = 0;
                    for (int i = 0; i < dim; i++) {
                        norm += Math.abs(e[i]);
                        assertEquals(Float.floatToRawIntBits(e[i]), Float.floatToRawIntBits(a[i]), "trial " + trial + " token " + token
                                + ": " + count + " experts, top " + k + ", dim " + dim + ", width " + width + ", biases " + biases
                                + ", shared " + sharedKind + " of " + sharedWidth + ", " + threads + " threads: value " + i);
                    }
                    assertTrue(norm > 0 && Double.isFinite(norm), "a nonzero, finite output");
                }
            }
        }
    }

    private static GatedFeedForward expert(Ops ops, Scratch scratch, Arena arena, Random random, int dim, int width, boolean biases,
                                           GateActivation act) {
        return new GatedFeedForward(ops, scratch, linear(ops, arena, random, width, dim, biases),
                linear(ops, arena, random, width, dim, biases), linear(ops, arena, random, dim, width, biases), act);
    }

    private static Linear linear(Ops ops, Arena arena, Random random, int out, int in, boolean bias) {
        DType type = TYPES[random.nextInt(TYPES.length)];
        if (in % type.blockSize() != 0) {
            type = DType.Q8_0;
        }
        return new Linear(ops, weight(arena, random, type, out, in),
                bias ? Tensor.of(arena, Seeded.gaussian(random, out, 0.1), out) : null);
    }

    private static Tensor weight(Arena arena, Random random, DType type, int rows, int cols) {
        float[] values = Seeded.gaussian(random, rows * cols, 1.0 / Math.sqrt(cols));
        if (type == DType.F32) {
            return Tensor.of(arena, values, rows, cols);
        }
        Tensor w = Tensor.allocate(arena, type, rows, cols);
        for (int r = 0; r < rows; r++) {
            Quants.quantizeRow(type, values, r * cols, cols, w.segment(), w.byteOffset() + type.byteSize((long) r * cols));
        }
        return w;
    }
}
