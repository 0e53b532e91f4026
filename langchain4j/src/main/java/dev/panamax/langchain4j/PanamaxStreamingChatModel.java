package dev.panamax.langchain4j;

import dev.langchain4j.model.ModelProvider;
import dev.langchain4j.model.chat.StreamingChatModel;
import dev.langchain4j.model.chat.request.ChatRequest;
import dev.langchain4j.model.chat.request.ChatRequestParameters;
import dev.langchain4j.model.chat.response.StreamingChatResponseHandler;
import dev.panamax.transformer.api.Completion;
import dev.panamax.transformer.api.LanguageModel;

/**
 * LangChain4j's {@link StreamingChatModel} on a local model: the reply's text goes to
 * {@link StreamingChatResponseHandler#onPartialResponse(String)} piece by piece as it is generated,
 * on the calling thread, then the whole response to {@code onCompleteResponse}; a failure goes to
 * {@code onError}. Close it if it opened the model.
 */
public final class PanamaxStreamingChatModel implements StreamingChatModel, AutoCloseable {
    private final LanguageModel model;
    private final boolean owned;
    private final ChatRequestParameters defaults;
    private final long seed;

    private PanamaxStreamingChatModel(Builder b) {
        this.model = b.model();
        this.owned = b.opensModel();
        this.defaults = b.parameters(PanamaxChatModel.modelName(model));
        this.seed = b.seedValue();
    }

    public static Builder builder() {
        return new Builder();
    }

    @Override
    public void doChat(ChatRequest request, StreamingChatResponseHandler handler) {
        Completion c;
        try {
            c = model.reply(Requests.conversation(request), Requests.options(request.parameters(), seed), handler::onPartialResponse);
        } catch (RuntimeException e) {
            handler.onError(e);
            return;
        }
        handler.onCompleteResponse(Requests.response(c, defaults.modelName()));
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

    /** Builds a {@link PanamaxStreamingChatModel}, as {@link PanamaxChatModel.Builder} does. */
    public static final class Builder extends ChatSettings<Builder> {
        private Builder() {
        }

        public PanamaxStreamingChatModel build() {
            return new PanamaxStreamingChatModel(this);
        }
    }
}
