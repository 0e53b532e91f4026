package dev.panamax.transformer;

import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.panamax.tensor.Backends;
import dev.panamax.tensor.OpsProvider;
import org.junit.jupiter.api.Test;

/**
 * A CPU user depends on panamax-transformer and gets no JCuda: this module's test class path is what
 * such a user's class path holds. The cuda backend comes only with panamax-kernels-cuda (found then
 * through ServiceLoader, as the jmh module's tests and the ./panamax launcher show).
 */
class CpuOnlyClassPathTest {

    @Test
    void neither_jcuda_nor_the_cuda_backend_come_with_the_transformer() {
        assertThrows(ClassNotFoundException.class, () -> Class.forName("jcuda.driver.JCudaDriver"));
        assertThrows(ClassNotFoundException.class, () -> Class.forName("dev.panamax.kernels.cuda.CudaOpsProvider"));
        assertTrue(Backends.providers().stream().map(OpsProvider::name).noneMatch("cuda"::equals));
        assertTrue(Backends.providers().stream().map(OpsProvider::name).anyMatch("cpu"::equals));
    }
}
