package dev.panamax.kernels.cuda;

import static org.junit.jupiter.api.Assertions.assertDoesNotThrow;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.panamax.tensor.Attention;
import dev.panamax.tensor.Tensor;
import java.lang.foreign.Arena;
import org.junit.jupiter.api.Test;

/**
 * The CUDA attention kernel is plain causal attention: each {@link Attention} option it lacks is refused by name
 * before anything is launched (checked without a GPU; the plain case runs in {@link CudaOpsVsReferenceTest}).
 */
class AttentionOptionsOnCudaTest {
    @Test
    void each_unsupported_option_is_named() {
        Tensor sinks = Tensor.of(Arena.ofAuto(), new float[] {1, 2}, 2);
        String[][] cases = {{"window", "4096"}, {"softCap", "50.0"}, {"sinks", ""}, {"bidirectional", "encoder"}};
        Attention[] options = {Attention.CAUSAL.withWindow(4096), Attention.CAUSAL.withSoftCap(50), Attention.CAUSAL.withSinks(sinks),
                Attention.BIDIRECTIONAL};
        for (int i = 0; i < options.length; i++) {
            Attention o = options[i];
            UnsupportedOperationException e = assertThrows(UnsupportedOperationException.class,
                    () -> CudaOps.unsupported("cuda attention", o));
            assertTrue(e.getMessage().contains("option " + cases[i][0]) && e.getMessage().contains(cases[i][1]), e.getMessage());
        }
        assertDoesNotThrow(() -> CudaOps.unsupported("cuda attention", Attention.CAUSAL));
        assertThrows(IllegalArgumentException.class, () -> CudaOps.unsupported("cuda attention", null));
    }
}
