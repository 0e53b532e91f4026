package dev.panamax.formats.gguf;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.panamax.tensor.DType;
import dev.panamax.tensor.Tensor;
import dev.panamax.tensor.TensorClosedException;
import dev.panamax.tensor.testing.Seeded;
import java.io.IOException;
import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.NoSuchElementException;
import java.util.Random;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.api.io.TempDir;

@ExtendWith(Seeded.class)
class GgufRoundTripTest {
    @TempDir
    Path dir;

    private static long[] randomShape(Random random, int blockSize) {
        int rank = 1 + random.nextInt(4);
        long[] shape = new long[rank];
        for (int d = 0; d < rank - 1; d++) {
            shape[d] = 1 + random.nextInt(3);
        }
        shape[rank - 1] = (long) blockSize * (1 + random.nextInt(3)) + (blockSize == 1 ? random.nextInt(7) : 0);
        return shape;
    }

    @Test
    void every_dtype_round_trips_bytes_shape_and_type(Random random) throws IOException {
        GgufWriter w = new GgufWriter();
        Map<String, byte[]> expected = new LinkedHashMap<>();
        Map<String, long[]> shapes = new LinkedHashMap<>();
        try (Arena arena = Arena.ofConfined()) {
            for (DType t : DType.values()) {
                long[] shape = randomShape(random, t.blockSize());
                long n = 1;
                for (long s : shape) {
                    n *= s;
                }
                byte[] bytes = Fixtures.randomBytes(random, t.byteSize(n));
                MemorySegment seg = arena.allocate(bytes.length);
                MemorySegment.copy(bytes, 0, seg, ValueLayout.JAVA_BYTE, 0, bytes.length);
                w.addTensor("raw." + t, t, shape, seg);
                expected.put("raw." + t, bytes);
                shapes.put("raw." + t, shape);
                // the Tensor overload, through a tensor wrapping the same bytes
                w.addTensor("tensor." + t, Tensor.wrap(seg, 0, t, shape));
                expected.put("tensor." + t, bytes);
                shapes.put("tensor." + t, shape);
            }
            Path file = dir.resolve("all-dtypes.gguf");
            w.write(file);
            try (GgufFile g = GgufFile.open(file)) {
                assertEquals(3, g.version());
                assertEquals(expected.size(), g.tensorInfos().size());
                for (var e : expected.entrySet()) {
                    String name = e.getKey();
                    DType t = DType.valueOf(name.substring(name.indexOf('.') + 1));
                    GgufTensorInfo info = g.findTensorInfo(name).orElseThrow();
                    assertEquals(t, info.dtype(), name);
                    assertEquals(t.ggmlId(), info.ggmlType(), name);
                    assertArrayEquals(shapes.get(name), info.shape(), name);
                    Tensor x = g.tensor(name);
                    assertEquals(t, x.dtype());
                    assertArrayEquals(shapes.get(name), x.shape(), name);
                    assertArrayEquals(e.getValue(), x.data().toArray(ValueLayout.JAVA_BYTE), name);
                    assertEquals(0, info.offset() % 32, name);
                }
            }
        }
    }

    @Test
    void plain_tensor_values_survive_the_round_trip(Random random) throws IOException {
        try (Arena arena = Arena.ofConfined()) {
            float[] values = Seeded.gaussian(random, 5 * 7, 1.0);
            Tensor src = Tensor.of(arena, values, 5, 7);
            Tensor half = src.to(arena, DType.F16);
            Path file = dir.resolve("values.gguf");
            new GgufWriter().addTensor("w", src).addTensor("h", half).write(file);
            try (GgufFile g = GgufFile.open(file)) {
                Tensor w = g.tensor("w");
                assertArrayEquals(new long[] {5, 7}, w.shape());
                assertArrayEquals(new long[] {7, 5}, g.findTensorInfo("w").orElseThrow().ne());
                assertArrayEquals(values, w.toFloatArray());
                assertArrayEquals(half.toFloatArray(), g.tensor("h").toFloatArray());
                assertEquals(values[3 * 7 + 4], w.getFloat(3, 4));
            }
        }
    }

