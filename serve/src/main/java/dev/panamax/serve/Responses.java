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

    record AssistantMessage(String role, String content, Object refusal) {
    }

    record ChatChunk(String id, String object, long created, String model, List<ChunkChoice> choices,
                     @JsonInclude(JsonInclude.Include.NON_NULL) Usage usage, String systemFingerprint) {
    }

    record ChunkChoice(int index, Delta delta, Object logprobs, String finishReason) {
    }

    @JsonInclude(JsonInclude.Include.NON_NULL)
    record Delta(String role, String content) {
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

    /** OpenAI's {@code finish_reason}: "stop" for an end token or a stop string, "length" for a token or context limit. */
    static String finishReason(StopReason reason) {
        return switch (reason) {
            case END_OF_GENERATION, STOP_STRING -> "stop";
            case MAX_TOKENS, CONTEXT_FULL -> "length";
            case CANCELLED -> "cancelled";
        };
    }
}
