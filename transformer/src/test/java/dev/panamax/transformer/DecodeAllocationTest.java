package dev.panamax.transformer;

import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.panamax.tensor.Backends;
import dev.panamax.tensor.DType;
import dev.panamax.tensor.Ops;
import dev.panamax.tensor.testing.Models;
import java.lang.reflect.Method;
import java.nio.file.Path;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * Issue 18 target 6: a decoded token allocates nothing on the caller's thread, at positions it has not
 * decoded before too (a cache of row views per position would hide its cost from a benchmark that repeats
 * one position), with the KV cache in F32 and in F16. Measured with the JVM's per-thread allocation counter
 * over 432 decode steps of a model whose layers have not seen those positions, after a warm-up on another.
 */
class DecodeAllocationTest {
    @ParameterizedTest
    @ValueSource(strings = {"F32", "F16"})
    void decodingNewPositionsAllocatesNothingOnTheCallersThread(String cacheType) {
        Path file = Models.require("stories260K-f32.gguf");
        LoadOptions options = LoadOptions.defaults().withCacheType(DType.valueOf(cacheType));
        try (Ops ops = Backends.openCpu(1)) {
            // warm-up on a first model: the JIT profiles and compiles, and the backend's scratch (which grows with the
            // longest attention seen, doubling) reaches its size for these positions
            try (Model warm = Model.open(file, ops, options)) {
                decode(warm, 0, STEPS);
            }
            // measured on a second model on the same backend: its layers have never seen these positions
            try (Model model = Model.open(file, ops, options)) {
                decode(model, 0, 16); // its scratch's views of one row are made on first use
                long id = Thread.currentThread().threadId();
                long before = threadAllocatedBytes(id);
                decode(model, 16, STEPS);
                long bytes = threadAllocatedBytes(id) - before;
                int steps = STEPS - 16;
                // ~0: the counter's reflective reads allocate a few objects; it was 1,440 B per token with row views
                System.out.printf("%s cache: %d bytes in %d decode steps%n", cacheType, bytes, steps);
                assertTrue(bytes < 16L * steps, bytes + " bytes allocated in " + steps + " decode steps (" + bytes / steps
                        + " per token)");
            }
        }
    }

    private static final int STEPS = 448;

    private static void decode(Model model, int from, int to) {
        Transformer t = model.transformer();
        int[] token = new int[1];
        float[] logits = new float[model.config().vocabSize()];
        for (int pos = from; pos < to; pos++) {
            token[0] = 1 + pos % 300;
            t.forward(token, pos, logits);
        }
    }

    /**
     * com.sun.management.ThreadMXBean#getThreadAllocatedBytes, called reflectively: the tests are compiled inside
     * module dev.panamax.transformer, which does not read jdk.management (as formats' GgufAllocationTest).
     */
    private static long threadAllocatedBytes(long tid) {
        try {
            Object mx = Class.forName("java.lang.management.ManagementFactory").getMethod("getThreadMXBean").invoke(null);
            Class<?> type = Class.forName("com.sun.management.ThreadMXBean");
            Assumptions.assumeTrue(type.isInstance(mx), "this JVM has no per-thread allocation counter");
            Method get = type.getMethod("getThreadAllocatedBytes", long.class);
            long bytes = (Long) get.invoke(mx, tid);
            Assumptions.assumeTrue(bytes >= 0, "per-thread allocation counting is disabled");
            return bytes;
        } catch (ReflectiveOperationException e) {
            Assumptions.abort("no per-thread allocation counter: " + e);
            return -1;
        }
    }
}
