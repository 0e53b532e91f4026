package dev.panamax.formats.safetensors;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.panamax.formats.FormatException;
import dev.panamax.tensor.DType;
import dev.panamax.tensor.Tensor;
import dev.panamax.tensor.testing.Seeded;
import java.io.IOException;
import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Random;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.api.io.TempDir;

/**
 * DeepSeek V3's FP8 weights ({@code X.weight} F8_E4M3 with {@code X.weight_scale_inv} F32, one scale
 * per 128 x 128 block) read as BF16 (and F32), against a float64 dequantization written here from
 * the OCP FP8 definition. Shapes include partial edge blocks. Bounds: the float product
 * {@code e4m3 * scale} rounds once (relative 2^-24), BF16's round to nearest adds at most half its
 * 8-bit significand's unit, 2^-8 of the value.
 */
@ExtendWith(Seeded.class)
class BlockScaledFp8Test {
    @TempDir
    Path dir;

    /** E4M3 (bias 7, no infinities, S.1111.111 NaN) in double, from the bits. */
    private static double e4m3(byte b) {
        int exp = (b >>> 3) & 0xF, mant = b & 7;
        if (exp == 15 && mant == 7) {
            return Double.NaN;
        }
        double magnitude = exp == 0 ? mant / 8.0 * Math.pow(2, -6) : (1 + mant / 8.0) * Math.pow(2, exp - 7);
        return (b & 0x80) != 0 ? -magnitude : magnitude;
    }

    private record Weight(byte[] fp8, float[] scales, long rows, long cols) {
        long scaleRows() {
            return (rows + 127) / 128;
        }

        long scaleCols() {
            return (cols + 127) / 128;
        }

        double expected(long r, long c) {
            return e4m3(fp8[(int) (r * cols + c)]) * (double) scales[(int) ((r / 128) * scaleCols() + c / 128)];
        }
    }

    private static Weight weight(Random random, long rows, long cols) {
        byte[] fp8 = new byte[(int) (rows * cols)];
        random.nextBytes(fp8);
        int blocks = (int) (((rows + 127) / 128) * ((cols + 127) / 128));
        float[] scales = new float[blocks];
        for (int i = 0; i < blocks; i++) {
            scales[i] = (float) (Math.scalb(1.0 + random.nextDouble(), -12 + random.nextInt(10)));
        }
        return new Weight(fp8, scales, rows, cols);
    }

    private static void add(SafetensorsWriter w, String name, Weight x) {
        w.addRaw(name, SafetensorsDType.F8_E4M3, new long[] {x.rows, x.cols}, MemorySegment.ofArray(x.fp8));
        addScales(w, name, x);
    }

    private static void addScales(SafetensorsWriter w, String name, Weight x) {
        w.add(name + "_scale_inv", Tensor.of(Arena.ofAuto(), x.scales, x.scaleRows(), x.scaleCols()));
    }

    private static void assertDequantized(Weight x, Tensor t, double relativeBound) {
        assertArrayEquals(new long[] {x.rows, x.cols}, t.shape());
        for (long r = 0; r < x.rows; r++) {
            for (long c = 0; c < x.cols; c++) {
                double want = x.expected(r, c);
                double got = t.getDouble(r, c);
                if (Double.isNaN(want)) {
                    assertTrue(Double.isNaN(got), "NaN code at [" + r + ", " + c + "] gave " + got);
                } else {
                    assertEquals(want, got, relativeBound * Math.abs(want), "[" + r + ", " + c + "] of " + x.rows + " x " + x.cols);
                }
            }
        }
    }

