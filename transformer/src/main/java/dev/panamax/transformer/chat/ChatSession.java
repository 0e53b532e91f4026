package dev.panamax.transformer.chat;

import dev.panamax.transformer.Transformer;
import dev.panamax.transformer.sampling.GenerationResult;
import dev.panamax.transformer.sampling.Generator;
import dev.panamax.transformer.sampling.Sampler;
import dev.panamax.transformer.sampling.TokenTextDecoder;
import dev.panamax.transformer.tokenizer.StreamingDecoder;
import dev.panamax.transformer.tokenizer.Tokenizer;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.function.Consumer;

/**
 * A conversation with one model, turn by turn. Each turn formats the whole conversation with the
 * template and tokenizes it; the tokens the KV cache already holds (the longest common prefix with
 * what was processed before) are not computed again, so a turn prefills only the conversation's new
 * suffix: the end of the last reply's turn and the new user message.
 *
 * <p>Owns the model's KV cache while in use; one session per model at a time, driven by one thread.
 */
public final class ChatSession {
    private final Transformer model;
    private final Tokenizer tokenizer;
    private final ChatFormat template;
    private final Generator generator;
    private final List<ChatMessage> messages = new ArrayList<>();
    /** The tokens whose keys and values the cache holds, positions 0 ... */
    private int[] cached = new int[0];

    /**
     * A new conversation over {@code model}'s sequence, starting at position 0.
     *
     * @param model     the model whose KV cache holds the conversation
     * @param tokenizer encodes the rendered prompt and decodes the replies
     * @param template  renders the messages as the model was trained to read them
     * @param sampler   picks each reply token
     * @param system    a system message to start with, or null for none
     */
    public ChatSession(Transformer model, Tokenizer tokenizer, ChatFormat template, Sampler sampler, String system) {
        this.model = model;
        this.tokenizer = tokenizer;
        this.template = template;
        this.generator = new Generator(model, sampler, tokenizer::isEog);
        if (system != null && !system.isEmpty()) {
            messages.add(ChatMessage.system(system));
        }
    }

    /**
     * What one turn produced.
     *
     * @param text         the assistant's reply, as added to the conversation
     * @param generation   the tokens, the stop reason and the timings
     * @param reusedTokens tokens of the prompt whose keys and values were still in the cache
     */
    public record Reply(String text, GenerationResult generation, int reusedTokens) {
        /** {@return tokens computed for the prompt this turn (the conversation's new suffix)} */
        public int prefilledTokens() {
            return generation.promptTokens();
        }
    }

    /**
     * Adds {@code userText} as a user message, generates the assistant's reply (streamed to
     * {@code onText}, at most {@code maxTokens} tokens, ending at an end-of-generation token) and adds
     * it to the conversation.
     *
     * @param userText  the user's message
     * @param maxTokens the most tokens of the reply
     * @param onText    called with each piece of the reply's text as it is generated
     * @return the reply
     * @throws IllegalArgumentException if the conversation no longer fits in the context
     */
    public Reply send(String userText, int maxTokens, Consumer<String> onText) {
        List<ChatMessage> next = new ArrayList<>(messages);
        next.add(ChatMessage.user(userText));
        int[] prompt = tokenizer.encode(template.format(next, true), template.tokenizerAddsBos(), true);
        int context = model.config().contextLength();
        if (prompt.length >= context) {
            throw new IllegalArgumentException("the conversation has grown to " + prompt.length + " tokens, which leaves no room in the context of "
                    + context + "; start again with a larger --ctx-size");
        }
        // at least one token must be computed, for the logits that pick the first reply token
        // (and sliding-window caches must still hold the window before it, or the conversation runs again from 0)
        int reuse = model.reusablePrefix(0, Math.min(commonPrefix(cached, prompt), prompt.length - 1));
        StringBuilder reply = new StringBuilder();
        // the generator stops at the end of the context itself, and then says so (StopReason.CONTEXT_FULL)
        GenerationResult r = generator.generate(prompt, reuse, maxTokens,
                TokenTextDecoder.of(new StreamingDecoder(tokenizer)), text -> {
                    reply.append(text);
                    onText.accept(text);
                });
        // the cache holds the prompt and every generated token but the last, which was sampled, not fed back
        int[] tokens = r.tokens();
        cached = Arrays.copyOf(prompt, prompt.length + Math.max(0, tokens.length - 1));
        System.arraycopy(tokens, 0, cached, prompt.length, Math.max(0, tokens.length - 1));
        messages.clear();
        messages.addAll(next);
        messages.add(ChatMessage.assistant(reply.toString()));
        return new Reply(reply.toString(), r, reuse);
    }

    /** {@return the conversation so far} */
    public List<ChatMessage> messages() {
        return List.copyOf(messages);
    }

    /** {@return tokens held in the KV cache} */
    public int cachedTokens() {
        return cached.length;
    }

    /** {@return the chat format the messages are rendered with} */
    public ChatFormat template() {
        return template;
    }

    private static int commonPrefix(int[] a, int[] b) {
        int n = Math.min(a.length, b.length);
        int i = 0;
        while (i < n && a[i] == b[i]) {
            i++;
        }
        return i;
    }
}
