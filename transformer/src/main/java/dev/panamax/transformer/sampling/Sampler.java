package dev.panamax.transformer.sampling;

import java.util.SplittableRandom;

/**
 * Picks the next token from logits according to {@link SamplerSettings}, reproducibly for a seed.
 * Not thread-safe; reuses its buffers, so sampling allocates nothing.
 *
 * <p>The steps, in llama.cpp's default order:
 * <ol>
 * <li>penalties over the last {@code repeatLastN} tokens: {@code l > 0 ? l / repeat : l * repeat},
 *     then {@code l -= count * frequency + (count > 0 ? presence : 0)};</li>
 * <li>greedy if temperature is 0: the largest logit (lowest id on ties);</li>
 * <li>top-k: the k largest logits;</li>
 * <li>top-p: the shortest prefix (most likely first) whose softmax probabilities sum to at least p;</li>
 * <li>min-p: tokens whose probability is at least {@code minP} times the largest;</li>
 * <li>temperature: logits divided by it; then one draw from the softmax of what is left.</li>
 * </ol>
 */
public final class Sampler {
    private final SamplerSettings settings;
    private final Candidates c;
    private final SplittableRandom random;
    private final int[] counts;

    /**
     * A sampler with its own random stream, seeded from {@code settings}.
     *
     * @param settings  the filters and the seed
     * @param vocabSize the number of logits per step
     */
    public Sampler(SamplerSettings settings, int vocabSize) {
        this.settings = settings;
        this.c = new Candidates(vocabSize);
        this.random = new SplittableRandom(settings.seed());
        this.counts = new int[vocabSize];
    }

    /** {@return the settings this sampler applies} */
    public SamplerSettings settings() {
        return settings;
    }

    /**
     * The next token, given the logits and no history.
     *
     * @param logits the model's output, one per token (read, not changed)
     * @return the chosen token id
     */
    public int sample(float[] logits) {
        return sample(logits, new int[0], 0);
    }

    /**
     * The next token, given the logits and the tokens so far ({@code history[0 .. historyLength)},
     * of which the last {@code repeatLastN} are penalized).
     *
     * @param logits        the model's output, one per token (read, not changed)
     * @param history       the tokens so far (prompt and generated)
     * @param historyLength how many entries of {@code history} are valid
     * @return the chosen token id
     */
    public int sample(float[] logits, int[] history, int historyLength) {
        return sample(logits, history, historyLength, null);
    }

    /**
     * As {@link #sample(float[], int[], int)}, choosing only among the tokens {@code allowed} marks (constrained
     * decoding): the others are dropped after the penalties, before every filter, so top-k, top-p and min-p
     * see the allowed tokens only.
     *
     * @param logits        the model's output, one per token (read, not changed)
     * @param history       the tokens so far (prompt and generated)
     * @param historyLength how many entries of {@code history} are valid
     * @param allowed       bit {@code id & 63} of word {@code id >>> 6} set for each token that may be chosen, at least
     *                      one; null for all
     * @return the chosen token id
     * @throws IllegalArgumentException if {@code allowed} allows no token
     */
    public int sample(float[] logits, int[] history, int historyLength, long[] allowed) {
        c.reset(logits);
        applyPenalties(history, historyLength);
        if (allowed != null) {
            c.keep(allowed);
            if (c.size == 0) {
                throw new IllegalArgumentException("the mask allows no token");
            }
        }
        if (settings.temperature() == 0) {
            return argmax();
        }
        topK(settings.topK());
        topP(settings.topP());
        minP(settings.minP());
        for (int i = 0; i < c.size; i++) {
            c.logits[i] /= settings.temperature();
        }
        return draw();
    }

    private void applyPenalties(int[] history, int length) {
        SamplerSettings s = settings;
        int n = Math.min(s.repeatLastN(), length);
        if (n == 0 || (s.repeatPenalty() == 1 && s.frequencyPenalty() == 0 && s.presencePenalty() == 0)) {
            return;
        }
        if (length > history.length) {
            throw new IllegalArgumentException("history length " + length + " exceeds its array of " + history.length);
        }
        for (int i = length - n; i < length; i++) {
            int token = history[i];
            if (token < 0 || token >= counts.length) {
                throw new IllegalArgumentException("history[" + i + "] = " + token + " is outside the vocabulary [0, "
                        + counts.length + ")");
            }
        }
        for (int i = length - n; i < length; i++) {
            counts[history[i]]++;
        }
        for (int i = length - n; i < length; i++) {
            int token = history[i];
            int count = counts[token];
            if (count == 0) {
                continue; // already penalized: a token counts once however often it repeats
            }
            float l = c.logits[token]; // candidates are still in id order here
            l = l > 0 ? l / s.repeatPenalty() : l * s.repeatPenalty();
            l -= count * s.frequencyPenalty() + s.presencePenalty();
            c.logits[token] = l;
            counts[token] = 0;
        }
    }

    private int argmax() {
        int best = 0;
        for (int i = 1; i < c.size; i++) {
            if (c.logits[i] > c.logits[best]) {
                best = i;
            }
        }
        return c.ids[best];
    }

    /** Keeps the {@code k} largest logits. */
    void topK(int k) {
        if (k <= 0 || k >= c.size) {
            return;
        }
        c.sort();
        c.size = k;
    }

    /** Keeps the most likely tokens until their probabilities sum to at least {@code p}. */
    void topP(float p) {
        if (p >= 1) {
            return;
        }
        c.sort();
        c.softmax();
        double cumulative = 0;
        for (int i = 0; i < c.size; i++) {
            cumulative += c.probabilities[i];
            if (cumulative >= p) {
                c.size = i + 1;
                return;
            }
        }
    }

    /** Keeps tokens with probability at least {@code minP} times the largest: logit ≥ max + ln(minP). */
    void minP(float minP) {
        if (minP <= 0) {
            return;
        }
        c.sort();
        double threshold = c.logits[0] + Math.log(minP);
        int keep = 1;
        while (keep < c.size && c.logits[keep] >= threshold) {
            keep++;
        }
        c.size = keep;
    }

    /** One draw from the softmax of the remaining candidates. */
    private int draw() {
        c.softmax();
        double u = random.nextDouble();
        double cumulative = 0;
        for (int i = 0; i < c.size; i++) {
            cumulative += c.probabilities[i];
            if (u < cumulative) {
                return c.ids[i];
            }
        }
        return c.ids[c.size - 1]; // u beyond the rounded total: the last candidate
    }

    /** For tests: the candidates left after the filters (top-k, top-p, min-p) on {@code logits}, most likely first. */
    int[] filtered(float[] logits) {
        c.reset(logits);
        topK(settings.topK());
        topP(settings.topP());
        minP(settings.minP());
        c.sort();
        return java.util.Arrays.copyOf(c.ids, c.size);
    }

    /** For tests: the logits after the penalties. */
    float[] penalized(float[] logits, int[] history) {
        c.reset(logits);
        applyPenalties(history, history.length);
        return java.util.Arrays.copyOf(c.logits, c.size);
    }
}
