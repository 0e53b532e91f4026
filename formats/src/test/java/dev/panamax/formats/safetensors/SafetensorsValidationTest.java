package dev.panamax.formats.safetensors;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.panamax.formats.FormatException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Hand-made bad headers: each fails with a FormatException naming the file, the field and the value. */
class SafetensorsValidationTest {
    @TempDir
    Path dir;

    private static final String GOOD = "{\"w\":{\"dtype\":\"F32\",\"shape\":[2,3],\"data_offsets\":[0,24]}}";

    private FormatException fails(String json, int dataBytes) {
        Path file = Fixtures.writeJson(dir.resolve("bad.safetensors"), json, new byte[dataBytes]);
        FormatException e = assertThrows(FormatException.class, () -> SafetensorsFile.open(file).close());
        assertEquals(file, e.file());
        assertTrue(e.getMessage().startsWith(file.toString()), e.getMessage());
        return e;
    }

    private static void names(FormatException e, String field, String value) {
        assertEquals(field, e.field(), e.getMessage());
        assertTrue(e.value().contains(value), "value " + e.value() + " should mention " + value + ": " + e.getMessage());
    }

    @Test
    void the_well_formed_header_used_below_opens() {
        Path file = Fixtures.writeJson(dir.resolve("good.safetensors"), GOOD, new byte[24]);
        try (SafetensorsFile f = SafetensorsFile.open(file)) {
            assertEquals(6, f.tensor("w").numel());
        }
    }

    @Test
    void unknown_dtype_is_named_with_its_value() {
        names(fails(GOOD.replace("F32", "F33"), 24), "header[\"w\"].dtype", "\"F33\"");
        names(fails(GOOD.replace("\"F32\"", "32"), 24), "header[\"w\"].dtype", "32");
    }

    @Test
    void negative_and_non_integer_dimensions_are_rejected() {
        names(fails(GOOD.replace("[2,3]", "[2,-3]"), 24), "header[\"w\"].shape[1]", "-3");
        names(fails(GOOD.replace("[2,3]", "[2,3.0]"), 24), "header[\"w\"].shape[1]", "3.0");
        names(fails(GOOD.replace("[2,3]", "[2,\"3\"]"), 24), "header[\"w\"].shape[1]", "\"3\"");
        names(fails(GOOD.replace("[2,3]", "[2,99999999999999999999999]"), 24), "header[\"w\"].shape[1]", "99999999999999999999999");
        names(fails(GOOD.replace("[2,3]", "6"), 24), "header[\"w\"].shape", "6");
    }

    @Test
    void missing_and_unknown_tensor_fields_are_rejected() {
        names(fails("{\"w\":{\"dtype\":\"F32\",\"data_offsets\":[0,24]}}", 24), "header[\"w\"].shape", "missing");
        names(fails("{\"w\":{\"shape\":[6],\"data_offsets\":[0,24]}}", 24), "header[\"w\"].dtype", "missing");
        names(fails("{\"w\":{\"dtype\":\"F32\",\"shape\":[6]}}", 24), "header[\"w\"].data_offsets", "missing");
        names(fails(GOOD.replace("}}", ",\"extra\":1}}"), 24), "header[\"w\"].extra", "1");
        names(fails("{\"w\":[1,2]}", 0), "header[\"w\"]", "[...]");
    }

    @Test
    void offsets_must_match_the_shape_and_stay_inside_the_data_section() {
        names(fails(GOOD.replace("[0,24]", "[0,20]"), 20), "header[\"w\"].data_offsets", "[0, 20]");
        names(fails(GOOD.replace("[0,24]", "[24,0]"), 24), "header[\"w\"].data_offsets", "[24, 0]");
        names(fails(GOOD.replace("[0,24]", "[0,24,48]"), 24), "header[\"w\"].data_offsets", "[0, 24, 48]");
        names(fails(GOOD, 16), "header[\"w\"].data_offsets", "[0, 24]");
        names(fails(GOOD.replace("[2,3]", "[4294967296,4294967296]"), 24), "header[\"w\"].shape", "[4294967296, 4294967296]");
    }

