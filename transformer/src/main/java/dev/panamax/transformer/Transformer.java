package dev.panamax.transformer;

import dev.panamax.tensor.DType;
import dev.panamax.tensor.Ops;
import dev.panamax.tensor.Tensor;
import dev.panamax.transformer.lora.AdapterSet;
import dev.panamax.transformer.nn.AdapterWeights;
import dev.panamax.transformer.nn.AdapterSlots;
import dev.panamax.transformer.nn.Block;
import dev.panamax.transformer.nn.Decoder;
import dev.panamax.transformer.nn.OutputHead;
import dev.panamax.transformer.nn.Rows;
import dev.panamax.transformer.nn.Scratch;
import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.util.Arrays;
import java.util.List;
import java.util.concurrent.atomic.AtomicReference;
import java.util.concurrent.locks.ReentrantLock;

/**
 * A decoder-only transformer on any {@link Ops} backend: token ids in, next-token logits out. The
 * layers come from the model's family ({@link dev.panamax.transformer.family.ModelFamily}).
 *
 * <pre>
 *   x = embed(tokens)                         [n, dim]
 *   for each block: x = block(x)              attention + feed-forward, with residuals
 *   logits = Norm(x[last]) · Woutputᵀ          [vocab]
 * </pre>
 *
 * A prompt is processed as a batch ({@code n} tokens per matrix multiplication, up to
 * {@code maxBatch} at a time); generation then calls {@link #forward} with one token at a time.
 * The KV cache remembers earlier positions: call {@code forward(tokens, startPos)} with
 * {@code startPos} equal to the number of tokens already processed (0 starts a new sequence).
 *
 * <p>A transformer may hold several sequences ({@link #slots()}, each a region of the KV cache;
 * {@link Model#newBatch(int)}): {@link #forward(int[][], int[], float[][])} then runs tokens of
 * several of them in one step, their rows side by side in every matrix multiplication, so that the
 * weights are read once per step for all of them ({@link Rows} says which row is whose). The
 * single-sequence methods run slot 0.
 *
 * <p>One instance is driven by one thread at a time: a second thread calling {@code forward} while
 * one is inside fails at once with an {@link IllegalStateException} (sessions of their own,
 * {@link Model#newSession()}, let several threads share one model's weights). Memory (scratch and cache) belongs to the arena given
 * at construction.
 */
public final class Transformer {
    private final ModelConfig config;
    private final Decoder decoder;
    private final Ops ops;
    private final KvCache cache;
    private final Scratch scratch;
    private final Scratch.Buffer x, normed, headIn;
    private final Tensor logits, logitsHost, normedHost;
    /** The logits rows of a batched step, {@code [m, vocab]} for m sequences ending there, made once per m. */
    private final Tensor[] logitsRows, logitsHostRows;
    /** The rows of the step being run, reused (single-sequence steps are one run of slot 0). */
    private final Rows rows;
    /** Token ids of a step's n rows, one array per n, reused. */
    private final int[][] ids;
    /** Per slot, in a batched step: tokens run so far; per head row: its slot. */
    private final int[] consumed, headSlot;
    private final FileGuard files;
    /** Taken for each forward step: the sequences of one model share its backend, one step at a time. */
    private final ReentrantLock backend;
    /** The LoRA adapter sets fitted to these layers, and which one each slot uses. */
    private final AdapterWeights adapters;
    private final AdapterSlots adapterSlots;
    /** The thread inside {@link #forward} now, or null. */
    private final AtomicReference<Thread> running = new AtomicReference<>();

