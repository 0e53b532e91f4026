package dev.panamax.langchain4j;

import dev.langchain4j.data.message.AiMessage;
import dev.langchain4j.data.message.ChatMessage;
import dev.langchain4j.data.message.SystemMessage;
import dev.langchain4j.data.message.UserMessage;
import dev.langchain4j.exception.UnsupportedFeatureException;
import dev.langchain4j.model.chat.request.ChatRequest;
import dev.langchain4j.model.chat.request.ChatRequestParameters;
import dev.langchain4j.model.chat.response.ChatResponse;
import dev.langchain4j.model.output.FinishReason;
import dev.langchain4j.model.output.TokenUsage;
import dev.panamax.transformer.api.Completion;
import dev.panamax.transformer.api.GenerateOptions;
import java.util.ArrayList;
import java.util.List;

/** Translates LangChain4j's requests into Panamax's conversation and options, and Panamax's completion back. */
final class Requests {
    private Requests() {
    }

    /** The conversation in Panamax's terms. Tool calls and non-text content are refused. */
    static List<dev.panamax.transformer.chat.ChatMessage> conversation(ChatRequest request) {
        if (request.toolSpecifications() != null && !request.toolSpecifications().isEmpty()) {
            throw new UnsupportedFeatureException("Panamax chat models do not call tools yet; the request has "
                    + request.toolSpecifications().size() + " tool specification(s)");
        }
        List<dev.panamax.transformer.chat.ChatMessage> out = new ArrayList<>();
        for (ChatMessage m : request.messages()) {
            out.add(switch (m) {
                case SystemMessage s -> dev.panamax.transformer.chat.ChatMessage.system(s.text());
                case UserMessage u -> {
                    if (!u.hasSingleText()) {
                        throw new UnsupportedFeatureException("Panamax chat models read text only; a user message has "
                                + u.contents().size() + " contents");
                    }
                    yield dev.panamax.transformer.chat.ChatMessage.user(u.singleText());
                }
                case AiMessage a -> {
                    if (a.hasToolExecutionRequests()) {
                        throw new UnsupportedFeatureException("Panamax chat models do not call tools yet; the conversation has a tool call");
                    }
                    yield dev.panamax.transformer.chat.ChatMessage.assistant(a.text() == null ? "" : a.text());
                }
                default -> throw new UnsupportedFeatureException("Panamax chat models take system, user and AI messages, not "
                        + m.type());
            });
        }
        return out;
    }

    /** The request's parameters (already merged with the model's defaults by LangChain4j) as Panamax options. */
    static GenerateOptions options(ChatRequestParameters p, long seed) {
        GenerateOptions o = GenerateOptions.sampled(seed);
        if (p.temperature() != null) {
            o = o.temperature(p.temperature().floatValue());
        }
        if (p.topP() != null) {
            o = o.topP(p.topP().floatValue());
        }
        if (p.topK() != null) {
            o = o.topK(p.topK());
        }
        if (p.maxOutputTokens() != null) {
            o = o.maxTokens(p.maxOutputTokens());
        }
        if (p.stopSequences() != null && !p.stopSequences().isEmpty()) {
            o = o.stop(p.stopSequences().toArray(String[]::new));
        }
        if (p.frequencyPenalty() != null || p.presencePenalty() != null) {
            float f = p.frequencyPenalty() == null ? 0 : p.frequencyPenalty().floatValue();
            float pr = p.presencePenalty() == null ? 0 : p.presencePenalty().floatValue();
            o = o.sampler(o.sampler().withPenalties(o.sampler().repeatPenalty(), f, pr, Math.max(64, o.sampler().repeatLastN())));
        }
        return o;
    }

    /** The completion as LangChain4j's response. */
    static ChatResponse response(Completion c, String modelName) {
        return ChatResponse.builder()
                .aiMessage(AiMessage.from(c.text()))
                .tokenUsage(new TokenUsage(c.promptTokens(), c.generatedTokens()))
                .finishReason(finishReason(c))
                .modelName(modelName)
                .build();
    }

    static FinishReason finishReason(Completion c) {
        return switch (c.stopReason()) {
            case END_OF_GENERATION, STOP_STRING -> FinishReason.STOP;
            case MAX_TOKENS, CONTEXT_FULL -> FinishReason.LENGTH;
            case CANCELLED -> FinishReason.OTHER;
        };
    }
}