    @Test
    void fp8_weights_with_block_scales_read_as_bf16_including_partial_edge_blocks(Random random) {
        Weight[] weights = {weight(random, 300, 200), weight(random, 256, 128), weight(random, 5, 7), weight(random, 129, 385)};
        SafetensorsWriter w = new SafetensorsWriter();
        for (int i = 0; i < weights.length; i++) {
            add(w, "layers." + i + ".weight", weights[i]);
        }
        Path file = dir.resolve("model.safetensors");
        w.write(file);
        double bf16 = 0x1p-8 + 0x1p-24;
        try (SafetensorsFile f = SafetensorsFile.open(file); Arena arena = Arena.ofConfined()) {
            for (int i = 0; i < weights.length; i++) {
                String name = "layers." + i + ".weight";
                Tensor t = f.tensor(name);
                assertEquals(DType.BF16, t.dtype());
                assertDequantized(weights[i], t, bf16);
                assertSame(t, f.tensor(name), "converted once, then handed out again");
                Tensor f32 = f.readF32(name, arena);
                assertEquals(DType.F32, f32.dtype());
                assertDequantized(weights[i], f32, 0x1p-24);
            }
        }
        try (ShardedCheckpoint c = ShardedCheckpoint.open(dir)) {
            assertDequantized(weights[0], c.tensor("layers.0.weight"), bf16);
        }
    }

    @Test
    void scales_in_another_shard_are_found_through_the_index(Random random) throws IOException {
        Weight x = weight(random, 130, 260);
        new SafetensorsWriter().addRaw("mlp.weight", SafetensorsDType.F8_E4M3, new long[] {x.rows, x.cols},
                MemorySegment.ofArray(x.fp8)).write(dir.resolve("a.safetensors"));
        SafetensorsWriter b = new SafetensorsWriter();
        addScales(b, "mlp.weight", x);
        b.write(dir.resolve("b.safetensors"));
        Path index = dir.resolve(ShardedCheckpoint.INDEX_FILE_NAME);
        Files.writeString(index, "{\"metadata\": {}, \"weight_map\": {\"mlp.weight\": \"a.safetensors\","
                + " \"mlp.weight_scale_inv\": \"b.safetensors\"}}", StandardCharsets.UTF_8);
        try (ShardedCheckpoint c = ShardedCheckpoint.open(index)) {
            assertDequantized(x, c.tensor("mlp.weight"), 0x1p-8 + 0x1p-24);
        }
    }

    @Test
    void a_scale_tensor_of_the_wrong_shape_is_named_with_the_shape_it_needs(Random random) {
        Weight x = weight(random, 200, 129);
        SafetensorsWriter w = new SafetensorsWriter();
        w.addRaw("w", SafetensorsDType.F8_E4M3, new long[] {x.rows, x.cols}, MemorySegment.ofArray(x.fp8));
        w.add("w_scale_inv", Tensor.of(Arena.ofAuto(), new float[] {1, 2}, 2, 1)); // needs [2, 2]
        Path file = dir.resolve("bad.safetensors");
        w.write(file);
        try (SafetensorsFile f = SafetensorsFile.open(file)) {
            FormatException e = assertThrows(FormatException.class, () -> f.tensor("w"));
            assertTrue(e.getMessage().contains("bad.safetensors") && e.getMessage().contains("w_scale_inv")
                    && e.getMessage().contains("[2, 1]") && e.getMessage().contains("[2, 2]"), e.getMessage());
        }
    }

    @Test
    void fp8_without_scales_still_cannot_be_viewed_in_place() {
        Path file = dir.resolve("plain.safetensors");
        new SafetensorsWriter().addRaw("w", SafetensorsDType.F8_E4M3, new long[] {2, 2},
                MemorySegment.ofArray(new byte[] {0x38, 0x40, (byte) 0xb8, 0x01})).write(file);
        try (SafetensorsFile f = SafetensorsFile.open(file); Arena arena = Arena.ofConfined()) {
            assertThrows(UnsupportedOperationException.class, () -> f.tensor("w"));
            assertArrayEquals(new float[] {1, 2, -1, 0x1p-9f}, f.readF32("w", arena).toFloatArray());
        }
    }

    @Test
    void the_converted_tensor_dies_with_the_file(Random random) {
        Weight x = weight(random, 3, 4);
        SafetensorsWriter w = new SafetensorsWriter();
        add(w, "w", x);
        Path file = dir.resolve("closed.safetensors");
        w.write(file);
        Tensor t;
        try (SafetensorsFile f = SafetensorsFile.open(file)) {
            t = f.tensor("w");
            assertDequantized(x, t, 0x1p-8 + 0x1p-24);
        }
        assertThrows(IllegalStateException.class, () -> t.getDouble(0, 0), "its memory is freed with the file");
    }
}