    @Test
    void types_without_a_dtype_open_and_fail_only_when_used(Random random) throws IOException {
        GgufWriter w = new GgufWriter();
        Map<String, byte[]> data = new LinkedHashMap<>();
        for (GgmlType t : GgmlType.values()) {
            if (t.dtype().isPresent()) {
                continue;
            }
            long[] shape = {2, t.blockSize()};
            byte[] b = Fixtures.randomBytes(random, 2L * t.bytesPerBlock());
            w.addTensor("x." + t, t, shape, sink -> sink.write(b, 0, b.length));
            data.put("x." + t, b);
        }
        w.addTensor("ok", DType.F32, new long[] {3}, MemorySegment.ofArray(new float[] {1.5f, -2f, 3.25f}));
        Path file = dir.resolve("iq.gguf");
        w.write(file);
        try (GgufFile g = GgufFile.open(file)) {
            assertArrayEquals(new float[] {1.5f, -2f, 3.25f}, g.tensor("ok").toFloatArray());
            for (var e : data.entrySet()) {
                GgufTensorInfo info = g.findTensorInfo(e.getKey()).orElseThrow();
                assertFalse(info.isSupported());
                UnsupportedTensorTypeException ex = assertThrows(UnsupportedTensorTypeException.class, () -> g.tensor(e.getKey()));
                assertEquals(e.getKey(), ex.tensorName());
                assertEquals(info.ggmlType(), ex.ggmlType());
                assertTrue(ex.getMessage().contains(info.type().name()) && ex.getMessage().contains(e.getKey())
                        && ex.getMessage().contains(String.valueOf(info.ggmlType())), ex.getMessage());
                assertArrayEquals(e.getValue(), g.tensorBytes(e.getKey()).toArray(ValueLayout.JAVA_BYTE));
            }
        }
    }