    @Test
    void tensors_must_tile_the_data_section_without_gaps_or_overlaps() {
        String two = "{\"a\":{\"dtype\":\"I8\",\"shape\":[4],\"data_offsets\":[0,4]},"
                + "\"b\":{\"dtype\":\"I8\",\"shape\":[4],\"data_offsets\":[%d,%d]}}";
        names(fails(two.formatted(2, 6), 6), "header[\"b\"].data_offsets", "[2, 6]"); // overlap
        names(fails(two.formatted(6, 10), 10), "header[\"b\"].data_offsets", "[6, 10]"); // gap
        names(fails(two.formatted(4, 8), 12), "data section", "12"); // trailing bytes
        names(fails(GOOD.replace("[0,24]", "[8,32]"), 32), "header[\"w\"].data_offsets", "[8, 32]"); // leading hole
    }

    @Test
    void header_length_beyond_the_limit_or_the_file_is_rejected() {
        byte[] json = GOOD.getBytes(StandardCharsets.UTF_8);
        Path file = Fixtures.writeRaw(dir.resolve("len.safetensors"), 1L << 60, json, new byte[24]);
        names(assertThrows(FormatException.class, () -> SafetensorsFile.open(file)), "header length", "1152921504606846976");
        Fixtures.writeRaw(file, -1L, json, new byte[24]);
        names(assertThrows(FormatException.class, () -> SafetensorsFile.open(file)), "header length", "18446744073709551615");
        Fixtures.writeRaw(file, 100_000_001L, json, new byte[24]);
        names(assertThrows(FormatException.class, () -> SafetensorsFile.open(file)), "header length", "100000001");
        Fixtures.writeRaw(file, json.length + 25, json, new byte[24]);
        names(assertThrows(FormatException.class, () -> SafetensorsFile.open(file)), "header length", "" + (json.length + 25));
        Fixtures.write(file, new byte[] {1, 0, 0});
        names(assertThrows(FormatException.class, () -> SafetensorsFile.open(file)), "header length", "3-byte file");
    }

    @Test
    void duplicate_keys_are_rejected_at_every_level() {
        String dup = "{\"w\":{\"dtype\":\"F32\",\"shape\":[6],\"data_offsets\":[0,24]},\"w\":{\"dtype\":\"F32\",\"shape\":[6],\"data_offsets\":[0,24]}}";
        assertTrue(fails(dup, 24).getMessage().contains("Duplicate"));
        assertTrue(fails(GOOD.replace("\"dtype\":\"F32\"", "\"dtype\":\"F32\",\"dtype\":\"F32\""), 24).getMessage().contains("Duplicate"));
        assertTrue(fails("{\"__metadata__\":{\"k\":\"a\",\"k\":\"b\"}}", 0).getMessage().contains("Duplicate"));
    }

    @Test
    void deep_nesting_fails_at_the_first_value_of_the_wrong_shape() {
        String deep = "[".repeat(100_000) + "]".repeat(100_000);
        names(fails("{\"w\":" + deep + "}", 0), "header[\"w\"]", "[...]");
        names(fails("{\"w\":{\"shape\":" + deep + "}}", 0), "header[\"w\"].shape[0]", "[...]");
        names(fails("{\"__metadata__\":{\"k\":" + deep + "}}", 0), "header[\"__metadata__\"][\"k\"]", "[...]");
    }

