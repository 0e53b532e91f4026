package dev.panamax.langchain4j;

import dev.langchain4j.model.ModelProvider;
import dev.langchain4j.model.chat.ChatModel;
import dev.langchain4j.model.chat.request.ChatRequest;
import dev.langchain4j.model.chat.request.ChatRequestParameters;
import dev.langchain4j.model.chat.response.ChatResponse;
import dev.panamax.transformer.api.Completion;
import dev.panamax.transformer.api.LanguageModel;

/**
 * LangChain4j's {@link ChatModel} on a local model: each request's messages are formatted with the
 * model's chat template and answered in process. Safe to call from several threads (each request on
 * a session of its own). Close it if it opened the model ({@link Builder#modelPath}).
 *
 * <pre>{@code
 * ChatModel model = PanamaxChatModel.builder().modelPath(Path.of("model.gguf")).temperature(0.0).build();
 * String answer = model.chat("Hello!");
 * }</pre>
 */
public final class PanamaxChatModel implements ChatModel, AutoCloseable {
    private final LanguageModel model;
    private final boolean owned;
    private final ChatRequestParameters defaults;
    private final long seed;

    private PanamaxChatModel(Builder b) {
        this.model = b.model();
        this.owned = b.opensModel();
        this.defaults = b.parameters(modelName(model));
        this.seed = b.seedValue();
    }

    public static Builder builder() {
        return new Builder();
    }

    @Override
    public ChatResponse doChat(ChatRequest request) {
        Completion c = model.reply(Requests.conversation(request), Requests.options(request.parameters(), seed), text -> { });
        return Requests.response(c, defaults.modelName());
    }

    @Override
    public ChatRequestParameters defaultRequestParameters() {
        return defaults;
    }

    @Override
    public ModelProvider provider() {
        return ModelProvider.OTHER;
    }

    /** The model underneath. */
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

    /** The file name, as LangChain4j's responses report the model. */
    static String modelName(LanguageModel m) {
        return m.model().path().getFileName().toString();
    }

    /** Builds a {@link PanamaxChatModel}: which model ({@code modelPath} or {@code languageModel}) and the sampling defaults. */
    public static final class Builder extends ChatSettings<Builder> {
        private Builder() {
        }

        public PanamaxChatModel build() {
            return new PanamaxChatModel(this);
        }
    }
}
