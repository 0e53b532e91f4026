package dev.panamax.jmh.limits;

import java.lang.foreign.MemorySegment;
import java.nio.ByteOrder;

import jdk.incubator.vector.FloatVector;
import jdk.incubator.vector.VectorOperators;
import jdk.incubator.vector.VectorSpecies;

/**
 * The read-bandwidth kernel: sums a range of an off-heap segment with {@link FloatVector} loads into
 * four accumulators, so the loads, not the add latency, bound the loop.
 */
final class SequentialRead {
    private static final VectorSpecies<Float> SPECIES = FloatVector.SPECIES_PREFERRED;
    private static final int STEP = 4 * SPECIES.vectorByteSize();

    private SequentialRead() {
    }

    /** Sum of the floats in bytes {@code [from, to)}; the length must be a multiple of four vectors. */
    static float sum(MemorySegment data, long from, long to) {
        FloatVector s0 = FloatVector.zero(SPECIES), s1 = s0, s2 = s0, s3 = s0;
        int vb = SPECIES.vectorByteSize();
        for (long at = from; at < to; at += STEP) {
            s0 = s0.add(FloatVector.fromMemorySegment(SPECIES, data, at, ByteOrder.LITTLE_ENDIAN));
            s1 = s1.add(FloatVector.fromMemorySegment(SPECIES, data, at + vb, ByteOrder.LITTLE_ENDIAN));
            s2 = s2.add(FloatVector.fromMemorySegment(SPECIES, data, at + 2L * vb, ByteOrder.LITTLE_ENDIAN));
            s3 = s3.add(FloatVector.fromMemorySegment(SPECIES, data, at + 3L * vb, ByteOrder.LITTLE_ENDIAN));
        }
        return s0.add(s1).add(s2).add(s3).reduceLanes(VectorOperators.ADD);
    }
}
