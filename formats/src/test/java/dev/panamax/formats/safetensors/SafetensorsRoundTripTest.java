package dev.panamax.formats.safetensors;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.panamax.tensor.DType;
import dev.panamax.tensor.Tensor;
import dev.panamax.tensor.TensorClosedException;
import dev.panamax.tensor.testing.Seeded;
import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.NoSuchElementException;
import java.util.Random;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.api.io.TempDir;

@ExtendWith(Seeded.class)
class SafetensorsRoundTripTest {
    @TempDir
    Path dir;

    @Test
    void every_panamax_dtype_round_trips_with_its_values_and_shape(Random random) {
        DType[] types = {DType.F64, DType.F32, DType.F16, DType.BF16, DType.I64, DType.I32, DType.I16, DType.I8};
        Path file = dir.resolve("all.safetensors");
        try (Arena arena = Arena.ofConfined()) {
            List<Tensor> written = new ArrayList<>();
            SafetensorsWriter w = new SafetensorsWriter();
            for (DType type : types) {
                long[] shape = Fixtures.randomShape(random);
                Tensor t = type.isFloatingPoint() ? Fixtures.randomFloats(arena, random, type, shape)
                        : Tensor.allocate(arena, type, shape);
                if (!type.isFloatingPoint()) {
                    for (long i = 0; i < t.numel(); i++) {
                        long bits = 1 + random.nextLong(1L << Math.min(62, 8 * t.dtype().bytesPerBlock() - 2));
                        t.reshape(t.numel()).setLong(random.nextBoolean() ? bits : -bits, i);
                    }
                }
                written.add(t);
                w.add("t." + type, t);
            }
            w.write(file);
            try (SafetensorsFile f = SafetensorsFile.open(file)) {
                for (int i = 0; i < types.length; i++) {
                    Tensor expected = written.get(i);
                    Tensor actual = f.tensor("t." + types[i]);
                    assertEquals(types[i], actual.dtype());
                    assertArrayEquals(expected.shape(), actual.shape());
                    assertEquals(-1, expected.data().mismatch(actual.data()), "bytes of " + types[i]);
                    assertEquals(SafetensorsDType.of(types[i]), f.info("t." + types[i]).dtype());
                }
            }
        }
    }

    @Test
    void u8_and_bool_are_viewed_as_i8_storage_and_decode_as_unsigned(Random random) {
        Path file = dir.resolve("bytes.safetensors");
        try (Arena arena = Arena.ofConfined()) {
            long[] shape = {3, 7};
            Tensor u8 = Tensor.allocate(arena, DType.I8, shape);
            Tensor bool = Tensor.allocate(arena, DType.I8, shape);
            MemorySegment.copy(Fixtures.randomBytes(arena, random, SafetensorsDType.U8, shape), 0, u8.data(), 0, 21);
            MemorySegment.copy(Fixtures.randomBytes(arena, random, SafetensorsDType.BOOL, shape), 0, bool.data(), 0, 21);
            new SafetensorsWriter().add("u8", u8, SafetensorsDType.U8).add("mask", bool, SafetensorsDType.BOOL).write(file);

            try (SafetensorsFile f = SafetensorsFile.open(file)) {
                assertEquals(SafetensorsDType.U8, f.info("u8").dtype());
                assertEquals(SafetensorsDType.BOOL, f.info("mask").dtype());
                Tensor readU8 = f.tensor("u8");
                assertEquals(DType.I8, readU8.dtype());
                assertEquals(-1, u8.data().mismatch(readU8.data()));
                Tensor decoded = f.readF32("u8", arena);
                Tensor decodedMask = f.readF32("mask", arena);
                for (int r = 0; r < 3; r++) {
                    for (int c = 0; c < 7; c++) {
                        assertEquals(u8.getLong(r, c) & 0xFF, (long) decoded.getFloat(r, c));
                        assertEquals(bool.getLong(r, c), (long) decodedMask.getFloat(r, c));
                    }
                }
            }
        }
    }

