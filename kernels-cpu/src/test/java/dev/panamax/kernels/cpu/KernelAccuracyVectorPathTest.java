package dev.panamax.kernels.cpu;

/**
 * {@link KernelAccuracyTest} with every cpu kernel on its vector path, however small the input: by default
 * inputs of up to {@link SmallShapes#elements()} run the scalar code, and so would leave the vector kernels
 * untested on short rows and tails.
 */
class KernelAccuracyVectorPathTest extends KernelAccuracyTest {
    @Override
    CpuOps backend() {
        return new CpuOps(3, SmallShapes.NONE);
    }
}
