package dev.panamax.serve;

import com.fasterxml.jackson.annotation.JsonInclude;
import dev.panamax.transformer.sampling.GenerationResult.StopReason;
import java.util.List;

/**
 * The response bodies, in OpenAI's shapes (field for field, {@code null} where OpenAI writes
 * {@code null}, as strict clients such as OpenAI's SDK expect the fields present); Jackson writes them
 * ({@link Json}).
 */
final class Responses {
    private Responses() {
    }

    record Usage(int promptTokens, int completionTokens, int totalTokens) {
        static Usage of(int prompt, int completion) {
            return new Usage(prompt, completion, prompt + completion);
        }
    }

    record ChatCompletion(String id, String object, long created, String model, List<ChatChoice> choices, Usage usage,
                          String systemFingerprint) {
    }

    record ChatChoice(int index, AssistantMessage message, Object logprobs, String finishReason) {
    }

    /** The reply: its text (null when it is only tool calls) and the tools it calls (absent when none, as OpenAI writes it). */
    record AssistantMessage(String role, String content, Object refusal,
                            @JsonInclude(JsonInclude.Include.NON_NULL) List<ToolCallOut> toolCalls) {
    }

    /** One tool call of a reply: {@code arguments} is a JSON object's text. */
    record ToolCallOut(String id, String type, FunctionCall function) {
    }

    record FunctionCall(String name, String arguments) {
    }

    /** A streamed piece of a tool call: the first of a call has its id, type and name, the next its arguments. */
    @JsonInclude(JsonInclude.Include.NON_NULL)
    record ToolCallDelta(int index, String id, String type, FunctionDelta function) {
    }

    @JsonInclude(JsonInclude.Include.NON_NULL)
    record FunctionDelta(String name, String arguments) {
    }

    /** A chat choice's {@code logprobs}: one entry per generated token. */
    record ChatLogprobs(List<TokenLogprob> content, Object refusal) {
    }

    /**
     * One token's log-probability and the most likely alternatives at its position.
     *
     * @param bytes the token's UTF-8 bytes (a token may hold part of a character)
     */
    record TokenLogprob(String token, double logprob, int[] bytes, List<TopLogprob> topLogprobs) {
    }

    record TopLogprob(String token, double logprob, int[] bytes) {
    }

    /** The legacy completions' {@code logprobs}: parallel lists, the alternatives as token-to-logprob maps. */
    record TextLogprobs(List<String> tokens, List<Double> tokenLogprobs, List<java.util.Map<String, Double>> topLogprobs,
                        List<Integer> textOffset) {
    }

    record ChatChunk(String id, String object, long created, String model, List<ChunkChoice> choices,
                     @JsonInclude(JsonInclude.Include.NON_NULL) Usage usage, String systemFingerprint) {
    }

    record ChunkChoice(int index, Delta delta, Object logprobs, String finishReason) {
    }

    @JsonInclude(JsonInclude.Include.NON_NULL)
    record Delta(String role, String content, List<ToolCallDelta> toolCalls) {
        Delta(String role, String content) {
            this(role, content, null);
        }
    }

    record TextCompletion(String id, String object, long created, String model, List<TextChoice> choices,
                          @JsonInclude(JsonInclude.Include.NON_NULL) Usage usage, String systemFingerprint) {
    }

    record TextChoice(String text, int index, Object logprobs, String finishReason) {
    }

    record EmbeddingList(String object, List<EmbeddingData> data, String model, EmbeddingUsage usage) {
    }

    /** {@code embedding}: a float array, or the base64 of its little-endian float32 bytes. */
    record EmbeddingData(String object, Object embedding, int index) {
    }

    record EmbeddingUsage(int promptTokens, int totalTokens) {
    }

    record ModelList(String object, List<ModelCard> data) {
    }

    record ModelCard(String id, String object, long created, String ownedBy) {
    }

    record ErrorBody(ErrorDetail error) {
    }

    record ErrorDetail(String message, String type, String param, String code) {
    }

    record Health(String status, int slotsIdle, int slotsProcessing, int queued) {
    }

    record TokenList(List<Object> tokens) {
    }

    record TokenPiece(int id, String piece) {
    }

    record Content(String content) {
    }

    /**
     * OpenAI's {@code finish_reason}: "stop" for an end token or a stop string, "length" for a token or context limit
     * ("tool_calls" is the caller's, for a reply that calls tools).
     */
    static String finishReason(StopReason reason) {
        return switch (reason) {
            case END_OF_GENERATION, STOP_STRING -> "stop";
            case MAX_TOKENS, CONTEXT_FULL -> "length";
            case CANCELLED -> "cancelled";
        };
    }

    /**
     * A chat reply's {@code finish_reason}: "tool_calls" when it calls tools, unless a token or context limit cut it
     * ("length", as OpenAI says of a reply cut short, calls or not).
     */
    static String finishReason(StopReason reason, boolean calls) {
        String plain = finishReason(reason);
        return calls && !plain.equals("length") ? "tool_calls" : plain;
    }
}