    /**
     * @param decoder the layers, built by the model's family over {@code scratch} and {@code cache}
     * @param arena   owns the logits buffer
     */
    Transformer(ModelConfig config, Decoder decoder, Ops ops, Arena arena, Scratch scratch, KvCache cache, FileGuard files,
                ReentrantLock backend, AdapterWeights adapters) {
        this.config = config;
        this.adapters = adapters;
        this.adapterSlots = adapters.slots();
        this.backend = backend;
        this.files = files;
        this.decoder = decoder;
        this.ops = ops;
        this.cache = cache;
        this.scratch = scratch;
        this.x = scratch.buffer("x", config.dim());
        this.normed = scratch.buffer("head.normed", config.dim());
        int slots = cache.slots();
        if (scratch.maxBatch() < slots) {
            throw new IllegalArgumentException("a step of " + slots + " sequences needs " + slots + " scratch rows, not " + scratch.maxBatch());
        }
        this.headIn = scratch.buffer("head.x", config.dim());
        Tensor allLogits = ops.allocate(arena, DType.F32, slots, config.vocabSize());
        Tensor allLogitsHost = scratch.hostMirror(allLogits);
        this.logits = allLogits.rows(0, 1);
        this.logitsHost = allLogitsHost.rows(0, 1);
        this.normedHost = scratch.hostMirror(normed.row(0));
        this.logitsRows = new Tensor[slots + 1];
        this.logitsHostRows = new Tensor[slots + 1];
        for (int m = 1; m <= slots; m++) {
            logitsRows[m] = allLogits.rows(0, m);
            logitsHostRows[m] = allLogitsHost.rows(0, m);
        }
        this.rows = new Rows(slots);
        this.ids = new int[scratch.maxBatch() + 1][];
        this.consumed = new int[slots];
        this.headSlot = new int[slots];
    }

    /** {@return the model's shape and hyperparameters} */
    public ModelConfig config() {
        return config;
    }

    /** {@return the backend this transformer computes on} */
    public Ops ops() {
        return ops;
    }

    /** {@return the KV cache this transformer's sequences fill} */
    public KvCache cache() {
        return cache;
    }

    /** {@return sequences this transformer holds (1 unless made by {@link Model#newBatch(int)})} */
    public int slots() {
        return cache.slots();
    }

    /**
     * Lets {@code slot} run with the LoRA adapters {@code set} (at their scales) from its next step
     * on, instead of the ones it had ({@link LoadOptions#adapters()} at first): fitted to this
     * session's layers the first time it is seen (small uploads of the factors; the base weights are
     * shared, never copied), reused after. {@link AdapterSet#NONE} runs the base alone. What the slot's
     * cache holds was computed with its earlier adapters: start its sequence again (position 0) after
     * a change.
     *
     * @param slot the slot, 0 for a single sequence
     * @param set  the adapters and scales
     * @throws dev.panamax.formats.FormatException naming an adapter tensor that does not fit this model
     * @throws IllegalStateException if another thread is inside {@link #forward}
     */
    public void useAdapters(int slot, AdapterSet set) {
        if (slot < 0 || slot >= slots()) {
            throw new IndexOutOfBoundsException("slot " + slot + " of " + slots());
        }
        enter();
        try {
            adapterSlots.use(slot, adapters.register(set));
        } finally {
            running.set(null);
        }
    }

    /**
     * {@return the LoRA adapters {@code slot} runs with ({@link AdapterSet#NONE} for none)}
     *
     * @param slot the slot, 0 for a single sequence
     */
    public AdapterSet adapters(int slot) {
        return adapters.set(adapterSlots.setOf(slot));
    }

    /**
     * Whether slot {@code slot} can run from position {@code position} on with the positions before it taken
     * from the cache: always for caches of the whole context; a sliding-window layer's cache keeps only the
     * last {@code W - 1 + C} positions written, so going back (reusing a shorter prefix than was run) works
     * while the window of {@code position} is still held ({@link dev.panamax.transformer.nn.Attention}), and
     * position 0 always. Otherwise the sequence must be run again from 0.
     *
     * @param slot     the slot, 0 for a single sequence
     * @param position the position the next step starts at
     * @return true if the cache holds what a step at {@code position} reads
     */
    public boolean canContinue(int slot, int position) {
        List<Block> blocks = decoder.blocks();
        for (int i = 0; i < blocks.size(); i++) { // indexed: an iterator per token where C2 does not remove it (issue 18 target 6)
            if (!blocks.get(i).canContinue(slot, position)) {
                return false;
            }
        }
        return true;
    }

    /**
     * Tokens of a shared prefix of {@code prefix} tokens that slot {@code slot} can go on from: {@code prefix}
     * if {@link #canContinue}, else 0 (no shorter prefix is held either: a window cache holds position 0's
     * window only until it first moves on).
     *
     * @param slot   the slot, 0 for a single sequence
     * @param prefix tokens the cached sequence and the new one share
     * @return {@code prefix}, or 0 if the sequence must be run from position 0
     */
    public int reusablePrefix(int slot, int prefix) {
        return canContinue(slot, prefix) ? prefix : 0;
    }

    /** {@return tokens processed per batch of a prompt} */
    public int maxBatch() {
        return scratch.maxBatch();
    }

