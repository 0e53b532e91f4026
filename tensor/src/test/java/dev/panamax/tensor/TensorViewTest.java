package dev.panamax.tensor;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import dev.panamax.tensor.testing.Seeded;
import java.lang.foreign.Arena;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Random;
import java.util.function.Function;
import java.util.stream.IntStream;
import java.util.stream.Stream;
import org.junit.jupiter.api.DynamicTest;
import org.junit.jupiter.api.TestFactory;

/**
 * Every view must read the same elements as the same selection made on a plain Java array. The
 * model here is a shape plus a function from an index to a position in the original array,
 * composed by hand for each view, independent of strides.
 */
class TensorViewTest {

    /** A selection of the original array: shape, and where each index of it comes from. */
    private record Model(long[] shape, Function<long[], Long> source) {
    }

    @TestFactory
    Stream<DynamicTest> random_chains_of_views_read_like_the_same_selection_on_an_array() {
        return IntStream.range(0, 300).mapToObj(i -> DynamicTest.dynamicTest("case " + i,
                Seeded.replayable(() -> runCase(new Random(Seeded.seedFor("views", i))))));
    }

    private static void runCase(Random random) {
        try (Arena arena = Arena.ofConfined()) {
            int rank = 1 + random.nextInt(4);
            long[] shape = new long[rank];
            for (int d = 0; d < rank; d++) {
                shape[d] = 1 + random.nextInt(5);
            }
            int n = (int) Shapes.product(shape);
            float[] values = Seeded.nonZeroFloats(random, n, 100f);
            Tensor t = Tensor.of(arena, values, shape);
            long[] contiguous = Shapes.contiguousStrides(shape);
            Model m = new Model(shape, idx -> {
                long flat = 0;
                for (int d = 0; d < idx.length; d++) {
                    flat += idx[d] * contiguous[d];
                }
                return flat;
            });
            List<String> applied = new ArrayList<>();
            for (int step = 0; step < 4; step++) {
                Object[] next = applyRandomView(random, t, m, applied);
                t = (Tensor) next[0];
                m = (Model) next[1];
                assertSameElements(t, m, values, applied);
            }
            // a contiguous copy holds the same elements, and its writes do not reach the original
            Tensor copy = t.contiguous(arena);
            assertSameElements(copy, m, values, applied);
        }
    }

