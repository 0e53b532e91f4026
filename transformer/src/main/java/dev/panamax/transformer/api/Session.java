package dev.panamax.transformer.api;

import dev.panamax.transformer.ModelSession;
import dev.panamax.transformer.Transformer;
import dev.panamax.transformer.lora.AdapterSet;
import dev.panamax.transformer.tokenizer.Tokenizer;
import java.util.Arrays;
import java.util.concurrent.atomic.AtomicReference;
import java.util.function.Consumer;
import java.util.function.Supplier;

/**
 * One sequence over a {@link LanguageModel}'s shared weights, with a KV cache and scratch of its
 * own. Successive generations reuse the cache for the prompt tokens they share with what the session
 * processed last (a growing prompt, a conversation), so only the new suffix is computed.
 *
 * <p>One thread at a time: a second thread generating on the same session while one is inside
 * fails at once with an {@link IllegalStateException}. Sessions on different threads run at once.
 */
public final class Session implements AutoCloseable {
    private final ModelSession sequence;
    private final Tokenizer tokenizer;
    private final Supplier<Pooling> pooling;
    /** The tokens whose keys and values the cache holds, from position 0. */
    private int[] cached = new int[0];
    /** The thread generating now, or null. */
    private final AtomicReference<Thread> running = new AtomicReference<>();

    Session(ModelSession sequence, Tokenizer tokenizer, Supplier<Pooling> pooling) {
        this.sequence = sequence;
        this.tokenizer = tokenizer;
        this.pooling = pooling;
    }

    /**
     * Continues {@code prompt} (BOS added as the model wants); returns the text generated.
     *
     * @param prompt  the text to continue
     * @param options token budget, sampling and stops
     * @return the generated text, without the prompt and without a matched stop string
     * @throws IllegalArgumentException if the prompt does not fit in the context
     * @throws IllegalStateException    if another thread is using this session
     */
    public String generate(String prompt, GenerateOptions options) {
        return complete(prompt, options, text -> { }).text();
    }

    /**
     * Continues {@code prompt}, passing each piece of text to {@code onText} as soon as it is whole.
     *
     * @param prompt  the text to continue (BOS added as the model wants)
     * @param options token budget, sampling and stops
     * @param onText  receives the generated text piece by piece, on the calling thread
     * @return the text, its tokens, why it stopped and the timings
     * @throws IllegalArgumentException if the prompt does not fit in the context
     * @throws IllegalStateException    if another thread is using this session
     */
    public Completion complete(String prompt, GenerateOptions options, Consumer<String> onText) {
        int[] ids = tokenizer.encode(prompt, true, false);
        if (ids.length == 0) {
            if (tokenizer.bos() < 0) {
                throw new IllegalArgumentException("the prompt is empty and the vocabulary has no BOS token to start from");
            }
            ids = new int[] {tokenizer.bos()};
        }
        return complete(ids, options, onText);
    }

    /**
     * Continues the token sequence {@code prompt}, streaming text to {@code onText}.
     *
     * @param prompt  the prompt's tokens, BOS included if the model wants one
     * @param options token budget, sampling and stops
     * @param onText  receives the generated text piece by piece, on the calling thread
     * @return the text, its tokens, why it stopped and the timings
     * @throws IllegalArgumentException if the prompt is empty or does not fit in the context
     */
    public Completion complete(int[] prompt, GenerateOptions options, Consumer<String> onText) {
        try (Generation g = start(prompt, options, onText, Integer.MAX_VALUE)) {
            while (!g.finished()) {
                g.step();
            }
            return g.completion();
        }
    }

    /**
     * Starts generating after the token sequence {@code prompt}, for a caller that runs the forward
     * steps itself ({@link Generation#step()}, or its own batched forward over
     * {@link Generation#input()}); the session is the calling thread's until the generation finishes
     * or is closed. The prompt is run {@code prefillChunk} tokens a step, so that a long prompt does
     * not hold up the other generations a scheduler steps in turn.
     *
     * @param prompt       the prompt's tokens (copied)
     * @param options      token budget, sampling and stops
     * @param onText       receives the generated text piece by piece
     * @param prefillChunk prompt tokens run by one step at most
     * @return the generation, which holds the session until it finishes or is closed
     * @throws IllegalArgumentException if the prompt is empty or does not fit in the context, or {@code prefillChunk < 1}
     * @throws IllegalStateException    if another generation on this session is still running
     */
    public Generation start(int[] prompt, GenerateOptions options, Consumer<String> onText, int prefillChunk) {
        int context = sequence.transformer().config().contextLength();
        if (prompt.length == 0 || prompt.length > context) {
            throw new IllegalArgumentException("the prompt has " + prompt.length + " tokens; it needs 1 to " + context + " (the context)");
        }
        if (prefillChunk < 1) {
            throw new IllegalArgumentException("prefillChunk must be positive, got " + prefillChunk);
        }
        enter();
        try {
            Transformer t = sequence.transformer();
            // sliding-window caches hold the last W - 1 + C positions only: a prefix whose window they lost runs again
            int reuse = t.reusablePrefix(0, Math.min(commonPrefix(cached, cached.length, prompt), prompt.length - 1));
            cached = Arrays.copyOf(prompt, reuse); // until the generation ends, the cache holds only what is certain
            return new Generation(tokenizer, t.config().vocabSize(), context, t, this::finished, prompt.clone(), reuse, options, onText,
                    prefillChunk);
        } catch (RuntimeException e) {
            running.set(null);
            throw e;
        }
    }

