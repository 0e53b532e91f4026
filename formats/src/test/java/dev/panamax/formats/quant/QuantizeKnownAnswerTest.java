package dev.panamax.formats.quant;

import static org.junit.jupiter.api.Assertions.assertEquals;

import dev.panamax.tensor.DType;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.nio.ByteOrder;
import org.junit.jupiter.api.Test;

/**
 * Quantizing blocks whose encoding can be worked out by hand, including exact halves, which tell
 * ggml's two roundings apart: {@code roundf} (halves away from zero, Q8_0/Q8_1), {@code (int)(x + 8.5f)}
 * (halves up, Q4_0) and {@code nearest_int} (halves to even, the K-quants).
 */
class QuantizeKnownAnswerTest {
    private static final ValueLayout.OfShort LE_I16 = ValueLayout.JAVA_SHORT_UNALIGNED.withOrder(ByteOrder.LITTLE_ENDIAN);
    private static final ValueLayout.OfFloat LE_F32 = ValueLayout.JAVA_FLOAT_UNALIGNED.withOrder(ByteOrder.LITTLE_ENDIAN);

    private static MemorySegment quantize(DType type, float[] x) {
        MemorySegment out = MemorySegment.ofArray(new byte[(int) type.byteSize(x.length)]);
        Quants.quantizeRow(type, x, 0, x.length, out, 0);
        return out;
    }

    @Test
    void q8_0_with_amax_127_has_d_1_and_rounds_halves_away_from_zero() {
        float[] x = new float[32];
        for (int j = 0; j < 32; j++) {
            x[j] = j - 20; // integers: stored exactly
        }
        x[0] = 127f;
        x[1] = 2.5f;
        x[2] = -2.5f;
        x[3] = 0.5f;
        x[4] = -0.5f;
        MemorySegment q = quantize(DType.Q8_0, x);
        assertEquals((short) 0x3C00, q.get(LE_I16, 0), "d = 127 / 127 = 1.0 as f16");
        int[] want = new int[32];
        for (int j = 0; j < 32; j++) {
            want[j] = j - 20;
        }
        want[0] = 127;
        want[1] = 3;
        want[2] = -3;
        want[3] = 1;
        want[4] = -1;
        for (int j = 0; j < 32; j++) {
            assertEquals(want[j], q.get(ValueLayout.JAVA_BYTE, 2 + j), "q[" + j + "] of " + x[j]);
        }
    }

    @Test
    void q8_1_stores_d_times_the_sum_of_its_quants() {
        float[] x = new float[32];
        for (int j = 0; j < 32; j++) {
            x[j] = j % 2 == 0 ? 4f : -2f;
        }
        x[5] = 127f;
        MemorySegment q = quantize(DType.Q8_1, x);
        int sum = 16 * 4 + 15 * -2 + 127;
        assertEquals(Float.floatToFloat16(sum), q.get(LE_I16, 2), "s = d * sum(q) with d = 1");
    }

    @Test
    void q4_0_maps_the_largest_magnitude_to_q_0_and_rounds_halves_up() {
        float[] x = new float[32];
        for (int j = 0; j < 32; j++) {
            x[j] = ((j % 16) - 8) * 0.5f; // -4 .. 3.5: d = -4 / -8 = 0.5, q = j % 16
        }
        x[17] = -1.25f; // -2.5 steps: (int)(-2.5 + 8.5) = 6, i.e. the half goes up to -2
        MemorySegment q = quantize(DType.Q4_0, x);
        assertEquals((short) 0x3800, q.get(LE_I16, 0), "d = 0.5 as f16");
        for (int j = 0; j < 16; j++) {
            int high = j == 1 ? 6 : j % 16;
            assertEquals(j | high << 4, q.get(ValueLayout.JAVA_BYTE, 2 + j) & 0xFF, "byte " + j);
        }
    }

    @Test
    void q8_k_uses_nearest_int_which_rounds_halves_to_even() {
        float[] x = new float[256];
        for (int j = 0; j < 256; j++) {
            x[j] = (j % 50) - 25; // integers in [-25, 24]
        }
        x[0] = -127f; // max = -127: iscale = -127 / max = 1, d = 1
        x[1] = 2.5f;
        x[2] = -2.5f;
        x[3] = 3.5f;
        x[4] = 0.5f;
        MemorySegment q = quantize(DType.Q8_K, x);
        assertEquals(1.0f, q.get(LE_F32, 0));
        assertEquals(-127, q.get(ValueLayout.JAVA_BYTE, 4));
        assertEquals(2, q.get(ValueLayout.JAVA_BYTE, 5), "2.5 -> 2");
        assertEquals(-2, q.get(ValueLayout.JAVA_BYTE, 6), "-2.5 -> -2");
        assertEquals(4, q.get(ValueLayout.JAVA_BYTE, 7), "3.5 -> 4");
        assertEquals(0, q.get(ValueLayout.JAVA_BYTE, 8), "0.5 -> 0");
        int sum = 0;
        for (int j = 0; j < 16; j++) {
            sum += q.get(ValueLayout.JAVA_BYTE, 4 + j);
        }
        assertEquals(sum, q.get(LE_I16, 260), "bsums[0]");
    }

    @Test
    void nearest_int_is_ggml_float_trick() {
        assertEquals(2, Blocks.nearestInt(2.5f));
        assertEquals(4, Blocks.nearestInt(3.5f));
        assertEquals(-2, Blocks.nearestInt(-2.5f));
        assertEquals(-3, Blocks.nearestInt(-2.5000002f));
        assertEquals(4194303, Blocks.nearestInt(4194303f));
        assertEquals(3, Blocks.roundHalfAway(2.5f));
        assertEquals(-3, Blocks.roundHalfAway(-2.5f));
        assertEquals(0, Blocks.roundHalfAway(0.49999997f), "no double rounding in x + 0.5");
    }
}
