package dev.panamax.transformer;

import java.util.Arrays;

/**
 * How a model stretches RoPE beyond the context it was trained on, by changing the per-pair
 * inverse frequencies {@code theta^(-2i/dims)}.
 */
public sealed interface RopeScaling {

    /** The inverse frequency of pair {@code i} after scaling, given the unscaled one. */
    double scale(int i, double inverseFrequency);

    /** No scaling: the frequencies are used as computed. */
    record None() implements RopeScaling {
        @Override
        public double scale(int i, double inverseFrequency) {
            return inverseFrequency;
        }
    }

    /** Linear position interpolation: every position is divided by {@code factor}, i.e. every frequency is. */
    record Linear(double factor) implements RopeScaling {
        public Linear {
            if (!(factor > 0)) {
                throw new IllegalArgumentException("linear RoPE scaling factor must be positive, got " + factor);
            }
        }

        @Override
        public double scale(int i, double inverseFrequency) {
            return inverseFrequency / factor;
        }
    }

    /**
     * Llama 3.1 / 3.2 ("rope_type": "llama3"): frequencies whose wavelength is shorter than
     * {@code originalContext / highFreqFactor} are kept, those longer than
     * {@code originalContext / lowFreqFactor} are divided by {@code factor}, and those in between
     * are blended: with {@code smooth = (originalContext / wavelength - low) / (high - low)},
     * {@code f' = (1 - smooth) * f / factor + smooth * f}. This is Hugging Face's
     * {@code _compute_llama3_parameters} and llama.cpp's converter (which stores {@code f / f'} as
     * the {@code rope_freqs.weight} tensor).
     */
    record Llama3(double factor, double lowFreqFactor, double highFreqFactor, int originalContext) implements RopeScaling {
        public Llama3 {
            if (!(factor > 0) || !(lowFreqFactor > 0) || !(highFreqFactor > lowFreqFactor) || originalContext <= 0) {
                throw new IllegalArgumentException("invalid llama3 RoPE scaling: factor " + factor + ", low_freq_factor "
                        + lowFreqFactor + ", high_freq_factor " + highFreqFactor + ", original context " + originalContext);
            }
        }

        @Override
        public double scale(int i, double inverseFrequency) {
            double wavelength = 2 * Math.PI / inverseFrequency;
            double lowFreqWavelength = originalContext / lowFreqFactor;   // longer than this: fully scaled
            double highFreqWavelength = originalContext / highFreqFactor; // shorter than this: untouched
            if (wavelength < highFreqWavelength) {
                return inverseFrequency;
            }
            if (wavelength > lowFreqWavelength) {
                return inverseFrequency / factor;
            }
            double smooth = (originalContext / wavelength - lowFreqFactor) / (highFreqFactor - lowFreqFactor);
            return (1 - smooth) * inverseFrequency / factor + smooth * inverseFrequency;
        }
    }

    /**
     * Explicit per-pair divisors, as GGUF stores them in the {@code rope_freqs.weight} tensor
     * (ggml's "freq_factors": the rotation angle of pair {@code i} is divided by {@code factors[i]}).
     */
    record FrequencyFactors(float[] factors) implements RopeScaling {
        public FrequencyFactors {
            factors = factors.clone();
            for (int i = 0; i < factors.length; i++) {
                if (!(factors[i] > 0) || Float.isInfinite(factors[i])) {
                    throw new IllegalArgumentException("rope frequency factor " + i + " must be positive and finite, got " + factors[i]);
                }
            }
        }

        @Override
        public double scale(int i, double inverseFrequency) {
            if (i >= factors.length) {
                throw new IllegalArgumentException("rope_freqs has " + factors.length + " factors, pair " + i + " needs one");
            }
            return inverseFrequency / factors[i];
        }

        @Override
        public float[] factors() {
            return factors.clone();
        }

        @Override
        public boolean equals(Object o) {
            return o instanceof FrequencyFactors f && Arrays.equals(f.factors, factors);
        }

        @Override
        public int hashCode() {
            return Arrays.hashCode(factors);
        }

        @Override
        public String toString() {
            return "FrequencyFactors[" + factors.length + " pairs]";
        }
    }

    /**
     * YaRN ("rope_type": "yarn", DeepSeek V2/V3, Kimi K2): pairs that turn many times within the
     * original context keep their frequency, pairs that turn less than once are interpolated
     * ({@code f / factor}), with a linear ramp between the correction dimensions
     * {@code low = floor(d(betaFast))}, {@code high = ceil(d(betaSlow))} where
     * {@code d(r) = dims · ln(originalContext / (2π r)) / (2 ln theta)}. This is Hugging Face's
     * {@code _compute_yarn_parameters} and ggml's {@code rope_yarn} (its ramp over pair {@code i}).
     *
     * <p>YaRN also scales attention: the rotated entries by {@link #attentionFactor()} (1 when
     * {@code mscale == mscaleAllDim}, DeepSeek's case), and DeepSeek's softmax scale by
     * {@code softmaxScale(mscaleAllDim)²}, see {@link #mscale(double)}.
     *
     * @param mscale       {@code mscale} (0 if absent)
     * @param mscaleAllDim {@code mscale_all_dim} (0 if absent); GGUF stores {@code 0.1 · mscaleAllDim}
     *                     as {@code rope.scaling.yarn_log_multiplier}
     * @param dims         rotated entries per head (the ramp's {@code dim})
     * @param theta        RoPE base (the ramp's {@code base})
     */
    record Yarn(double factor, int originalContext, double betaFast, double betaSlow, double mscale, double mscaleAllDim,
                int dims, double theta) implements RopeScaling {
        public Yarn {
            if (!(factor >= 1) || Double.isInfinite(factor) || originalContext <= 0 || !(betaFast > betaSlow) || !(betaSlow > 0)
                    || !(mscale >= 0) || !(mscaleAllDim >= 0) || dims <= 0 || !(theta > 1)) {
                throw new IllegalArgumentException("invalid yarn RoPE scaling: factor " + factor + ", original context "
                        + originalContext + ", beta_fast " + betaFast + ", beta_slow " + betaSlow + ", mscale " + mscale
                        + ", mscale_all_dim " + mscaleAllDim + ", dims " + dims + ", theta " + theta);
            }
        }

        private double correctionDim(double rotations) {
            return dims * Math.log(originalContext / (rotations * 2 * Math.PI)) / (2 * Math.log(theta));
        }

        @Override
        public double scale(int i, double inverseFrequency) {
            double low = Math.max(Math.floor(correctionDim(betaFast)), 0);
            double high = Math.min(Math.ceil(correctionDim(betaSlow)), dims - 1);
            double ramp = Math.min(1, Math.max(0, (i - low) / Math.max(0.001, high - low)));
            double keep = 1 - ramp; // 1: extrapolate (keep the frequency), 0: interpolate
            return inverseFrequency / factor * (1 - keep) + inverseFrequency * keep;
        }

        /** {@code 0.1 · m · ln(factor) + 1} (1 for factor ≤ 1): YaRN's magnitude correction. */
        public double mscale(double m) {
            return factor <= 1 ? 1 : 0.1 * m * Math.log(factor) + 1;
        }

        /** What the rotated entries are multiplied by: {@code mscale(mscale) / mscale(mscaleAllDim)}, or {@code mscale(1)} without both. */
        public double attentionFactor() {
            return mscale > 0 && mscaleAllDim > 0 ? mscale(mscale) / mscale(mscaleAllDim) : mscale(1);
        }
    }
}