    /** Called by a generation of this session when it ends: the tokens the cache now holds; frees the session. */
    void finished(int[] cachedTokens) {
        cached = cachedTokens;
        running.set(null);
    }

    /**
     * The embedding of {@code text}: the model's {@link Pooling} over its tokens' final hidden states, unit length if {@code normalize}.
     *
     * @param text      the text to embed (BOS added as the model wants)
     * @param normalize whether to scale the vector to unit (L2) length
     * @return a new vector of the model's hidden size
     * @throws IllegalArgumentException if the text has no tokens or does not fit in the context
     * @throws IllegalStateException    if another thread is using this session
     */
    public float[] embed(String text, boolean normalize) {
        int[] ids = tokenizer.encode(text, true, false);
        if (ids.length == 0) {
            throw new IllegalArgumentException("the text \"" + text + "\" has no tokens to embed");
        }
        return embed(ids, normalize);
    }

    /**
     * The embedding of the token sequence {@code tokens}, as {@link #embed(String, boolean)}.
     *
     * @param tokens    the tokens to embed, 1 to the context length
     * @param normalize whether to scale the vector to unit (L2) length
     * @return a new vector of the model's hidden size
     * @throws IllegalArgumentException if there are no tokens or more than the context holds
     * @throws IllegalStateException    if another thread is using this session
     */
    public float[] embed(int[] tokens, boolean normalize) {
        enter();
        try {
            return pooled(tokens, normalize);
        } finally {
            running.set(null);
        }
    }

    private float[] pooled(int[] tokens, boolean normalize) {
        Transformer t = sequence.transformer();
        if (tokens.length == 0 || tokens.length > t.config().contextLength()) {
            throw new IllegalArgumentException(tokens.length + " tokens to embed; the context holds 1 to " + t.config().contextLength());
        }
        cached = new int[0]; // the embedding pass overwrites the cache from position 0
        float[] v = pooling.get().pool(t.hiddenStates(tokens, 0));
        return normalize ? Pooling.normalize(v) : v;
    }

    /**
     * Tokens of {@code prompt} the next generation would take from the cache rather than compute: its
     * common prefix with what the cache holds, less its last token, or 0 where sliding-window caches no longer
     * hold the window before it ({@link Transformer#reusablePrefix}). A scheduler picks the session that
     * saves the most.
     *
     * @param prompt the next generation's prompt tokens
     * @return how many of its tokens would not be computed again
     */
    public int reusableTokens(int[] prompt) {
        return sequence.transformer().reusablePrefix(0, Math.max(0, Math.min(commonPrefix(cached, cached.length, prompt), prompt.length - 1)));
    }

    /**
     * Tokens the KV cache holds (reused by the next generation if its prompt starts with them).
     *
     * @return the count of cached tokens, 0 after {@link #reset()}
     */
    public int cachedTokens() {
        return cached.length;
    }

    /**
     * The transformer underneath, for token-level work.
     *
     * @return the session's own transformer (its KV cache, over the model's shared weights)
     */
    public Transformer transformer() {
        return sequence.transformer();
    }

    /**
     * The model's tokenizer.
     *
     * @return the tokenizer that turns text into this session's tokens and back
     */
    public Tokenizer tokenizer() {
        return tokenizer;
    }

    /**
     * Runs this session's next generations with the LoRA adapters {@code adapters} (at their scales)
     * instead of the ones it has (the model's {@code LoadOptions.adapters()} at first;
     * {@link AdapterSet#NONE}: the base alone). The base weights stay shared with the model's other
     * sessions, which keep their own adapters; the factors are fitted to this session's layers once
     * per set. A change forgets the cached tokens (they were computed with the other adapters).
     *
     * @param adapters the adapters and scales
     * @throws dev.panamax.formats.FormatException naming an adapter tensor that does not fit this model
     * @throws IllegalStateException if a generation on this session is running
     */
    public void useAdapters(AdapterSet adapters) {
        enter();
        try {
            Transformer t = sequence.transformer();
            if (!t.adapters(0).equals(adapters)) {
                t.useAdapters(0, adapters);
                cached = new int[0];
            }
        } finally {
            running.set(null);
        }
    }

    /**
     * The LoRA adapters this session's generations run with.
     *
     * @return the adapters last given to {@link #useAdapters}, or the model's own
     */
    public AdapterSet adapters() {
        return sequence.transformer().adapters(0);
    }

    /** Forgets the cached tokens: the next generation starts from position 0. */
    public void reset() {
        cached = new int[0];
    }

    /** Frees this session's KV cache and scratch (not the weights). */
    @Override
    public void close() {
        sequence.close();
    }

    /** Claims the session for the calling thread, or fails at once if another thread is using it. */
    private void enter() {
        Thread me = Thread.currentThread();
        Thread other = running.compareAndExchange(null, me);
        if (other != null) {
            throw new IllegalStateException("one Session used by two threads at once: " + me.getName() + " entered while "
                    + other.getName() + " was generating; give each thread a session of its own (LanguageModel.newSession())");
        }
    }

    /** How many leading tokens {@code a[0 .. aLength)} and {@code b} share ({@link Batch}'s slots too). */
    static int commonPrefix(int[] a, int aLength, int[] b) {
        int n = Math.min(aLength, b.length);
        int i = 0;
        while (i < n && a[i] == b[i]) {
            i++;
        }
        return i;
    }
}
