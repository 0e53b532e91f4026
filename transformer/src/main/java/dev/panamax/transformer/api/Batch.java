package dev.panamax.transformer.api;

import dev.panamax.transformer.ModelSession;
import dev.panamax.transformer.Transformer;
import dev.panamax.transformer.lora.AdapterSet;
import dev.panamax.transformer.sampling.Sampler;
import dev.panamax.transformer.sampling.SamplerSettings;
import dev.panamax.transformer.tokenizer.Tokenizer;
import java.util.Arrays;
import java.util.concurrent.atomic.AtomicReference;

/**
 * Several sequences decoded together, for a server's continuous batching: {@link #slots()} slots,
 * each a sequence of its own (a region of the KV cache, a position), and one {@link #step} that
 * runs the next tokens of every busy slot in one forward pass, so that the weights are read once
 * per step for all of them instead of once per sequence. A new request joins the running batch by
 * {@link #claim() claiming} a free slot and giving its prompt at the next step, beside the other
 * slots' single generated tokens; a finished one {@link #release releases} its slot for the next.
 *
 * <pre>{@code
 * try (Batch batch = model.batch(8)) {
 *     int a = batch.claim(), b = batch.claim();
 *     Sampler sa = batch.sampler(SamplerSettings.defaults(1)), sb = batch.sampler(SamplerSettings.greedy());
 *     int[][] next = new int[batch.slots()][];
 *     next[a] = promptA;                                   // prefill (a long prompt may be given in chunks)
 *     next[b] = promptB;
 *     for (int i = 0; i < 100; i++) {
 *         batch.step(next);                                // one forward pass for a and b
 *         next[a] = new int[] {batch.sample(a, sa)};       // each slot samples from its own logits
 *         next[b] = new int[] {batch.sample(b, sb)};
 *     }
 *     batch.release(a);                                    // a's slot is free for a new request
 * }
 * }</pre>
 *
 * <p>Prompt caching: a released slot's cache region keeps what it held. {@link #claim(int[], AdapterSet)} takes the
 * free slot whose kept tokens share the longest prefix with a new prompt (with the same adapters, and while a
 * sliding-window cache still holds that prefix's window) and starts it there ({@link #position} then says how
 * many prompt tokens are reused), as a {@link Session} reuses its cache: a conversation's next turn or a repeated
 * prompt does not run its known prefix again. (On the CPU backend the logits after a reused prefix may round
 * differently from those of the whole prompt run at once: the rest runs in fewer rows, which may take another
 * matrix-product or attention path.)
 *
 * <p>What comes out for a slot is what a {@link Session} alone would compute for its tokens: each
 * slot's rows attend only to its own cache. With the reference backend the logits are the same to
 * the bit; the CPU backend's matrix products may take another path for another number of rows (a
 * GEMM for a step of many rows, dot products for few), which rounds differently.
 *
 * <p>Threads: one thread drives a batch at a time; a second thread calling any method but
 * {@link #slots()}, {@link #vocabSize()}, {@link #contextLength()} and {@link #tokenizer()} while one
 * is inside fails at once with an {@link IllegalStateException}. Its steps take turns on the backend
 * with the model's sessions.
 *
 * <p>LoRA adapters: a slot claimed with {@link #claim(AdapterSet)} runs with those adapters, one
 * claimed with {@link #claim()} with the model's own ({@code LoadOptions.adapters()}); the base
 * weights are shared by all. A step whose slots use k different adapter sets runs as k passes (each
 * over the slots of one set, reading the base weights once), so that each slot's logits are those a
 * session with its adapters computes.
 */
public final class Batch implements AutoCloseable {
    private final ModelSession sequences;
    private final Transformer transformer;
    private final Tokenizer tokenizer;
    private final boolean[] busy;
    private final int[] position;
    /**
     * Per slot: the tokens its cache region holds, oldest first: {@code held[s][0 .. position[s])} while busy,
     * {@code held[s][0 .. kept[s])} once released. Grown by doubling, so a step allocates nothing once a slot
     * has held a sequence as long.
     */
    private final int[][] held;
    /** Per free slot: how many of {@link #held} its cache region still holds for the next claim. */
    private final int[] kept;
    /** Per slot: whether {@link #logits} holds the slot's logits of its latest step. */
    private final boolean[] hasLogits;
    private final float[][] logits;
    /** The arrays handed to the transformer: a slot's logits array where it has tokens, else null. */
    private final float[][] stepLogits;
    private final AtomicReference<Thread> running = new AtomicReference<>();
    /** The model's adapters, for {@link #claim()}. */
    private final AdapterSet defaults;

