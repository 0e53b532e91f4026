package dev.panamax.kernels.cpu;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import dev.panamax.tensor.DType;
import dev.panamax.tensor.Tensor;
import dev.panamax.tensor.testing.Seeded;
import java.lang.foreign.Arena;
import java.util.Random;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

/**
 * {@link CpuMatmul#matmuls} (several products in one parallel loop) against one {@link CpuMatmul#matmul} call per
 * product, bit for bit: each row is computed by the same loop either way, so any difference is a product reading
 * another's x, weights, quantization or rows. Random groups of 1 to 17 products of random dtypes (mixed within a
 * group, as a Q4_K_M file's experts are), odd row counts, products sharing one x (gate and up) or not, 1 to 4 rows
 * of x, on teams of 1 to 3 threads, with and without the scalar small-shape path (which sends the group back to
 * one call per product). Outputs are poisoned with NaN before each call.
 */
@ExtendWith(Seeded.class)
class MatmulGroupTest {
    private static final DType[] TYPES = {DType.F32, DType.BF16, DType.Q8_0, DType.Q4_0, DType.Q4_1, DType.Q5_0, DType.Q5_1,
            DType.Q2_K, DType.Q3_K, DType.Q4_K, DType.Q5_K, DType.Q6_K, DType.F16};
    private static final ParallelFor[] POOLS = {new ParallelFor(1), new ParallelFor(2), new ParallelFor(3)};

    @AfterAll
    static void close() {
        for (ParallelFor p : POOLS) {
            p.close();
        }
    }

    @Test
    void equals_one_matmul_per_product_bit_for_bit(Random random) {
        for (int trial = 0; trial < 25; trial++) {
            ParallelFor pool = POOLS[random.nextInt(POOLS.length)];
            long scalar = random.nextInt(4) == 0 ? SmallShapes.defaults().matmulWork() : 0;
            CpuMatmul grouped = new CpuMatmul(pool, null, scalar), single = new CpuMatmul(pool, null, scalar);
            int count = 1 + random.nextInt(17);
            int rows = random.nextInt(5) == 0 ? 1 + random.nextInt(4) : 1;
            try (Arena arena = Arena.ofShared()) {
                Tensor[] x = new Tensor[count], w = new Tensor[count], out = new Tensor[count], expected = new Tensor[count];
                for (int i = 0; i < count; i++) {
                    DType type = TYPES[random.nextInt(TYPES.length)];
                    boolean sameX = i > 0 && random.nextBoolean() && w[i - 1].size(1) % type.blockSize() == 0;
                    int k = sameX ? (int) w[i - 1].size(1) : type.blockSize() * (1 + random.nextInt(type.blockSize() == 256 ? 6 : 40));
                    int n = 1 + random.nextInt(300);
                    x[i] = sameX ? x[i - 1] : Tensor.of(arena, Seeded.gaussian(random, rows * k, 1.0), rows, k);
                    w[i] = MatmulFixtures.weight(arena, random, type, n, k);
                    out[i] = Tensor.allocate(arena, DType.F32, rows, n).fill(Float.NaN);
                    expected[i] = Tensor.allocate(arena, DType.F32, rows, n).fill(Float.NaN);
                    single.matmul(x[i], w[i], expected[i]);
                }
                grouped.matmuls(x, w, out, count);
                for (int i = 0; i < count; i++) {
                    float[] e = expected[i].toFloatArray(), a = out[i].toFloatArray();
                    for (int j = 0; j < e.length; j++) {
                        assertEquals(Float.floatToRawIntBits(e[j]), Float.floatToRawIntBits(a[j]), "trial " + trial + ", product " + i
                                + " of " + count + " (" + w[i].dtype() + " " + w[i].size(0) + " x " + w[i].size(1) + ", " + rows
                                + " rows, " + pool.threads() + " threads), value " + j);
                    }
                }
            }
        }
    }

    @Test
    void checks_every_product(Random random) {
        try (Arena arena = Arena.ofShared()) {
            CpuMatmul m = new CpuMatmul(POOLS[1], null, 0);
            Tensor x = Tensor.of(arena, Seeded.gaussian(random, 64, 1.0), 1, 64);
            Tensor w = MatmulFixtures.weight(arena, random, DType.Q8_0, 8, 64);
            Tensor wrong = MatmulFixtures.weight(arena, random, DType.Q8_0, 8, 96);
            Tensor out = Tensor.allocate(arena, DType.F32, 1, 8);
            assertThrows(IllegalArgumentException.class,
                    () -> m.matmuls(new Tensor[] {x, x}, new Tensor[] {w, wrong}, new Tensor[] {out, out}, 2));
        }
    }
}
