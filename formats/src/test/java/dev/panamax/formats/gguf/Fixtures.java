package dev.panamax.formats.gguf;

import java.io.IOException;
import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Random;

/** Small GGUF fixtures for tests. */
final class Fixtures {
    private Fixtures() {
    }

    /** Parses {@code bytes} as a GGUF image held in native memory that the returned file owns. */
    static GgufFile openBytes(byte[] bytes) {
        Arena arena = Arena.ofShared();
        try {
            MemorySegment seg = arena.allocate(Math.max(1, bytes.length), 64).asSlice(0, bytes.length);
            MemorySegment.copy(bytes, 0, seg, ValueLayout.JAVA_BYTE, 0, bytes.length);
            return GgufFile.of(Path.of("memory.gguf"), seg, arena);
        } catch (Throwable t) {
            arena.close();
            throw t;
        }
    }

    /** {@code n} random bytes. */
    static byte[] randomBytes(Random random, long n) {
        byte[] b = new byte[Math.toIntExact(n)];
        random.nextBytes(b);
        return b;
    }

    /**
     * A small model-like file: llama metadata incl. a tokenizer, and {@code tensorCount} tensors of
     * assorted types and odd shapes filled with random bytes.
     */
    static byte[] modelFile(Path dir, Random random, int tensorCount) throws IOException {
        GgufWriter w = new GgufWriter();
        w.putString("general.architecture", "llama").putString("general.name", "fixture")
                .putUInt32("llama.context_length", 256).putUInt32("llama.embedding_length", 64)
                .putUInt32("llama.block_count", 2).putUInt32("llama.feed_forward_length", 96)
                .putUInt32("llama.attention.head_count", 4).putUInt32("llama.attention.head_count_kv", 2)
                .putFloat32("llama.attention.layer_norm_rms_epsilon", 1e-5f).putUInt32("general.file_type", 1)
                .putString("tokenizer.ggml.model", "llama")
                .putStringArray("tokenizer.ggml.tokens", java.util.List.of("<unk>", "<s>", "</s>", "▁a", "é"))
                .putFloat32Array("tokenizer.ggml.scores", new float[] {0f, 0f, 0f, -1.5f, -2.25f})
                .putInt32Array("tokenizer.ggml.token_type", new int[] {2, 3, 3, 1, 1})
                .putUInt32("tokenizer.ggml.bos_token_id", 1).putUInt32("tokenizer.ggml.eos_token_id", 2);
        GgmlType[] types = {GgmlType.F32, GgmlType.F16, GgmlType.Q8_0, GgmlType.Q4_K, GgmlType.IQ2_XS, GgmlType.BF16};
        for (int i = 0; i < tensorCount; i++) {
            GgmlType t = types[i % types.length];
            long cols = (long) t.blockSize() * (1 + random.nextInt(3)) + (t.blockSize() == 1 ? random.nextInt(5) : 0);
            long rows = 1 + random.nextInt(5);
            long[] shape = i % 3 == 0 ? new long[] {cols} : new long[] {rows, cols};
            byte[] data = randomBytes(random, t.byteSizeOrMinusOne(cols, i % 3 == 0 ? 1 : rows));
            w.addTensor("t." + i, t, shape, sink -> sink.write(data, 0, data.length));
        }
        Path file = Files.createTempFile(dir, "fixture", ".gguf");
        w.write(file);
        return Files.readAllBytes(file);
    }
}
