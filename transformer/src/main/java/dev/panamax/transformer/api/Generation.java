package dev.panamax.transformer.api;

import dev.panamax.transformer.Transformer;
import dev.panamax.transformer.lora.AdapterSet;
import dev.panamax.transformer.sampling.GenerationResult;
import dev.panamax.transformer.sampling.GenerationResult.StopReason;
import dev.panamax.transformer.sampling.NonFiniteLogitsException;
import dev.panamax.transformer.sampling.Sampler;
import dev.panamax.transformer.sampling.grammar.GrammarMatcher;
import dev.panamax.transformer.sampling.grammar.TokenTrie;
import dev.panamax.transformer.tokenizer.StreamingDecoder;
import dev.panamax.transformer.tokenizer.Tokenizer;
import java.util.Arrays;
import java.util.function.Consumer;

/**
 * One generation taken a forward step at a time, for a caller that owns the decode loop (a server's
 * scheduler stepping many requests in turn, or in one batch). Each step runs {@link #input()} at
 * positions {@link #position()} ... through the model and hands the logits after its last token to
 * {@link #advance(float[])}, which samples the next token once the prompt is consumed and streams
 * its text. {@link #step()} does both on the session the generation was started on
 * ({@link Session#start}); a generation in a {@link Batch}'s slot ({@link #inSlot}) is advanced with
 * the slot's logits after each {@link Batch#step}, beside the other slots'.
 *
 * <pre>{@code
 * try (Generation g = session.start(prompt, options, System.out::print, 256)) {
 *     while (!g.finished()) {
 *         g.step();
 *     }
 *     Completion c = g.completion();
 * }
 * }</pre>
 *
 * The tokens, text and stop reason equal {@link Session#complete(int[], GenerateOptions, Consumer)}'s
 * (which runs on this class). Not thread-safe: one thread steps it. {@link #close()} ends it early
 * (as cancelled) and gives its session back.
 */
public final class Generation implements AutoCloseable {
    /** Runs the steps of {@link #step()}; null for a generation in a batch's slot, whose caller runs them. */
    private final Transformer stepper;
    /** Told, when the generation ends, the tokens whose keys and values the cache now holds for certain. */
    private final Consumer<int[]> onFinish;
    private final Tokenizer tokenizer;
    private final int vocabSize;
    private final int context;
    private final int prefillChunk;
    private final int[] prompt;
    private final int reused;
    private final int maxTokens;
    private final Sampler sampler;
    private final StreamingDecoder decoder;
    private final StopStrings stops;
    private final Cancellation cancellation;
    private final Consumer<String> onText;
    private final StringBuilder text = new StringBuilder();
    private final int[] history;
    private final int[] one = new int[1];
    private int length;
    /** Prompt tokens whose keys and values the cache holds (reused or prefilled). */
    private int prefilled;
    private int produced;
    private StopReason reason;
    private Completion completion;
    private final long start = System.nanoTime();
    private long prefillEnd;
    private float[] logits;
    private SampledTokens sampledTokens;
    /** Where the output stands in the options' grammar, and the mask of the tokens it allows; null without one. */
    private final GrammarMatcher grammar;
    private final long[] allowed;

    /** Told of each token sampled, with the logits it was drawn from: for a caller that reports probabilities. */
    @FunctionalInterface
    public interface SampledTokens {
        /**
         * Called once per sampled token, on the thread that advances the generation.
         *
         * @param token  the token sampled (an end token too)
         * @param logits the model's logits it was drawn from, before penalties and temperature; read them now, they are reused
         */
        void sampled(int token, float[] logits);
    }

    Generation(Tokenizer tokenizer, int vocabSize, int context, Transformer stepper, Consumer<int[]> onFinish, int[] prompt, int reused,
               GenerateOptions options, Consumer<String> onText, int prefillChunk) {
        this.stepper = stepper;
        this.onFinish = onFinish;
        this.tokenizer = tokenizer;
        this.vocabSize = vocabSize;
        this.context = context;
        this.prefillChunk = prefillChunk;
        this.prompt = prompt;
        this.reused = reused;
        this.prefilled = reused;
        this.maxTokens = options.maxTokens();
        this.sampler = new Sampler(options.sampler(), vocabSize);
        this.decoder = new StreamingDecoder(tokenizer);
        this.stops = new StopStrings(options.stop());
        // the matcher reads each token's own bytes; SentencePiece's space prefix, which the decoder drops from the
        // first token, can only be leading whitespace there, so the text stays a document of the grammar
        this.grammar = options.grammar() == null ? null : new GrammarMatcher(options.grammar(), TokenTrie.of(tokenizer));
        this.allowed = grammar == null ? null : new long[grammar.maskLength()];
        this.cancellation = options.cancellation();
        this.onText = onText;
        // positions stop at the context, so the history never holds more than context + 1 tokens
        this.history = Arrays.copyOf(prompt, (int) Math.min((long) prompt.length + maxTokens, context + 1L));
        this.length = prompt.length;
        if (cancellation != null && cancellation.isCancelled()) {
            finish(StopReason.CANCELLED);
        }
    }