    @Test
    void every_metadata_type_round_trips_with_its_type(Random random) throws IOException {
        GgufWriter w = new GgufWriter();
        w.putUInt8("u8", 255).putInt8("i8", -128).putUInt16("u16", 65535).putInt16("i16", -32768)
                .putUInt32("u32", 0xFFFF_FFFFL).putInt32("i32", Integer.MIN_VALUE).putUInt64("u64", -1L)
                .putInt64("i64", Long.MIN_VALUE).putFloat32("f32", random.nextFloat() - 0.5f).putFloat64("f64", random.nextGaussian())
                .putBool("t", true).putBool("f", false).putString("s", "Grüße, 世界 🦙").putString("empty", "");
        int n = 1 + random.nextInt(20);
        List<String> strings = new ArrayList<>();
        for (int i = 0; i < n; i++) {
            strings.add(i % 3 == 0 ? "" : "tok" + random.nextInt() + (i % 2 == 0 ? "▁é" : ""));
        }
        float[] floats = Seeded.nonZeroFloats(random, n, 10);
        w.putStringArray("a.s", strings).putFloat32Array("a.f32", floats).putInt32Array("a.i32", random.ints(n).toArray());
        List<Object> u8 = new ArrayList<>();
        List<Object> u16 = new ArrayList<>();
        List<Object> u32 = new ArrayList<>();
        for (int i = 0; i < n; i++) {
            u8.add(random.nextInt(256));
            u16.add(random.nextInt(65536));
            u32.add(random.nextLong(1L << 32));
        }
        w.putArray("a.u8", GgufArray.of(GgufValueType.UINT8, u8)).putArray("a.i8", GgufArray.of(GgufValueType.INT8, List.of(-1, 7, -128)))
                .putArray("a.u16", GgufArray.of(GgufValueType.UINT16, u16)).putArray("a.i16", GgufArray.of(GgufValueType.INT16, List.of(-2, 300)))
                .putArray("a.u32", GgufArray.of(GgufValueType.UINT32, u32)).putArray("a.u64", GgufArray.of(GgufValueType.UINT64, List.of(-1L, 5L)))
                .putArray("a.i64", GgufArray.ofInt64(random.longs(n).toArray())).putArray("a.f64", GgufArray.ofFloat64(random.doubles(n).toArray()))
                .putArray("a.bool", GgufArray.ofBool(true, false, true)).putArray("a.empty", GgufArray.of(GgufValueType.INT32, List.of()));
        GgufArray nested = GgufArray.ofArrays(List.of(
                GgufArray.ofInt32(1, 2, 3),
                GgufArray.ofArrays(List.of(GgufArray.ofStrings(List.of("deep", "ünïcode")), GgufArray.ofFloat32())),
                GgufArray.ofStrings(List.of())));
        w.putArray("a.nested", nested);
        Path file = dir.resolve("meta.gguf");
        w.write(file);

        try (GgufFile g = GgufFile.open(file)) {
            GgufMetadata md = g.metadata();
            assertEquals(List.of("u8", "i8", "u16", "i16", "u32", "i32", "u64", "i64", "f32", "f64", "t", "f", "s", "empty", "a.s", "a.f32",
                    "a.i32", "a.u8", "a.i8", "a.u16", "a.i16", "a.u32", "a.u64", "a.i64", "a.f64", "a.bool", "a.empty", "a.nested"),
                    List.copyOf(md.keys()));
            assertEquals(255, md.get("u8"));
            assertEquals(-128, md.get("i8"));
            assertEquals(65535, md.get("u16"));
            assertEquals(-32768, md.get("i16"));
            assertEquals(0xFFFF_FFFFL, md.get("u32"));
            assertEquals(Integer.MIN_VALUE, md.get("i32"));
            assertEquals(-1L, md.get("u64"));
            assertEquals(Long.MIN_VALUE, md.getLong("i64"));
            assertInstanceOf(Float.class, md.get("f32"));
            assertInstanceOf(Double.class, md.get("f64"));
            assertEquals(true, md.getBoolean("t"));
            assertEquals(false, md.getBoolean("f"));
            assertEquals("Grüße, 世界 🦙", md.getString("s"));
            assertEquals("", md.getString("empty"));
            for (String k : List.of("u8", "i8", "u16", "i16", "u32", "i32", "u64", "i64", "f32", "f64", "t", "s")) {
                GgufValueType expected = switch (k) {
                    case "u8" -> GgufValueType.UINT8;
                    case "i8" -> GgufValueType.INT8;
                    case "u16" -> GgufValueType.UINT16;
                    case "i16" -> GgufValueType.INT16;
                    case "u32" -> GgufValueType.UINT32;
                    case "i32" -> GgufValueType.INT32;
                    case "u64" -> GgufValueType.UINT64;
                    case "i64" -> GgufValueType.INT64;
                    case "f32" -> GgufValueType.FLOAT32;
                    case "f64" -> GgufValueType.FLOAT64;
                    case "t" -> GgufValueType.BOOL;
                    default -> GgufValueType.STRING;
                };
                assertEquals(expected, md.typeOf(k), k);
            }
            assertEquals(strings, md.getStringArray("a.s"));
            assertArrayEquals(floats, md.getFloatArray("a.f32"));
            assertEquals(u8, md.getArray("a.u8"));
            assertEquals(List.of(-1, 7, -128), md.getArray("a.i8"));
            assertEquals(u16, md.getArray("a.u16"));
            assertEquals(List.of(-2, 300), md.getArray("a.i16"));
            assertEquals(u32, md.getArray("a.u32"));
            assertEquals(List.of(-1L, 5L), md.getArray("a.u64"));
            assertEquals(List.of(true, false, true), md.getArray("a.bool"));
            assertEquals(GgufValueType.INT32, md.getArray("a.empty").elementType());
            assertEquals(0, md.getArray("a.empty").size());
            GgufArray back = md.getArray("a.nested");
            assertEquals(nested, back);
            assertEquals(GgufValueType.ARRAY, back.elementType());
            assertEquals(GgufValueType.STRING, ((GgufArray) ((GgufArray) back.get(1)).get(0)).elementType());
            assertEquals(GgufValueType.FLOAT32, ((GgufArray) ((GgufArray) back.get(1)).get(1)).elementType());

            // a writer fed from this metadata reproduces every key with its type
            Path copy = dir.resolve("meta-copy.gguf");
            new GgufWriter().copyMetadata(md).write(copy);
            assertArrayEquals(Files.readAllBytes(file), Files.readAllBytes(copy));
        }
    }

    @Test
    void wrong_types_and_missing_keys_throw_format_exceptions_naming_the_key() throws IOException {
        Path file = dir.resolve("small.gguf");
        new GgufWriter().putString("s", "x").putUInt64("big", -1L).putInt64("neg", -5).putInt32Array("ints", new int[] {1}).write(file);
        try (GgufFile g = GgufFile.open(file)) {
            GgufMetadata md = g.metadata();
            var e = assertThrows(dev.panamax.formats.FormatException.class, () -> md.getString("missing"));
            assertEquals("metadata[\"missing\"]", e.field());
            assertTrue(e.getMessage().contains(file.toString()), e.getMessage());
            assertThrows(dev.panamax.formats.FormatException.class, () -> md.getLong("s"));
            assertThrows(dev.panamax.formats.FormatException.class, () -> md.getLong("big"));
            assertThrows(dev.panamax.formats.FormatException.class, () -> md.getStringArray("ints"));
            assertThrows(dev.panamax.formats.FormatException.class, () -> md.getBoolean("s"));
            assertThrows(dev.panamax.formats.FormatException.class, () -> md.getInt("big"));
            assertEquals(-5, md.getInt("neg"));
            assertTrue(md.findLong("missing").isEmpty());
            assertThrows(NoSuchElementException.class, () -> g.tensor("nope"));
            assertTrue(g.findTensor("nope").isEmpty());
        }
    }