    private static Object[] applyRandomView(Random random, Tensor t, Model m, List<String> applied) {
        int rank = t.rank();
        long[] shape = t.shape();
        switch (random.nextInt(6)) {
            case 0 -> { // narrow
                if (rank == 0) {
                    break;
                }
                int d = random.nextInt(rank);
                long start = random.nextInt((int) shape[d]);
                long length = 1 + random.nextInt((int) (shape[d] - start));
                applied.add("narrow(" + d + "," + start + "," + length + ")");
                long[] s = shape.clone();
                s[d] = length;
                Function<long[], Long> src = m.source;
                return new Object[] {t.narrow(d, start, length), new Model(s, idx -> {
                    long[] j = idx.clone();
                    j[d] += start;
                    return src.apply(j);
                })};
            }
            case 1 -> { // select
                if (rank <= 1) {
                    break;
                }
                int d = random.nextInt(rank);
                long at = random.nextInt((int) shape[d]);
                applied.add("select(" + d + "," + at + ")");
                Function<long[], Long> src = m.source;
                return new Object[] {t.select(d, at), new Model(Shapes.remove(shape, d), idx -> {
                    long[] j = new long[idx.length + 1];
                    for (int k = 0, o = 0; k < j.length; k++) {
                        j[k] = k == d ? at : idx[o++];
                    }
                    return src.apply(j);
                })};
            }
            case 2 -> { // permute
                List<Integer> order = new ArrayList<>();
                for (int d = 0; d < rank; d++) {
                    order.add(d);
                }
                java.util.Collections.shuffle(order, random);
                int[] p = order.stream().mapToInt(Integer::intValue).toArray();
                applied.add("permute" + Arrays.toString(p));
                long[] s = new long[rank];
                for (int d = 0; d < rank; d++) {
                    s[d] = shape[p[d]];
                }
                Function<long[], Long> src = m.source;
                return new Object[] {t.permute(p), new Model(s, idx -> {
                    long[] j = new long[rank];
                    for (int d = 0; d < rank; d++) {
                        j[p[d]] = idx[d];
                    }
                    return src.apply(j);
                })};
            }
            case 3 -> { // expand a size-1 dimension or add a leading one
                long[] s = new long[rank + 1];
                s[0] = 1 + random.nextInt(3);
                for (int d = 0; d < rank; d++) {
                    s[d + 1] = shape[d] == 1 ? 1 + random.nextInt(3) : shape[d];
                }
                applied.add("expand" + Arrays.toString(s));
                Function<long[], Long> src = m.source;
                return new Object[] {t.expand(s), new Model(s, idx -> {
                    long[] j = new long[rank];
                    for (int d = 0; d < rank; d++) {
                        j[d] = shape[d] == 1 ? 0 : idx[d + 1];
                    }
                    return src.apply(j);
                })};
            }
            case 4 -> { // reshape: a view when possible, else a documented error
                long[] s = randomFactorization(random, Shapes.product(shape));
                applied.add("reshape" + Arrays.toString(s));
                long[] oldShape = shape;
                Function<long[], Long> src = m.source;
                Model reshaped = new Model(s, idx -> {
                    long flat = 0;
                    long[] st = Shapes.contiguousStrides(s);
                    for (int d = 0; d < idx.length; d++) {
                        flat += idx[d] * st[d];
                    }
                    long[] j = new long[oldShape.length];
                    long[] ost = Shapes.contiguousStrides(oldShape);
                    for (int d = 0; d < j.length; d++) {
                        j[d] = flat / ost[d];
                        flat %= ost[d];
                    }
                    return src.apply(j);
                });
                if (Shapes.viewStrides(shape, t.strides(), s) == null) {
                    assertThrows(IllegalArgumentException.class, () -> t.reshape(s));
                    applied.add("(no view: error)");
                    break;
                }
                return new Object[] {t.reshape(s), reshaped};
            }
            default -> { // transpose two dims
                if (rank < 2) {
                    break;
                }
                int a = random.nextInt(rank);
                int b = random.nextInt(rank);
                applied.add("transpose(" + a + "," + b + ")");
                long[] s = shape.clone();
                s[a] = shape[b];
                s[b] = shape[a];
                Function<long[], Long> src = m.source;
                return new Object[] {t.transpose(a, b), new Model(s, idx -> {
                    long[] j = idx.clone();
                    j[a] = idx[b];
                    j[b] = idx[a];
                    return src.apply(j);
                })};
            }
        }
        return new Object[] {t, m};
    }

    private static long[] randomFactorization(Random random, long n) {
        List<Long> dims = new ArrayList<>();
        long rest = n;
        while (rest > 1 && dims.size() < 3) {
            List<Long> divisors = new ArrayList<>();
            for (long d = 1; d <= rest; d++) {
                if (rest % d == 0) {
                    divisors.add(d);
                }
            }
            long d = divisors.get(random.nextInt(divisors.size()));
            dims.add(d);
            rest /= d;
        }
        dims.add(rest);
        if (random.nextBoolean()) {
            dims.add(random.nextInt(dims.size() + 1), 1L);
        }
        return dims.stream().mapToLong(Long::longValue).toArray();
    }

    private static void assertSameElements(Tensor t, Model m, float[] values, List<String> applied) {
        assertArrayEquals(m.shape, t.shape(), () -> "shape after " + applied);
        Shapes.forEachIndex(m.shape, idx -> assertEquals(values[(int) (long) m.source.apply(idx)], t.getFloat(idx), 0f,
                () -> "element " + Arrays.toString(idx) + " after " + applied));
        float[] flat = t.toFloatArray();
        int[] k = {0};
        Shapes.forEachIndex(m.shape, idx -> assertEquals(values[(int) (long) m.source.apply(idx)], flat[k[0]++], 0f));
    }
}
