package dev.panamax.kernels.cpu;

/**
 * Every IEEE half-precision value as a float, {@code TO_FLOAT[h & 0xFFFF] == Float.float16ToFloat(h)} bit for bit
 * (NaN payloads included): 65,536 floats, 256 KiB, built once per JVM on first use.
 *
 * <p>Why a table: a Q4_0 or Q8_0 block carries its scale as an f16, so a decode dot converts one per 32 weights.
 * {@code Float.float16ToFloat} compiles to {@code vmovd} and {@code vcvtph2ps}, three uops on the vector ports
 * that the block's own multiplies and conversions need; on Sapphire Rapids (two 512-bit ports) that was about a
 * fifth of the Q4_0 dot's time. A lookup is two loads, which go to the load ports. The scales of one matrix share
 * few exponents, so the entries in use stay in L1.
 */
final class HalfFloats {
    /** {@code TO_FLOAT[h]}: the half-precision bits h (0 .. 65535) as a float. */
    static final float[] TO_FLOAT = table();

    private HalfFloats() {
    }

    private static float[] table() {
        float[] t = new float[65536];
        for (int h = 0; h < t.length; h++) {
            t[h] = Float.float16ToFloat((short) h);
        }
        return t;
    }
}
