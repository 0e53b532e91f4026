package dev.panamax.kernels.cpu;

import static dev.panamax.kernels.cpu.Fixtures.assertBitwise;
import static dev.panamax.kernels.cpu.Fixtures.poisoned;
import static dev.panamax.kernels.cpu.Fixtures.tensor;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;

import dev.panamax.tensor.DType;
import dev.panamax.tensor.Gelu;
import dev.panamax.tensor.Rope;
import dev.panamax.tensor.Tensor;
import dev.panamax.tensor.testing.Seeded;
import java.lang.foreign.Arena;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

/**
 * The cpu backend gives bitwise identical results with 1, 2 and 3 threads: work is split into rows,
 * aligned element blocks or (position, head) pairs, each computed the same way by whichever thread
 * takes it. Inputs are large enough that every kernel really is split.
 */
@ExtendWith(Seeded.class)
class ThreadCountTest {

    @Test
    void results_do_not_depend_on_the_thread_count(Random random) {
        int rows = 37;
        int cols = 1027; // 16384 / 1027 = 15 rows per chunk: three chunks
        float[] x = Seeded.gaussian(random, rows * cols, 2);
        float[] y = Seeded.nonZeroFloats(random, rows * cols, 1.5f);
        float[] w = Seeded.nonZeroFloats(random, cols, 1.5f);
        int tokens = 130; // rope: 64 tokens per chunk at 4 x 64 entries per token
        float[] r = Seeded.gaussian(random, tokens * 4 * 64, 1);
        Rope rope = Rope.of(Rope.Layout.NEOX, 48, 10000);
        int hq = 8;
        int hkv = 2;
        int d = 64;
        int startPos = 100;
        float[] q = Seeded.gaussian(random, 5 * hq * d, 1);
        float[] k = Seeded.gaussian(random, (startPos + 5) * hkv * d, 1);
        float[] v = Seeded.gaussian(random, (startPos + 5) * hkv * d, 1);
        Arena arena = Arena.ofAuto();
        Tensor kF16 = tensor(k, startPos + 5, hkv, d).to(arena, DType.F16);
        Tensor vF16 = tensor(v, startPos + 5, hkv, d).to(arena, DType.F16);

        List<float[]> first = null;
        int[] firstArgmax = null;
        for (int threads = 1; threads <= 3; threads++) {
            List<float[]> results = new ArrayList<>();
            int[] argmax = new int[rows];
            try (CpuOps ops = new CpuOps(threads)) {
                Tensor out = poisoned(rows, cols);
                ops.rmsNorm(tensor(x, rows, cols), tensor(w, cols), 1e-6f, out);
                results.add(out.toFloatArray());
                out = poisoned(rows, cols);
                ops.layerNorm(tensor(x, rows, cols), tensor(w, cols), tensor(w, cols), 1e-6f, out);
                results.add(out.toFloatArray());
                out = poisoned(rows, cols);
                ops.softmax(tensor(x, rows, cols), out);
                results.add(out.toFloatArray());
                out = poisoned(rows, cols);
                ops.silu(tensor(x, rows, cols), out);
                results.add(out.toFloatArray());
                for (Gelu g : Gelu.values()) {
                    out = poisoned(rows, cols);
                    ops.gelu(tensor(x, rows, cols), g, out);
                    results.add(out.toFloatArray());
                }
                out = poisoned(rows, cols);
                ops.swiglu(tensor(x, rows, cols), tensor(y, rows, cols), out);
                results.add(out.toFloatArray());
                out = poisoned(rows, cols);
                ops.add(tensor(x, rows, cols), tensor(w, cols), out);
                results.add(out.toFloatArray());
                out = poisoned(rows, cols);
                ops.mul(tensor(x, rows, cols), tensor(y, rows, cols), out);
                results.add(out.toFloatArray());
                out = poisoned(rows, cols);
                ops.scale(tensor(x, rows, cols), 0.37f, out);
                results.add(out.toFloatArray());
                out = poisoned(tokens, 4, 64);
                ops.rope(tensor(r, tokens, 4, 64), 3, rope, out);
                results.add(out.toFloatArray());
                out = poisoned(5, hq, d);
                ops.attention(tensor(q, 5, hq, d), tensor(k, startPos + 5, hkv, d), tensor(v, startPos + 5, hkv, d), startPos,
                        0.125f, out);
                results.add(out.toFloatArray());
                out = poisoned(5, hq, d);
                ops.attention(tensor(q, 5, hq, d), kF16, vF16, startPos, 0.125f, out);
                results.add(out.toFloatArray());
                ops.argmax(tensor(x, rows, cols), argmax);
            }
            if (first == null) {
                first = results;
                firstArgmax = argmax;
            } else {
                for (int i = 0; i < results.size(); i++) {
                    assertBitwise("kernel #" + i + " with " + threads + " threads", first.get(i), results.get(i));
                }
                assertArrayEquals(firstArgmax, argmax);
            }
        }
    }
}