    @Test
    void fp8_tensors_decode_to_f32_copies_that_match_the_decoders(Random random) {
        Path file = dir.resolve("fp8.safetensors");
        try (Arena arena = Arena.ofConfined()) {
            long[] shape = {5, 1 + random.nextInt(40)};
            MemorySegment e4 = Fixtures.randomBytes(arena, random, SafetensorsDType.F8_E4M3, shape);
            MemorySegment e5 = Fixtures.randomBytes(arena, random, SafetensorsDType.F8_E5M2, shape);
            MemorySegment e8 = Fixtures.randomBytes(arena, random, SafetensorsDType.F8_E8M0, shape);
            new SafetensorsWriter().addRaw("e4", SafetensorsDType.F8_E4M3, shape, e4)
                    .addRaw("e5", SafetensorsDType.F8_E5M2, shape, e5)
                    .addRaw("e8", SafetensorsDType.F8_E8M0, shape, e8).write(file);
            try (SafetensorsFile f = SafetensorsFile.open(file)) {
                assertThrows(UnsupportedOperationException.class, () -> f.tensor("e4"));
                Tensor d4 = f.readF32("e4", arena);
                Tensor d5 = f.readF32("e5", arena);
                assertEquals(DType.F32, d4.dtype());
                assertArrayEquals(shape, d5.shape());
                float[] v4 = d4.toFloatArray();
                float[] v5 = d5.toFloatArray();
                float[] v8 = f.readF32("e8", arena).toFloatArray();
                for (int i = 0; i < v4.length; i++) {
                    assertEquals(Float8.e8m0ToFloat(e8.get(ValueLayout.JAVA_BYTE, i)), v8[i]);
                    assertEquals(Float8.e4m3ToFloat(e4.get(ValueLayout.JAVA_BYTE, i)), v4[i]);
                    assertEquals(Float8.e5m2ToFloat(e5.get(ValueLayout.JAVA_BYTE, i)), v5[i]);
                }
            }
        }
    }

    @Test
    void readF32_decodes_every_type_exactly_where_f32_can_hold_the_value(Random random) {
        Path file = dir.resolve("f32.safetensors");
        try (Arena arena = Arena.ofConfined()) {
            long[] shape = {2, 9};
            float[] values = Seeded.nonZeroFloats(random, 18, 100f);
            Tensor f32 = Tensor.of(arena, values, shape);
            SafetensorsWriter w = new SafetensorsWriter();
            // F16/BF16/F64 hold rounded copies; decoding them must give back exactly those rounded values
            for (DType t : new DType[] {DType.F16, DType.BF16, DType.F64, DType.F32}) {
                w.add(t.name(), f32.to(arena, t));
            }
            Tensor ints = Tensor.allocate(arena, DType.I32, shape);
            for (int i = 0; i < 18; i++) {
                ints.setLong(Math.round(values[i] * 1000), i / 9, i % 9);
            }
            w.add("I32", ints).add("U32", ints, SafetensorsDType.U32).write(file);
            try (SafetensorsFile f = SafetensorsFile.open(file)) {
                for (String name : List.of("F16", "BF16", "F64", "F32", "I32")) {
                    Tensor original = f.tensor(name);
                    float[] decoded = f.readF32(name, arena).toFloatArray();
                    for (int i = 0; i < 18; i++) {
                        assertEquals((float) original.getDouble(i / 9, i % 9), decoded[i], name + "[" + i + "]");
                    }
                }
                float[] unsigned = f.readF32("U32", arena).toFloatArray();
                for (int i = 0; i < 18; i++) {
                    assertEquals((float) Integer.toUnsignedLong((int) ints.getLong(i / 9, i % 9)), unsigned[i]);
                }
            }
        }
    }

    @Test
    void metadata_round_trips_including_unicode_and_escapes(Random random) {
        Path file = dir.resolve("meta.safetensors");
        Map<String, String> meta = Map.of("format", "pt", "quote\"and\\slash", "line\nbreak\ttab",
                "ünïcødé 🚀", "値 " + random.nextInt(), "empty", "");
        SafetensorsWriter w = new SafetensorsWriter();
        meta.forEach(w::putMetadata);
        w.write(file);
        try (SafetensorsFile f = SafetensorsFile.open(file)) {
            assertEquals(meta, f.metadata());
            assertTrue(f.tensorNames().isEmpty());
        }
    }