    /**
     * A generation in {@code slot} of {@code batch}, just claimed: the caller gives {@link #input()} as the
     * slot's tokens of each {@link Batch#step}, then {@link #advance}s with the slot's {@link Batch#logits};
     * {@link #step()} is not for it. A slot claimed for this prompt ({@link Batch#claim(int[], AdapterSet)}) may
     * already hold its first {@link Batch#position} tokens: they are not run again. Releasing the slot when it
     * has finished is the caller's.
     *
     * @param batch        the batch whose steps run the generation
     * @param slot         the slot, claimed and not yet stepped
     * @param prompt       the prompt's tokens (copied)
     * @param options      token budget, sampling and stops
     * @param onText       receives the generated text piece by piece
     * @param prefillChunk prompt tokens given to one step at most, so that a long prompt shares steps with other slots
     * @return the generation, not yet started
     * @throws IllegalArgumentException if the slot is not newly claimed (busy, holding nothing or a prefix of the
     *                                  prompt shorter than it), the prompt is empty or does not fit, or {@code prefillChunk < 1}
     */
    public static Generation inSlot(Batch batch, int slot, int[] prompt, GenerateOptions options, Consumer<String> onText, int prefillChunk) {
        if (prompt.length == 0 || prompt.length > batch.contextLength()) {
            throw new IllegalArgumentException("the prompt has " + prompt.length + " tokens; it needs 1 to " + batch.contextLength()
                    + " (the context)");
        }
        int reused = batch.position(slot);
        if (!batch.busy(slot) || reused >= prompt.length || !batch.holdsPrefixOf(slot, prompt)) {
            throw new IllegalArgumentException("slot " + slot + " must be newly claimed (busy, at position 0 or holding a shorter"
                    + " prefix of this prompt)");
        }
        if (prefillChunk < 1) {
            throw new IllegalArgumentException("prefillChunk must be positive, got " + prefillChunk);
        }
        return new Generation(batch.tokenizer(), batch.vocabSize(), batch.contextLength(), null, held -> { }, prompt.clone(), reused,
                options, onText, prefillChunk);
    }

    /**
     * Tells {@code listener} of every token sampled from now on, before its text is streamed.
     *
     * @param listener the listener, or null for none
     */
    public void onSampled(SampledTokens listener) {
        this.sampledTokens = listener;
    }

    /**
     * Whether the generation has ended; then {@link #completion()} holds its result.
     *
     * @return true once it has stopped, for any reason
     */
    public boolean finished() {
        return completion != null;
    }

    /**
     * Whether the prompt is still being run (no token sampled yet).
     *
     * @return true until the step that runs the prompt's last token
     */
    public boolean prefilling() {
        return prefilled < prompt.length;
    }

    /**
     * The tokens the next forward step runs: the next chunk of the prompt while prefilling, then the
     * token sampled last. The array is reused between steps; do not keep it.
     *
     * @return the next step's tokens, at least one
     * @throws IllegalStateException if the generation has finished
     */
    public int[] input() {
        checkRunning();
        if (prefilling()) {
            return Arrays.copyOfRange(prompt, prefilled, prefilled + Math.min(prefillChunk, prompt.length - prefilled));
        }
        one[0] = history[length - 1];
        return one;
    }

    /**
     * The position of {@link #input()}'s first token (the tokens of the sequence the cache holds).
     *
     * @return the position, from 0
     * @throws IllegalStateException if the generation has finished
     */
    public int position() {
        checkRunning();
        return prefilling() ? prefilled : length - 1;
    }

