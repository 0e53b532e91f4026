package dev.panamax.transformer.api;

import dev.panamax.tensor.Backends;
import dev.panamax.tensor.Ops;
import dev.panamax.transformer.Model;
import dev.panamax.transformer.ModelSession;
import dev.panamax.transformer.UnsupportedModelException;
import dev.panamax.transformer.chat.ChatMessage;
import dev.panamax.transformer.chat.ChatFormat;
import dev.panamax.transformer.chat.ModelChatTemplate;
import dev.panamax.transformer.chat.UnsupportedChatTemplateException;
import dev.panamax.transformer.tokenizer.Tokenizer;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.ConcurrentLinkedDeque;
import java.util.function.Consumer;
import java.util.function.Function;

/**
 * A language model ready to use: the backend, the weights, the tokenizer and the chat template,
 * chosen from the file.
 *
 * <pre>{@code
 * try (LanguageModel model = LanguageModel.open(Path.of("model.gguf"))) {
 *     String text = model.generate("Once upon a time", GenerateOptions.greedy().maxTokens(64));
 *     try (Chat chat = model.chat("You are terse.")) {
 *         chat.send("Hello!", GenerateOptions.sampled(42), System.out::print);
 *     }
 *     float[] v = model.embed(List.of("a text"), true).getFirst();
 * }
 * }</pre>
 *
 * Safe to share between threads: {@link #generate} and {@link #embed} borrow a {@link Session}
 * (KV cache and scratch over the one copy of the weights) from a pool, so concurrent calls run on
 * sessions of their own; {@link #newSession()} and {@link #chat} give a thread a session to keep.
 * The forward steps of concurrent sessions take turns on the backend.
 */
public final class LanguageModel implements AutoCloseable {
    private final Model model;
    private final Ops ops;
    private final ModelOptions options;
    private Pooling pooling;
    private final ConcurrentLinkedDeque<Session> idle = new ConcurrentLinkedDeque<>();
    private Tokenizer tokenizer;
    private ChatFormat chatFormat;

    private LanguageModel(Model model, Ops ops, ModelOptions options) {
        this.model = model;
        this.ops = ops;
        this.options = options;
    }

    /** Opens a GGUF file or a Hugging Face checkpoint directory with {@link ModelOptions#defaults()}. */
    public static LanguageModel open(Path path) {
        return open(path, ModelOptions.defaults());
    }

    /**
     * Opens a GGUF file or a Hugging Face checkpoint directory on the backend {@code options} names.
     *
     * @throws UnsupportedModelException for an unknown architecture or feature
     * @throws dev.panamax.formats.FormatException for an invalid file
     */
    public static LanguageModel open(Path path, ModelOptions options) {
        int threads = options.threads() > 0 ? options.threads() : Runtime.getRuntime().availableProcessors();
        Ops ops = options.backend() == null ? Backends.openCpu(threads) : Backends.open(options.backend(), threads);
        try {
            LanguageModel m = new LanguageModel(Model.open(path, ops, options.load()), ops, options);
            m.idle.push(m.session(m.model.ownSession()));
            return m;
        } catch (RuntimeException e) {
            ops.close();
            throw e;
        }
    }

    /** Continues {@code prompt}; returns the generated text. */
    public String generate(String prompt, GenerateOptions options) {
        return complete(prompt, options, text -> { }).text();
    }

    /** Continues {@code prompt}, streaming each piece of text to {@code onText}; returns the text, stop reason and counts. */
    public Completion complete(String prompt, GenerateOptions options, Consumer<String> onText) {
        return borrowed(s -> s.complete(prompt, options, onText));
    }