    @Test
    void writer_orders_tensors_by_descending_dtype_then_name_like_the_reference(Random random) {
        Path file = dir.resolve("order.safetensors");
        try (Arena arena = Arena.ofConfined()) {
            SafetensorsWriter w = new SafetensorsWriter();
            w.add("b", Fixtures.randomFloats(arena, random, DType.F16, new long[] {3}));
            w.add("a", Fixtures.randomFloats(arena, random, DType.F16, new long[] {5}));
            w.add("z", Fixtures.randomFloats(arena, random, DType.F32, new long[] {1}));
            w.addRaw("m", SafetensorsDType.BOOL, new long[] {2}, Fixtures.randomBytes(arena, random, SafetensorsDType.BOOL, new long[] {2}));
            w.add("y", Fixtures.randomFloats(arena, random, DType.F64, new long[] {2}));
            w.write(file);
        }
        try (SafetensorsFile f = SafetensorsFile.open(file)) {
            // F64 > F32 > F16 > BOOL in the reference's dtype order; ties by name
            assertEquals(List.of("y", "z", "a", "b", "m"), f.tensorNames());
            assertEquals(0, f.info("y").begin());
            assertEquals(16, f.info("z").begin());
            assertEquals(20, f.info("a").begin());
            assertEquals(0, f.dataStart() % 8, "data section is 8-byte aligned");
        }
    }

    @Test
    void header_bytes_match_the_reference_layout_compact_json_padded_with_spaces(Random random) {
        try (Arena arena = Arena.ofConfined()) {
            Tensor t = Tensor.of(arena, Seeded.nonZeroFloats(random, 6, 1f), 1, 2, 3);
            Path one = dir.resolve("one.safetensors");
            new SafetensorsWriter().add("attn.0", t).write(one);
            assertEquals("{\"attn.0\":{\"dtype\":\"F32\",\"shape\":[1,2,3],\"data_offsets\":[0,24]}}", header(one));
            Path two = dir.resolve("two.safetensors");
            new SafetensorsWriter().add("attn0", t.reshape(1, 1, 2, 3)).write(two);
            assertEquals("{\"attn0\":{\"dtype\":\"F32\",\"shape\":[1,1,2,3],\"data_offsets\":[0,24]}}       ", header(two));
            Path empty = dir.resolve("empty.safetensors");
            new SafetensorsWriter().write(empty);
            assertEquals("{}      ", header(empty));
            new SafetensorsWriter().putMetadata("framework", "pt").write(empty);
            assertEquals("{\"__metadata__\":{\"framework\":\"pt\"}}     ", header(empty));
            byte[] bytes = Fixtures.read(one);
            assertEquals(8 + 64 + 24, bytes.length);
            assertEquals(-1, t.data().mismatch(MemorySegment.ofArray(bytes).asSlice(72)));
        }
    }

    private static String header(Path file) {
        byte[] bytes = Fixtures.read(file);
        long n = MemorySegment.ofArray(bytes).get(ValueLayout.JAVA_LONG_UNALIGNED.withOrder(ByteOrder.LITTLE_ENDIAN), 0);
        return new String(bytes, 8, (int) n, StandardCharsets.UTF_8);
    }

    @Test
    void tensors_are_zero_copy_views_inside_the_file_mapping(Random random) {
        Path file = Fixtures.randomFile(dir.resolve("r.safetensors"), random);
        try (SafetensorsFile f = SafetensorsFile.open(file)) {
            for (SafetensorsTensorInfo info : f.tensorInfos()) {
                MemorySegment bytes = f.data(info.name());
                assertTrue(bytes.isMapped(), "data is the file mapping");
                if (info.dtype().hasStorageType()) {
                    Tensor t = f.tensor(info.name());
                    assertTrue(t.segment().isMapped());
                    assertEquals(f.fileSize(), t.segment().byteSize(), "the view's segment is the whole mapping");
                    assertEquals(f.dataStart() + info.begin(), t.byteOffset());
                    assertEquals(bytes.address(), t.data().address());
                    assertThrows(IllegalArgumentException.class, () -> t.fill(1), "the mapping is read-only");
                }
            }
        }
    }

