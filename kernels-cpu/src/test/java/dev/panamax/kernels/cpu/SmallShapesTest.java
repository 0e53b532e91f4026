package dev.panamax.kernels.cpu;

import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import org.junit.jupiter.api.Test;

/** Which matmuls {@link SmallShapes#scalarMatmul} sends to the scalar path, at its edges. */
class SmallShapesTest {
    private static final long DEFAULT = SmallShapes.defaults().matmulWork();

    @Test
    void a_matmul_of_at_most_the_threshold_is_scalar_whatever_its_weight() {
        assertTrue(SmallShapes.scalarMatmul(1, 512, 64, 1 << 16)); // stories260K's head, one token: 32 Ki
        assertTrue(SmallShapes.scalarMatmul(1, 256, 256, 1 << 16)); // exactly the threshold
        assertFalse(SmallShapes.scalarMatmul(1, 257, 256, 1 << 16));
    }

    @Test
    void a_prompt_over_a_small_weight_is_scalar_up_to_the_prompt_factor() {
        long t = 1 << 16;
        // stories260K's FFN weight [172, 64]: 11,008 multiply-adds a row, so 95 rows fit in 16 x 64 Ki and 96 do not
        assertTrue(SmallShapes.scalarMatmul(95, 172, 64, t));
        assertFalse(SmallShapes.scalarMatmul(96, 172, 64, t));
        // exactly 16 x the threshold
        assertTrue(SmallShapes.scalarMatmul(16, 256, 256, t));
        assertFalse(SmallShapes.scalarMatmul(17, 256, 256, t));
    }

    @Test
    void real_models_weights_never_take_the_prompt_rule() {
        // Gemma 3 1B's K projection [256, 1152] (295 Ki) and TinyLlama's [256, 2048]: vector at any row count
        assertFalse(SmallShapes.scalarMatmul(1, 256, 1152, DEFAULT));
        assertFalse(SmallShapes.scalarMatmul(4, 256, 1152, DEFAULT));
        assertFalse(SmallShapes.scalarMatmul(2, 256, 2048, DEFAULT));
    }

    @Test
    void zero_means_never_and_the_largest_threshold_always() {
        assertFalse(SmallShapes.scalarMatmul(1, 1, 1, SmallShapes.NONE.matmulWork()));
        assertFalse(SmallShapes.scalarMatmul(64, 8, 8, 0));
        assertTrue(SmallShapes.scalarMatmul(4096, 4096, 4096, SmallShapes.ALL.matmulWork())); // no overflow of 16 x MAX
    }
}
