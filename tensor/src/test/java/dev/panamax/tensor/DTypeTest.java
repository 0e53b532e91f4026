package dev.panamax.tensor;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.EnumSet;
import org.junit.jupiter.api.Test;

class DTypeTest {

    /** ggml's table (ggml.h enum ggml_type, ggml-common.h block structs), written out independently of DType. */
    private static final Object[][] GGML = {
            {"F32", 0, 1, 4}, {"F16", 1, 1, 2}, {"Q4_0", 2, 32, 2 + 16}, {"Q4_1", 3, 32, 2 + 2 + 16},
            {"Q5_0", 6, 32, 2 + 4 + 16}, {"Q5_1", 7, 32, 2 + 2 + 4 + 16}, {"Q8_0", 8, 32, 2 + 32},
            {"Q8_1", 9, 32, 2 + 2 + 32}, {"Q2_K", 10, 256, 16 + 64 + 2 + 2}, {"Q3_K", 11, 256, 32 + 64 + 12 + 2},
            {"Q4_K", 12, 256, 2 + 2 + 12 + 128}, {"Q5_K", 13, 256, 2 + 2 + 12 + 32 + 128},
            {"Q6_K", 14, 256, 128 + 64 + 16 + 2}, {"Q8_K", 15, 256, 4 + 256 + 2 * 16}, {"I8", 24, 1, 1},
            {"I16", 25, 1, 2}, {"I32", 26, 1, 4}, {"I64", 27, 1, 8}, {"F64", 28, 1, 8}, {"BF16", 30, 1, 2},
            {"MXFP4", 39, 32, 1 + 16},
    };

    @Test
    void ids_block_sizes_and_bytes_match_ggml() {
        EnumSet<DType> seen = EnumSet.noneOf(DType.class);
        for (Object[] row : GGML) {
            DType t = DType.valueOf((String) row[0]);
            assertEquals(row[1], t.ggmlId(), t + " id");
            assertEquals(row[2], t.blockSize(), t + " block size");
            assertEquals(row[3], t.bytesPerBlock(), t + " bytes per block");
            assertEquals(t, DType.fromGgmlId((int) row[1]));
            seen.add(t);
        }
        assertEquals(EnumSet.allOf(DType.class), seen, "every DType is in ggml's table");
    }

    @Test
    void unknown_ids_are_a_clear_error() {
        for (int id : new int[] {4, 5, 16, 20, 23, 29, 31, 40, 63, 64, -1, Integer.MAX_VALUE}) {
            UnknownDTypeException e = assertThrows(UnknownDTypeException.class, () -> DType.fromGgmlId(id));
            assertEquals(id, e.ggmlId());
            assertTrue(e.getMessage().contains("unknown ggml tensor type id " + id), e.getMessage());
        }
    }

    @Test
    void byte_size_counts_whole_blocks_and_rejects_partial_ones() {
        assertEquals(4096 / 256 * 144, DType.Q4_K.byteSize(4096));
        assertEquals(12L * 4, DType.F32.byteSize(12));
        assertThrows(IllegalArgumentException.class, () -> DType.Q8_0.byteSize(33));
        assertThrows(IllegalArgumentException.class, () -> DType.F32.byteSize(-1));
        assertThrows(ArithmeticException.class, () -> DType.F64.byteSize(Long.MAX_VALUE / 4));
    }

    @Test
    void quantized_and_floating_point_flags() {
        assertTrue(DType.Q6_K.isQuantized());
        assertFalse(DType.BF16.isQuantized());
        assertTrue(DType.BF16.isFloatingPoint());
        assertFalse(DType.I32.isFloatingPoint());
    }
}