    Batch(ModelSession sequences, Tokenizer tokenizer) {
        this.sequences = sequences;
        this.transformer = sequences.transformer();
        this.defaults = transformer.adapters(0);
        this.tokenizer = tokenizer;
        int slots = transformer.slots();
        this.busy = new boolean[slots];
        this.position = new int[slots];
        this.held = new int[slots][16];
        this.kept = new int[slots];
        this.hasLogits = new boolean[slots];
        this.logits = new float[slots][transformer.config().vocabSize()];
        this.stepLogits = new float[slots][];
    }

    /**
     * The sequences this batch holds at most (B).
     *
     * @return the number of slots, fixed when the batch was made
     */
    public int slots() {
        return busy.length;
    }

    /**
     * Positions each slot holds: a slot's prompt and generated tokens together fit in it.
     *
     * @return the model's context length, in tokens
     */
    public int contextLength() {
        return transformer.config().contextLength();
    }

    /**
     * Entries of a logits array.
     *
     * @return the model's vocabulary size
     */
    public int vocabSize() {
        return transformer.config().vocabSize();
    }

    /**
     * The model's tokenizer.
     *
     * @return the tokenizer that turns text into this batch's tokens and back
     */
    public Tokenizer tokenizer() {
        return tokenizer;
    }

    /**
     * Takes the first free slot for a new sequence (position 0: whatever its cache kept is overwritten) and returns its index.
     *
     * @return the slot's index, from 0 to {@link #slots()} - 1
     * @throws IllegalStateException if every slot is busy ({@link #freeSlots()} is 0)
     */
    public int claim() {
        return claim(defaults);
    }

    /**
     * Takes the first free slot for a new sequence (position 0) that runs with the LoRA adapters {@code adapters}
     * ({@link AdapterSet#NONE}: the base alone), and returns its index.
     *
     * @param adapters the adapters the slot's steps run with, until it is released
     * @return the slot's index, from 0 to {@link #slots()} - 1
     * @throws IllegalStateException if every slot is busy ({@link #freeSlots()} is 0)
     * @throws dev.panamax.formats.FormatException naming an adapter tensor that does not fit this model
     */
    public int claim(AdapterSet adapters) {
        enter();
        try {
            int first = 0;
            while (first < busy.length && busy[first]) {
                first++;
            }
            return take(first < busy.length ? first : -1, adapters, 0);
        } finally {
            running.set(null);
        }
    }

    /**
     * Takes the free slot best placed for {@code prompt}, run with the model's own adapters: as
     * {@link #claim(int[], AdapterSet)}.
     *
     * @param prompt the tokens the slot's sequence will start with (read, not kept)
     * @return the slot's index; {@link #position(int)} says how many of the prompt's tokens it already holds
     * @throws IllegalStateException if every slot is busy ({@link #freeSlots()} is 0)
     */
    public int claim(int[] prompt) {
        return claim(prompt, defaults);
    }

    /**
     * Takes the free slot whose cache still holds the longest prefix of {@code prompt} computed with
     * {@code adapters}, and starts its sequence after that prefix: {@link #position(int)} is then the number of
     * prompt tokens reused (at most {@code prompt.length - 1}, so that a step runs at least the last one and
     * gives its logits), and the caller gives the slot {@code prompt[position ...]}. With no prefix to reuse it
     * takes the free slot that keeps the fewest tokens (so longer caches stay for later requests) at position 0.
     *
     * @param prompt   the tokens the slot's sequence will start with (read, not kept)
     * @param adapters the adapters the slot's steps run with, until it is released
     * @return the slot's index
     * @throws IllegalStateException if every slot is busy ({@link #freeSlots()} is 0)
     * @throws dev.panamax.formats.FormatException naming an adapter tensor that does not fit this model
     */
    public int claim(int[] prompt, AdapterSet adapters) {
        enter();
        try {
            int best = -1, bestReuse = 0;
            for (int s = 0; s < busy.length; s++) {
                if (!busy[s] && kept[s] > 0 && transformer.adapters(s).equals(adapters)) {
                    int reuse = transformer.reusablePrefix(s,
                            Math.max(0, Math.min(Session.commonPrefix(held[s], kept[s], prompt), prompt.length - 1)));
                    if (reuse > bestReuse) {
                        best = s;
                        bestReuse = reuse;
                    }
                }
            }
            return best >= 0 ? take(best, adapters, bestReuse) : take(leastKept(), adapters, 0);
        } finally {
            running.set(null);
        }
    }

