package dev.panamax.kernels.cpu;

import java.util.Objects;

/**
 * The {@code k} largest entries of a row, for samplers (top-k, top-p): a bounded min-heap in the
 * caller's arrays, {@code O(n log k)} time, no allocation and no full sort.
 */
public final class TopK {
    private TopK() {
    }

    /**
     * Finds the {@code k} largest of {@code row[offset .. offset + n)} and writes their indices
     * (relative to {@code offset}) and values into {@code indices[0..k)} and {@code values[0..k)},
     * largest first; equal values keep the lower index first. NaN entries are never selected.
     *
     * @param row     the values to choose from
     * @param offset  where the candidates start in {@code row}
     * @param n       how many candidates there are
     * @param k       how many to choose
     * @param indices receives the chosen indices, relative to {@code offset}
     * @param values  receives the chosen values
     * @return the number of entries written: {@code min(k, n)} minus the NaN entries that would be needed
     * @throws IllegalArgumentException if {@code k} is negative or the output arrays are shorter than {@code k}
     */
    public static int select(float[] row, int offset, int n, int k, int[] indices, float[] values) {
        Objects.checkFromIndexSize(offset, n, row.length);
        if (k < 0 || indices.length < k || values.length < k) {
            throw new IllegalArgumentException("top-k: k = " + k + " needs output arrays of at least k entries, got "
                    + indices.length + " and " + values.length);
        }
        int size = 0;
        for (int i = 0; i < n && k > 0; i++) {
            float v = row[offset + i];
            if (Float.isNaN(v)) {
                continue;
            }
            if (size < k) {
                indices[size] = i;
                values[size] = v;
                siftUp(indices, values, size++);
            } else if (before(v, i, values[0], indices[0])) { // better than the worst kept: replace the root
                indices[0] = i;
                values[0] = v;
                siftDown(indices, values, 0, size);
            }
        }
        // heap sort in place: repeatedly move the worst to the end, leaving the best first
        for (int end = size - 1; end > 0; end--) {
            swap(indices, values, 0, end);
            siftDown(indices, values, 0, end);
        }
        return size;
    }

    /** True if (v, i) ranks before (w, j): larger value, or equal value and lower index. */
    private static boolean before(float v, int i, float w, int j) {
        return v > w || v == w && i < j;
    }

    /** The heap keeps its worst entry (ranked last) at the root. */
    private static void siftUp(int[] idx, float[] val, int c) {
        while (c > 0) {
            int p = (c - 1) / 2;
            if (!before(val[p], idx[p], val[c], idx[c])) {
                return;
            }
            swap(idx, val, p, c);
            c = p;
        }
    }

    private static void siftDown(int[] idx, float[] val, int p, int size) {
        while (true) {
            int worst = p;
            for (int c = 2 * p + 1; c <= 2 * p + 2 && c < size; c++) {
                if (before(val[worst], idx[worst], val[c], idx[c])) {
                    worst = c;
                }
            }
            if (worst == p) {
                return;
            }
            swap(idx, val, p, worst);
            p = worst;
        }
    }

    private static void swap(int[] idx, float[] val, int a, int b) {
        int i = idx[a];
        idx[a] = idx[b];
        idx[b] = i;
        float v = val[a];
        val[a] = val[b];
        val[b] = v;
    }
}
