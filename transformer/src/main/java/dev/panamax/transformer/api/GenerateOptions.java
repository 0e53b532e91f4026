package dev.panamax.transformer.api;

import dev.panamax.transformer.sampling.SamplerSettings;
import dev.panamax.transformer.sampling.grammar.Grammar;
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
 * @param grammar      the language the output keeps to (constrained decoding: JSON, a JSON Schema), or null for any text;
 *                     the generation ends as soon as the output is a complete document of it
 */
public record GenerateOptions(int maxTokens, SamplerSettings sampler, List<String> stop, Cancellation cancellation, Grammar grammar) {
    /** Tokens generated when no limit is given. */
    public static final int DEFAULT_MAX_TOKENS = 256;

    /**
     * Checks the options and copies {@code stop}.
     *
     * @throws IllegalArgumentException if {@code maxTokens} is negative, {@code sampler} is null or a
     *         stop string is empty
     */
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

    /**
     * Options without a grammar.
     *
     * @param maxTokens    tokens to generate at most
     * @param sampler      temperature, top-k/p, min-p, penalties and seed
     * @param stop         strings that end the generation where they appear in the text
     * @param cancellation cancels from another thread, or null
     */
    public GenerateOptions(int maxTokens, SamplerSettings sampler, List<String> stop, Cancellation cancellation) {
        this(maxTokens, sampler, stop, cancellation, null);
    }

    /**
     * The most likely token each time: the same output for the same prompt.
     *
     * @return greedy decoding, {@link #DEFAULT_MAX_TOKENS} tokens at most, no stop strings
     */
    public static GenerateOptions greedy() {
        return new GenerateOptions(DEFAULT_MAX_TOKENS, SamplerSettings.greedy(), List.of(), null);
    }

    /**
     * llama.cpp's default sampling (temperature 0.8, top-k 40, top-p 0.95, min-p 0.05) with {@code seed}.
     *
     * @param seed the sampler's random seed: the same seed gives the same output for the same prompt
     * @return those settings, {@link #DEFAULT_MAX_TOKENS} tokens at most, no stop strings
     */
    public static GenerateOptions sampled(long seed) {
        return new GenerateOptions(DEFAULT_MAX_TOKENS, SamplerSettings.defaults(seed), List.of(), null);
    }

    /**
     * Generates at most {@code n} tokens.
     *
     * @param n the token budget, 0 or more (0: only the prompt is read)
     * @return a copy with that budget
     * @throws IllegalArgumentException if {@code n} is negative
     */
    public GenerateOptions maxTokens(int n) {
        return new GenerateOptions(n, sampler, stop, cancellation, grammar);
    }

    /**
     * Stops where the text reaches any of {@code strings} (replaces earlier stop strings).
     *
     * @param strings the stop strings, none empty; none at all for no stop strings
     * @return a copy with those stop strings
     * @throws IllegalArgumentException if a string is empty
     */
    public GenerateOptions stop(String... strings) {
        return new GenerateOptions(maxTokens, sampler, List.of(strings), cancellation, grammar);
    }

    /**
     * Samples with {@code settings} (replaces every sampling setting, seed included).
     *
     * @param settings temperature, top-k/p, min-p, penalties and seed
     * @return a copy with those settings
     * @throws IllegalArgumentException if {@code settings} is null
     */
    public GenerateOptions sampler(SamplerSettings settings) {
        return new GenerateOptions(maxTokens, settings, stop, cancellation, grammar);
    }

    /**
     * Samples at temperature {@code t}. Temperature 0 is greedy.
     *
     * @param t the temperature, 0 or more: below 1 sharpens the distribution, above 1 flattens it
     * @return a copy with that temperature
     */
    public GenerateOptions temperature(float t) {
        return sampler(sampler.withTemperature(t));
    }

    /**
     * Samples among the {@code k} most likely tokens only.
     *
     * @param k how many tokens to keep; 0 keeps all
     * @return a copy with that top-k
     */
    public GenerateOptions topK(int k) {
        return sampler(sampler.withTopK(k));
    }

    /**
     * Samples among the fewest most likely tokens whose probabilities sum to {@code p} (nucleus sampling).
     *
     * @param p the probability mass kept, in (0, 1]; 1 keeps all
     * @return a copy with that top-p
     */
    public GenerateOptions topP(float p) {
        return sampler(sampler.withTopP(p));
    }

    /**
     * Drops the tokens less likely than {@code p} times the most likely one.
     *
     * @param p the fraction of the top probability a token needs, in [0, 1]; 0 keeps all
     * @return a copy with that min-p
     */
    public GenerateOptions minP(float p) {
        return sampler(sampler.withMinP(p));
    }

    /**
     * Seeds the sampler's random numbers.
     *
     * @param seed the seed: the same seed and settings give the same output for the same prompt
     * @return a copy with that seed
     */
    public GenerateOptions seed(long seed) {
        return sampler(sampler.withSeed(seed));
    }

    /**
     * Lets another thread stop the generation through {@code c}.
     *
     * @param c the cancellation to watch before each token, or null for none
     * @return a copy that watches {@code c}
     */
    public GenerateOptions cancellation(Cancellation c) {
        return new GenerateOptions(maxTokens, sampler, stop, c, grammar);
    }

    /**
     * Keeps the output to {@code g}'s language (constrained decoding): at each step only tokens that keep the
     * text a prefix of one of its documents may be sampled, and the generation ends when the document is complete.
     *
     * @param g the grammar, e.g. {@link Grammar#jsonObject()}; null for none
     * @return a copy with that grammar
     */
    public GenerateOptions grammar(Grammar g) {
        return new GenerateOptions(maxTokens, sampler, stop, cancellation, g);
    }
}
