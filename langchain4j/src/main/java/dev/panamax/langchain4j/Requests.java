package dev.panamax.langchain4j;

import dev.langchain4j.agent.tool.ToolExecutionRequest;
import dev.langchain4j.agent.tool.ToolSpecification;
import dev.langchain4j.data.message.AiMessage;
import dev.langchain4j.data.message.ChatMessage;
import dev.langchain4j.data.message.SystemMessage;
import dev.langchain4j.data.message.ToolExecutionResultMessage;
import dev.langchain4j.data.message.UserMessage;
import dev.langchain4j.exception.UnsupportedFeatureException;
import dev.langchain4j.model.chat.request.ChatRequest;
import dev.langchain4j.model.chat.request.ChatRequestParameters;
import dev.langchain4j.model.chat.response.ChatResponse;
import dev.langchain4j.model.output.FinishReason;
import dev.langchain4j.model.output.TokenUsage;
import dev.panamax.transformer.api.Completion;
import dev.langchain4j.internal.JsonSchemaElementUtils;
import dev.panamax.transformer.api.GenerateOptions;
import dev.panamax.transformer.chat.ToolCall;
import dev.panamax.transformer.chat.ToolCallSyntax;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/** Translates LangChain4j's requests into Panamax's conversation and options, and Panamax's completion back. */
final class Requests {
    private Requests() {
    }

    /** Whether the request offers tools, or its conversation holds tool calls or their results. */
    static boolean usesTools(ChatRequest request) {
        if (request.toolSpecifications() != null && !request.toolSpecifications().isEmpty()) {
            return true;
        }
        return request.messages().stream().anyMatch(m -> m instanceof ToolExecutionResultMessage
                || m instanceof AiMessage a && a.hasToolExecutionRequests());
    }

    /** The conversation in Panamax's terms, without tools ({@link #usesTools} false). Non-text content is refused. */
    static List<dev.panamax.transformer.chat.ChatMessage> conversation(ChatRequest request) {
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
                case AiMessage a -> dev.panamax.transformer.chat.ChatMessage.assistant(a.text() == null ? "" : a.text());
                default -> throw new UnsupportedFeatureException("Panamax chat models take system, user and AI messages, not "
                        + m.type());
            });
        }
        return out;
    }

    /**
     * The conversation as chat templates read it (Hugging Face's message maps): an AI message's tool calls as
     * {@code tool_calls} with their arguments as objects, a tool result as a {@code tool} message with
     * {@code tool_call_id} and {@code name}.
     */
    static List<Map<String, Object>> templateMessages(ChatRequest request) {
        List<Map<String, Object>> out = new ArrayList<>();
        for (ChatMessage m : request.messages()) {
            Map<String, Object> msg = new LinkedHashMap<>();
            switch (m) {
                case SystemMessage s -> message(msg, "system", s.text());
                case UserMessage u -> {
                    if (!u.hasSingleText()) {
                        throw new UnsupportedFeatureException("Panamax chat models read text only; a user message has "
                                + u.contents().size() + " contents");
                    }
                    message(msg, "user", u.singleText());
                }
                case AiMessage a -> {
                    message(msg, "assistant", a.text() == null ? "" : a.text());
                    if (a.hasToolExecutionRequests()) {
                        List<Map<String, Object>> calls = new ArrayList<>();
                        for (ToolExecutionRequest r : a.toolExecutionRequests()) {
                            calls.add(new ToolCall(r.id() == null ? "" : r.id(), r.name(), r.arguments() == null ? "{}" : r.arguments())
                                    .toTemplateValue());
                        }
                        msg.put("tool_calls", calls);
                    }
                }
                case ToolExecutionResultMessage t -> {
                    message(msg, "tool", t.text());
                    msg.put("tool_call_id", t.id());
                    msg.put("name", t.toolName());
                }
                default -> throw new UnsupportedFeatureException("Panamax chat models take system, user, AI and tool result messages,"
                        + " not " + m.type());
            }
            out.add(msg);
        }
        return out;
    }

    private static void message(Map<String, Object> msg, String role, String content) {
        msg.put("role", role);
        msg.put("content", content);
    }

    /**
     * The request's tools as the templates read them, in OpenAI's form:
     * {@code {"type": "function", "function": {"name", "description", "parameters": JSON schema}}}, or null for none.
     */
    static List<Map<String, Object>> tools(ChatRequest request) {
        List<ToolSpecification> specs = request.toolSpecifications();
        if (specs == null || specs.isEmpty()) {
            return null;
        }
        List<Map<String, Object>> tools = new ArrayList<>();
        for (ToolSpecification s : specs) {
            Map<String, Object> function = new LinkedHashMap<>();
            function.put("name", s.name());
            if (s.description() != null) {
                function.put("description", s.description());
            }
            // LangChain4j's own conversion of its schema to JSON-schema maps, as its HTTP providers use it
            function.put("parameters", s.parameters() == null ? Map.of("type", "object", "properties", Map.of())
                    : JsonSchemaElementUtils.toMap(s.parameters()));
            tools.add(Map.of("type", "function", "function", function));
        }
        return tools;
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

    /**
     * The completion as LangChain4j's response; with {@code syntax} (a request with tools), the tool calls in the
     * reply become {@link ToolExecutionRequest}s (finish reason {@link FinishReason#TOOL_EXECUTION}) and the rest
     * is the text.
     */
    static ChatResponse response(Completion c, ToolCallSyntax syntax, String modelName) {
        AiMessage message = AiMessage.from(c.text());
        FinishReason finish = finishReason(c);
        if (syntax != null) {
            ToolCallSyntax.Reply reply = syntax.parse(c.text());
            if (!reply.calls().isEmpty()) {
                List<ToolExecutionRequest> requests = new ArrayList<>();
                for (ToolCall call : reply.calls()) {
                    requests.add(ToolExecutionRequest.builder().id(call.id()).name(call.name()).arguments(call.arguments()).build());
                }
                message = AiMessage.builder().text(reply.text().isEmpty() ? null : reply.text()).toolExecutionRequests(requests).build();
                finish = FinishReason.TOOL_EXECUTION;
            }
        }
        return ChatResponse.builder()
                .aiMessage(message)
                .tokenUsage(new TokenUsage(c.promptTokens(), c.generatedTokens()))
                .finishReason(finish)
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
