package dev.panamax.transformer.sampling;

import dev.panamax.transformer.Transformer;
import java.util.Arrays;
import java.util.function.Consumer;
import java.util.function.IntConsumer;
import java.util.function.IntPredicate;

/**
 * Generates tokens: the prompt in one batched forward pass (prefill), then one token at a time
 * (decode), each sampled from the logits of the last and fed back, until an end-of-generation
 * token, a token limit, or a full context.
 *
 * <pre>{@code
 * Generator g = new Generator(transformer, new Sampler(SamplerSettings.greedy(), vocab), tokenizer::isEndOfGeneration);
 * GenerationResult r = g.generate(promptIds, 100, decoder, System.out::print);
 * }</pre>
 */
public final class Generator {
    private final Transformer model;
    private final Sampler sampler;
    private final IntPredicate endOfGeneration;

    /**
     * A generator over one model's sequence.
     *
     * @param model           the model, whose KV cache the generator fills
     * @param sampler         picks each next token from the logits
     * @param endOfGeneration true for tokens that end generation (EOS, EOT, ...); they are
     *                        reported to the callbacks and included in the result
     */
    public Generator(Transformer model, Sampler sampler, IntPredicate endOfGeneration) {
        this.model = model;
        this.sampler = sampler;
        this.endOfGeneration = endOfGeneration;
    }

    /**
     * Generates up to {@code maxTokens} tokens after {@code prompt}, blocking; starts a new sequence at position 0.
     *
     * @param prompt    the prompt's token ids, at least one
     * @param maxTokens the most tokens to generate
     * @return the tokens generated, why generation stopped, and timings
     */
    public GenerationResult generate(int[] prompt, int maxTokens) {
        return generate(prompt, maxTokens, token -> { });
    }

    /**
     * As {@link #generate(int[], int)}, calling {@code onToken} with each token as soon as it is sampled.
     *
     * @param prompt    the prompt's token ids, at least one
     * @param maxTokens the most tokens to generate
     * @param onToken   called on this thread with each generated token id
     * @return the tokens generated, why generation stopped, and timings
     */
    public GenerationResult generate(int[] prompt, int maxTokens, IntConsumer onToken) {
        return generate(prompt, 0, maxTokens, onToken);
    }

    /**
     * Continues a sequence whose first {@code cached} tokens are already in the model's KV cache (from
     * earlier calls, e.g. the previous turns of a chat): only {@code prompt[cached ..]} is prefilled, at
     * positions {@code cached ...}; penalties see the whole sequence. The result counts the prefilled
     * tokens as its prompt tokens.
     *
     * @param prompt    the whole sequence so far, cached part included
     * @param cached    tokens of {@code prompt} whose keys and values the cache holds, less than its length
     * @param maxTokens the most tokens to generate
     * @param onToken   called on this thread with each generated token id
     * @return the tokens generated, why generation stopped, and timings
     */
    public GenerationResult generate(int[] prompt, int cached, int maxTokens, IntConsumer onToken) {
        return generate(prompt, cached, maxTokens, onToken, () -> null);
    }

    /** Decides, after each token, whether generation stops for a reason of the caller's (a stop string, a cancellation). */
    @FunctionalInterface
    public interface StopCheck {
        /** {@return the reason to stop now, or null to go on} */
        GenerationResult.StopReason check();
    }