    @Test
    void writer_layout_aligns_every_tensor_and_pads_with_zeros(Random random) throws IOException {
        for (int alignment : new int[] {1, 8, 32, 64, 4096}) {
            GgufWriter w = new GgufWriter().alignment(alignment).putString("general.architecture", "test");
            List<byte[]> data = new ArrayList<>();
            for (int i = 0; i < 4; i++) {
                byte[] b = Fixtures.randomBytes(random, 1 + random.nextInt(100));
                data.add(b);
                w.addTensor("t" + i, DType.I8, new long[] {b.length}, MemorySegment.ofArray(b));
            }
            Path file = dir.resolve("aligned-" + alignment + ".gguf");
            w.write(file);
            byte[] bytes = Files.readAllBytes(file);
            try (GgufFile g = GgufFile.open(file)) {
                assertEquals(alignment, g.alignment());
                assertEquals(alignment != 32, g.metadata().contains("general.alignment"));
                assertEquals(0, g.dataOffset() % alignment);
                long expectedOffset = 0;
                long previousEnd = -1;
                for (int i = 0; i < 4; i++) {
                    GgufTensorInfo info = g.tensorInfos().get(i);
                    assertEquals(expectedOffset, info.offset(), "gguf.cpp expects each tensor right after the previous one, padded");
                    assertArrayEquals(data.get(i), g.tensorBytes("t" + i).toArray(ValueLayout.JAVA_BYTE));
                    long start = g.dataOffset() + info.offset();
                    for (long p = previousEnd; p >= 0 && p < start; p++) {
                        assertEquals(0, bytes[(int) p], "padding byte " + p);
                    }
                    previousEnd = start + info.byteSize();
                    expectedOffset = GgufParser.alignUp(info.offset() + info.byteSize(), alignment);
                }
                assertEquals(g.dataOffset() + expectedOffset, bytes.length, "the data section ends padded to the alignment");
                for (long p = previousEnd; p < bytes.length; p++) {
                    assertEquals(0, bytes[(int) p]);
                }
            }
        }
    }

    @Test
    void tensors_are_zero_copy_views_of_the_mapping(Random random) throws IOException {
        byte[] file = Fixtures.modelFile(dir, random, 12);
        Path path = dir.resolve("model.gguf");
        Files.write(path, file);
        try (GgufFile g = GgufFile.open(path)) {
            MemorySegment mapping = g.segment();
            assertEquals(file.length, mapping.byteSize());
            for (GgufTensorInfo info : g.tensorInfos()) {
                if (!info.isSupported()) {
                    continue;
                }
                Tensor t = g.tensor(info);
                long address = t.segment().address() + t.byteOffset();
                assertTrue(address >= mapping.address() && address + info.byteSize() <= mapping.address() + mapping.byteSize(), info.name());
                assertEquals(g.dataOffset() + info.offset(), address - mapping.address(), info.name());
                byte[] expected = Arrays.copyOfRange(file, (int) (g.dataOffset() + info.offset()), (int) (g.dataOffset() + info.offset() + info.byteSize()));
                assertArrayEquals(expected, t.data().toArray(ValueLayout.JAVA_BYTE));
            }
        }
    }

