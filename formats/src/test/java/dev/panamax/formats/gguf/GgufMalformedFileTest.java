package dev.panamax.formats.gguf;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.panamax.formats.FormatException;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Each kind of malformed header is rejected with a FormatException naming the field and the value. */
class GgufMalformedFileTest {
    private static final int F32 = 0;
    private static final int Q4_0 = 2;

    @TempDir
    Path dir;

    private static FormatException rejected(byte[] bytes, String field, String value) {
        FormatException e = assertThrows(FormatException.class, () -> Fixtures.openBytes(bytes).close());
        assertEquals(field, e.field(), e.getMessage());
        if (value != null) {
            assertEquals(value, e.value(), e.getMessage());
        }
        assertTrue(e.getMessage().startsWith("memory.gguf: " + field + " = "), e.getMessage());
        return e;
    }

    /** One F32 tensor of {@code ne} at {@code offset}, with its data. */
    private static byte[] oneTensor(long offset, long... ne) {
        RawGguf g = RawGguf.header(3, 1, 0).tensor("w", F32, offset, ne).padTo(32);
        return g.zeros(64).bytes();
    }

    @Test
    void a_minimal_valid_file_opens() {
        try (GgufFile g = Fixtures.openBytes(oneTensor(0, 4, 2))) {
            assertEquals(1, g.tensorInfos().size());
            assertEquals(32, g.alignment());
            assertEquals(0, g.tensor("w").getFloat(1, 3));
        }
    }

    @Test
    void version_2_files_open_like_version_3() {
        byte[] v2 = RawGguf.header(2, 1, 1).kvString("general.architecture", "llama").tensor("w", F32, 0, 2).padTo(32)
                .u32(Float.floatToIntBits(1.5f)).u32(Float.floatToIntBits(-3f)).zeros(24).bytes();
        try (GgufFile g = Fixtures.openBytes(v2)) {
            assertEquals(2, g.version());
            assertEquals("llama", g.model().architecture());
            assertEquals(-3f, g.tensor("w").getFloat(1));
        }
    }

    @Test
    void an_empty_file_is_rejected_before_mapping() throws IOException {
        Path empty = Files.createFile(dir.resolve("empty.gguf"));
        FormatException e = assertThrows(FormatException.class, () -> GgufFile.open(empty));
        assertEquals(empty, e.file());
        assertEquals("file size", e.field());
        assertThrows(java.nio.file.FileSystemException.class, () -> GgufFile.open(dir));
        assertThrows(java.nio.file.NoSuchFileException.class, () -> GgufFile.open(dir.resolve("missing.gguf")));
    }

    @Test
    void wrong_magic_and_versions_are_rejected() {
        byte[] b = RawGguf.header(3, 0, 0).bytes();
        b[3] = 'G';
        rejected(b, "magic", "0x47554747");
        rejected(RawGguf.header(1, 0, 0).bytes(), "version", "1");
        rejected(RawGguf.header(4, 0, 0).bytes(), "version", "4");
        FormatException e = rejected(RawGguf.header(Integer.reverseBytes(3), 0, 0).bytes(), "version", null);
        assertTrue(e.getMessage().contains("big-endian"), e.getMessage());
        rejected(java.util.Arrays.copyOf(RawGguf.header(3, 0, 0).bytes(), 10), "tensor_count", "(truncated)");
    }

    @Test
    void counts_beyond_the_file_are_rejected_before_allocating() {
        rejected(RawGguf.header(3, 0, 1L << 60).bytes(), "metadata_kv_count", "1152921504606846976");
        rejected(RawGguf.header(3, 1L << 60, 0).bytes(), "tensor_count", "1152921504606846976");
        rejected(RawGguf.header(3, -1L, 0).bytes(), "tensor_count", "18446744073709551615");
        rejected(RawGguf.header(3, 0, 1).key("a", GgufValueType.ARRAY).u32(GgufValueType.UINT64.id()).u64(1L << 40).bytes(),
                "metadata[\"a\"].count", "1099511627776");
        rejected(RawGguf.header(3, 0, 1).key("a", GgufValueType.ARRAY).u32(GgufValueType.STRING.id()).u64(3).u64(0).u64(0).bytes(),
                "metadata[\"a\"].count", "3");
    }

    @Test
    void string_lengths_beyond_the_file_are_rejected() {
        rejected(RawGguf.header(3, 0, 1).u64(1000).raw("ab".getBytes()).zeros(16).bytes(), "metadata[0].key.length", "1000");
        rejected(RawGguf.header(3, 0, 1).key("general.name", GgufValueType.STRING).u64(1L << 62).bytes(),
                "metadata[\"general.name\"].length", "4611686018427387904");
        rejected(RawGguf.header(3, 0, 1).key("general.name", GgufValueType.STRING).u64(-2L).bytes(),
                "metadata[\"general.name\"].length", "18446744073709551614");
        rejected(RawGguf.header(3, 0, 1).key("t", GgufValueType.ARRAY).u32(GgufValueType.STRING.id()).u64(2).str("ok").u64(99).bytes(),
                "metadata[\"t\"][1].length", "99");
    }