    /** The free slot that keeps the fewest tokens (the first of those), or -1 if every slot is busy. */
    private int leastKept() {
        int least = -1;
        for (int s = 0; s < busy.length; s++) {
            if (!busy[s] && (least < 0 || kept[s] < kept[least])) {
                least = s;
            }
        }
        return least;
    }

    /** Makes free slot {@code slot} (-1: none) busy with {@code adapters}, its sequence holding its first {@code reuse} kept tokens. */
    private int take(int slot, AdapterSet adapters, int reuse) {
        if (slot < 0) {
            throw new IllegalStateException("all " + busy.length + " slots of the batch are busy: release one first");
        }
        transformer.useAdapters(slot, adapters);
        busy[slot] = true;
        position[slot] = reuse;
        kept[slot] = 0;
        hasLogits[slot] = false;
        return slot;
    }

    /** Whether busy {@code slot}'s cache holds exactly {@code prompt[0 .. position(slot))}, its reused prefix. */
    boolean holdsPrefixOf(int slot, int[] prompt) {
        enter();
        try {
            checkSlot(slot);
            if (!busy[slot] || position[slot] > prompt.length) {
                return false;
            }
            return Arrays.equals(held[slot], 0, position[slot], prompt, 0, position[slot]);
        } finally {
            running.set(null);
        }
    }

    /**
     * Frees {@code slot}: its sequence ends; its cache region keeps the tokens it holds for a later
     * {@link #claim(int[], AdapterSet)} whose prompt starts with them ({@link #claim()} starts it from position 0).
     * Releasing a free slot does nothing.
     *
     * @param slot the slot's index
     * @throws IndexOutOfBoundsException if {@code slot} is not a slot of this batch
     */
    public void release(int slot) {
        enter();
        try {
            checkSlot(slot);
            if (busy[slot]) {
                kept[slot] = position[slot];
            }
            busy[slot] = false;
            position[slot] = 0;
            hasLogits[slot] = false;
        } finally {
            running.set(null);
        }
    }

    /**
     * Slots free to {@link #claim()}.
     *
     * @return the number of slots not claimed now
     */
    public int freeSlots() {
        enter();
        try {
            int free = 0;
            for (boolean b : busy) {
                free += b ? 0 : 1;
            }
            return free;
        } finally {
            running.set(null);
        }
    }

    /**
     * Whether {@code slot} is claimed.
     *
     * @param slot the slot's index
     * @return true from {@link #claim()} until {@link #release(int)}
     * @throws IndexOutOfBoundsException if {@code slot} is not a slot of this batch
     */
    public boolean busy(int slot) {
        enter();
        try {
            checkSlot(slot);
            return busy[slot];
        } finally {
            running.set(null);
        }
    }

    /**
     * The tokens {@code slot}'s sequence holds (its prompt and the tokens given since): when just claimed, 0, or
     * the prompt tokens {@link #claim(int[], AdapterSet)} reused; 0 for a free slot.
     *
     * @param slot the slot's index
     * @return the position at which the slot's next token goes
     * @throws IndexOutOfBoundsException if {@code slot} is not a slot of this batch
     */
    public int position(int slot) {
        enter();
        try {
            checkSlot(slot);
            return position[slot];
        } finally {
            running.set(null);
        }
    }

