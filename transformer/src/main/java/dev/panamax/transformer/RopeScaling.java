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
     * Phi-3's LongRoPE ({@code rope_scaling.type} "longrope", formerly "su"): two sets of per-pair
     * divisors, {@code short} for contexts up to {@code originalContext} and {@code long} beyond, and an
     * attention factor that multiplies the rotated entries of q and k (transformers scales cos and sin
     * by it; llama.cpp passes it to {@code ggml_rope_ext} as {@code attn_factor}). transformers switches
     * sets by the length seen so far; Panamax, like llama.cpp ({@code llama_model::get_rope_factors}),
     * by the context it allocates: {@link #forContext}. {@link #scale} uses the short set.
     *
     * @param attentionFactor transformers' default: {@code sqrt(1 + ln(s) / ln(originalContext))} with
     *                        {@code s = max_position_embeddings / originalContext}, 1 if {@code s <= 1}
     */
    record LongRope(float[] shortFactors, float[] longFactors, int originalContext, double attentionFactor)
            implements RopeScaling {
        public LongRope {
            shortFactors = new FrequencyFactors(shortFactors).factors();
            longFactors = new FrequencyFactors(longFactors).factors();
            if (shortFactors.length != longFactors.length || originalContext <= 0 || !(attentionFactor > 0)
                    || Double.isInfinite(attentionFactor)) {
                throw new IllegalArgumentException("invalid longrope scaling: " + shortFactors.length + " short and "
                        + longFactors.length + " long factors, original context " + originalContext + ", attention factor "
                        + attentionFactor);
            }
        }

        /** transformers' default attention factor for a model of {@code maxPositions} trained at {@code originalContext}. */
        public static double defaultAttentionFactor(int maxPositions, int originalContext) {
            double s = (double) maxPositions / originalContext;
            return s <= 1 ? 1 : Math.sqrt(1 + Math.log(s) / Math.log(originalContext));
        }

        /** The divisors for a KV cache of {@code context} positions: long beyond the original context, else short. */
        public FrequencyFactors forContext(int context) {
            return new FrequencyFactors(context > originalContext ? longFactors : shortFactors);
        }

        @Override
        public double scale(int i, double inverseFrequency) {
            return forContext(originalContext).scale(i, inverseFrequency);
        }

        @Override
        public float[] shortFactors() {
            return shortFactors.clone();
        }

        @Override
        public float[] longFactors() {
            return longFactors.clone();
        }

        @Override
        public boolean equals(Object o) {
            return o instanceof LongRope l && Arrays.equals(l.shortFactors, shortFactors) && Arrays.equals(l.longFactors, longFactors)
                    && l.originalContext == originalContext && l.attentionFactor == attentionFactor;
        }

        @Override
        public int hashCode() {
            return Arrays.hashCode(shortFactors) * 31 + Arrays.hashCode(longFactors) + originalContext;
        }

        @Override
        public String toString() {
            return "LongRoPE[" + shortFactors.length + " pairs, short up to " + originalContext + " positions, long beyond, attention factor "
                    + (float) attentionFactor + "]";
        }
    }
}
