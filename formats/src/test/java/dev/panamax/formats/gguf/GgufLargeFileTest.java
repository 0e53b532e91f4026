package dev.panamax.formats.gguf;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;

import dev.panamax.tensor.Tensor;
import dev.panamax.tensor.testing.Seeded;
import java.io.IOException;
import java.lang.foreign.ValueLayout;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.channels.FileChannel;
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
}