    /**
     * One forward pass for the busy slots: {@code tokens[s]}, for each slot {@code s} that has some
     * (null or empty: the slot sits this step out), are appended to slot {@code s}'s sequence at its
     * {@link #position}: a prompt, a chunk of one, or the token sampled last. Afterwards
     * {@link #logits(int)} of each such slot holds the logits after its last token, and its position
     * has grown by its tokens' count. Steps of more rows than the model's batch size ({@code maxBatch},
     * long prompts) run as several passes, in slot order.
     *
     * @param tokens one entry per slot ({@link #slots()})
     * @throws IllegalArgumentException if {@code tokens} does not have one entry per slot, gives tokens to
     *                                  a free slot, or to none, a token is outside the vocabulary, or a
     *                                  slot's tokens do not fit in its context; nothing has run then
     */
    public void step(int[][] tokens) {
        enter();
        try {
            if (tokens.length != busy.length) {
                throw new IllegalArgumentException("step takes one entry per slot (" + busy.length + "), got " + tokens.length);
            }
            for (int s = 0; s < busy.length; s++) {
                boolean has = tokens[s] != null && tokens[s].length > 0;
                if (has && !busy[s]) {
                    throw new IllegalArgumentException("slot " + s + " is free: claim() it before giving it tokens");
                }
                stepLogits[s] = has ? logits[s] : null;
            }
            transformer.forward(tokens, position, stepLogits);
            for (int s = 0; s < busy.length; s++) {
                if (stepLogits[s] != null) {
                    int n = tokens[s].length;
                    if (held[s].length < position[s] + n) {
                        held[s] = Arrays.copyOf(held[s], Math.max(2 * held[s].length, position[s] + n));
                    }
                    System.arraycopy(tokens[s], 0, held[s], position[s], n);
                    position[s] += n;
                    hasLogits[s] = true;
                }
            }
        } finally {
            Arrays.fill(stepLogits, null);
            running.set(null);
        }
    }

    /**
     * The logits after {@code slot}'s last token of the latest step that ran it ({@code vocabSize()}
     * entries): the batch's own array, overwritten by the next step that runs the slot.
     *
     * @param slot the slot's index
     * @return the batch's logits array for the slot (not a copy)
     * @throws IllegalStateException if no step has run the slot since it was claimed
     */
    public float[] logits(int slot) {
        enter();
        try {
            return logitsOf(slot);
        } finally {
            running.set(null);
        }
    }

    /**
     * The next token of {@code slot}: {@code sampler} over its {@link #logits(int)}.
     *
     * @param slot    the slot's index
     * @param sampler the slot's own sampler ({@link #sampler(SamplerSettings)})
     * @return the sampled token
     * @throws IllegalStateException if no step has run the slot since it was claimed
     */
    public int sample(int slot, Sampler sampler) {
        enter();
        try {
            return sampler.sample(logitsOf(slot));
        } finally {
            running.set(null);
        }
    }

    /**
     * As {@link #sample(int, Sampler)}, with the slot's earlier tokens for the sampler's repetition
     * penalties ({@link Sampler#sample(float[], int[], int)}).
     *
     * @param slot          the slot's index
     * @param sampler       the slot's own sampler ({@link #sampler(SamplerSettings)})
     * @param history       the slot's tokens so far, prompt and generated, oldest first
     * @param historyLength how many entries of {@code history} are valid
     * @return the sampled token
     * @throws IllegalStateException if no step has run the slot since it was claimed
     */
    public int sample(int slot, Sampler sampler, int[] history, int historyLength) {
        enter();
        try {
            return sampler.sample(logitsOf(slot), history, historyLength);
        } finally {
            running.set(null);
        }
    }

    /**
     * A sampler for one slot: its own settings and seed ({@code SamplerSettings.defaults(seed)}, {@code greedy()}).
     *
     * @param settings temperature, top-k/top-p, penalties and seed
     * @return a new sampler over this model's vocabulary, with its own random state
     */
    public Sampler sampler(SamplerSettings settings) {
        return new Sampler(settings, vocabSize());
    }

    /**
     * The LoRA adapters {@code slot} runs with.
     *
     * @param slot the slot's index
     * @return the adapters given at its claim, or the model's own
     * @throws IndexOutOfBoundsException if {@code slot} is not a slot of this batch
     */
    public AdapterSet adapters(int slot) {
        checkSlot(slot);
        return transformer.adapters(slot);
    }

    /** Frees the batch's KV cache and scratch (not the model). Not while a step is running. */
    @Override
    public void close() {
        sequences.close();
    }

    private float[] logitsOf(int slot) {
        checkSlot(slot);
        if (!hasLogits[slot]) {
            throw new IllegalStateException("slot " + slot + " has no logits: no step has run it since it was claimed");
        }
        return logits[slot];
    }

    private void checkSlot(int slot) {
        if (slot < 0 || slot >= busy.length) {
            throw new IndexOutOfBoundsException("slot " + slot + " of a batch of " + busy.length);
        }
    }

    private void enter() {
        Thread me = Thread.currentThread();
        Thread other = running.compareAndExchange(null, me);
        if (other != null) {
            throw new IllegalStateException("one Batch used by two threads at once: " + me.getName() + " called it while "
                    + other.getName() + " was inside; one thread drives a batch");
        }
    }
}
