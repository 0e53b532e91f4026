package dev.panamax.langchain4j;

import dev.langchain4j.exception.UnsupportedFeatureException;
import dev.langchain4j.model.ModelProvider;
import dev.langchain4j.model.chat.request.ChatRequest;
import dev.langchain4j.model.chat.request.ChatRequestParameters;
import dev.langchain4j.model.chat.response.ChatResponse;
import dev.panamax.transformer.api.Completion;
import dev.panamax.transformer.api.LanguageModel;
import dev.panamax.transformer.chat.ToolCallSyntax;
import java.util.function.Consumer;

/**
 * What {@link PanamaxChatModel} and {@link PanamaxStreamingChatModel} share: the model (and whether they own
 * it), the default request parameters, the seed, and answering one request, with tools or without.
 */
abstract class LocalChatModel implements AutoCloseable {
    private final LanguageModel model;
    private final boolean owned;
    private final ChatRequestParameters defaults;
    private final long seed;

    LocalChatModel(ChatSettings<?> b) {
        this.model = b.model();
        this.owned = b.opensModel();
        this.defaults = b.parameters(modelName(model));
        this.seed = b.seedValue();
    }

    /**
     * The default parameters, merged by LangChain4j into each request's.
     *
     * @return the builder's parameters, with the model's name
     */
    public ChatRequestParameters defaultRequestParameters() {
        return defaults;
    }

    /**
     * The provider, as LangChain4j reports it.
     *
     * @return {@link ModelProvider#OTHER}: a local model
     */
    public ModelProvider provider() {
        return ModelProvider.OTHER;
    }

    /**
     * The model underneath.
     *
     * @return the model the requests run on
     */
    public LanguageModel languageModel() {
        return model;
    }

    /** Closes the model if this opened it. */
    @Override
    public void close() {
        if (owned) {
            model.close();
        }
    }

    /**
     * Answers {@code request}, each piece of text that is surely not part of a tool call going to {@code onText},
     * and translates the completion (with the tool calls the model made) into LangChain4j's response.
     *
     * @throws UnsupportedFeatureException for tools with a template whose tool-call syntax is not read
     */
    ChatResponse answer(ChatRequest request, Consumer<String> onText) {
        var options = Requests.options(request.parameters(), seed);
        if (!Requests.usesTools(request)) {
            Completion c = model.reply(Requests.conversation(request), options, onText);
            return Requests.response(c, null, defaults.modelName());
        }
        ToolCallSyntax syntax = model.toolCallSyntax().orElseThrow(() -> new UnsupportedFeatureException(
                "tool calls are read for chat templates with <tool_call> (Qwen, Hermes) and Llama 3.x JSON calls; "
                        + model.chatFormat().label() + " of " + defaults.modelName() + " is neither"));
        ShownText shown = new ShownText(syntax, onText);
        Completion c = model.reply(Requests.templateMessages(request), Requests.tools(request), options, shown);
        return Requests.response(c, syntax, defaults.modelName());
    }

    /** The file name, as LangChain4j's responses report the model. */
    static String modelName(LanguageModel m) {
        return m.model().path().getFileName().toString();
    }

    /** Passes on the text of a reply as it grows, holding back what may be the start of a tool call. */
    private static final class ShownText implements Consumer<String> {
        private final ToolCallSyntax syntax;
        private final Consumer<String> out;
        private final StringBuilder soFar = new StringBuilder();
        private int shown;

        ShownText(ToolCallSyntax syntax, Consumer<String> out) {
            this.syntax = syntax;
            this.out = out;
        }

        @Override
        public void accept(String piece) {
            soFar.append(piece);
            int n = syntax.shownLength(soFar.toString());
            if (n > shown) {
                out.accept(soFar.substring(shown, n));
                shown = n;
            }
        }
    }
}
