package dev.panamax.formats.gguf;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.panamax.tensor.DType;
import java.io.IOException;
import java.lang.reflect.Method;
import java.nio.file.Path;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Opening a file maps it; the heap cost is the header (metadata and tensor table), never the data.
 * Measured with the JVM's per-thread allocation counter around open + reading all metadata.
 */
class GgufAllocationTest {
    private static final int TENSORS = 600;

    @TempDir
    Path dir;

    private Path file(String name, int bytesPerTensor) throws IOException {
        GgufWriter w = new GgufWriter().putString("general.architecture", "llama").putUInt32("llama.block_count", 2);
        byte[] data = new byte[bytesPerTensor];
        for (int i = 0; i < TENSORS; i++) {
            w.addTensor(String.format("blk.%d.ffn_up.weight", i), DType.I8, new long[] {bytesPerTensor}, sink -> sink.write(data, 0, data.length));
        }
        Path p = dir.resolve(name);
        w.write(p);
        return p;
    }

    private static long allocatedWhileOpening(Path p) throws IOException {
        long tid = Thread.currentThread().threadId();
        long before = threadAllocatedBytes(tid);
        try (GgufFile g = GgufFile.open(p)) {
            for (String k : g.metadata().keys()) {
                g.metadata().get(k);
            }
            assertEquals(TENSORS, g.tensorInfos().size());
        }
        return threadAllocatedBytes(tid) - before;
    }

    /**
     * com.sun.management.ThreadMXBean#getThreadAllocatedBytes, called reflectively: the tests are
     * compiled inside module dev.panamax.formats, which does not (and should not) read jdk.management.
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

    @Test
    void opening_allocates_per_header_entry_not_per_data_byte() throws IOException {
        Path small = file("small.gguf", 64);
        Path big = file("big.gguf", 16 * 1024); // 16x the data: 9.8 MB
        for (int warmup = 0; warmup < 3; warmup++) {
            allocatedWhileOpening(small);
            allocatedWhileOpening(big);
        }
        long a = allocatedWhileOpening(small);
        long b = allocatedWhileOpening(big);
        System.out.printf("opening %d-tensor files allocated %,d bytes (64 B per tensor) and %,d bytes (16 KiB per tensor)%n", TENSORS, a, b);
        // Per tensor: the record (~40 B), its name (String + bytes, ~64 B, plus the ~40 B read buffer),
        // the shape (~40 B, and ~40 B for the record's defensive copy), a map node and table and list
        // slots (~45 B): about 250 B, bounded at 320 B. 32 KiB for the metadata and the constant rest.
        long bound = 32 * 1024 + TENSORS * 320L;
        assertTrue(a < bound, "opening the small file allocated " + a + " bytes, bound " + bound);
        assertTrue(b < bound, "opening the big file allocated " + b + " bytes, bound " + bound);
        assertTrue(Math.abs(b - a) < 16 * 1024, "allocation must not grow with the data: " + a + " vs " + b + " bytes");
    }
}
