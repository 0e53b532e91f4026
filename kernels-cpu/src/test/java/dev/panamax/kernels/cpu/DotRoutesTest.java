package dev.panamax.kernels.cpu;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import org.junit.jupiter.api.Test;

/** The per-machine choice of decode dots: the rule, the override, and what is reported. */
class DotRoutesTest {

    @Test
    void zen_4_takes_the_integer_q8_0_dot_and_other_machines_the_float_one() {
        assertEquals(DotRoutes.Q8_0Dot.INTEGER_256, DotRoutes.choose("AuthenticAMD", 25, null).q8_0);
        assertEquals(DotRoutes.Q8_0Dot.FLOAT_512, DotRoutes.choose("GenuineIntel", 6, null).q8_0);
        assertEquals(DotRoutes.Q8_0Dot.FLOAT_512, DotRoutes.choose("AuthenticAMD", 26, null).q8_0);
        assertEquals(DotRoutes.Q8_0Dot.FLOAT_512, DotRoutes.choose("", -1, null).q8_0);
    }

    @Test
    void the_property_forces_either_route_and_rejects_anything_else() {
        assertEquals(DotRoutes.Q8_0Dot.FLOAT_512, DotRoutes.choose("AuthenticAMD", 25, "float").q8_0);
        assertEquals(DotRoutes.Q8_0Dot.INTEGER_256, DotRoutes.choose("GenuineIntel", 6, " Integer ").q8_0);
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> DotRoutes.choose("GenuineIntel", 6, "fast"));
        assertTrue(e.getMessage().contains(DotRoutes.Q8_0_PROPERTY) && e.getMessage().contains("fast"), e.getMessage());
    }

    @Test
    void zen_4_keeps_the_converting_q4_0_dot_and_other_machines_look_the_scales_up() {
        assertEquals(DotRoutes.Q4_0Dot.CONVERT, DotRoutes.choose("AuthenticAMD", 25, null).q4_0);
        assertEquals(DotRoutes.Q4_0Dot.TABLE, DotRoutes.choose("GenuineIntel", 6, null).q4_0);
        assertEquals(DotRoutes.Q4_0Dot.TABLE, DotRoutes.choose("AuthenticAMD", 26, null).q4_0);
        assertEquals(DotRoutes.Q4_0Dot.TABLE, DotRoutes.choose("", -1, null).q4_0);
        assertTrue(DotRoutes.FLOAT.q4_0Table() && !DotRoutes.INTEGER.q4_0Table(), "the test routes cover both Q4_0 kernels");
    }

    @Test
    void the_q4_0_property_forces_either_route_apart_from_q8_0_and_rejects_anything_else() {
        DotRoutes convert = DotRoutes.choose("GenuineIntel", 6, null, " Convert ");
        assertEquals(DotRoutes.Q4_0Dot.CONVERT, convert.q4_0);
        assertEquals(DotRoutes.Q8_0Dot.FLOAT_512, convert.q8_0);
        DotRoutes table = DotRoutes.choose("AuthenticAMD", 25, "float", "table");
        assertEquals(DotRoutes.Q4_0Dot.TABLE, table.q4_0);
        assertEquals(DotRoutes.Q8_0Dot.FLOAT_512, table.q8_0);
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> DotRoutes.choose("GenuineIntel", 6, null, "lookup"));
        assertTrue(e.getMessage().contains(DotRoutes.Q4_0_PROPERTY) && e.getMessage().contains("lookup"), e.getMessage());
    }

    @Test
    void the_description_names_the_kernel_and_the_override() {
        String d = DotRoutes.choose("GenuineIntel", 6, null).description();
        assertTrue(d.startsWith("Q8_0 decode dot: "), d);
        if (WideDots.AVAILABLE) {
            assertTrue(d.contains("512-bit float") && d.contains("GenuineIntel family 6") && d.contains(DotRoutes.Q8_0_PROPERTY), d);
            assertTrue(d.contains("Q4_0 decode dot: 256-bit pairs, f16 scales looked up") && d.contains(DotRoutes.Q4_0_PROPERTY), d);
            String amd = DotRoutes.choose("AuthenticAMD", 25, null).description();
            assertTrue(amd.contains("f16 scales converted"), amd);
        } else {
            assertTrue(d.contains("narrower than 512 bits"), d);
        }
    }

    @Test
    void zen_4_keeps_the_one_row_k_quant_dots_and_other_machines_take_two_rows() {
        assertEquals(DotRoutes.KQuantDot.ONE_ROW, DotRoutes.choose("AuthenticAMD", 25, null, null, null).kQuant);
        assertEquals(DotRoutes.KQuantDot.TWO_ROWS, DotRoutes.choose("GenuineIntel", 6, null, null, null).kQuant);
        assertEquals(DotRoutes.KQuantDot.TWO_ROWS, DotRoutes.choose("AuthenticAMD", 26, null, null, null).kQuant);
        assertEquals(DotRoutes.KQuantDot.TWO_ROWS, DotRoutes.choose("", -1, null, null, null).kQuant);
        // the K-quant route leaves the Q8_0 one alone
        assertEquals(DotRoutes.Q8_0Dot.INTEGER_256, DotRoutes.choose("AuthenticAMD", 25, null, null, null).q8_0);
        assertEquals(WideDots.AVAILABLE, DotRoutes.choose("GenuineIntel", 6, null, null, null).kQuantTwoRows());
        assertFalse(DotRoutes.choose("AuthenticAMD", 25, null, null, null).kQuantTwoRows());
    }

    @Test
    void the_k_quant_property_forces_either_form_and_rejects_anything_else() {
        assertEquals(DotRoutes.KQuantDot.TWO_ROWS, DotRoutes.choose("AuthenticAMD", 25, null, null, "two").kQuant);
        assertEquals(DotRoutes.KQuantDot.ONE_ROW, DotRoutes.choose("GenuineIntel", 6, null, null, " One ").kQuant);
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> DotRoutes.choose("GenuineIntel", 6, null, null, "three"));
        assertTrue(e.getMessage().contains(DotRoutes.KQUANT_PROPERTY) && e.getMessage().contains("three"), e.getMessage());
        String d = DotRoutes.choose("GenuineIntel", 6, null, null, null).kQuantDescription();
        assertTrue(d.contains("two rows per pass") && d.contains("GenuineIntel family 6") && d.contains(DotRoutes.KQUANT_PROPERTY), d);
        if (WideDots.AVAILABLE) {
            assertTrue(DotRoutes.choose("GenuineIntel", 6, null, null, null).description().contains(d), "the description holds the K-quant route");
        }
    }
}
