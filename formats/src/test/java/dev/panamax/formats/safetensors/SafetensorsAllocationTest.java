package dev.panamax.formats.safetensors;

import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.panamax.tensor.DType;
import dev.panamax.tensor.Tensor;
import dev.panamax.tensor.testing.Seeded;
import java.lang.foreign.Arena;
import java.lang.reflect.Method;
import java.nio.file.Path;
import java.util.Random;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.api.io.TempDir;

/** Opening a file maps its data: the Java heap pays for the header, never for the tensors. */
@ExtendWith(Seeded.class)
class SafetensorsAllocationTest {
    private static final Object THREAD_BEAN;
    private static final Method ALLOCATED_BYTES;

    static {
        try {
            THREAD_BEAN = Class.forName("java.lang.management.ManagementFactory").getMethod("getThreadMXBean").invoke(null);
            ALLOCATED_BYTES = Class.forName("com.sun.management.ThreadMXBean").getMethod("getCurrentThreadAllocatedBytes");
        } catch (ReflectiveOperationException e) {
            throw new ExceptionInInitializerError(e);
        }
    }

    @TempDir
    Path dir;

    @Test
    void few_large_tensors_allocate_a_bounded_multiple_of_the_header_not_of_the_data(Random random) {
        check(random, 12, 512, 24 << 20);
    }

    @Test
    void many_small_tensors_allocate_in_proportion_to_the_header(Random random) {
        check(random, 1500, 1, 0);
    }

    /** Writes {@code count} F32 tensors of {@code rows} x ~1024, then measures opening and viewing them all. */
    private void check(Random random, int count, int rows, long minData) {
        Path file = dir.resolve("big.safetensors");
        try (Arena arena = Arena.ofConfined()) {
            SafetensorsWriter w = new SafetensorsWriter().putMetadata("format", "pt");
            for (int i = 0; i < count; i++) {
                long[] shape = {rows, rows == 1 ? 1 + random.nextInt(7) : 1024 + i};
                w.add("model.layers." + i + ".weight", Fixtures.randomFloats(arena, random, DType.F32, shape));
            }
            w.write(file);
        }
        long headerBytes;
        long dataBytes;
        try (SafetensorsFile f = SafetensorsFile.open(file)) { // warm-up: class loading allocates too
            headerBytes = f.dataStart() - 8;
            dataBytes = f.fileSize() - f.dataStart();
            viewAll(f);
        }
        assertTrue(dataBytes >= minData);
        long best = Long.MAX_VALUE;
        for (int round = 0; round < 3; round++) { // the least of a few rounds: a JIT or GC hiccup is not the reader's
            long before = allocatedBytes();
            try (SafetensorsFile f = SafetensorsFile.open(file)) {
                viewAll(f);
            }
            best = Math.min(best, allocatedBytes() - before);
        }
        // the header copy, its parse (names, infos, maps) and a Tensor per entry: measured ~16-18 x header; allow 32 x + 64 KiB
        long bound = 32 * headerBytes + 64 * 1024;
        assertTrue(best < bound, "opening allocated " + best + " bytes for a " + headerBytes + "-byte header (bound " + bound + ")");
    }

    private static void viewAll(SafetensorsFile f) {
        double sum = 0;
        for (String name : f.tensorNames()) {
            Tensor t = f.tensor(name);
            sum += t.getFloat(0, 0) + t.getFloat(t.size(0) - 1, t.size(1) - 1);
        }
        assertTrue(sum != 0);
    }

    /**
     * {@code com.sun.management.ThreadMXBean#getCurrentThreadAllocatedBytes()}, called reflectively
     * because the module under test does not read java.management (the tests run on the class path).
     */
    private static long allocatedBytes() {
        try {
            return (long) ALLOCATED_BYTES.invoke(THREAD_BEAN);
        } catch (ReflectiveOperationException e) {
            throw new AssertionError(e);
        }
    }
}