    /**
     * Runs {@code tokens} at positions {@code startPos ...} and returns the logits after the last one.
     *
     * @param tokens   the token ids to run, at least one
     * @param startPos the position of the first; the cache must hold the positions before it
     * @return a new array of logits over the vocabulary, after the last token
     * @throws IllegalArgumentException if a token id is outside the vocabulary, or the tokens do not
     *                                  fit in the context ({@code startPos + tokens.length > contextLength})
     */
    public float[] forward(int[] tokens, int startPos) {
        float[] logits = new float[config.vocabSize()];
        forward(tokens, startPos, logits);
        return logits;
    }

    /**
     * As {@link #forward(int[], int)}, writing the logits into {@code logits} (length vocab): no allocation when decoding.
     *
     * @param tokens   the token ids to run, at least one
     * @param startPos the position of the first
     * @param logits   receives the logits after the last token
     */
    public void forward(int[] tokens, int startPos, float[] logits) {
        checkLogits(logits);
        enter();
        backend.lock();
        try {
            run(tokens, startPos, null, null);
            // logits = RMSNorm(x[last]) · Woutputᵀ; the last token's row is row n-1 of the final batch
            int n = (tokens.length - 1) % maxBatch() + 1;
            project(x.row(n - 1), logits);
        } catch (InternalError e) {
            throw mappedFileFault(e);
        } finally {
            backend.unlock();
            running.set(null);
        }
    }

    /**
     * One step of several sequences: for each slot {@code s} with tokens ({@code tokens[s]} neither
     * null nor empty), runs them at positions {@code startPos[s] ...} of that slot and writes the
     * logits after its last one into {@code logits[s]}; other slots are left alone. The rows of all
     * slots share each matrix multiplication (the weights are read once for them all), up to
     * {@link #maxBatch()} rows per pass: more (long prompts) take several passes, in slot order.
     *
     * @param tokens   per slot: its next tokens (a prompt, a chunk of one, or one generated token), or null
     * @param startPos per slot: the tokens its cache holds (0 starts a new sequence there)
     * @param logits   per slot with tokens: an array of {@code vocab} entries to write
     * @throws IllegalArgumentException if the arrays do not have {@link #slots()} entries, a token is outside
     *                                  the vocabulary, a slot's tokens do not fit in its context, or a logits array is missing
     */
    public void forward(int[][] tokens, int[] startPos, float[][] logits) {
        checkStep(tokens, startPos, logits);
        enter();
        backend.lock();
        try {
            Arrays.fill(consumed, 0);
            int first = -1;
            boolean mixed = false;
            for (int s = 0; s < tokens.length; s++) {
                if (tokens[s] != null && tokens[s].length > 0) {
                    int set = adapterSlots.setOf(s);
                    mixed |= first >= 0 && set != first;
                    first = first < 0 ? set : first;
                }
            }
            if (!mixed) {
                adapterSlots.select(first);
                while (pass(tokens, startPos, logits, -1)) {
                    // each pass takes up to maxBatch rows, from the slots that have tokens left
                }
            } else {
                // slots with different adapter sets: the passes of each set in turn (the layers apply one set per pass)
                for (int s = 0; s < tokens.length; s++) {
                    if (tokens[s] != null && tokens[s].length > 0 && firstSlotOfItsSet(tokens, s)) {
                        adapterSlots.select(adapterSlots.setOf(s));
                        while (pass(tokens, startPos, logits, adapterSlots.setOf(s))) {
                            // the passes of this set
                        }
                    }
                }
            }
        } catch (InternalError e) {
            throw mappedFileFault(e);
        } finally {
            backend.unlock();
            running.set(null);
        }
    }

    /** Whether no slot before {@code slot} with tokens uses {@code slot}'s adapter set. */
    private boolean firstSlotOfItsSet(int[][] tokens, int slot) {
        for (int s = 0; s < slot; s++) {
            if (tokens[s] != null && tokens[s].length > 0 && adapterSlots.setOf(s) == adapterSlots.setOf(slot)) {
                return false;
            }
        }
        return true;
    }

