package dev.panamax.tensor.testing;

import java.util.Random;
import org.junit.jupiter.api.extension.ExtensionContext;
import org.junit.jupiter.api.extension.ParameterContext;
import org.junit.jupiter.api.extension.ParameterResolver;
import org.junit.jupiter.api.extension.TestWatcher;

/**
 * Seeded randomness for property tests: fresh data every run, reproducible on failure.
 *
 * <p>A test method that declares a {@link Random} parameter gets one seeded from the run's base
 * seed and the test's name. The base seed is {@code -Dpanamax.seed=N} if given, else new each run.
 * When a test fails, the seed is printed with the flag that replays it.
 *
 * <pre>{@code
 * @ExtendWith(Seeded.class)
 * class MyTest {
 *     @Test void property(Random random) { ... }
 * }
 * }</pre>
 */
public final class Seeded implements ParameterResolver, TestWatcher {
    /** The base seed of this JVM's run. */
    public static final long BASE_SEED = Long.getLong("panamax.seed", System.nanoTime() ^ 0x5DEECE66DL);

    @Override
    public boolean supportsParameter(ParameterContext p, ExtensionContext e) {
        return p.getParameter().getType() == Random.class;
    }

    @Override
    public Object resolveParameter(ParameterContext p, ExtensionContext e) {
        return new Random(seedFor(e));
    }

    @Override
    public void testFailed(ExtensionContext e, Throwable cause) {
        System.err.printf("%n*** %s failed with seed %d (base seed %d); replay with -Dpanamax.seed=%d%n",
                e.getDisplayName(), seedFor(e), BASE_SEED, BASE_SEED);
    }

    /**
     * {@code test}, with any failure rethrown naming the base seed that replays it: for dynamic and
     * parameterized cases seeded by {@link #seedFor(String, int)}, which the watcher does not see.
     */
    public static org.junit.jupiter.api.function.Executable replayable(org.junit.jupiter.api.function.Executable test) {
        return () -> {
            try {
                test.execute();
            } catch (AssertionError | RuntimeException e) {
                throw new AssertionError(e.getMessage() + " (replay with -Dpanamax.seed=" + BASE_SEED + ")", e);
            }
        };
    }

    /** The seed of one test: the base seed mixed with the test's unique id. */
    public static long seedFor(ExtensionContext e) {
        return mix(BASE_SEED, e.getUniqueId().hashCode());
    }

    /** A seed derived from the base seed and a case number (for dynamic and parameterized cases). */
    public static long seedFor(String test, int caseIndex) {
        return mix(BASE_SEED, test.hashCode() * 31L + caseIndex);
    }

    private static long mix(long a, long b) {
        long z = a + 0x9E3779B97F4A7C15L * (b + 1);
        z = (z ^ (z >>> 30)) * 0xBF58476D1CE4E5B9L;
        z = (z ^ (z >>> 27)) * 0x94D049BB133111EBL;
        return z ^ (z >>> 31);
    }

    /**
     * Floats drawn uniformly from [-1, -0.01] and [0.01, 1] scaled by {@code scale}: never zero, so a
     * kernel that skips or zeroes work cannot pass by accident.
     */
    public static float[] nonZeroFloats(Random random, int n, float scale) {
        float[] a = new float[n];
        for (int i = 0; i < n; i++) {
            float m = 0.01f + 0.99f * random.nextFloat();
            a[i] = (random.nextBoolean() ? m : -m) * scale;
        }
        return a;
    }

    /** Gaussian floats with standard deviation {@code sigma}, redrawn where exactly zero. */
    public static float[] gaussian(Random random, int n, double sigma) {
        float[] a = new float[n];
        for (int i = 0; i < n; i++) {
            float v;
            do {
                v = (float) (random.nextGaussian() * sigma);
            } while (v == 0f);
            a[i] = v;
        }
        return a;
    }
}
