package dev.panamax.serve;

import com.fasterxml.jackson.databind.JsonNode;
import dev.panamax.transformer.api.GenerateOptions;
import dev.panamax.transformer.chat.ChatMessage;
import dev.panamax.transformer.sampling.SamplerSettings;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.ThreadLocalRandom;

/**
 * The request bodies, as OpenAI (and llama-server, for {@code /tokenize} and {@code /detokenize})
 * define them; Jackson maps them ({@link Json}). Fields a request leaves out are null. Besides
 * OpenAI's sampling fields, {@code top_k} and {@code min_p} are read, as llama-server does, and so is
 * its {@code lora} field (the request's adapter scales, {@link AdapterScales}).
 */
final class Requests {
    private Requests() {
    }

    /** {@code POST /v1/chat/completions}. */
    record ChatCompletionRequest(String model, List<Message> messages, Double temperature, Double topP, Integer topK, Double minP,
                                 Integer maxTokens, Integer maxCompletionTokens, JsonNode stop, Long seed, Boolean stream,
                                 StreamOptions streamOptions, Integer n, Double presencePenalty, Double frequencyPenalty, JsonNode tools,
                                 JsonNode toolChoice, Boolean parallelToolCalls, Boolean logprobs, Integer topLogprobs,
                                 JsonNode responseFormat, JsonNode lora) {
        /** The conversation, each message's content as text. */
        List<ChatMessage> conversation() {
            if (messages == null || messages.isEmpty()) {
                throw ApiException.badRequest("'messages' must be a non-empty array of messages", "messages");
            }
            List<ChatMessage> out = new ArrayList<>(messages.size());
            for (int i = 0; i < messages.size(); i++) {
                Message m = messages.get(i);
                String where = "messages[" + i + "]";
                if (m == null) {
                    throw ApiException.badRequest("'" + where + "' must be an object with a role and content", where);
                }
                String role = m.role();
                if (role == null || !List.of("system", "developer", "user", "assistant", "tool").contains(role)) {
                    throw ApiException.badRequest("'" + where + ".role' must be one of system, developer, user, assistant, tool; got "
                            + (role == null ? "none" : "'" + role + "'"), where + ".role");
                }
                out.add(new ChatMessage(role.equals("developer") ? ChatMessage.SYSTEM : role, text(m.content(), where + ".content")));
            }
            return out;
        }

        GenerateOptions options() {
            if (maxTokens != null && maxCompletionTokens != null && !maxTokens.equals(maxCompletionTokens)) {
                throw ApiException.badRequest("give 'max_completion_tokens' or 'max_tokens', not two different limits", "max_tokens");
            }
            Integer limit = maxCompletionTokens != null ? maxCompletionTokens : maxTokens;
            return Requests.options(limit, maxCompletionTokens != null ? "max_completion_tokens" : "max_tokens", temperature, topP, topK,
                    minP, stop, seed, presencePenalty, frequencyPenalty);
        }

        boolean streamed() {
            return Boolean.TRUE.equals(stream);
        }

        /** The alternatives to list per token with {@code logprobs: true} (0 to 20), or -1 for no log-probabilities. */
        int logprobsWanted() {
            if (!Boolean.TRUE.equals(logprobs)) {
                if (topLogprobs != null) {
                    throw ApiException.badRequest("'top_logprobs' needs 'logprobs': true", "top_logprobs");
                }
                return -1;
            }
            if (topLogprobs == null) {
                return 0;
            }
            if (topLogprobs < 0 || topLogprobs > Logprobs.MAX_CHAT) {
                throw ApiException.badRequest("'top_logprobs' must be in [0, " + Logprobs.MAX_CHAT + "], got " + topLogprobs, "top_logprobs");
            }
            return topLogprobs;
        }
    }

    /**
     * One message: a role, content as a string or an array of text parts, an assistant's {@code tool_calls},
     * a tool result's {@code tool_call_id}, and an optional {@code name}.
     */
    record Message(String role, JsonNode content, JsonNode toolCalls, String toolCallId, String name) {
    }

    /** {@code stream_options}. */
    record StreamOptions(Boolean includeUsage) {
    }

    /** {@code POST /v1/completions}. */
    record CompletionRequest(String model, JsonNode prompt, Double temperature, Double topP, Integer topK, Double minP, Integer maxTokens,
                             JsonNode stop, Long seed, Boolean stream, StreamOptions streamOptions, Integer n, Double presencePenalty,
                             Double frequencyPenalty, Boolean echo, Integer logprobs, JsonNode lora) {
        /** The prompt: a string, or an array of one string. */
        String text() {
            if (prompt == null || prompt.isNull()) {
                throw ApiException.badRequest("'prompt' is required: a string", "prompt");
            }
            if (prompt.isArray() && prompt.size() == 1 && prompt.get(0).isTextual()) {
                return prompt.get(0).asText();
            }
            if (!prompt.isTextual()) {
                throw ApiException.badRequest("'prompt' must be a string (or an array of one string)", "prompt");
            }
            return prompt.asText();
        }

        GenerateOptions options() {
            if (Boolean.TRUE.equals(echo)) {
                throw ApiException.badRequest("'echo' is not supported", "echo");
            }
            return Requests.options(maxTokens, "max_tokens", temperature, topP, topK, minP, stop, seed, presencePenalty, frequencyPenalty);
        }

        boolean streamed() {
            return Boolean.TRUE.equals(stream);
        }

        /** The alternatives to list per token (0 to 5), or -1 for no log-probabilities. */
        int logprobsWanted() {
            if (logprobs == null) {
                return -1;
            }
            if (logprobs < 0 || logprobs > Logprobs.MAX_TEXT) {
                throw ApiException.badRequest("'logprobs' must be in [0, " + Logprobs.MAX_TEXT + "], got " + logprobs, "logprobs");
            }
            return logprobs;
        }
    }