    /**
     * The assistant's reply to {@code conversation} (system, user and assistant messages), formatted
     * in {@link #chatFormat()}: stateless, for callers that keep the conversation themselves. The
     * pooled session's cache still spares recomputing a conversation's earlier turns when the next
     * request extends it.
     *
     * @throws IllegalArgumentException if the conversation does not fit in the context
     */
    public Completion reply(List<ChatMessage> conversation, GenerateOptions options, Consumer<String> onText) {
        ChatFormat format = chatFormat();
        int[] prompt = tokenizer().encode(format.format(conversation, true), format.tokenizerAddsBos(), true);
        int context = model.config().contextLength();
        if (prompt.length >= context) {
            throw new IllegalArgumentException("the conversation has " + prompt.length + " tokens, which leaves no room in the context of "
                    + context);
        }
        GenerateOptions fitted = options.maxTokens(Math.min(options.maxTokens(), context - prompt.length + 1));
        return borrowed(s -> s.complete(prompt, fitted, onText));
    }

    /** The embedding of each text, pooled as the model's metadata says ({@link #pooling()}). */
    public List<float[]> embed(List<String> texts) {
        return embed(texts, false);
    }

    /** As {@link #embed(List)}, each vector scaled to unit length if {@code normalize}. */
    public List<float[]> embed(List<String> texts, boolean normalize) {
        return borrowed(s -> {
            List<float[]> out = new ArrayList<>(texts.size());
            for (String t : texts) {
                out.add(s.embed(t, normalize));
            }
            return out;
        });
    }

    /** A session of the caller's own, for a sequence of generations that reuse its cache. Close it when done. */
    public Session newSession() {
        return session(model.newSession());
    }

    /**
     * A {@link Batch} of {@code slots} sequences decoded together over this model's weights (a KV
     * cache of {@code slots} contexts), for continuous batching: each step reads the weights once for
     * every busy slot. Driven by one thread; close it when done (closing the model closes it too).
     *
     * @throws IllegalArgumentException if {@code slots} is not positive, or their cache does not fit in memory
     */
    public Batch batch(int slots) {
        return new Batch(model.newBatch(slots), tokenizer());
    }

    /**
     * A conversation on a session of its own, in {@link #chatFormat()}.
     *
     * @param system the system message, or null for none
     * @throws UnsupportedChatTemplateException if the template named cannot be found or parsed
     */
    public Chat chat(String system) {
        return new Chat(newSession(), chatFormat(), system);
    }

    /**
     * The chat format {@link #chat} and {@link #reply} use: {@link ModelOptions#chatTemplate()} if
     * given (a built-in format's name, a Jinja template's text or a template file), else the model's
     * own Jinja template, else (logged once) the built-in ChatML format.
     *
     * @throws UnsupportedChatTemplateException if the template named cannot be found or parsed
     */
    public synchronized ChatFormat chatFormat() {
        if (chatFormat == null) {
            chatFormat = ModelChatTemplate.chatFormat(model, options.chatTemplate(),
                    notice -> System.getLogger(LanguageModel.class.getName()).log(System.Logger.Level.INFO, notice));
        }
        return chatFormat;
    }

    /**
     * How {@link #embed} pools: {@code <arch>.pooling_type} of the GGUF file, {@link Pooling#LAST} if it has none.
     *
     * @throws UnsupportedModelException if the file names a pooling that gives no vector per text (none, rank)
     */
    public synchronized Pooling pooling() {
        if (pooling == null) { // read on first use: a generative model's file may name no pooling or "none"
            pooling = model.gguf().map(g -> Pooling.of(g.metadata(), model.config().architecture())).orElse(Pooling.LAST);
        }
        return pooling;
    }

    /** The model's tokenizer. */
    public synchronized Tokenizer tokenizer() {
        if (tokenizer == null) {
            tokenizer = model.tokenizer();
        }
        return tokenizer;
    }

    /** The tensor-level model underneath. */
    public Model model() {
        return model;
    }

    /** Frees the sessions, the weights and the backend. Not while a generation is running. */
    @Override
    public void close() {
        try {
            model.close();
        } finally {
            ops.close();
        }
    }

    private Session session(ModelSession sequence) {
        return new Session(sequence, tokenizer(), this::pooling);
    }

    /** Runs {@code work} on an idle session (a new one if none is idle) and gives it back. */
    private <T> T borrowed(Function<Session, T> work) {
        Session s = idle.poll();
        if (s == null) {
            s = newSession();
        }
        try {
            return work.apply(s);
        } finally {
            idle.push(s);
        }
    }
}
