package dev.panamax.transformer.api;

import dev.panamax.tensor.Backends;
import dev.panamax.tensor.Ops;
import dev.panamax.transformer.Model;
import dev.panamax.transformer.ModelSession;
import dev.panamax.transformer.UnsupportedModelException;
import dev.panamax.transformer.chat.ChatMessage;
import dev.panamax.transformer.chat.ChatFormat;
import dev.panamax.transformer.chat.JinjaChatTemplate;
import dev.panamax.transformer.chat.ToolCallSyntax;
import dev.panamax.transformer.chat.ModelChatTemplate;
import dev.panamax.transformer.lora.AdapterSet;
import dev.panamax.transformer.chat.UnsupportedChatTemplateException;
import dev.panamax.transformer.tokenizer.Tokenizer;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
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

    /**
     * Opens a GGUF file or a Hugging Face checkpoint directory with {@link ModelOptions#defaults()}.
     *
     * @param path the {@code .gguf} file, or the directory holding {@code config.json} and the safetensors
     * @return the model, ready to use; close it when done
     */
    public static LanguageModel open(Path path) {
        return open(path, ModelOptions.defaults());
    }

    /**
     * Opens a GGUF file or a Hugging Face checkpoint directory on the backend {@code options} names.
     *
     * @param path the {@code .gguf} file, or the checkpoint directory
     * @param options backend, threads, load and chat template options
     * @return the model, ready to use; close it when done
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

    /**
     * Continues {@code prompt}; returns the generated text.
     *
     * @param prompt the text to continue
     * @param options sampling, limits and stop strings
     * @return the generated text
     */
    public String generate(String prompt, GenerateOptions options) {
        return complete(prompt, options, text -> { }).text();
    }

    /**
     * Continues {@code prompt}, streaming each piece of text to {@code onText}; returns the text, stop reason and counts.
     *
     * @param prompt the text to continue
     * @param options sampling, limits and stop strings
     * @param onText receives each piece of text as it is decoded
     * @return the text, why it stopped, and the token counts
     */
    public Completion complete(String prompt, GenerateOptions options, Consumer<String> onText) {
        return borrowed(s -> s.complete(prompt, options, onText));
    }

    /**
     * The assistant's reply to {@code conversation} (system, user and assistant messages), formatted
     * in {@link #chatFormat()}: stateless, for callers that keep the conversation themselves. The
     * pooled session's cache still spares recomputing a conversation's earlier turns when the next
     * request extends it.
     *
     * @param conversation the messages so far, the user's last
     * @param options sampling, limits and stop strings
     * @param onText receives each piece of the reply as it is decoded
     * @return the reply, why it stopped, and the token counts
     * @throws IllegalArgumentException if the conversation does not fit in the context
     */
    public Completion reply(List<ChatMessage> conversation, GenerateOptions options, Consumer<String> onText) {
        ChatFormat format = chatFormat();
        return replyTo(format.format(conversation, true), format.tokenizerAddsBos(), options, onText);
    }

    /**
     * As {@link #reply(List, GenerateOptions, Consumer)}, for a conversation with tools: the messages in Hugging
     * Face's form (maps with {@code role}, {@code content} and, for tool use, an assistant's {@code tool_calls}
     * ({@link dev.panamax.transformer.chat.ToolCall#toTemplateValue()}), a {@code tool} message's
     * {@code tool_call_id} and {@code name}) and the tools as JSON-schema maps
     * ({@code {"type": "function", "function": {"name", "description", "parameters"}}}), rendered by the model's own
     * Jinja template, which describes the tools to the model in its own words. Read the reply's calls with
     * {@link #toolCallSyntax()}.
     *
     * @param messages the conversation in Hugging Face's message form
     * @param tools the tool definitions, or null for none
     * @param options sampling, limits and stop strings
     * @param onText receives each piece of the reply as it is decoded
     * @return the reply (calls and text), why it stopped, and the token counts
     * @throws UnsupportedChatTemplateException if the chat format is a built-in one (they know no tools)
     */
    public Completion reply(List<? extends Map<String, ?>> messages, List<? extends Map<String, ?>> tools, GenerateOptions options,
                            Consumer<String> onText) {
        if (!(chatFormat() instanceof JinjaChatTemplate template)) {
            throw new UnsupportedChatTemplateException("tools need the model's own Jinja chat template; " + chatFormat().label()
                    + " knows no tools");
        }
        return replyTo(template.render(messages, tools, true, Map.of()), template.tokenizerAddsBos(), options, onText);
    }

    /**
     * How this model writes tool calls, as its chat template teaches it ({@link ToolCallSyntax#of}); empty for a
     * built-in format or a template of another family.
     *
     * @return the syntax, or empty
     */
    public Optional<ToolCallSyntax> toolCallSyntax() {
        return chatFormat() instanceof JinjaChatTemplate t ? ToolCallSyntax.of(t.source()) : Optional.empty();
    }

    private Completion replyTo(String text, boolean addBos, GenerateOptions options, Consumer<String> onText) {
        int[] prompt = tokenizer().encode(text, addBos, true);
        int context = model.config().contextLength();
        if (prompt.length >= context) {
            throw new IllegalArgumentException("the conversation has " + prompt.length + " tokens, which leaves no room in the context of "
                    + context);
        }
        GenerateOptions fitted = options.maxTokens(Math.min(options.maxTokens(), context - prompt.length + 1));
        return borrowed(s -> s.complete(prompt, fitted, onText));
    }

    /**
     * The embedding of each text, pooled as the model's metadata says ({@link #pooling()}).
     *
     * @param texts the texts, each embedded on its own
     * @return one vector per text, in order
     */
    public List<float[]> embed(List<String> texts) {
        return embed(texts, false);
    }

    /**
     * As {@link #embed(List)}, each vector scaled to unit length if {@code normalize}.
     *
     * @param texts the texts, each embedded on its own
     * @param normalize whether to scale each vector to length 1
     * @return one vector per text, in order
     */
    public List<float[]> embed(List<String> texts, boolean normalize) {
        return borrowed(s -> {
            List<float[]> out = new ArrayList<>(texts.size());
            for (String t : texts) {
                out.add(s.embed(t, normalize));
            }
            return out;
        });
    }

    /**
     * A session of the caller's own, for a sequence of generations that reuse its cache. Close it when done.
     *
     * @return a session over this model's weights
     */
    public Session newSession() {
        return session(model.newSession());
    }

    /**
     * A session of the caller's own whose generations run with the LoRA adapters {@code adapters}
     * (at their scales) instead of the model's ({@link ModelOptions#load()}'s): the base weights are
     * shared with every other session, each with adapters of its own. Close it when done.
     *
     * @param adapters the adapters and scales ({@link AdapterSet#NONE}: the base alone)
     * @return a session over this model's weights
     * @throws dev.panamax.formats.FormatException naming an adapter tensor that does not fit this model
     */
    public Session newSession(AdapterSet adapters) {
        Session s = newSession();
        try {
            s.useAdapters(adapters);
            return s;
        } catch (RuntimeException e) {
            s.close();
            throw e;
        }
    }

    /**
     * A {@link Batch} of {@code slots} sequences decoded together over this model's weights (a KV
     * cache of {@code slots} contexts), for continuous batching: each step reads the weights once for
     * every busy slot. Driven by one thread; close it when done (closing the model closes it too).
     *
     * @param slots the sequences decoded together at most
     * @return a new batch, every slot free
     * @throws IllegalArgumentException if {@code slots} is not positive, or their cache does not fit in memory
     */
    public Batch batch(int slots) {
        return new Batch(model.newBatch(slots), tokenizer());
    }

    /**
     * A conversation on a session of its own, in {@link #chatFormat()}.
     *
     * @param system the system message, or null for none
     * @return the conversation, to close when done
     * @throws UnsupportedChatTemplateException if the template named cannot be found or parsed
     */
    public Chat chat(String system) {
        return new Chat(newSession(), chatFormat(), system);
    }

    /**
     * A conversation on a session of its own that runs with the LoRA adapters {@code adapters}
     * ({@link #newSession(AdapterSet)}).
     *
     * @param system the system message, or null for none
     * @param adapters the adapters and scales
     * @return the conversation, to close when done
     */
    public Chat chat(String system, AdapterSet adapters) {
        return new Chat(newSession(adapters), chatFormat(), system);
    }

    /**
     * The chat format {@link #chat} and {@link #reply} use: {@link ModelOptions#chatTemplate()} if
     * given (a built-in format's name, a Jinja template's text or a template file), else the model's
     * own Jinja template, else (logged once) the built-in ChatML format.
     *
     * @return the format, read on first use
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
     * How {@link #embed} pools: {@code <arch>.pooling_type} of the GGUF file, or a checkpoint's sentence-transformers
     * pooling module ({@code modules.json}); if neither names one, {@link Pooling#LAST} for a causal model (its only
     * state that has seen every token) and {@link Pooling#CLS} for an encoder (BERT's [CLS]).
     *
     * @return the pooling, read on first use
     * @throws UnsupportedModelException if the file names a pooling that gives no vector per text (none, rank)
     */
    public synchronized Pooling pooling() {
        if (pooling == null) { // read on first use: a generative model's file may name no pooling or "none"
            Pooling fallback = model.isEncoder() ? Pooling.CLS : Pooling.LAST;
            pooling = model.gguf().map(g -> Pooling.of(g.metadata(), model.config().architecture(), fallback))
                    .orElseGet(() -> Pooling.ofCheckpoint(model.path(), fallback));
        }
        return pooling;
    }

    /**
     * The model's tokenizer.
     *
     * @return the tokenizer, read on first use
     */
    public synchronized Tokenizer tokenizer() {
        if (tokenizer == null) {
            tokenizer = model.tokenizer();
        }
        return tokenizer;
    }

    /**
     * The tensor-level model underneath.
     *
     * @return the model of layers and weights this wraps
     */
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