    @Test
    void invalid_utf8_is_located_by_its_byte_offset() {
        byte[] json = "{\"__metadata__\":{\"k\":\"ab\"}}".getBytes(StandardCharsets.UTF_8);
        for (byte[] bad : new byte[][] {{(byte) 0xFF}, {(byte) 0xC0, (byte) 0x80}, {(byte) 0xED, (byte) 0xA0, (byte) 0x80}, {(byte) 0xE2, (byte) 0x82}}) {
            byte[] h = new byte[json.length + bad.length - 1];
            System.arraycopy(json, 0, h, 0, 22);
            System.arraycopy(bad, 0, h, 22, bad.length);
            System.arraycopy(json, 23, h, 22 + bad.length, json.length - 23);
            Path file = Fixtures.writeRaw(dir.resolve("utf.safetensors"), h.length, h, new byte[0]);
            FormatException e = assertThrows(FormatException.class, () -> SafetensorsFile.open(file));
            names(e, "header at byte 30", String.format("0x%02X", bad[0] & 0xFF));
        }
    }

    @Test
    void names_and_strings_have_length_limits() {
        String longName = "w".repeat(Json.MAX_NAME_CHARS + 1);
        FormatException e = fails(GOOD.replace("\"w\"", "\"" + longName + "\""), 24);
        assertTrue(e.getMessage().contains("" + (Json.MAX_NAME_CHARS + 1)) && e.getMessage().length() < 1000, e.getMessage());
        String longValue = "v".repeat(Json.MAX_STRING_CHARS + 1);
        e = fails("{\"__metadata__\":{\"k\":\"" + longValue + "\"}}", 0);
        assertEquals("header[\"__metadata__\"][\"k\"]", e.field());
        assertTrue(e.getMessage().contains("" + (Json.MAX_STRING_CHARS + 1)) && e.getMessage().length() < 1000, e.getMessage());
        String okName = "w".repeat(Json.MAX_NAME_CHARS);
        try (SafetensorsFile f = SafetensorsFile.open(Fixtures.writeJson(dir.resolve("long.safetensors"),
                GOOD.replace("\"w\"", "\"" + okName + "\""), new byte[24]))) {
            assertEquals(okName, f.tensorNames().getFirst());
        }
    }

    @Test
    void raw_control_characters_are_rejected_so_no_utf16_guessing_happens() {
        names(fails("{\0}\0", 0), "header at byte 9", "0x00");
        names(fails("{\"__metadata__\":{\"k\":\"a\u0001b\"}}", 0), "header at byte 31", "0x01");
        try (SafetensorsFile f = SafetensorsFile.open(Fixtures.writeJson(dir.resolve("ws.safetensors"), "{\t\n\r}", new byte[0]))) {
            assertTrue(f.tensorNames().isEmpty(), "JSON whitespace is fine");
        }
    }

    @Test
    void metadata_values_must_be_strings_and_the_header_one_json_object() {
        names(fails("{\"__metadata__\":{\"n\":1}}", 0), "header[\"__metadata__\"][\"n\"]", "1");
        names(fails("{\"__metadata__\":[]}", 0), "header[\"__metadata__\"]", "[...]");
        names(fails("[]", 0), "header at byte 8", "0x5B");
        names(fails(" {}", 0), "header at byte 8", "0x20");
        names(fails("{} {}", 0), "header after the closing '}'", "{...}");
        assertTrue(fails("{\"w\":", 0).getMessage().contains("not valid JSON"));
        assertTrue(fails("{\"a\":1 \"b\":2}", 0).field().startsWith("header"));
    }

    @Test
    void empty_tensors_and_spaces_after_the_header_are_accepted() {
        String json = "{\"e\":{\"dtype\":\"F16\",\"shape\":[0,7],\"data_offsets\":[0,0]},\"s\":{\"dtype\":\"I64\",\"shape\":[],\"data_offsets\":[0,8]}}   ";
        Path file = Fixtures.writeJson(dir.resolve("ok.safetensors"), json, new byte[] {5, 0, 0, 0, 0, 0, 0, 0});
        try (SafetensorsFile f = SafetensorsFile.open(file)) {
            assertEquals(0, f.tensor("e").numel());
            assertEquals(5, f.tensor("s").getLong());
        }
    }
}
