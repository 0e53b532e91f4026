package dev.panamax.kernels.cuda;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

import java.util.ArrayList;
import java.util.EnumSet;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import java.util.TreeSet;
import org.junit.jupiter.api.Test;

/** The committed PTX against the kernels CudaOps launches: a renamed or missing entry fails here, without a GPU. */
class PtxResourcesTest {
    private static final List<String> MODULES = List.of("attention", "elementwise", "embed", "matmul", "matvec", "norm", "rope");

    @Test
    void every_launched_kernel_is_declared_as_an_entry_of_its_module() {
        List<String> missing = new ArrayList<>();
        for (Kernel k : Kernel.values()) {
            if (!Ptx.entries(Ptx.load(k.module)).contains(k.entry)) {
                missing.add(k.module + ".ptx lacks .entry " + k.entry + " (" + k + ")");
            }
        }
        assertTrue(missing.isEmpty(), String.join("\n", missing));
    }

    @Test
    void every_kernel_passes_the_parameters_its_ptx_entry_declares() {
        List<String> wrong = new ArrayList<>();
        for (Kernel k : Kernel.values()) {
            String declared = Ptx.signature(Ptx.load(k.module), k.entry);
            if (!declared.equals(k.signature)) {
                wrong.add(k.entry + ": PTX declares (" + declared + "), Kernel says (" + k.signature + ")");
            }
        }
        assertTrue(wrong.isEmpty(), String.join("\n", wrong));
    }

    @Test
    void launch_arguments_of_the_wrong_count_or_type_are_refused_before_reaching_the_gpu() {
        Kernel.SCALE.checkArguments(1L, 2f, 3L, 4L);
        IllegalArgumentException type = org.junit.jupiter.api.Assertions.assertThrows(IllegalArgumentException.class,
                () -> Kernel.SCALE.checkArguments(1L, 2.0, 3L, 4L));
        assertTrue(type.getMessage().contains("scale_f32") && type.getMessage().contains("argument 1"), type.getMessage());
        org.junit.jupiter.api.Assertions.assertThrows(IllegalArgumentException.class,
                () -> Kernel.RMS_NORM.checkArguments(1L, 2L, 3L, 4));
        org.junit.jupiter.api.Assertions.assertThrows(IllegalArgumentException.class,
                () -> Kernel.ARGMAX.checkArguments(1L, 2L, 3, 4));
        org.junit.jupiter.api.Assertions.assertThrows(IllegalArgumentException.class,
                () -> Kernel.SOFTMAX.checkArguments(1L, 2L, 3L));   // a long where the kernel takes an int
    }

    @Test
    void the_parameter_parser_reads_ptx_types() {
        String ptx = """
                .visible .entry k(
                	.param .u64 k_param_0,
                	.param .u32 k_param_1,
                	.param .f32 k_param_2,
                	.param .align 8 .b64 k_param_3
                )
                """;
        assertEquals("LIFL", Ptx.signature(ptx, "k"));
    }

    @Test
    void every_entry_of_the_committed_ptx_is_launched_by_some_kernel() {
        Set<String> launched = new HashSet<>();
        for (Kernel k : Kernel.values()) {
            launched.add(k.module + ":" + k.entry);
        }
        Set<String> unused = new TreeSet<>();
        for (String module : MODULES) {
            Set<String> entries = Ptx.entries(Ptx.load(module));
            assertFalse(entries.isEmpty(), module + ".ptx declares no entry");
            for (String e : entries) {
                if (!launched.contains(module + ":" + e)) {
                    unused.add(module + ":" + e);
                }
            }
        }
        assertTrue(unused.isEmpty(), "entries no Kernel launches: " + unused);
    }

    @Test
    void every_module_a_kernel_names_is_a_committed_resource() {
        Set<String> modules = new TreeSet<>();
        for (Kernel k : Kernel.values()) {
            modules.add(k.module);
        }
        assertEquals(new TreeSet<>(MODULES), modules);
    }

    @Test
    void the_ptx_targets_sm_80_with_isa_9_0_which_needs_a_cuda_13_driver() {
        for (String module : MODULES) {
            String ptx = Ptx.load(module);
            assertTrue(ptx.contains("\n.target sm_80"), module + ".ptx is not compiled for compute_80");
            assertEquals(90, Ptx.isaVersion(ptx), module);
        }
        assertEquals(13_000, Ptx.minimumDriver(90));
        assertEquals(12_040, Ptx.minimumDriver(84));
    }

    @Test
    void the_entry_parser_reads_visible_and_plain_entries_but_not_functions() {
        String ptx = """
                .version 9.0
                .visible .entry alpha(
                \t.param .u64 alpha_param_0
                )
                .entry beta (
                )
                .func (.param .b32 r) gamma(
                )
                """;
        assertEquals(Set.of("alpha", "beta"), Ptx.entries(ptx));
    }

    @Test
    void a_missing_module_is_reported_by_name() {
        IllegalStateException e = org.junit.jupiter.api.Assertions.assertThrows(IllegalStateException.class,
                () -> Ptx.load("no_such_module"));
        assertTrue(e.getMessage().contains("no_such_module.ptx"), e.getMessage());
    }

    @Test
    void weight_kernels_exist_for_exactly_the_supported_dtypes() {
        for (dev.panamax.tensor.DType t : dev.panamax.tensor.DType.values()) {
            if (Kernel.WEIGHT_TYPES.contains(t)) {
                Kernel.embed(t);
                Kernel.matvec(t);
                Kernel.matmul(t);
            } else {
                try {
                    Kernel.matmul(t);
                    fail("matmul kernel for unsupported " + t);
                } catch (UnsupportedOperationException e) {
                    assertTrue(e.getMessage().contains(t.name()), e.getMessage());
                }
            }
        }
        assertEquals(Kernel.MATMUL_WMMA_F16, Kernel.matmul(dev.panamax.tensor.DType.F16));
        assertEquals(Kernel.MATMUL_WMMA_BF16, Kernel.matmul(dev.panamax.tensor.DType.BF16));
        assertEquals(Kernel.MATMUL_TILED_Q4_K, Kernel.matmul(dev.panamax.tensor.DType.Q4_K));
        assertEquals(EnumSet.of(dev.panamax.tensor.DType.F32, dev.panamax.tensor.DType.F16, dev.panamax.tensor.DType.BF16,
                dev.panamax.tensor.DType.Q8_0, dev.panamax.tensor.DType.Q4_0, dev.panamax.tensor.DType.Q4_K,
                dev.panamax.tensor.DType.Q6_K), Kernel.WEIGHT_TYPES);
    }
}
