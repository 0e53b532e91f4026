package dev.panamax.transformer.api;

import dev.panamax.transformer.sampling.SamplerSettings;
import java.util.List;

/**
 * How to generate: how many tokens at most, how to sample, where to stop. Immutable; each
 * {@code with}-style method returns a changed copy.
 *
 * <pre>{@code
 * GenerateOptions.greedy().maxTokens(64).stop("\n\n")
 * GenerateOptions.sampled(42).temperature(0.7f).topP(0.9f)
 * }</pre>
 *
 * @param maxTokens    tokens to generate at most
 * @param sampler      temperature, top-k/p, min-p, penalties and seed
 * @param stop         strings that end the generation where they appear in the text (they are left out of it)
 * @param cancellation cancels from another thread, or null
 */
public record GenerateOptions(int maxTokens, SamplerSettings sampler, List<String> stop, Cancellation cancellation) {
    /** Tokens generated when no limit is given. */
    public static final int DEFAULT_MAX_TOKENS = 256;

    public GenerateOptions {
        if (maxTokens < 0) {
            throw new IllegalArgumentException("maxTokens must not be negative, got " + maxTokens);
        }
        if (sampler == null) {
            throw new IllegalArgumentException("sampler settings must not be null");
        }
        stop = List.copyOf(stop);
        for (String s : stop) {
            if (s.isEmpty()) {
                throw new IllegalArgumentException("a stop string must not be empty");
            }
        }
    }

    /** The most likely token each time: the same output for the same prompt. */
    public static GenerateOptions greedy() {
        return new GenerateOptions(DEFAULT_MAX_TOKENS, SamplerSettings.greedy(), List.of(), null);
    }

    /** llama.cpp's default sampling (temperature 0.8, top-k 40, top-p 0.95, min-p 0.05) with {@code seed}. */
    public static GenerateOptions sampled(long seed) {
        return new GenerateOptions(DEFAULT_MAX_TOKENS, SamplerSettings.defaults(seed), List.of(), null);
    }

    public GenerateOptions maxTokens(int n) {
        return new GenerateOptions(n, sampler, stop, cancellation);
    }

    /** Stops where the text reaches any of {@code strings} (replaces earlier stop strings). */
    public GenerateOptions stop(String... strings) {
        return new GenerateOptions(maxTokens, sampler, List.of(strings), cancellation);
    }

    public GenerateOptions sampler(SamplerSettings settings) {
        return new GenerateOptions(maxTokens, settings, stop, cancellation);
    }

    /** Temperature 0 is greedy. */
    public GenerateOptions temperature(float t) {
        return sampler(sampler.withTemperature(t));
    }

    public GenerateOptions topK(int k) {
        return sampler(sampler.withTopK(k));
    }

    public GenerateOptions topP(float p) {
        return sampler(sampler.withTopP(p));
    }

    public GenerateOptions minP(float p) {
        return sampler(sampler.withMinP(p));
    }

    public GenerateOptions seed(long seed) {
        return sampler(sampler.withSeed(seed));
    }

    public GenerateOptions cancellation(Cancellation c) {
        return new GenerateOptions(maxTokens, sampler, stop, c);
    }
}
