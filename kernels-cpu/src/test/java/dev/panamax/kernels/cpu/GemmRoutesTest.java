package dev.panamax.kernels.cpu;

import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import org.junit.jupiter.api.Test;

/** The per-machine choice of the wide-batch GEMM's weight tiles: the rule, the override, and what is reported. */
class GemmRoutesTest {

    @Test
    void amd_keeps_the_strided_tiles_and_other_machines_take_the_packed_ones() {
        assertFalse(GemmRoutes.choose(new CpuIdentity("AuthenticAMD", 25), null).packed);
        assertFalse(GemmRoutes.choose(new CpuIdentity("AuthenticAMD", 26), null).packed);
        assertTrue(GemmRoutes.choose(new CpuIdentity("GenuineIntel", 6), null).packed);
        assertTrue(GemmRoutes.choose(new CpuIdentity("", -1), null).packed);
    }

    @Test
    void the_property_forces_either_route_and_rejects_anything_else() {
        assertTrue(GemmRoutes.choose(new CpuIdentity("AuthenticAMD", 25), " Packed ").packed);
        assertFalse(GemmRoutes.choose(new CpuIdentity("GenuineIntel", 6), "strided").packed);
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                () -> GemmRoutes.choose(new CpuIdentity("GenuineIntel", 6), "fast"));
        assertTrue(e.getMessage().contains(GemmRoutes.PROPERTY) && e.getMessage().contains("fast"), e.getMessage());
    }

    @Test
    void the_description_names_the_layout_the_cpu_and_the_override() {
        String d = GemmRoutes.choose(new CpuIdentity("GenuineIntel", 6), null).description();
        assertTrue(d.contains("packed k-major") && d.contains("GenuineIntel family 6") && d.contains(GemmRoutes.PROPERTY), d);
        assertTrue(CpuMatmul.wideBatchGemm().contains(GemmRoutes.MACHINE.description()), CpuMatmul.wideBatchGemm());
    }

    @Test
    void this_machine_has_an_identity_or_reads_as_unknown() {
        CpuIdentity cpu = CpuIdentity.MACHINE;
        assertTrue(cpu.vendor().isEmpty() == (cpu.family() == -1) || !cpu.vendor().isEmpty(), cpu.describe());
    }
}