    /** Runs one pass of a batched step over the slots of adapter set {@code onlySet} (-1: all); false when none had tokens left. */
    private boolean pass(int[][] tokens, int[] startPos, float[][] out, int onlySet) {
        rows.clear();
        int maxBatch = maxBatch();
        for (int s = 0; s < tokens.length && rows.count() < maxBatch; s++) {
            if (onlySet >= 0 && adapterSlots.setOf(s) != onlySet) {
                continue;
            }
            int left = tokens[s] == null ? 0 : tokens[s].length - consumed[s];
            if (left > 0) {
                rows.add(s, startPos[s] + consumed[s], Math.min(left, maxBatch - rows.count()));
            }
        }
        int n = rows.count();
        if (n == 0) {
            return false;
        }
        int[] stepIds = ids[n] != null ? ids[n] : (ids[n] = new int[n]);
        for (int r = 0; r < rows.runs(); r++) {
            int s = rows.slot(r);
            System.arraycopy(tokens[s], consumed[s], stepIds, rows.start(r), rows.length(r));
            consumed[s] += rows.length(r);
        }
        Tensor xn = x.rows(n);
        decoder.embedding().forward(stepIds, xn);
        for (Block block : decoder.blocks()) {
            block.forward(xn, rows);
        }
        // the head reads the last row of each slot whose tokens ended in this pass, gathered in order
        int m = 0;
        for (int r = 0; r < rows.runs(); r++) {
            int s = rows.slot(r);
            if (consumed[s] == tokens[s].length) {
                ops.copy(x.row(rows.start(r) + rows.length(r) - 1), headIn.row(m));
                headSlot[m++] = s;
            }
        }
        if (m > 0) {
            decoder.head().forward(headIn.rows(m), normed.rows(m), logitsRows[m]);
            if (logitsHostRows[m] != logitsRows[m]) {
                ops.copy(logitsRows[m], logitsHostRows[m]);
            }
            long rowBytes = (long) config.vocabSize() * Float.BYTES;
            for (int j = 0; j < m; j++) {
                MemorySegment.copy(logitsHostRows[m].data(), ValueLayout.JAVA_FLOAT_UNALIGNED, j * rowBytes, out[headSlot[j]], 0,
                        config.vocabSize());
            }
        }
        return true;
    }

    /**
     * Runs {@code tokens} at positions {@code startPos ...} and returns the logits after every one of them.
     *
     * @param tokens   the token ids to run, at least one
     * @param startPos the position of the first
     * @return one row of logits per token
     */
    public float[][] forwardAll(int[] tokens, int startPos) {
        float[][] all = new float[tokens.length][];
        enter();
        backend.lock();
        try {
            run(tokens, startPos, all, null);
        } catch (InternalError e) {
            throw mappedFileFault(e);
        } finally {
            backend.unlock();
            running.set(null);
        }
        return all;
    }

    /**
     * Runs {@code tokens} at positions {@code startPos ...} and returns the hidden state after every
     * one of them, through the final norm ({@code [n][dim]}, what the output projection would see):
     * the token embeddings that embedding models pool.
     *
     * @param tokens   the token ids to run, at least one
     * @param startPos the position of the first
     * @return one row of {@code dim} values per token
     */
    public float[][] hiddenStates(int[] tokens, int startPos) {
        float[][] hidden = new float[tokens.length][];
        enter();
        backend.lock();
        try {
            run(tokens, startPos, null, hidden);
        } catch (InternalError e) {
            throw mappedFileFault(e);
        } finally {
            backend.unlock();
            running.set(null);
        }
        return hidden;
    }

    /** Claims this transformer for the calling thread, or fails if another thread is inside. */
    private void enter() {
        Thread me = Thread.currentThread();
        Thread other = running.compareAndExchange(null, me);
        if (other != null) {
            throw new IllegalStateException("one Transformer used by two threads at once: " + me.getName() + " called forward while "
                    + other.getName() + " was inside; its KV cache and scratch belong to one sequence at a time");
        }
        try {
            files.check();
        } catch (RuntimeException e) {
            running.set(null);
            throw e;
        }
    }

    /**
     * The JVM reports a read of a memory-mapped file that shrank after it was mapped as an
     * InternalError ("a fault occurred in an unsafe memory access operation"): name the file.
     */
    private RuntimeException mappedFileFault(InternalError e) {
        if (e.getMessage() != null && e.getMessage().contains("unsafe memory access")) {
            return new ModelFileChangedException(files.reported(), e);
        }
        throw e;
    }