    @Test
    void invalid_utf8_is_rejected_in_keys_values_and_names() {
        byte[][] invalid = {{(byte) 0xFF}, {(byte) 0xC0, (byte) 0x80}, {(byte) 0xED, (byte) 0xA0, (byte) 0x80}, {'a', (byte) 0xE2, (byte) 0x82}};
        for (byte[] bad : invalid) {
            rejected(RawGguf.header(3, 0, 1).str(bad).u32(GgufValueType.UINT8.id()).u8(0).bytes(), "metadata[0].key", null);
            rejected(RawGguf.header(3, 0, 1).key("general.name", GgufValueType.STRING).str(bad).bytes(), "metadata[\"general.name\"]", null);
            rejected(RawGguf.header(3, 1, 0).str(bad).u32(1).u64(1).u32(F32).u64(0).padTo(32).zeros(32).bytes(), "tensor_infos[0].name", null);
        }
    }

    @Test
    void duplicates_unknown_value_types_and_bad_bools_are_rejected() {
        rejected(RawGguf.header(3, 0, 2).kvU32("k", 1).kvU32("k", 2).bytes(), "metadata[1].key", "k");
        rejected(RawGguf.header(3, 0, 1).str("x").u32(13).u64(0).bytes(), "metadata[\"x\"].type", "13");
        rejected(RawGguf.header(3, 0, 1).key("b", GgufValueType.BOOL).u8(2).bytes(), "metadata[\"b\"]", "2");
        rejected(RawGguf.header(3, 0, 1).key("a", GgufValueType.ARRAY).u32(77).u64(0).bytes(), "metadata[\"a\"].element_type", "77");
        RawGguf deep = RawGguf.header(3, 0, 1).key("n", GgufValueType.ARRAY);
        for (int i = 0; i < 20; i++) {
            deep.u32(GgufValueType.ARRAY.id()).u64(1);
        }
        deep.zeros(64);
        rejected(deep.bytes(), "metadata[\"n\"][0][0][0][0][0][0][0][0]", null);
        byte[] dupTensors = RawGguf.header(3, 2, 0).tensor("w", F32, 0, 8).tensor("w", F32, 32, 8).padTo(32).zeros(64).bytes();
        rejected(dupTensors, "tensor_infos[1].name", "w");
    }

    @Test
    void bad_alignments_are_rejected() {
        for (long a : new long[] {0, 3, 48, 1L << 31}) {
            rejected(RawGguf.header(3, 0, 1).kvU32("general.alignment", a).bytes(), "metadata[\"general.alignment\"]", String.valueOf(a));
        }
        rejected(RawGguf.header(3, 0, 1).kvString("general.alignment", "32").bytes(), "metadata[\"general.alignment\"].type", "STRING");
    }

    @Test
    void bad_dimensions_are_rejected() {
        rejected(RawGguf.header(3, 1, 0).str("w").u32(5).u64(1).u64(1).u64(1).u64(1).u64(1).u32(F32).u64(0).zeros(64).bytes(),
                "tensor_infos[0].n_dims", "5");
        rejected(RawGguf.header(3, 1, 0).str("w").u32(0).u32(F32).u64(0).zeros(64).bytes(), "tensor_infos[0].n_dims", "0");
        rejected(oneTensor(0, 4, 0), "tensor_infos[0].ne[1]", "0");
        rejected(oneTensor(0, 1L << 63, 1), "tensor_infos[0].ne[0]", "9223372036854775808");
        rejected(oneTensor(0, 1L << 32, 1L << 32), "tensor_infos[0].ne", "[4294967296, 4294967296]");
        rejected(oneTensor(0, 1L << 62), "tensor_infos[0].ne[0]", "4611686018427387904"); // 2^62 floats = 2^64 bytes
        rejected(RawGguf.header(3, 1, 0).tensor("q", Q4_0, 0, 33, 1).padTo(32).zeros(64).bytes(), "tensor_infos[0].ne[0]", "33");
    }

    @Test
    void unknown_and_removed_tensor_types_are_rejected_at_open() {
        for (int type : new int[] {4, 5, 31, 36, 99, -1}) {
            rejected(RawGguf.header(3, 1, 0).tensor("w", type, 0, 32).padTo(32).zeros(256).bytes(), "tensor_infos[0].type",
                    Long.toString(type & 0xFFFF_FFFFL));
        }
    }

    @Test
    void misplaced_tensor_data_is_rejected() {
        rejected(oneTensor(8, 2), "tensor_infos[0].offset", "8");
        rejected(oneTensor(64, 8), "tensor_infos[0].offset", "64");
        rejected(oneTensor(-32L, 8), "tensor_infos[0].offset", "18446744073709551584");
        rejected(oneTensor(0, 17), "tensor_infos[0].offset", "0"); // 68 bytes, 64 present
        byte[] overlap = RawGguf.header(3, 2, 0).tensor("a", F32, 0, 16).tensor("b", F32, 32, 8).padTo(32).zeros(128).bytes();
        FormatException e = rejected(overlap, "tensor_infos[1].offset", "32");
        assertTrue(e.getMessage().contains("'a'"), e.getMessage());
        byte[] noData = RawGguf.header(3, 1, 0).tensor("w", F32, 0, 1).bytes();
        rejected(noData, "data section", null);
    }

    @Test
    void truncation_inside_a_tensor_info_names_the_field() {
        byte[] full = RawGguf.header(3, 1, 0).tensor("weight.name", F32, 0, 4, 1).padTo(32).zeros(16).bytes();
        int end = RawGguf.header(3, 1, 0).tensor("weight.name", F32, 0, 4, 1).size();
        rejected(java.util.Arrays.copyOf(full, end - 3), "tensor_infos[0].offset", "(truncated)");
        rejected(java.util.Arrays.copyOf(full, end - 9), "tensor_infos[0].type", "(truncated)");
    }
}
