package dev.panamax.transformer.sampling;

/**
 * How to pick the next token from the logits. Filters run in llama.cpp's default order:
 * penalties, top-k, top-p, min-p, temperature, then a seeded random draw.
 *
 * @param temperature      divides the logits; 0 means greedy (argmax after the penalties)
 * @param topK             keep the k most likely tokens; 0 disables
 * @param topP             keep the smallest set of most likely tokens whose probability reaches p; 1 disables
 * @param minP             keep tokens at least {@code minP} times as likely as the most likely one; 0 disables
 * @param repeatPenalty    divides positive (multiplies negative) logits of recently seen tokens; 1 disables
 * @param frequencyPenalty subtracted from a logit once per occurrence in the window; 0 disables
 * @param presencePenalty  subtracted from a logit once if the token occurs in the window; 0 disables
 * @param repeatLastN      size of the window of recent tokens the penalties look at; 0 disables them
 * @param seed             seed of the random draw: equal seeds and inputs give equal tokens
 */
public record SamplerSettings(float temperature, int topK, float topP, float minP, float repeatPenalty,
                              float frequencyPenalty, float presencePenalty, int repeatLastN, long seed) {

    /**
     * Checks the settings.
     *
     * @throws IllegalArgumentException if one is outside the range its description gives
     */
    public SamplerSettings {
        if (!(temperature >= 0) || topK < 0 || !(topP > 0 && topP <= 1) || !(minP >= 0 && minP <= 1)
                || !(repeatPenalty > 0) || repeatLastN < 0 || !Float.isFinite(frequencyPenalty) || !Float.isFinite(presencePenalty)) {
            throw new IllegalArgumentException("invalid sampler settings: " + "temperature " + temperature + ", top-k " + topK
                    + ", top-p " + topP + ", min-p " + minP + ", repeat penalty " + repeatPenalty + ", last-n " + repeatLastN);
        }
    }

    /** {@return always the most likely token} */
    public static SamplerSettings greedy() {
        return new SamplerSettings(0, 0, 1, 0, 1, 0, 0, 0, 0);
    }

    /**
     * llama.cpp's defaults: temperature 0.8, top-k 40, top-p 0.95, min-p 0.05, no penalties.
     *
     * @param seed the random draw's seed
     * @return the settings
     */
    public static SamplerSettings defaults(long seed) {
        return new SamplerSettings(0.8f, 40, 0.95f, 0.05f, 1, 0, 0, 64, seed);
    }

    /**
     * These settings with another temperature.
     *
     * @param t 0 for greedy, 1 for the model's own distribution
     * @return the new settings
     */
    public SamplerSettings withTemperature(float t) {
        return new SamplerSettings(t, topK, topP, minP, repeatPenalty, frequencyPenalty, presencePenalty, repeatLastN, seed);
    }

    /**
     * These settings with another top-k.
     *
     * @param k the most likely tokens kept; 0 disables
     * @return the new settings
     */
    public SamplerSettings withTopK(int k) {
        return new SamplerSettings(temperature, k, topP, minP, repeatPenalty, frequencyPenalty, presencePenalty, repeatLastN, seed);
    }

    /**
     * These settings with another top-p (nucleus) threshold.
     *
     * @param p in (0, 1]; 1 disables
     * @return the new settings
     */
    public SamplerSettings withTopP(float p) {
        return new SamplerSettings(temperature, topK, p, minP, repeatPenalty, frequencyPenalty, presencePenalty, repeatLastN, seed);
    }

    /**
     * These settings with another min-p threshold.
     *
     * @param p in [0, 1]; 0 disables
     * @return the new settings
     */
    public SamplerSettings withMinP(float p) {
        return new SamplerSettings(temperature, topK, topP, p, repeatPenalty, frequencyPenalty, presencePenalty, repeatLastN, seed);
    }

    /**
     * These settings with other repetition penalties.
     *
     * @param repeat    the repeat penalty; 1 disables
     * @param frequency the frequency penalty; 0 disables
     * @param presence  the presence penalty; 0 disables
     * @param lastN     the window of recent tokens they look at; 0 disables them
     * @return the new settings
     */
    public SamplerSettings withPenalties(float repeat, float frequency, float presence, int lastN) {
        return new SamplerSettings(temperature, topK, topP, minP, repeat, frequency, presence, lastN, seed);
    }

    /**
     * These settings with another seed.
     *
     * @param s the random draw's seed
     * @return the new settings
     */
    public SamplerSettings withSeed(long s) {
        return new SamplerSettings(temperature, topK, topP, minP, repeatPenalty, frequencyPenalty, presencePenalty, repeatLastN, s);
    }
}