    private void run(int[] tokens, int startPos, float[][] allLogits, float[][] hidden) {
        check(tokens, startPos);
        adapterSlots.select(adapterSlots.setOf(0));
        requireContinuable(0, startPos);
        int maxBatch = maxBatch();
        for (int off = 0; off < tokens.length; off += maxBatch) {
            int n = Math.min(maxBatch, tokens.length - off);
            Tensor xn = x.rows(n);
            int[] ids = off == 0 && n == tokens.length ? tokens : Arrays.copyOfRange(tokens, off, off + n);
            // x = embedding rows of the tokens (times the family's embedding scale, if any)
            decoder.embedding().forward(ids, xn);
            rows.clear().add(0, startPos + off, n);
            List<Block> blocks = decoder.blocks();
            for (int i = 0; i < blocks.size(); i++) {
                blocks.get(i).forward(xn, rows);
            }
            if (allLogits != null) {
                for (int t = 0; t < n; t++) {
                    allLogits[off + t] = new float[config.vocabSize()];
                    project(x.row(t), allLogits[off + t]);
                }
            }
            if (hidden != null) {
                for (int t = 0; t < n; t++) {
                    decoder.head().norm().forward(x.row(t), normed.row(0));
                    if (normedHost != normed.row(0)) {
                        ops.copy(normed.row(0), normedHost);
                    }
                    hidden[off + t] = new float[config.dim()];
                    MemorySegment.copy(normedHost.data(), ValueLayout.JAVA_FLOAT_UNALIGNED, 0, hidden[off + t], 0, config.dim());
                }
            }
        }
    }

    /** logits = RMSNorm(xRow) * g_out · Woutputᵀ (see {@link OutputHead}), copied to the host. */
    private void project(Tensor xRow, float[] out) {
        decoder.head().forward(xRow, normed.row(0), logits);
        if (logitsHost != logits) {
            ops.copy(logits, logitsHost);
        }
        // from the segment itself: data() would make a slice per token
        MemorySegment.copy(logitsHost.segment(), ValueLayout.JAVA_FLOAT_UNALIGNED, logitsHost.byteOffset(), out, 0, out.length);
    }

    private void check(int[] tokens, int startPos) {
        if (tokens.length == 0) {
            throw new IllegalArgumentException("forward needs at least one token");
        }
        if (startPos < 0 || (long) startPos + tokens.length > config.contextLength()) {
            throw new IllegalArgumentException(tokens.length + " tokens at position " + startPos + " do not fit in the context of "
                    + config.contextLength() + " positions");
        }
        for (int i = 0; i < tokens.length; i++) {
            if (tokens[i] < 0 || tokens[i] >= config.vocabSize()) {
                throw new IllegalArgumentException("token " + i + " = " + tokens[i] + " is outside the vocabulary [0, "
                        + config.vocabSize() + ")");
            }
        }
    }

    /** Refuses to run slot {@code slot} from {@code position} when its window caches lack positions it needs. */
    private void requireContinuable(int slot, int position) {
        if (!canContinue(slot, position)) {
            throw new IllegalArgumentException("cannot go on at position " + position + ": the sliding-window"
                    + " layers' caches no longer hold the window before it (a prefix can be reused while canContinue says so);"
                    + " run the sequence again from position 0");
        }
    }

    private void checkStep(int[][] tokens, int[] startPos, float[][] logits) {
        if (tokens.length != slots() || startPos.length != slots() || logits.length != slots()) {
            throw new IllegalArgumentException("a step of " + slots() + " slots takes " + slots() + " entries per array, got tokens "
                    + tokens.length + ", startPos " + startPos.length + ", logits " + logits.length);
        }
        boolean any = false;
        for (int s = 0; s < tokens.length; s++) {
            if (tokens[s] == null || tokens[s].length == 0) {
                continue;
            }
            any = true;
            try {
                check(tokens[s], startPos[s]);
                requireContinuable(s, startPos[s]);
            } catch (IllegalArgumentException e) {
                throw new IllegalArgumentException("slot " + s + ": " + e.getMessage(), e);
            }
            if (logits[s] == null) {
                throw new IllegalArgumentException("slot " + s + " has tokens but no logits array");
            }
            checkLogits(logits[s]);
        }
        if (!any) {
            throw new IllegalArgumentException("a step needs tokens for at least one slot");
        }
    }

    private void checkLogits(float[] logits) {
        if (logits.length != config.vocabSize()) {
            throw new IllegalArgumentException("logits array has length " + logits.length + ", vocabulary is " + config.vocabSize());
        }
    }
}
