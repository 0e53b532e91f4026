package dev.panamax.langchain4j;

import dev.langchain4j.model.chat.ChatModel;
import dev.langchain4j.model.chat.request.ChatRequest;
import dev.langchain4j.model.chat.response.ChatResponse;

/**
 * LangChain4j's {@link ChatModel} on a local model: each request's messages (and tools) are formatted with the
 * model's chat template and answered in process; tool calls the model writes come back as
 * {@link dev.langchain4j.agent.tool.ToolExecutionRequest}s. Safe to call from several threads (each request on
 * a session of its own). Close it if it opened the model ({@link Builder#modelPath}).
 *
 * <pre>{@code
 * ChatModel model = PanamaxChatModel.builder().modelPath(Path.of("model.gguf")).temperature(0.0).build();
 * String answer = model.chat("Hello!");
 * }</pre>
 */
public final class PanamaxChatModel extends LocalChatModel implements ChatModel {
    private PanamaxChatModel(Builder b) {
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
    public ChatResponse doChat(ChatRequest request) {
        return answer(request, text -> { });
    }

    /** Builds a {@link PanamaxChatModel}: which model ({@code modelPath} or {@code languageModel}) and the sampling defaults. */
    public static final class Builder extends ChatSettings<Builder> {
        private Builder() {
        }

        /**
         * The chat model, opening the model file if one was given.
         *
         * @return the chat model
         */
        public PanamaxChatModel build() {
            return new PanamaxChatModel(this);
        }
    }
}
