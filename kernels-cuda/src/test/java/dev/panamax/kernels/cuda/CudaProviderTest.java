package dev.panamax.kernels.cuda;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import dev.panamax.tensor.Backends;
import dev.panamax.tensor.OpsProvider;
import java.util.Optional;
import org.junit.jupiter.api.Test;

class CudaProviderTest {

    @Test
    void the_cuda_provider_is_found_by_name_through_the_service_loader() {
        OpsProvider p = Backends.provider("cuda");
        assertEquals("cuda", p.name());
        assertTrue(p instanceof CudaOpsProvider);
    }

    @Test
    void without_libcuda_the_reason_names_the_missing_driver_library() {
        Optional<String> missing = CudaAvailability.driverLibraryMissing();
        assumeTrue(missing.isPresent(), "libcuda.so.1 is installed here");
        Optional<String> reason = new CudaOpsProvider().unavailableReason();
        assertTrue(reason.isPresent(), "no driver library, yet the backend claims to be available");
        assertTrue(reason.get().contains("libcuda.so.1") && reason.get().contains("driver"), reason.get());
    }

    @Test
    void an_unavailable_backend_refuses_to_open_with_its_reason() {
        Optional<String> reason = new CudaOpsProvider().unavailableReason();
        assumeTrue(reason.isPresent(), "a usable GPU is present");
        IllegalStateException e = assertThrows(IllegalStateException.class, () -> Backends.open("cuda", 1));
        assertTrue(e.getMessage().contains(reason.get()), e.getMessage());
        IllegalStateException direct = assertThrows(IllegalStateException.class, () -> new CudaOpsProvider().create(1));
        assertTrue(direct.getMessage().contains(reason.get()), direct.getMessage());
    }

    @Test
    void without_libcuda_loading_the_jcuda_binding_fails_into_a_reason_not_a_crash() {
        assumeTrue(CudaAvailability.driverLibraryMissing().isPresent(), "libcuda.so.1 is installed here");
        Optional<String> reason = CudaAvailability.driverReason();
        assertTrue(reason.isPresent(), "JCuda's driver binding loaded and initialised without libcuda.so.1");
        assertTrue(reason.get().contains("JCuda's native library failed to load") || reason.get().startsWith("cuInit failed"),
                reason.get());
        assertTrue(!reason.get().contains("\n"), "the reason must be one line: " + reason.get());
    }

    @Test
    void a_driver_older_than_cuda_13_is_refused_for_ptx_isa_9() {
        Optional<String> old = CudaAvailability.driverTooOld(12_040, 90);
        assertTrue(old.isPresent());
        assertTrue(old.get().contains("CUDA 12.4") && old.get().contains("PTX ISA 9.0") && old.get().contains("CUDA 13.0"),
                old.get());
        assertEquals(Optional.empty(), CudaAvailability.driverTooOld(13_000, 90));
        assertEquals(Optional.empty(), CudaAvailability.driverTooOld(13_020, 90));
        assertTrue(CudaAvailability.driverTooOld(12_080, 90).isPresent());
    }

    @Test
    void gpus_before_ampere_are_refused_with_their_compute_capability() {
        Optional<String> turing = CudaAvailability.computeCapabilityTooLow(0, "Tesla T4", 75);
        assertTrue(turing.isPresent());
        assertTrue(turing.get().contains("Tesla T4") && turing.get().contains("7.5") && turing.get().contains("8.0"),
                turing.get());
        assertEquals(Optional.empty(), CudaAvailability.computeCapabilityTooLow(0, "A100", 80));
        assertEquals(Optional.empty(), CudaAvailability.computeCapabilityTooLow(0, "H100", 90));
    }

    @Test
    void the_reason_is_computed_once_and_is_stable() {
        assertEquals(new CudaOpsProvider().unavailableReason(), new CudaOpsProvider().unavailableReason());
    }

    @Test
    void the_driver_library_lookup_reports_an_absent_library_without_throwing() {
        // The FFM probe must turn a missing library into a reason, whatever the machine.
        Optional<String> r = CudaAvailability.driverLibraryMissing();
        r.ifPresent(s -> assertTrue(s.contains(CudaAvailability.DRIVER_LIBRARY), s));
    }
}
