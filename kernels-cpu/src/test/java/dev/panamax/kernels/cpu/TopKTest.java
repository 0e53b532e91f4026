package dev.panamax.kernels.cpu;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import dev.panamax.tensor.testing.Seeded;
import java.util.Arrays;
import java.util.Comparator;
import java.util.Random;
import java.util.stream.IntStream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

@ExtendWith(Seeded.class)
class TopKTest {

    @Test
    void selects_the_k_largest_in_descending_order_like_a_full_sort(Random random) {
        for (int n : Fixtures.SIZES) {
            float[] row = Seeded.gaussian(random, n + 5, 1);
            for (int i = 0; i < n / 4; i++) {
                row[5 + random.nextInt(n)] = row[5 + random.nextInt(n)]; // ties
            }
            int k = 1 + random.nextInt(Math.min(n, 50));
            int[] idx = new int[k];
            float[] val = new float[k];
            assertEquals(k, TopK.select(row, 5, n, k, idx, val));
            Integer[] order = IntStream.range(0, n).boxed().toArray(Integer[]::new);
            Arrays.sort(order, Comparator.<Integer>comparingDouble(i -> -row[5 + i]).thenComparingInt(i -> i));
            for (int i = 0; i < k; i++) {
                assertEquals(order[i], idx[i], "rank " + i + " of top-" + k + " of " + n);
                assertEquals(row[5 + order[i]], val[i]);
            }
        }
    }

    @Test
    void k_larger_than_the_row_returns_the_whole_row_sorted_and_skips_nan() {
        float[] row = {3, Float.NaN, -1, 7};
        int[] idx = new int[6];
        float[] val = new float[6];
        assertEquals(3, TopK.select(row, 0, 4, 6, idx, val));
        assertArrayEquals(new int[] {3, 0, 2}, Arrays.copyOf(idx, 3));
        assertArrayEquals(new float[] {7, 3, -1}, Arrays.copyOf(val, 3));
        assertThrows(IllegalArgumentException.class, () -> TopK.select(row, 0, 4, 3, new int[2], new float[3]));
        assertThrows(IndexOutOfBoundsException.class, () -> TopK.select(row, 2, 4, 1, idx, val));
    }
}