    /**
     * Takes the logits after the last token of {@link #input()}, run at {@link #position()}: while
     * prefilling, only moves on; after the prompt, samples the next token, streams the text it
     * completes and ends the generation where it should (an end token, the token limit, a stop string,
     * the context, a cancellation). Returns the text this step passed to the callback (maybe empty).
     *
     * @param logits the model's logits after the input's last token (read, not kept)
     * @return the text streamed by this step, maybe empty
     * @throws IllegalStateException if the generation has finished
     * @throws NonFiniteLogitsException if a logit is NaN or infinite (the generation is then finished)
     */
    public String advance(float[] logits) {
        checkRunning();
        if (prefilling()) {
            prefilled += Math.min(prefillChunk, prompt.length - prefilled);
            if (prefilling()) {
                return "";
            }
            if (maxTokens == 0) { // the prompt alone was asked for
                finish(StopReason.MAX_TOKENS);
                return "";
            }
        }
        int before = text.length();
        try {
            checkFinite(logits, length);
        } catch (NonFiniteLogitsException e) {
            finish(StopReason.CANCELLED);
            throw e;
        }
        if (grammar != null && grammar.allowed(allowed) == 0) {
            finish(StopReason.CANCELLED);
            throw new IllegalStateException("no token of the vocabulary continues the output in its grammar after "
                    + produced + " tokens");
        }
        int token = sampler.sample(logits, history, length, allowed);
        if (grammar != null && !grammar.accept(token)) {
            throw new IllegalStateException("the sampler chose token " + token + ", which the grammar's mask refused");
        }
        if (produced++ == 0) {
            prefillEnd = System.nanoTime();
        }
        history[length++] = token;
        if (sampledTokens != null) {
            sampledTokens.sampled(token, logits);
        }
        if (tokenizer.isEog(token)) {
            finish(StopReason.END_OF_GENERATION);
        } else {
            emit(stops.accept(decoder.next(token)));
            if (stops.matched()) {
                finish(StopReason.STOP_STRING);
            } else if (grammar != null && grammar.complete()) { // the document is whole: nothing may follow it
                finish(StopReason.END_OF_GENERATION);
            } else if (cancellation != null && cancellation.isCancelled()) {
                finish(StopReason.CANCELLED);
            } else if (produced >= maxTokens) {
                finish(StopReason.MAX_TOKENS);
            } else if (length > context) { // the next input would need position length - 1 >= context
                finish(StopReason.CONTEXT_FULL);
            }
        }
        return text.substring(before);
    }

    /**
     * Runs one forward step on the session's own transformer and {@link #advance}s: the text this step
     * streamed. A finished generation does nothing; a cancelled one finishes before the step.
     *
     * @return the text streamed by this step, maybe empty
     * @throws IllegalStateException for a generation in a batch's slot (its caller runs the batch's steps)
     */
    public String step() {
        if (stepper == null) {
            throw new IllegalStateException("a generation in a batch's slot is stepped by the batch: Batch.step, then advance");
        }
        if (finished()) {
            return "";
        }
        if (cancellation != null && cancellation.isCancelled()) {
            finish(StopReason.CANCELLED);
            return "";
        }
        if (logits == null) {
            logits = new float[vocabSize];
        }
        try {
            stepper.forward(input(), position(), logits);
        } catch (RuntimeException e) {
            finish(StopReason.CANCELLED);
            throw e;
        }
        return advance(logits);
    }

    /**
     * The result, once {@link #finished()}.
     *
     * @return the text, tokens, stop reason and timings
     * @throws IllegalStateException if the generation is still running
     */
    public Completion completion() {
        if (completion == null) {
            throw new IllegalStateException("the generation is still running");
        }
        return completion;
    }

    /**
     * Tokens generated so far.
     *
     * @return the count of sampled tokens, an end token included
     */
    public int generatedTokens() {
        return produced;
    }

    /**
     * The prompt's tokens.
     *
     * @return the prompt's length in tokens
     */
    public int promptTokens() {
        return prompt.length;
    }

    /** Ends the generation now if it is still running (as {@code CANCELLED}) and gives the session back. */
    @Override
    public void close() {
        if (!finished()) {
            finish(StopReason.CANCELLED);
        }
    }

    private void finish(StopReason why) {
        if (completion != null) {
            return;
        }
        if (!stops.matched()) { // text held back for a stop string, or an unfinished character
            emit(stops.accept(decoder.finish()));
            emit(stops.finish());
            if (stops.matched()) {
                why = StopReason.STOP_STRING;
            }
        }
        reason = why;
        long end = System.nanoTime();
        if (prefillEnd == 0) {
            prefillEnd = end;
        }
        int[] tokens = Arrays.copyOfRange(history, prompt.length, length);
        GenerationResult r = new GenerationResult(tokens, reason, prefilled - reused, prefillEnd - start, end - prefillEnd);
        // the cache holds the prompt prefilled and every generated token but the last (sampled, not fed back)
        int held = prefilling() ? prefilled : length - (produced > 0 ? 1 : 0);
        onFinish.accept(Arrays.copyOf(history, held));
        completion = new Completion(text.toString(), reason, prompt.length, reused, r);
    }

    private void emit(String piece) {
        if (!piece.isEmpty()) {
            text.append(piece);
            onText.accept(piece);
        }
    }

    private void checkRunning() {
        if (finished()) {
            throw new IllegalStateException("the generation has finished (" + reason + ")");
        }
    }

    /**
     * A NaN or infinite logit means broken weights or an overflow in the forward pass: every token
     * sampled from it would be garbage. One pass over the logits per token.
     */
    private static void checkFinite(float[] logits, int position) {
        for (int i = 0; i < logits.length; i++) {
            if (!Float.isFinite(logits[i])) {
                throw new NonFiniteLogitsException(position, i, logits[i]);
            }
        }
    }
}