    /**
     * As {@link #generate(int[], int, int, IntConsumer)}, asking {@code stop} before the first forward
     * pass and after each token whether to stop; its reason ends up in the result.
     *
     * @param prompt    the whole sequence so far, cached part included
     * @param cached    tokens of {@code prompt} already in the cache, less than its length
     * @param maxTokens the most tokens to generate
     * @param onToken   called on this thread with each generated token id
     * @param stop      the caller's stop condition
     * @return the tokens generated, why generation stopped, and timings
     */
    public GenerationResult generate(int[] prompt, int cached, int maxTokens, IntConsumer onToken, StopCheck stop) {
        if (prompt.length == 0) {
            throw new IllegalArgumentException("the prompt needs at least one token (usually BOS)");
        }
        if (cached < 0 || cached >= prompt.length) {
            throw new IllegalArgumentException("cached tokens must be in [0, " + prompt.length + "), got " + cached);
        }
        if (maxTokens < 0) {
            throw new IllegalArgumentException("maxTokens must not be negative, got " + maxTokens);
        }
        int context = model.config().contextLength();
        if (prompt.length > context) {
            throw new IllegalArgumentException("the prompt has " + prompt.length + " tokens, more than the context of " + context);
        }
        // positions stop at the context, so the history never holds more than context + 1 tokens
        int[] history = Arrays.copyOf(prompt, (int) Math.min((long) prompt.length + maxTokens, context + 1L));
        int length = prompt.length;
        float[] logits = new float[model.config().vocabSize()];
        int[] one = new int[1];

        long start = System.nanoTime();
        GenerationResult.StopReason early = stop.check();
        if (early != null) {
            return new GenerationResult(new int[0], early, 0, 0, 0);
        }
        model.forward(cached == 0 ? prompt : Arrays.copyOfRange(prompt, cached, prompt.length), cached, logits);
        long prefillEnd = 0;
        GenerationResult.StopReason reason = GenerationResult.StopReason.MAX_TOKENS;
        for (int produced = 0; produced < maxTokens; produced++) {
            if (produced > 0) {
                if (length > context) { // the last token would need position length - 1 >= context
                    reason = GenerationResult.StopReason.CONTEXT_FULL;
                    break;
                }
                one[0] = history[length - 1];
                model.forward(one, length - 1, logits);
            }
            checkFinite(logits, length);
            int token = sampler.sample(logits, history, length);
            if (produced == 0) {
                prefillEnd = System.nanoTime();
            }
            history[length++] = token;
            onToken.accept(token);
            if (endOfGeneration.test(token)) {
                reason = GenerationResult.StopReason.END_OF_GENERATION;
                break;
            }
            GenerationResult.StopReason stopped = stop.check();
            if (stopped != null) {
                reason = stopped;
                break;
            }
        }
        long end = System.nanoTime();
        if (prefillEnd == 0) {
            prefillEnd = end;
        }
        return new GenerationResult(Arrays.copyOfRange(history, prompt.length, length), reason, prompt.length - cached,
                prefillEnd - start, end - prefillEnd);
    }

    /**
     * A NaN or infinite logit means broken weights or an overflow in the forward pass: every token
     * sampled from it would be garbage, so generation stops here. One pass over the logits per token.
     */
    private static void checkFinite(float[] logits, int position) {
        for (int i = 0; i < logits.length; i++) {
            if (!Float.isFinite(logits[i])) {
                throw new NonFiniteLogitsException(position, i, logits[i]);
            }
        }
    }

    /**
     * Streams text: like {@link #generate(int[], int, IntConsumer)}, passing each piece of text to
     * {@code onText} as soon as it forms whole characters. End-of-generation tokens print nothing.
     *
     * @param prompt    the prompt's token ids, at least one
     * @param maxTokens the most tokens to generate
     * @param decoder   turns token ids into text, keeping incomplete UTF-8 sequences until they complete
     * @param onText    called with each piece of text
     * @return the tokens generated, why generation stopped, and timings
     */
    public GenerationResult generate(int[] prompt, int maxTokens, TokenTextDecoder decoder, Consumer<String> onText) {
        return generate(prompt, 0, maxTokens, decoder, onText);
    }

    /**
     * As {@link #generate(int[], int, int, IntConsumer)}, streaming text as {@link #generate(int[], int, TokenTextDecoder, Consumer)} does.
     *
     * @param prompt    the whole sequence so far, cached part included
     * @param cached    tokens of {@code prompt} already in the cache, less than its length
     * @param maxTokens the most tokens to generate
     * @param decoder   turns token ids into text
     * @param onText    called with each piece of text
     * @return the tokens generated, why generation stopped, and timings
     */
    public GenerationResult generate(int[] prompt, int cached, int maxTokens, TokenTextDecoder decoder, Consumer<String> onText) {
        GenerationResult r = generate(prompt, cached, maxTokens, token -> {
            if (!endOfGeneration.test(token)) {
                String text = decoder.decode(token);
                if (!text.isEmpty()) {
                    onText.accept(text);
                }
            }
        });
        String rest = decoder.finish();
        if (!rest.isEmpty()) {
            onText.accept(rest);
        }
        return r;
    }
}
