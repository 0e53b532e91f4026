package dev.panamax.transformer.chat;

import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Objects;

/**
 * One call of a tool the model asked for, or one a conversation records.
 *
 * @param id        the call's id (made up when the model's syntax carries none), which the tool's result refers to
 * @param name      the tool's name
 * @param arguments the arguments as a JSON object's text, e.g. {@code {"city": "Panama"}}
 */
public record ToolCall(String id, String name, String arguments) {
    /** Checks that every field is given. */
    public ToolCall {
        Objects.requireNonNull(id, "id");
        Objects.requireNonNull(name, "name");
        Objects.requireNonNull(arguments, "arguments");
    }

    /**
     * {@return the call as chat templates read it in an assistant message's {@code tool_calls}: {@code {"id",
     * "type": "function", "function": {"name", "arguments": {...}}}}, the arguments as an object (templates write
     * them with {@code tojson}; a text that is not a JSON object stays text)}
     */
    public Map<String, Object> toTemplateValue() {
        Map<String, Object> function = new LinkedHashMap<>();
        function.put("name", name);
        Object parsed = ToolJson.readOrNull(arguments);
        function.put("arguments", parsed instanceof Map<?, ?> ? parsed : arguments);
        Map<String, Object> call = new LinkedHashMap<>();
        call.put("id", id);
        call.put("type", "function");
        call.put("function", function);
        return call;
    }
}
