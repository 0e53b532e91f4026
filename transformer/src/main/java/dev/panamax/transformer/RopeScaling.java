package dev.panamax.transformer;

import java.util.Arrays;

/**
 * How a model stretches RoPE beyond the context it was trained on, by changing the per-pair
 * inverse frequencies {@code theta^(-2i/dims)}.
 */
public sealed interface RopeScaling {

    /**
     * {@return the inverse frequency of pair {@code i} after scaling, given the unscaled one}
     *
     * @param i                the rotated pair, from 0
     * @param inverseFrequency its unscaled frequency, {@code theta^(-2i/dims)}
     */
    double scale(int i, double inverseFrequency);

    /**
     * As {@link #scale(int, double)}, for scalings that also need the rotated dimensions and the
     * base (YaRN's correction range); the others ignore them.
     *
     * @param i                the rotated pair, from 0
     * @param inverseFrequency its unscaled frequency
     * @param dims             the rotated entries per head
     * @param theta            the RoPE base
     * @return the scaled frequency
     */
    default double scale(int i, double inverseFrequency, int dims, double theta) {
        return scale(i, inverseFrequency);
    }

    /**
     * {@return the factor RoPE multiplies cos and sin by (YaRN's "attention factor", ggml's mscale), 1 for most:
     * since q and k both rotate, it multiplies every attention logit by its square}
     */
    default double attentionFactor() {
        return 1;
    }

    /** No scaling: the frequencies are used as computed. */
    record None() implements RopeScaling {
        @Override
        public double scale(int i, double inverseFrequency) {
            return inverseFrequency;
        }
    }

    /**
     * Linear position interpolation: every position is divided by {@code factor}, i.e. every frequency is.
     *
     * @param factor the context stretch, positive ({@code rope_scaling.factor})
     */
    record Linear(double factor) implements RopeScaling {
        /**
         * Checks the factor.
         *
         * @throws IllegalArgumentException if {@code factor} is not positive
         */
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
     *
     * @param factor          the divisor of the low frequencies (8 for Llama 3.1)
     * @param lowFreqFactor   {@code low_freq_factor} (1 for Llama 3.1)
     * @param highFreqFactor  {@code high_freq_factor}, above {@code lowFreqFactor} (4 for Llama 3.1)
     * @param originalContext {@code original_max_position_embeddings} (8192 for Llama 3.1)
     */
    record Llama3(double factor, double lowFreqFactor, double highFreqFactor, int originalContext) implements RopeScaling {
        /**
         * Checks the parameters.
         *
         * @throws IllegalArgumentException unless the factors are positive, {@code highFreqFactor > lowFreqFactor}
         *         and {@code originalContext} is positive
         */
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
     *
     * @param factors one divisor per rotated pair, each positive and finite
     */
    record FrequencyFactors(float[] factors) implements RopeScaling {
        /**
         * Copies and checks the factors.
         *
         * @throws IllegalArgumentException if a factor is not positive and finite
         */
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

