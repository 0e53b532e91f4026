package dev.panamax.formats.gguf;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;

import dev.panamax.tensor.DType;
import dev.panamax.tensor.Tensor;
import java.lang.foreign.MemorySegment;
import dev.panamax.tensor.testing.Seeded;
import java.io.IOException;
import java.lang.foreign.ValueLayout;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.channels.FileChannel;
import java.nio.channels.WritableByteChannel;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.Random;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.api.io.TempDir;

/** Files over 2 GiB: offsets are longs everywhere. Uses a sparse file, so it costs little disk. */
@ExtendWith(Seeded.class)
class GgufLargeFileTest {
    private static final long BIG = (1L << 31) + 64; // one I8 tensor just over 2 GiB

    @TempDir
    Path dir;

    @Test
    void a_tensor_whose_data_lies_past_2_GiB_reads_back(Random random) throws IOException {
        Assumptions.assumeTrue(Files.getFileStore(dir).getUsableSpace() > (3L << 30),
                "less than 3 GiB free for a 2 GiB sparse file (in case the file system does not support holes); skipping");
        long tailOffset = GgufParser.alignUp(BIG, 32);
        byte[] header = RawGguf.header(3, 2, 1).kvString("general.architecture", "sparse")
                .tensor("big", GgmlType.I8.id(), 0, BIG)
                .tensor("tail", GgmlType.F32.id(), tailOffset, 5, 3)
                .padTo(32).bytes();
        float[] values = Seeded.nonZeroFloats(random, 15, 4f);
        ByteBuffer tail = ByteBuffer.allocate(60).order(ByteOrder.LITTLE_ENDIAN);
        for (float v : values) {
            tail.putFloat(v);
        }
        tail.flip();
        Path file = dir.resolve("sparse.gguf");
        try (FileChannel ch = FileChannel.open(file, StandardOpenOption.CREATE_NEW, StandardOpenOption.WRITE, StandardOpenOption.SPARSE)) {
            ch.write(ByteBuffer.wrap(header));
            ch.position(header.length + tailOffset);
            ch.write(tail);
            ch.write(ByteBuffer.wrap(new byte[4]), header.length + tailOffset + 60); // pad to the alignment
        } catch (IOException e) {
            Assumptions.abort("the file system refused a sparse 2 GiB file: " + e);
        }
        try (GgufFile g = GgufFile.open(file)) {
            assertEquals(header.length + tailOffset + 64, g.fileSize());
            GgufTensorInfo info = g.findTensorInfo("tail").orElseThrow();
            assertEquals(tailOffset, info.offset());
            Tensor t = g.tensor("tail");
            assertArrayEquals(new long[] {3, 5}, t.shape());
            assertArrayEquals(values, t.toFloatArray());
            assertEquals(values[2 * 5 + 4], t.getFloat(2, 4));
            Tensor big = g.tensor("big");
            assertEquals(BIG, big.numel());
            assertEquals(0, big.data().get(ValueLayout.JAVA_BYTE, BIG - 1)); // the hole reads as zeros
            assertEquals(BIG, g.tensorBytes("big").byteSize());
        } finally {
            Files.deleteIfExists(file);
        }
    }

    /**
     * The writer streams a tensor of over 2 GiB and places the next one past 2^31. The stream goes to
     * a channel that keeps only its first and last bytes; those are put into a sparse file of the
     * stream's length, which the reader then checks.
     */
    @Test
    void the_writer_places_tensors_past_2_GiB(Random random) throws IOException {
        float[] values = Seeded.nonZeroFloats(random, 6, 2f);
        MemorySegment zeros = MemorySegment.ofArray(new byte[1 << 20]);
        GgufWriter w = new GgufWriter().putString("general.architecture", "sparse")
                .addTensor("big", GgmlType.I8, new long[] {BIG}, sink -> {
                    for (long left = BIG; left > 0; left -= zeros.byteSize()) {
                        sink.write(zeros.asSlice(0, Math.min(left, zeros.byteSize())));
                    }
                })
                .addTensor("tail", DType.F32, new long[] {2, 3}, MemorySegment.ofArray(values));
        EndsChannel ends = new EndsChannel(4096);
        w.write(ends);
        long tailOffset = GgufParser.alignUp(BIG, 32);
        Path file = dir.resolve("written.gguf");
        try (FileChannel ch = FileChannel.open(file, StandardOpenOption.CREATE_NEW, StandardOpenOption.WRITE, StandardOpenOption.SPARSE)) {
            ch.write(ByteBuffer.wrap(ends.head()));
            ch.write(ByteBuffer.wrap(ends.tail()), ends.total() - ends.tail().length);
        }
        try (GgufFile g = GgufFile.open(file)) {
            assertEquals(ends.total(), g.fileSize());
            assertEquals(tailOffset, g.findTensorInfo("tail").orElseThrow().offset());
            assertEquals(g.dataOffset() + tailOffset + 32, g.fileSize(), "24 bytes of data padded to 32");
            assertArrayEquals(values, g.tensor("tail").toFloatArray());
        } finally {
            Files.deleteIfExists(file);
        }
    }

    /** A channel that counts what it is given and keeps only the first and last {@code keep} bytes. */
    private static final class EndsChannel implements WritableByteChannel {
        private final byte[] head;
        private final byte[] ring;
        private long total;

        EndsChannel(int keep) {
            head = new byte[keep];
            ring = new byte[keep];
        }

        @Override
        public int write(ByteBuffer src) {
            int n = src.remaining();
            int p = src.position();
            int i = 0;
            while (i < n && total < head.length) {
                head[(int) total++] = src.get(p + i++);
            }
            int start = Math.max(i, n - ring.length); // bytes before this are neither head nor tail
            total += start - i;
            for (int k = start; k < n; k++) {
                ring[(int) (total++ % ring.length)] = src.get(p + k);
            }
            src.position(src.limit());
            return n;
        }

        byte[] head() {
            return java.util.Arrays.copyOf(head, (int) Math.min(total, head.length));
        }

        byte[] tail() {
            int n = (int) Math.min(total, ring.length);
            byte[] out = new byte[n];
            for (int i = 0; i < n; i++) {
                out[i] = ring[(int) ((total - n + i) % ring.length)];
            }
            return out;
        }

        long total() {
            return total;
        }

        @Override
        public boolean isOpen() {
            return true;
        }

        @Override
        public void close() {
        }
    }
}
