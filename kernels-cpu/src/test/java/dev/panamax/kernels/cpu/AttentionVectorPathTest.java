package dev.panamax.kernels.cpu;

/**
 * {@link AttentionTest} with the cpu backend's attention always in {@link FlashAttention}: by default calls of up
 * to {@link SmallShapes#attentionWork()} multiply-adds run {@link SmallAttention}, which would leave the flash
 * kernel untested on short contexts and small heads.
 */
class AttentionVectorPathTest extends AttentionTest {
    @Override
    CpuOps backend() {
        return new CpuOps(3, SmallShapes.NONE);
    }
}