        /** {@return a copy of the divisors, one per rotated pair} */
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
     * YaRN ({@code "rope_type": "yarn"}: gpt-oss, Qwen long-context, DeepSeek V2/V3, Kimi K2), as
     * transformers' {@code _compute_yarn_parameters}: pair {@code i} blends its frequency {@code f} and
     * the interpolated {@code f / factor} by a ramp over the pair index,
     * {@code f' = f / factor · (1 - e) + f · e} with {@code e = 1 - clamp((i - low) / (high - low), 0, 1)}
     * ({@code high} + 0.001 where the two meet), where {@code low} and {@code high} are the
     * (fractional) pair indices at which a pair turns {@code betaFast} and {@code betaSlow} times over
     * {@code originalContext} positions, {@code dims · ln(originalContext / (2π β)) / (2 ln theta)},
     * floored and ceiled if {@code truncate}, then clamped to {@code [0, dims - 1]}. cos and sin are
     * multiplied by {@link #attentionFactor()}. ggml's {@code rope_yarn} / {@code ggml_rope_yarn_corr_dims}
     * always truncate (gpt-oss's config.json says {@code "truncate": false}).
     *
     * <p>DeepSeek's magnitude terms: with {@code mscale(m) = 0.1 · m · ln(factor) + 1} (1 for
     * factor ≤ 1), the attention factor defaults to {@code mscale(mscale) / mscale(mscaleAllDim)} when
     * both are given (1 for DeepSeek, whose two are equal), else {@code mscale(1)}; and DeepSeek's
     * softmax scale gains {@link #softmaxGain()} = {@code mscale(mscaleAllDim)²} (GGUF stores
     * {@code 0.1 · mscaleAllDim} as {@code rope.scaling.yarn_log_multiplier}).
     *
     * @param factor          the context stretch, at least 1
     * @param originalContext the context the model was trained with
     * @param betaFast        the rotation count above which a pair keeps its frequency (32 by default)
     * @param betaSlow        the rotation count below which a pair is fully interpolated (1 by default)
     * @param truncate        whether the correction range is rounded to whole pairs
     * @param mscale          {@code mscale} (0 if absent)
     * @param mscaleAllDim    {@code mscale_all_dim} (0 if absent)
     * @param attentionFactor the factor of cos and sin ({@link #of} computes transformers' default)
     */
    record Yarn(double factor, int originalContext, double betaFast, double betaSlow, boolean truncate, double mscale,
                double mscaleAllDim, double attentionFactor) implements RopeScaling {
        /**
         * Checks the parameters.
         *
         * @throws IllegalArgumentException unless {@code factor >= 1}, {@code betaFast > betaSlow > 0}, the context is
         *         positive, the mscales are non-negative and the attention factor is positive, all finite
         */
        public Yarn {
            if (!(factor >= 1) || Double.isInfinite(factor) || originalContext <= 0 || !(betaFast > betaSlow) || !(betaSlow > 0)
                    || Double.isInfinite(betaFast) || !(mscale >= 0) || !(mscaleAllDim >= 0) || Double.isInfinite(mscale)
                    || Double.isInfinite(mscaleAllDim) || !(attentionFactor > 0) || Double.isInfinite(attentionFactor)) {
                throw new IllegalArgumentException("invalid yarn RoPE scaling: factor " + factor + ", original context "
                        + originalContext + ", beta_fast " + betaFast + ", beta_slow " + betaSlow + ", mscale " + mscale
                        + ", mscale_all_dim " + mscaleAllDim + ", attention factor " + attentionFactor);
            }
        }

        /**
         * Without DeepSeek's magnitude terms.
         *
         * @param factor          the context stretch, at least 1
         * @param originalContext the context the model was trained with
         * @param betaFast        the rotation count above which a pair keeps its frequency
         * @param betaSlow        the rotation count below which a pair is fully interpolated
         * @param truncate        whether the correction range is rounded to whole pairs
         * @param attentionFactor the factor of cos and sin
         */
        public Yarn(double factor, int originalContext, double betaFast, double betaSlow, boolean truncate, double attentionFactor) {
            this(factor, originalContext, betaFast, betaSlow, truncate, 0, 0, attentionFactor);
        }

        /**
         * transformers' reading: the attention factor as given, else {@code mscale(mscale) / mscale(mscaleAllDim)}
         * when both are positive, else {@code mscale(1)}.
         *
         * @param factor          the context stretch, at least 1
         * @param originalContext the context the model was trained with
         * @param betaFast        the rotation count above which a pair keeps its frequency
         * @param betaSlow        the rotation count below which a pair is fully interpolated
         * @param truncate        whether the correction range is rounded to whole pairs
         * @param mscale          {@code mscale}, 0 if absent
         * @param mscaleAllDim    {@code mscale_all_dim}, 0 if absent
         * @param attentionFactor {@code attention_factor}, if the config gives it
         * @return the scaling
         */
        public static Yarn of(double factor, int originalContext, double betaFast, double betaSlow, boolean truncate, double mscale,
                              double mscaleAllDim, java.util.OptionalDouble attentionFactor) {
            double attention = attentionFactor.orElse(mscale > 0 && mscaleAllDim > 0
                    ? magnitude(factor, mscale) / magnitude(factor, mscaleAllDim) : magnitude(factor, 1));
            return new Yarn(factor, originalContext, betaFast, betaSlow, truncate, mscale, mscaleAllDim, attention);
        }

        /**
         * {@return transformers' and llama.cpp's default attention factor for a scaling {@code factor}: {@code 0.1
         * ln(factor) + 1}}
         *
         * @param factor the context stretch
         */
        public static double defaultAttentionFactor(double factor) {
            return magnitude(factor, 1);
        }

        /**
         * {@return yaRN's magnitude correction {@code 0.1 · m · ln(factor) + 1}, 1 for factor ≤ 1 (transformers'
         * {@code get_mscale})}
         *
         * @param factor the context stretch
         * @param m      the multiplier ({@code mscale} or {@code mscale_all_dim})
         */
        public static double magnitude(double factor, double m) {
            return factor <= 1 ? 1 : 0.1 * m * Math.log(factor) + 1;
        }

        /**
         * {@return what DeepSeek's softmax scale is multiplied by: {@code mscale(mscaleAllDim)²}, 1 without {@code
         * mscale_all_dim}}
         */
        public double softmaxGain() {
            double m = mscaleAllDim > 0 ? magnitude(factor, mscaleAllDim) : 1;
            return m * m;
        }

        @Override
        public double scale(int i, double inverseFrequency) {
            throw new IllegalStateException("yarn RoPE scaling needs the rotated dimensions and the base");
        }

        @Override
        public double scale(int i, double inverseFrequency, int dims, double theta) {
            double low = correctionDim(betaFast, dims, theta), high = correctionDim(betaSlow, dims, theta);
            if (truncate) {
                low = Math.floor(low);
                high = Math.ceil(high);
            }
            low = Math.max(low, 0);
            high = Math.min(high, dims - 1);
            if (low == high) {
                high += 0.001; // transformers' guard against a zero-width ramp
            }
            double ramp = Math.min(1, Math.max(0, (i - low) / (high - low)));
            double extrapolation = 1 - ramp;
            return inverseFrequency / factor * (1 - extrapolation) + inverseFrequency * extrapolation;
        }

        /** The pair index that turns {@code rotations} times over the original context. */
        private double correctionDim(double rotations, int dims, double theta) {
            return dims * Math.log(originalContext / (rotations * 2 * Math.PI)) / (2 * Math.log(theta));
        }
    }

    /**
     * Phi-3's LongRoPE ({@code rope_scaling.type} "longrope", formerly "su"): two sets of per-pair
     * divisors, {@code short} for contexts up to {@code originalContext} and {@code long} beyond, and an
     * attention factor that multiplies the rotated entries of q and k (transformers scales cos and sin
     * by it; llama.cpp passes it to {@code ggml_rope_ext} as {@code attn_factor}). transformers switches
     * sets by the length seen so far; Panamax, like llama.cpp ({@code llama_model::get_rope_factors}),
     * by the context it allocates: {@link #forContext}. {@link #scale} uses the short set.
     *
     * @param shortFactors    {@code rope_scaling.short_factor}: one divisor per pair for short contexts
     * @param longFactors     {@code rope_scaling.long_factor}: one divisor per pair beyond {@code originalContext}
     * @param originalContext {@code original_max_position_embeddings}
     * @param magnitudeFactor the attention factor; not reported as {@link #attentionFactor()}, since Phi3
     *                        applies it to q's rotated entries only (a query gain), exact with partial rotary;
     *                        transformers' default: {@code sqrt(1 + ln(s) / ln(originalContext))} with
     *                        {@code s = max_position_embeddings / originalContext}, 1 if {@code s <= 1}
     */
    record LongRope(float[] shortFactors, float[] longFactors, int originalContext, double magnitudeFactor)
            implements RopeScaling {
        /**
         * Copies and checks the factors.
         *
         * @throws IllegalArgumentException if the two sets differ in length, a factor is not positive and finite,
         *         or the context or attention factor is not positive
         */
        public LongRope {
            shortFactors = new FrequencyFactors(shortFactors).factors();
            longFactors = new FrequencyFactors(longFactors).factors();
            if (shortFactors.length != longFactors.length || originalContext <= 0 || !(magnitudeFactor > 0)
                    || Double.isInfinite(magnitudeFactor)) {
                throw new IllegalArgumentException("invalid longrope scaling: " + shortFactors.length + " short and "
                        + longFactors.length + " long factors, original context " + originalContext + ", attention factor "
                        + magnitudeFactor);
            }
        }

        /**
         * {@return transformers' default attention factor for a model of {@code maxPositions} trained at {@code
         * originalContext}}
         *
         * @param maxPositions    {@code max_position_embeddings}
         * @param originalContext {@code original_max_position_embeddings}
         */
        public static double defaultAttentionFactor(int maxPositions, int originalContext) {
            double s = (double) maxPositions / originalContext;
            return s <= 1 ? 1 : Math.sqrt(1 + Math.log(s) / Math.log(originalContext));
        }

        /**
         * {@return the divisors for a KV cache of {@code context} positions: long beyond the original context, else
         * short}
         *
         * @param context the KV cache's capacity in positions
         */
        public FrequencyFactors forContext(int context) {
            return new FrequencyFactors(context > originalContext ? longFactors : shortFactors);
        }

        @Override
        public double scale(int i, double inverseFrequency) {
            return forContext(originalContext).scale(i, inverseFrequency);
        }

        /** {@return a copy of the divisors for contexts up to the original one} */
        @Override
        public float[] shortFactors() {
            return shortFactors.clone();
        }

        /** {@return a copy of the divisors for longer contexts} */
        @Override
        public float[] longFactors() {
            return longFactors.clone();
        }

        @Override
        public boolean equals(Object o) {
            return o instanceof LongRope l && Arrays.equals(l.shortFactors, shortFactors) && Arrays.equals(l.longFactors, longFactors)
                    && l.originalContext == originalContext && l.magnitudeFactor == magnitudeFactor;
        }

        @Override
        public int hashCode() {
            return Arrays.hashCode(shortFactors) * 31 + Arrays.hashCode(longFactors) + originalContext;
        }

        @Override
        public String toString() {
            return "LongRoPE[" + shortFactors.length + " pairs, short up to " + originalContext + " positions, long beyond, attention factor "
                    + (float) magnitudeFactor + "]";
        }
    }
}
