package dev.panamax.langchain4j;

import dev.langchain4j.model.chat.StreamingChatModel;
import dev.langchain4j.model.chat.request.ChatRequest;
import dev.langchain4j.model.chat.response.ChatResponse;
import dev.langchain4j.model.chat.response.StreamingChatResponseHandler;

/**
 * LangChain4j's {@link StreamingChatModel} on a local model: the reply's text goes to
 * {@link StreamingChatResponseHandler#onPartialResponse(String)} piece by piece as it is generated,
 * on the calling thread, then the whole response to {@code onCompleteResponse}; a failure goes to
 * {@code onError}. With tools, text that may be the start of a tool call is held back, and the calls
 * come in the complete response. Close it if it opened the model.
 */
public final class PanamaxStreamingChatModel extends LocalChatModel implements StreamingChatModel {
    private PanamaxStreamingChatModel(Builder b) {
        super(b);
    }

    /**
     * A builder: which model, then the sampling defaults.
     *
     * @return a new builder
     */
    public static Builder builder() {
        return new Builder();
    }

    @Override
    public void doChat(ChatRequest request, StreamingChatResponseHandler handler) {
        ChatResponse response;
        try {
            response = answer(request, handler::onPartialResponse);
        } catch (RuntimeException e) {
            handler.onError(e);
            return;
        }
        handler.onCompleteResponse(response);
    }

    /** Builds a {@link PanamaxStreamingChatModel}, as {@link PanamaxChatModel.Builder} does. */
    public static final class Builder extends ChatSettings<Builder> {
        private Builder() {
        }

        /**
         * The streaming chat model, opening the model file if one was given.
         *
         * @return the streaming chat model
         */
        public PanamaxStreamingChatModel build() {
            return new PanamaxStreamingChatModel(this);
        }
    }
}