    @Test
    void use_after_close_fails_cleanly_and_metadata_stays_readable(Random random) throws IOException {
        Path path = dir.resolve("close.gguf");
        Files.write(path, Fixtures.modelFile(dir, random, 3));
        GgufFile g = GgufFile.open(path);
        Tensor t = g.tensor("t.0");
        float before = t.getFloat(0);
        g.close();
        g.close(); // idempotent
        assertFalse(g.isOpen());
        assertFalse(t.isAlive());
        assertThrows(TensorClosedException.class, () -> t.getFloat(0));
        assertThrows(TensorClosedException.class, () -> g.tensor("t.0"));
        assertThrows(IllegalStateException.class, () -> t.data().get(ValueLayout.JAVA_BYTE, 0));
        assertEquals("fixture", g.metadata().getString("general.name"));
        assertEquals(64, g.model().embeddingLength());
        assertTrue(Float.isFinite(before) || Float.isNaN(before));

        // mapped into the caller's arena: the file's close() leaves the tensors alone, the arena's close ends them
        Arena arena = Arena.ofShared();
        GgufFile h = GgufFile.open(path, arena);
        Tensor u = h.tensor("t.0");
        h.close();
        assertEquals(before, u.getFloat(0));
        assertTrue(h.isOpen());
        arena.close();
        assertThrows(TensorClosedException.class, () -> u.getFloat(0));
        assertThrows(TensorClosedException.class, () -> h.tensor("t.0"));
    }

    @Test
    void writer_rejects_bad_tensors_and_leaves_no_partial_file() throws IOException {
        GgufWriter w = new GgufWriter();
        assertThrows(IllegalArgumentException.class, () -> w.addTensor("q", DType.Q4_0, new long[] {2, 33}, s -> { }));
        assertThrows(IllegalArgumentException.class, () -> w.addTensor("z", DType.F32, new long[] {0}, s -> { }));
        assertThrows(IllegalArgumentException.class, () -> w.addTensor("5d", DType.F32, new long[] {1, 1, 1, 1, 1}, s -> { }));
        assertThrows(IllegalArgumentException.class, () -> w.addTensor("x".repeat(64), DType.F32, new long[] {1}, s -> { }));
        assertThrows(IllegalArgumentException.class, () -> w.addTensor("short", DType.F32, new long[] {4}, MemorySegment.ofArray(new byte[15])));
        assertThrows(IllegalArgumentException.class, () -> w.alignment(48));
        assertThrows(IllegalArgumentException.class, () -> w.putUInt8("k", 256));
        assertThrows(IllegalArgumentException.class, () -> w.putString("bad", "\uD800"));
        w.addTensor("a", DType.F32, new long[] {4}, sink -> sink.write(new byte[12], 0, 12)); // one float short
        assertThrows(IllegalArgumentException.class, () -> w.addTensor("a", DType.F32, new long[] {4}, s -> { }));
        Path out = dir.resolve("partial.gguf");
        IllegalStateException e = assertThrows(IllegalStateException.class, () -> w.write(out));
        assertTrue(e.getMessage().contains("'a'") && e.getMessage().contains("12") && e.getMessage().contains("16"), e.getMessage());
        assertFalse(Files.exists(out));
        try (var files = Files.list(dir)) {
            assertEquals(List.of(), files.toList(), "the temporary file is removed");
        }
    }

    @Test
    void copying_metadata_with_overrides_keeps_types_and_order(Random random) throws IOException {
        Path path = dir.resolve("src.gguf");
        Files.write(path, Fixtures.modelFile(dir, random, 4));
        Path out = dir.resolve("dst.gguf");
        try (GgufFile src = GgufFile.open(path)) {
            GgufWriter w = new GgufWriter();
            Map<String, Object> overrides = new LinkedHashMap<>();
            overrides.put("general.file_type", 7);
            overrides.put("general.name", null);
            overrides.put("general.quantized_by", "panamax");
            w.copyMetadata(src.metadata(), overrides);
            for (GgufTensorInfo t : src.tensorInfos()) {
                w.copyTensor(src, t.name());
            }
            w.write(out);
            try (GgufFile dst = GgufFile.open(out)) {
                assertEquals(GgufValueType.UINT32, dst.metadata().typeOf("general.file_type"));
                assertEquals(7, dst.model().fileType().orElseThrow());
                assertFalse(dst.metadata().contains("general.name"));
                assertEquals("panamax", dst.metadata().getString("general.quantized_by"));
                assertEquals(src.model().tokens(), dst.model().tokens());
                for (GgufTensorInfo t : src.tensorInfos()) {
                    GgufTensorInfo d = dst.findTensorInfo(t.name()).orElseThrow();
                    assertEquals(t.ggmlType(), d.ggmlType());
                    assertArrayEquals(t.shape(), d.shape());
                    assertEquals(src.tensorBytes(t.name()).mismatch(dst.tensorBytes(t.name())), -1L, t.name());
                }
            }
        }
    }
}
