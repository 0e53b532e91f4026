package dev.panamax.jmh.limits;

import jdk.incubator.vector.FloatVector;
import jdk.incubator.vector.VectorOperators;
import jdk.incubator.vector.VectorSpecies;

/**
 * The peak-FMA kernel: twelve independent chains of {@code acc = acc * x + y} on
 * {@link FloatVector#SPECIES_PREFERRED}. Twelve chains hide the FMA latency of current cores (4-5
 * cycles on 2 pipes needs 8-10 in flight) while staying within 16 vector registers, so the loop runs
 * at the core's FMA throughput. The multiplier is just below 1, so the values converge and never overflow.
 */
final class FmaChains {
    static final VectorSpecies<Float> SPECIES = FloatVector.SPECIES_PREFERRED;

    /** Number of independent accumulator chains. */
    static final int CHAINS = 12;

    /** Scalar fused multiply-adds per call of {@link #run()}, the same for every vector width (lanes divide 2^18). */
    static final long FMAS_PER_RUN = CHAINS * (1L << 18);

    /** Floating-point operations per call of {@link #run()}: an FMA counts as two. */
    static final long FLOPS_PER_RUN = 2 * FMAS_PER_RUN;

    private static final int ITERATIONS = (1 << 18) / SPECIES.length();

    private FmaChains() {
    }

    /** Runs the chains and returns a value depending on all of them, so that the JIT keeps the work. */
    static float run(float seed) {
        FloatVector x = FloatVector.broadcast(SPECIES, 0.999_999f);
        FloatVector y = FloatVector.broadcast(SPECIES, 1e-7f);
        FloatVector a0 = FloatVector.broadcast(SPECIES, seed);
        FloatVector a1 = a0.add(1f), a2 = a0.add(2f), a3 = a0.add(3f), a4 = a0.add(4f), a5 = a0.add(5f);
        FloatVector a6 = a0.add(6f), a7 = a0.add(7f), a8 = a0.add(8f), a9 = a0.add(9f), a10 = a0.add(10f), a11 = a0.add(11f);
        for (int i = 0; i < ITERATIONS; i++) {
            a0 = a0.fma(x, y);
            a1 = a1.fma(x, y);
            a2 = a2.fma(x, y);
            a3 = a3.fma(x, y);
            a4 = a4.fma(x, y);
            a5 = a5.fma(x, y);
            a6 = a6.fma(x, y);
            a7 = a7.fma(x, y);
            a8 = a8.fma(x, y);
            a9 = a9.fma(x, y);
            a10 = a10.fma(x, y);
            a11 = a11.fma(x, y);
        }
        FloatVector sum = a0.add(a1).add(a2).add(a3).add(a4).add(a5).add(a6).add(a7).add(a8).add(a9).add(a10).add(a11);
        return sum.reduceLanes(VectorOperators.ADD);
    }
}
