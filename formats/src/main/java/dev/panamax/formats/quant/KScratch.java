package dev.panamax.formats.quant;

/**
 * Per-thread working arrays of the K-quant quantizers (ggml keeps them on the C stack), so that
 * quantizing a row allocates nothing.
 */
final class KScratch {
    private static final ThreadLocal<KScratch> PER_THREAD = ThreadLocal.withInitial(KScratch::new);

    /** Quants of one super-block, before packing. */
    final byte[] quants = new byte[256];
    /** Candidate quants of one sub-block. */
    final byte[] candidate = new byte[32];
    /** Weights of one sub-block's least-squares fit. */
    final float[] weights = new float[32];
    /** Scale per sub-block. */
    final float[] scales = new float[16];
    /** Min per sub-block. */
    final float[] mins = new float[16];
    /** Quantized scales and mins per sub-block. */
    final int[] scaleQuants = new int[16];
    final int[] minQuants = new int[16];
    /** The packed scale field of Q3_K, Q4_K and Q5_K. */
    final byte[] packed = new byte[12];

    private KScratch() {
    }

    static KScratch get() {
        return PER_THREAD.get();
    }
}
