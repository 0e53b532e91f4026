package dev.panamax.formats.quant;

import static dev.panamax.formats.quant.Blocks.nearestInt;

/**
 * ggml's searches for the scale (and min) of one small group of values, used by the K-quant
 * quantizers. Each one mirrors the float operations of its ggml counterpart in the same order,
 * because the chosen quants depend on every rounding: {@code make_qx_quants} (symmetric, weighted
 * least squares over 19 candidate scales), {@code make_q3_quants} (symmetric, coordinate descent)
 * and {@code make_qkx2_quants} (scale and min, 1 + nstep candidate scales).
 */
final class ScaleSearch {
    /** Groups whose largest magnitude is below this are stored as zeros (ggml's GROUP_MAX_EPS). */
    static final float GROUP_MAX_EPS = 1e-15f;

    private ScaleSearch() {
    }

    /**
     * Symmetric quants {@code L[i] in [0, 2 nmax)} (stored with offset nmax) for
     * {@code x[off..off+n)}, weighted by {@code x^2} (ggml's rmse_type 1 with no importance
     * weights); returns the scale.
     */
    static float makeQxQuants(int n, int nmax, float[] x, int off, byte[] L, int lOff) {
        float max = maxByMagnitude(x, off, n);
        if (Math.abs(max) < GROUP_MAX_EPS) {
            for (int i = 0; i < n; i++) {
                L[lOff + i] = 0;
            }
            return 0f;
        }
        float iscale = -nmax / max;
        float sumlx = 0;
        float suml2 = 0;
        for (int i = 0; i < n; i++) {
            int l = clamp(nearestInt(iscale * x[off + i]), -nmax, nmax - 1);
            L[lOff + i] = (byte) (l + nmax);
            float w = x[off + i] * x[off + i];
            sumlx += w * x[off + i] * l;
            suml2 += w * l * l;
        }
        float scale = suml2 != 0 ? sumlx / suml2 : 0.0f;
        float best = scale * sumlx;
        for (int is = -9; is <= 9; is++) {
            if (is == 0) {
                continue;
            }
            iscale = -(nmax + 0.1f * is) / max;
            sumlx = 0;
            suml2 = 0;
            for (int i = 0; i < n; i++) {
                int l = clamp(nearestInt(iscale * x[off + i]), -nmax, nmax - 1);
                float w = x[off + i] * x[off + i];
                sumlx += w * x[off + i] * l;
                suml2 += w * l * l;
            }
            if (suml2 > 0 && sumlx * sumlx > best * suml2) {
                for (int i = 0; i < n; i++) {
                    L[lOff + i] = (byte) (nmax + clamp(nearestInt(iscale * x[off + i]), -nmax, nmax - 1));
                }
                scale = sumlx / suml2;
                best = scale * sumlx;
            }
        }
        return scale;
    }

    /**
     * Symmetric quants for Q3_K ({@code L[i] in [0, 2 nmax)}, offset nmax): start from the nearest
     * quants of {@code -nmax / max}, then move single quants while that improves the x^2-weighted
     * least-squares fit (at most 5 sweeps); returns the scale.
     */
    static float makeQ3Quants(int n, int nmax, float[] x, int off, byte[] L, int lOff) {
        float max = maxByMagnitude(x, off, n);
        if (Math.abs(max) < GROUP_MAX_EPS) {
            for (int i = 0; i < n; i++) {
                L[lOff + i] = 0;
            }
            return 0f;
        }
        float iscale = -nmax / max;
        float sumlx = 0;
        float suml2 = 0;
        for (int i = 0; i < n; i++) {
            int l = clamp(nearestInt(iscale * x[off + i]), -nmax, nmax - 1);
            L[lOff + i] = (byte) l;
            float w = x[off + i] * x[off + i];
            sumlx += w * x[off + i] * l;
            suml2 += w * l * l;
        }
        for (int itry = 0; itry < 5; itry++) {
            int changed = 0;
            for (int i = 0; i < n; i++) {
                float xi = x[off + i];
                int li = L[lOff + i];
                float w = xi * xi;
                float slx = sumlx - w * xi * li;
                if (slx > 0) {
                    float sl2 = suml2 - w * li * li;
                    int newL = clamp(nearestInt(xi * sl2 / slx), -nmax, nmax - 1);
                    if (newL != li) {
                        slx += w * xi * newL;
                        sl2 += w * newL * newL;
                        if (sl2 > 0 && slx * slx * suml2 > sumlx * sumlx * sl2) {
                            L[lOff + i] = (byte) newL;
                            sumlx = slx;
                            suml2 = sl2;
                            changed++;
                        }
                    }
                }
            }
            if (changed == 0) {
                break;
            }
        }
        for (int i = 0; i < n; i++) {
            L[lOff + i] += (byte) nmax;
        }
        return suml2 > 0.0f ? sumlx / suml2 : 0.0f;
    }

