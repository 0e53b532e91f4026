package dev.panamax.formats.safetensors;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;

import dev.panamax.tensor.Tensor;
import dev.panamax.tensor.testing.Seeded;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.channels.FileChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.Random;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.api.io.TempDir;

/** Offsets beyond 2 GiB: a sparse file whose only written bytes are the header and the last tensor. */
@ExtendWith(Seeded.class)
class SafetensorsLargeFileTest {
    @TempDir
    Path dir;

    @Test
    void tensors_past_2_gib_are_read_with_long_offsets(Random random) throws IOException {
        long big = 700_000_001L; // U8 [700000001] then F32: the tail starts 2.8 GB into the data
        long bigBytes = big * 4;
        float[] tail = Seeded.nonZeroFloats(random, 5, 10f);
        String json = "{\"big\":{\"dtype\":\"F32\",\"shape\":[" + big + "],\"data_offsets\":[0," + bigBytes + "]},"
                + "\"tail\":{\"dtype\":\"F32\",\"shape\":[5],\"data_offsets\":[" + bigBytes + "," + (bigBytes + 20) + "]}}";
        byte[] header = json.getBytes(StandardCharsets.UTF_8);
        Path file = dir.resolve("large.safetensors");
        try (FileChannel ch = FileChannel.open(file, StandardOpenOption.CREATE_NEW, StandardOpenOption.WRITE)) {
            ByteBuffer head = ByteBuffer.allocate(8 + header.length).order(ByteOrder.LITTLE_ENDIAN);
            head.putLong(header.length).put(header).flip();
            ch.write(head);
            ByteBuffer data = ByteBuffer.allocate(20).order(ByteOrder.LITTLE_ENDIAN);
            for (float v : tail) {
                data.putFloat(v);
            }
            data.flip();
            ch.write(data, 8 + header.length + bigBytes); // the gap stays a hole: no disk used
        }
        try (SafetensorsFile f = SafetensorsFile.open(file)) {
            assertEquals(8 + header.length + bigBytes + 20, f.fileSize());
            Tensor t = f.tensor("tail");
            assertEquals(8 + header.length + bigBytes, t.byteOffset());
            assertArrayEquals(tail, t.toFloatArray());
            Tensor b = f.tensor("big");
            assertEquals(0f, b.getFloat(big - 1), "the hole reads as zeros");
            assertEquals(big, b.numel());
        }
    }
}
