package dev.panamax.formats.quant;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.fail;

import dev.panamax.tensor.DType;
import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.util.Locale;
import java.util.zip.GZIPInputStream;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

/**
 * Known answers produced by ggml itself (see {@code ggml/README.md} next to the fixtures): six rows of
 * 512 floats, each quantized by ggml's {@code quantize_row_<type>_ref} and decoded again by its
 * {@code dequantize_row_<type>}. Our codecs must give the same bytes and the same float bits, so no
 * tolerance applies. The rows cover N(0,1), N(0,0.02), outliers, values small enough for f16 subnormal
 * scales, all-zero and all-equal blocks and super-blocks, and an all-positive half row.
 */
class QuantsGgmlVectorsTest {
    private static final int ROWS = 6;
    private static final int N = 512;

    @ParameterizedTest
    @EnumSource(names = {"Q4_0", "Q4_1", "Q5_0", "Q5_1", "Q8_0", "Q8_1", "Q2_K", "Q3_K", "Q4_K", "Q5_K", "Q6_K",
            "Q8_K", "MXFP4"})
    void quantizeRow_gives_ggml_reference_bytes(DType type) throws IOException {
        float[] input = floats(read("input.f32"));
        byte[] expected = read(name(type) + ".blocks");
        long rowBytes = type.byteSize(N);
        assertEquals(ROWS * rowBytes, expected.length, type + " fixture size");
        try (Arena arena = Arena.ofConfined()) {
            MemorySegment out = arena.allocate(expected.length);
            for (int r = 0; r < ROWS; r++) {
                Quants.quantizeRow(type, input, r * N, N, out, r * rowBytes);
                for (long b = 0; b < rowBytes; b++) {
                    byte got = out.get(ValueLayout.JAVA_BYTE, r * rowBytes + b);
                    byte want = expected[(int) (r * rowBytes + b)];
                    if (got != want) {
                        fail(String.format(Locale.ROOT,
                                "%s row %d: first differing byte %d (block %d, byte %d in block): ggml 0x%02x, ours 0x%02x",
                                type, r, b, b / type.bytesPerBlock(), b % type.bytesPerBlock(), want & 0xFF, got & 0xFF));
                    }
                }
            }
        }
    }

    /** Q8_1 is absent: ggml has no dequantize_row_q8_1 (it is only an activation format for dot products). */
    @ParameterizedTest
    @EnumSource(names = {"Q4_0", "Q4_1", "Q5_0", "Q5_1", "Q8_0", "Q2_K", "Q3_K", "Q4_K", "Q5_K", "Q6_K", "Q8_K", "MXFP4"})
    void dequantizeRow_gives_ggml_reference_float_bits(DType type) throws IOException {
        byte[] blocks = read(name(type) + ".blocks");
        float[] expected = floats(gunzip(read(name(type) + ".dequant.f32.gz")));
        assertEquals(ROWS * N, expected.length, type + " fixture size");
        long rowBytes = type.byteSize(N);
        MemorySegment src = MemorySegment.ofArray(blocks);
        float[] got = new float[N];
        for (int r = 0; r < ROWS; r++) {
            Quants.dequantizeRow(type, src, r * rowBytes, got, 0, N);
            for (int i = 0; i < N; i++) {
                int want = Float.floatToRawIntBits(expected[r * N + i]);
                int ours = Float.floatToRawIntBits(got[i]);
                if (want != ours) {
                    fail(String.format(Locale.ROOT, "%s row %d: first differing value %d: ggml %s (0x%08x), ours %s (0x%08x)",
                            type, r, i, expected[r * N + i], want, got[i], ours));
                }
            }
        }
    }

    private static String name(DType type) {
        return type.name().toLowerCase(Locale.ROOT);
    }

    static byte[] read(String file) throws IOException {
        try (InputStream in = QuantsGgmlVectorsTest.class.getResourceAsStream("ggml/" + file)) {
            assertNotNull(in, "missing test fixture ggml/" + file);
            return in.readAllBytes();
        }
    }

    static byte[] gunzip(byte[] gz) throws IOException {
        try (InputStream in = new GZIPInputStream(new ByteArrayInputStream(gz))) {
            return in.readAllBytes();
        }
    }

    static float[] floats(byte[] bytes) {
        float[] f = new float[bytes.length / Float.BYTES];
        ByteBuffer.wrap(bytes).order(ByteOrder.LITTLE_ENDIAN).asFloatBuffer().get(f);
        return f;
    }
}
