package dev.panamax.langchain4j;

import dev.langchain4j.model.chat.request.ChatRequestParameters;
import dev.langchain4j.model.chat.request.DefaultChatRequestParameters;
import java.util.List;

/**
 * The chat builders' sampling settings: LangChain4j's {@link ChatRequestParameters} that apply when
 * a request does not set its own.
 *
 * @param <B> the concrete builder
 */
abstract class ChatSettings<B extends ChatSettings<B>> extends ModelSource<B> {
    /** Tokens generated when neither the builder nor the request limits them. */
    static final int DEFAULT_MAX_TOKENS = 256;

    private Double temperature;
    private Double topP;
    private Integer topK;
    private Integer maxTokens = DEFAULT_MAX_TOKENS;
    private List<String> stopSequences = List.of();
    private long seed = 42;
    private ChatRequestParameters parameters;

    @SuppressWarnings("unchecked")
    private B self() {
        return (B) this;
    }

    /**
     * Sampling temperature; 0 is greedy (default 0.8, llama.cpp's).
     *
     * @param t the temperature, or null for the default
     * @return this builder
     */
    public B temperature(Double t) {
        this.temperature = t;
        return self();
    }

    /**
     * Nucleus sampling's p (default 0.95).
     *
     * @param p the probability mass kept, or null for the default
     * @return this builder
     */
    public B topP(Double p) {
        this.topP = p;
        return self();
    }

    /**
     * Keep the k most likely tokens (default 40).
     *
     * @param k the number of tokens kept, or null for the default
     * @return this builder
     */
    public B topK(Integer k) {
        this.topK = k;
        return self();
    }

    /**
     * Tokens to generate at most (default 256).
     *
     * @param n the limit, or null to set none here (a request may set its own)
     * @return this builder
     */
    public B maxTokens(Integer n) {
        this.maxTokens = n;
        return self();
    }

    /**
     * Strings that end a reply (left out of it).
     *
     * @param stops the stop strings
     * @return this builder
     */
    public B stopSequences(List<String> stops) {
        this.stopSequences = List.copyOf(stops);
        return self();
    }

    /**
     * Seed of the random draw: equal seeds and requests give equal replies (default 42).
     *
     * @param s the seed
     * @return this builder
     */
    public B seed(long s) {
        this.seed = s;
        return self();
    }

    /**
     * Default request parameters as a whole; the setters above override theirs.
     *
     * @param p the parameters
     * @return this builder
     */
    public B defaultRequestParameters(ChatRequestParameters p) {
        this.parameters = p;
        return self();
    }

    long seedValue() {
        return seed;
    }

    ChatRequestParameters parameters(String modelName) {
        var b = DefaultChatRequestParameters.builder();
        if (parameters != null) {
            b.overrideWith(parameters);
        }
        b.modelName(modelName);
        if (temperature != null) {
            b.temperature(temperature);
        }
        if (topP != null) {
            b.topP(topP);
        }
        if (topK != null) {
            b.topK(topK);
        }
        if (maxTokens != null) {
            b.maxOutputTokens(maxTokens);
        }
        if (!stopSequences.isEmpty()) {
            b.stopSequences(stopSequences);
        }
        return b.build();
    }
}
