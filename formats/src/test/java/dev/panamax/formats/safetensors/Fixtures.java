package dev.panamax.formats.safetensors;

import dev.panamax.tensor.DType;
import dev.panamax.tensor.Tensor;
import dev.panamax.tensor.testing.Seeded;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.channels.Channels;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Random;

/** Test files: hand-made headers and random valid checkpoints. */
final class Fixtures {
    private Fixtures() {}

    /** Writes {@code [length][header][data]} exactly as given, valid or not. */
    static Path writeRaw(Path file, long headerLength, byte[] header, byte[] data) {
        ByteBuffer b = ByteBuffer.allocate(8 + header.length + data.length).order(ByteOrder.LITTLE_ENDIAN);
        b.putLong(headerLength).put(header).put(data);
        return write(file, b.array());
    }

    /** Writes a file whose header is {@code json} (with its true length) followed by {@code data}. */
    static Path writeJson(Path file, String json, byte[] data) {
        byte[] header = json.getBytes(StandardCharsets.UTF_8);
        return writeRaw(file, header.length, header, data);
    }

    static Path write(Path file, byte[] bytes) {
        try {
            return Files.write(file, bytes);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    static byte[] read(Path file) {
        try {
            return Files.readAllBytes(file);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /** A random shape of rank 0 to 3 with odd sizes among them. */
    static long[] randomShape(Random random) {
        long[] shape = new long[random.nextInt(4)];
        for (int i = 0; i < shape.length; i++) {
            shape[i] = 1 + random.nextInt(i == shape.length - 1 ? 13 : 5);
        }
        return shape;
    }

    static long numel(long[] shape) {
        long n = 1;
        for (long d : shape) {
            n *= d;
        }
        return n;
    }

    /** Random non-zero bytes for a tensor of {@code type} and {@code shape} (BOOL: 0 and 1 only). */
    static MemorySegment randomBytes(Arena arena, Random random, SafetensorsDType type, long[] shape) {
        long n = numel(shape);
        MemorySegment s = arena.allocate(Math.max(1, n * type.byteSize())).asSlice(0, n * type.byteSize());
        for (long i = 0; i < s.byteSize(); i++) {
            s.set(java.lang.foreign.ValueLayout.JAVA_BYTE, i, (byte) (1 + random.nextInt(255)));
        }
        if (type == SafetensorsDType.BOOL) {
            for (long i = 0; i < n; i++) {
                s.set(java.lang.foreign.ValueLayout.JAVA_BYTE, i, (byte) random.nextInt(2));
            }
        }
        return s;
    }

    /** A random F32 tensor of {@code shape} in {@code type} (values never zero). */
    static Tensor randomFloats(Arena arena, Random random, DType type, long[] shape) {
        Tensor f32 = Tensor.of(arena, Seeded.nonZeroFloats(random, (int) numel(shape), 3f), shape);
        return type == DType.F32 ? f32 : f32.to(arena, type);
    }

    /**
     * The bytes of a valid file of 1 to 6 random tensors of random types and shapes, with metadata,
     * written by {@link SafetensorsWriter}.
     */
    static byte[] randomFileBytes(Random random) {
        SafetensorsDType[] types = SafetensorsDType.values();
        try (Arena arena = Arena.ofConfined()) {
            SafetensorsWriter w = new SafetensorsWriter().putMetadata("format", "pt").putMetadata("seed", "" + random.nextInt());
            int count = 1 + random.nextInt(6);
            for (int i = 0; i < count; i++) {
                SafetensorsDType type = types[random.nextInt(types.length)];
                long[] shape = randomShape(random);
                w.addRaw("layers." + i + ".weight", type, shape, randomBytes(arena, random, type, shape));
            }
            ByteArrayOutputStream out = new ByteArrayOutputStream();
            w.write(Channels.newChannel(out));
            return out.toByteArray();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /** A valid random file (see {@link #randomFileBytes}). */
    static Path randomFile(Path file, Random random) {
        return write(file, randomFileBytes(random));
    }
}