    /** {@code POST /v1/embeddings}. */
    record EmbeddingRequest(String model, JsonNode input, String encodingFormat, Integer dimensions) {
        /** The texts to embed: a string or an array of strings. */
        List<String> texts() {
            if (input == null || input.isNull()) {
                throw ApiException.badRequest("'input' is required: a string or an array of strings", "input");
            }
            if (input.isTextual()) {
                return List.of(input.asText());
            }
            if (!input.isArray() || input.isEmpty()) {
                throw ApiException.badRequest("'input' must be a string or a non-empty array of strings", "input");
            }
            List<String> texts = new ArrayList<>();
            for (int i = 0; i < input.size(); i++) {
                if (!input.get(i).isTextual()) {
                    throw ApiException.badRequest("'input[" + i + "]' must be a string (token arrays are not supported)", "input");
                }
                texts.add(input.get(i).asText());
            }
            return texts;
        }

        boolean base64() {
            if (encodingFormat == null || encodingFormat.equals("float")) {
                return false;
            }
            if (encodingFormat.equals("base64")) {
                return true;
            }
            throw ApiException.badRequest("'encoding_format' must be 'float' or 'base64', not '" + encodingFormat + "'", "encoding_format");
        }
    }

    /** {@code POST /tokenize} (llama-server's): the text, whether to add BOS, whether to return each token's text. */
    record TokenizeRequest(String model, String content, Boolean addSpecial, Boolean withPieces) {
    }

    /** {@code POST /detokenize} (llama-server's). */
    record DetokenizeRequest(String model, List<Integer> tokens) {
    }

    /** A message's content: a string, or an array of {@code {"type": "text", "text": ...}} parts joined. */
    static String text(JsonNode content, String where) {
        if (content == null || content.isNull()) {
            return "";
        }
        if (content.isTextual()) {
            return content.asText();
        }
        if (content.isArray()) {
            StringBuilder text = new StringBuilder();
            for (int i = 0; i < content.size(); i++) {
                JsonNode part = content.get(i);
                if (!part.isObject() || !"text".equals(part.path("type").asText()) || !part.path("text").isTextual()) {
                    throw ApiException.badRequest("'" + where + "[" + i + "]' must be a text part {\"type\": \"text\", \"text\": ...}"
                            + " (this server reads text only)", where);
                }
                text.append(part.get("text").asText());
            }
            return text.toString();
        }
        throw ApiException.badRequest("'" + where + "' must be a string or an array of text parts", where);
    }

    /**
     * The generation options of a request. OpenAI's defaults: temperature 1 and top-p 1 (plain sampling
     * from the softmax), no top-k or min-p; a random seed unless one is given; at most {@code null}:
     * as many tokens as the context leaves ({@link GenerateOptions#maxTokens} is then fitted by the caller).
     */
    static GenerateOptions options(Integer maxTokens, String maxName, Double temperature, Double topP, Integer topK, Double minP,
                                   JsonNode stop, Long seed, Double presence, Double frequency) {
        if (maxTokens != null && maxTokens < 0) {
            throw ApiException.badRequest("'" + maxName + "' must not be negative, got " + maxTokens, maxName);
        }
        double t = check(temperature, 1, 0, 2, "temperature");
        double p = check(topP, 1, Double.MIN_VALUE, 1, "top_p");
        double mp = check(minP, 0, 0, 1, "min_p");
        double pp = check(presence, 0, -2, 2, "presence_penalty");
        double fp = check(frequency, 0, -2, 2, "frequency_penalty");
        if (topK != null && topK < 0) {
            throw ApiException.badRequest("'top_k' must not be negative, got " + topK, "top_k");
        }
        long s = seed != null ? seed : ThreadLocalRandom.current().nextLong();
        // llama.cpp's window for the penalties (64 tokens); OpenAI counts the whole reply
        int lastN = pp != 0 || fp != 0 ? 64 : 0;
        SamplerSettings settings = new SamplerSettings((float) t, topK == null ? 0 : topK, (float) p, (float) mp, 1, (float) fp, (float) pp,
                lastN, s);
        return new GenerateOptions(maxTokens == null ? Integer.MAX_VALUE : maxTokens, settings, stops(stop), null);
    }

    private static double check(Double value, double absent, double min, double max, String name) {
        if (value == null) {
            return absent;
        }
        if (!(value >= min && value <= max)) {
            throw ApiException.badRequest("'" + name + "' must be in [" + (min == Double.MIN_VALUE ? "0 (exclusive)" : min) + ", " + max
                    + "], got " + value, name);
        }
        return value;
    }

    private static List<String> stops(JsonNode stop) {
        if (stop == null || stop.isNull()) {
            return List.of();
        }
        List<String> out = new ArrayList<>();
        if (stop.isTextual()) {
            out.add(stop.asText());
        } else if (stop.isArray() && stop.size() <= 16) {
            for (JsonNode s : stop) {
                if (!s.isTextual()) {
                    throw ApiException.badRequest("'stop' must be a string or an array of strings", "stop");
                }
                out.add(s.asText());
            }
        } else {
            throw ApiException.badRequest("'stop' must be a string or an array of at most 16 strings", "stop");
        }
        if (out.stream().anyMatch(String::isEmpty)) {
            throw ApiException.badRequest("a stop string must not be empty", "stop");
        }
        return out;
    }
}