    @Test
    void use_after_close_fails_cleanly_with_tensor_closed_exception(Random random) {
        Path file = dir.resolve("c.safetensors");
        try (Arena arena = Arena.ofConfined()) {
            new SafetensorsWriter().add("w", Fixtures.randomFloats(arena, random, DType.F32, new long[] {4, 3})).write(file);
        }
        SafetensorsFile f = SafetensorsFile.open(file);
        Tensor w = f.tensor("w");
        Tensor view = w.transpose(0, 1);
        float before = w.getFloat(1, 2);
        assertTrue(before != 0f);
        f.close();
        f.close(); // idempotent
        assertThrows(TensorClosedException.class, () -> w.getFloat(1, 2));
        assertThrows(TensorClosedException.class, () -> view.getFloat(2, 1));
        assertThrows(TensorClosedException.class, () -> f.tensor("w"));
        assertThrows(TensorClosedException.class, () -> f.data("w"));
        assertEquals(List.of("w"), f.tensorNames(), "the parsed header stays readable");
    }

    @Test
    void a_file_opened_in_a_caller_arena_lives_until_that_arena_closes(Random random) {
        Path file = dir.resolve("a.safetensors");
        try (Arena arena = Arena.ofConfined()) {
            new SafetensorsWriter().add("w", Fixtures.randomFloats(arena, random, DType.F32, new long[] {5})).write(file);
        }
        Arena arena = Arena.ofShared();
        SafetensorsFile f = SafetensorsFile.open(file, arena);
        Tensor w = f.tensor("w");
        f.close();
        assertTrue(w.getFloat(4) != 0f, "the caller's arena still owns the mapping");
        assertThrows(TensorClosedException.class, () -> f.tensor("w"));
        arena.close();
        assertThrows(TensorClosedException.class, () -> w.getFloat(4));
    }

    @Test
    void unknown_tensor_names_fail_with_a_message_naming_file_and_tensor(Random random) {
        Path file = Fixtures.randomFile(dir.resolve("n.safetensors"), random);
        try (SafetensorsFile f = SafetensorsFile.open(file)) {
            NoSuchElementException e = assertThrows(NoSuchElementException.class, () -> f.tensor("nope"));
            assertTrue(e.getMessage().contains("\"nope\"") && e.getMessage().contains(file.toString()), e.getMessage());
            assertTrue(f.findInfo("nope").isEmpty());
        }
    }

    @Test
    void probe_recognizes_safetensors_files_and_rejects_others(Random random) {
        assertTrue(SafetensorsFile.probe(Fixtures.randomFile(dir.resolve("p.safetensors"), random)));
        assertFalse(SafetensorsFile.probe(Fixtures.write(dir.resolve("g.gguf"), "GGUF\3\0\0\0\0\0\0\0".getBytes())));
        assertFalse(SafetensorsFile.probe(Fixtures.write(dir.resolve("short"), new byte[] {2, 0, 0, 0, 0, 0, 0, 0})));
        assertFalse(SafetensorsFile.probe(Fixtures.writeRaw(dir.resolve("long"), 1L << 40, "{}".getBytes(), new byte[0])));
        assertFalse(SafetensorsFile.probe(dir));
        assertFalse(SafetensorsFile.probe(dir.resolve("missing")));
    }

    @Test
    void describe_prints_metadata_and_a_row_per_tensor(Random random) {
        Path file = Fixtures.randomFile(dir.resolve("d.safetensors"), random);
        ByteArrayOutputStream text = new ByteArrayOutputStream();
        try (SafetensorsFile f = SafetensorsFile.open(file)) {
            f.describe(new PrintStream(text, true, StandardCharsets.UTF_8));
            String out = text.toString(StandardCharsets.UTF_8);
            assertTrue(out.contains("format = pt"), out);
            for (SafetensorsTensorInfo info : f.tensorInfos()) {
                String row = out.lines().filter(l -> l.trim().startsWith(info.name() + " ")).findFirst().orElseThrow();
                assertTrue(row.contains(info.dtype().name()) && row.contains(Arrays.toString(info.shape()))
                        && row.contains("[" + info.begin() + ", " + info.end() + "]") && row.endsWith(" " + info.byteSize()), row);
            }
        }
    }
}