    /**
     * Asymmetric quants {@code L[i] in [0, nmax]} with {@code x ~ scale * L - theMin}: tries
     * {@code iscale = (rmin + rdelta * is + nmax) / (max - min)} for {@code is = 0..nstep}, fits scale
     * and min by weighted least squares for each, and keeps the one with the smallest weighted error
     * (absolute if {@code useMad}, else squared). Returns the scale; the min (positive, subtracted)
     * goes to {@code theMin[minIndex]}. {@code laux} is scratch of at least n bytes.
     */
    static float makeQkx2Quants(int n, int nmax, float[] x, int off, float[] weights, byte[] L, int lOff,
            float[] theMin, int minIndex, byte[] laux, float rmin, float rdelta, int nstep, boolean useMad) {
        float min = x[off];
        float max = x[off];
        float sumW = weights[0];
        float sumX = sumW * x[off];
        for (int i = 1; i < n; i++) {
            float xi = x[off + i];
            if (xi < min) {
                min = xi;
            }
            if (xi > max) {
                max = xi;
            }
            float w = weights[i];
            sumW += w;
            sumX += w * xi;
        }
        if (min > 0) {
            min = 0;
        }
        if (max == min) {
            for (int i = 0; i < n; i++) {
                L[lOff + i] = 0;
            }
            theMin[minIndex] = -min;
            return 0f;
        }
        float iscale = nmax / (max - min);
        float scale = 1 / iscale;
        float bestError = 0;
        for (int i = 0; i < n; i++) {
            int l = clamp(nearestInt(iscale * (x[off + i] - min)), 0, nmax);
            L[lOff + i] = (byte) l;
            float diff = scale * l + min - x[off + i];
            diff = useMad ? Math.abs(diff) : diff * diff;
            bestError += weights[i] * diff;
        }
        if (nstep < 1) {
            theMin[minIndex] = -min;
            return scale;
        }
        for (int is = 0; is <= nstep; is++) {
            iscale = (rmin + rdelta * is + nmax) / (max - min);
            float sumL = 0;
            float sumL2 = 0;
            float sumXL = 0;
            for (int i = 0; i < n; i++) {
                int l = clamp(nearestInt(iscale * (x[off + i] - min)), 0, nmax);
                laux[i] = (byte) l;
                float w = weights[i];
                sumL += w * l;
                sumL2 += w * l * l;
                sumXL += w * l * x[off + i];
            }
            float det = sumW * sumL2 - sumL * sumL;
            if (det > 0) {
                float thisScale = (sumW * sumXL - sumX * sumL) / det;
                float thisMin = (sumL2 * sumX - sumL * sumXL) / det;
                if (thisMin > 0) {
                    thisMin = 0;
                    thisScale = sumXL / sumL2;
                }
                float error = 0;
                for (int i = 0; i < n; i++) {
                    float diff = thisScale * (laux[i] & 0xFF) + thisMin - x[off + i];
                    diff = useMad ? Math.abs(diff) : diff * diff;
                    error += weights[i] * diff;
                }
                if (error < bestError) {
                    System.arraycopy(laux, 0, L, lOff, n);
                    bestError = error;
                    scale = thisScale;
                    min = thisMin;
                }
            }
        }
        theMin[minIndex] = -min;
        return scale;
    }

    /** The value of largest magnitude in {@code x[off..off+n)}, sign kept (the first on ties; 0 if none is larger). */
    static float maxByMagnitude(float[] x, int off, int n) {
        float max = 0;
        float amax = 0;
        for (int i = 0; i < n; i++) {
            float ax = Math.abs(x[off + i]);
            if (ax > amax) {
                amax = ax;
                max = x[off + i];
            }
        }
        return max;
    }

    /** The largest magnitude in {@code x[off..off+n)} (NaN if any value is NaN). */
    static float absMax(float[] x, int off, int n) {
        float amax = 0f;
        for (int i = 0; i < n; i++) {
            amax = Math.max(amax, Math.abs(x[off + i]));
        }
        return amax;
    }

    /** The smallest value in {@code x[off..off+n)}. */
    static float min(float[] x, int off, int n) {
        float min = Float.MAX_VALUE;
        for (int i = 0; i < n; i++) {
            if (x[off + i] < min) {
                min = x[off + i];
            }
        }
        return min;
    }

    /** The largest value in {@code x[off..off+n)}. */
    static float max(float[] x, int off, int n) {
        float max = -Float.MAX_VALUE;
        for (int i = 0; i < n; i++) {
            if (x[off + i] > max) {
                max = x[off + i];
            }
        }
        return max;
    }

    static int clamp(int v, int lo, int hi) {
        return Math.max(lo, Math.min(hi, v));
    }
}
