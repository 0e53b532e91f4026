package dev.panamax.transformer.sampling;

import java.util.Arrays;

/**
 * The tokens still in the running and their logits, sorted most likely first (lowest id first on
 * ties) once a filter needs the order. Buffers are sized for the vocabulary once and reused.
 */
final class Candidates {
    final int[] ids;
    final float[] logits;
    final double[] probabilities;
    int size;
    boolean sorted;
    private final long[] keys;

    Candidates(int vocab) {
        ids = new int[vocab];
        logits = new float[vocab];
        probabilities = new double[vocab];
        keys = new long[vocab];
    }

    /** All tokens, in id order. */
    void reset(float[] source) {
        if (source.length != ids.length) {
            throw new IllegalArgumentException("logits have length " + source.length + ", the sampler was built for " + ids.length);
        }
        for (int i = 0; i < source.length; i++) {
            ids[i] = i;
            logits[i] = source[i];
        }
        size = source.length;
        sorted = false;
    }

    /**
     * Keeps only the tokens whose bit is set in {@code allowed} (bit {@code id & 63} of word {@code id >>> 6}),
     * in id order: before any sort, while {@code ids[i] == i}.
     */
    void keep(long[] allowed) {
        int kept = 0;
        for (int i = 0; i < size; i++) {
            int id = ids[i];
            if ((allowed[id >>> 6] & (1L << id)) != 0) {
                ids[kept] = id;
                logits[kept++] = logits[i];
            }
        }
        size = kept;
        sorted = false;
    }

    /** Sorts by logit, descending, ties by id: each candidate packed into one long so a primitive sort does it. */
    void sort() {
        if (sorted) {
            return;
        }
        for (int i = 0; i < size; i++) {
            int bits = Float.floatToRawIntBits(logits[i]);
            int ordered = bits ^ ((bits >> 31) & 0x7fffffff); // as a signed int, orders like the float
            keys[i] = ((long) ~ordered << 32) | (ids[i] & 0xffffffffL);
        }
        Arrays.sort(keys, 0, size);
        for (int i = 0; i < size; i++) {
            int ordered = ~(int) (keys[i] >> 32);
            int bits = ordered ^ ((ordered >> 31) & 0x7fffffff);
            logits[i] = Float.intBitsToFloat(bits);
            ids[i] = (int) keys[i];
        }
        sorted = true;
    }

    /** probabilities[i] = softmax(logits)[i] over the current candidates (in double). */
    void softmax() {
        double max = Double.NEGATIVE_INFINITY;
        for (int i = 0; i < size; i++) {
            max = Math.max(max, logits[i]);
        }
        double sum = 0;
        for (int i = 0; i < size; i++) {
            probabilities[i] = Math.exp(logits[i] - max);
            sum += probabilities[i];
        }
        for (int i = 0; i < size; i++) {
            probabilities[i] /= sum;
        }
    }
}
