package dev.panamax.transformer.chat;

import dev.panamax.transformer.sampling.grammar.Grammar;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * How a model writes the tools it calls, as its chat template teaches it, and the reading of a reply
 * into its text and its calls. Told by the template's text ({@link #of}):
 *
 * <ul>
 * <li>{@link #HERMES}: Qwen 2.5/3, Hermes 2/3 and others whose template has {@code <tool_call>}: each call is
 *     {@code <tool_call>{"name": ..., "arguments": {...}}</tool_call>} anywhere in the reply.</li>
 * <li>{@link #LLAMA3_JSON}: Llama 3.1-3.3 templates (a header {@code <|start_header_id|>} and the
 *     {@code "parameters"} they ask for): the whole reply is {@code {"name": ..., "parameters": {...}}}, after an
 *     optional {@code <|python_tag|>}; several calls are separated by {@code ;}, for templates that allow several
 *     ({@link #rendersSeveralCalls}: Meta's own allow one).</li>
 * </ul>
 *
 * A reply that holds no well-formed call is text: nothing is guessed from malformed JSON.
 */
public enum ToolCallSyntax {
    /** {@code <tool_call>{"name": ..., "arguments": {...}}</tool_call>}, anywhere in the reply (Qwen, Hermes). */
    HERMES,
    /** The whole reply is {@code {"name": ..., "parameters": {...}}} (Llama 3.1-3.3). */
    LLAMA3_JSON;

    private static final String OPEN = "<tool_call>", CLOSE = "</tool_call>", PYTHON_TAG = "<|python_tag|>";

    /**
     * A reply read: the text outside the calls (trimmed) and the calls, in order, with ids {@code call_1, call_2 ...}.
     *
     * @param text  the text outside the calls
     * @param calls the calls
     */
    public record Reply(String text, List<ToolCall> calls) {
        /** Copies the calls, so that the reply stays immutable. */
        public Reply {
            calls = List.copyOf(calls);
        }
    }

    /**
     * The syntax {@code template} (a Jinja chat template's text) teaches, if it is one of these. A template that
     * puts XML-style calls inside {@code <tool_call>} (Qwen3-Coder's {@code <function=...>}, GLM's
     * {@code <arg_key>}) teaches neither.
     *
     * @param template a chat template's text
     * @return the syntax, empty if the template teaches none of these
     */
    public static Optional<ToolCallSyntax> of(String template) {
        if (template.contains(OPEN)) {
            boolean xml = template.contains("<function=") || template.contains("<parameter=") || template.contains("<arg_key>");
            return xml ? Optional.empty() : Optional.of(HERMES);
        }
        if (template.contains("<|start_header_id|>") && template.contains("\"parameters\"")) {
            return Optional.of(LLAMA3_JSON);
        }
        return Optional.empty();
    }

    /**
     * The opening of a call, for a reply that must call a tool: written at the start of the reply (after the
     * prompt), it leaves the model only the call's name and arguments to write, which {@link #grammar} then holds
     * it to (so the forward passes of the fixed text are saved); {@link #parse} of the opening and what follows
     * reads the call.
     *
     * @param name the tool that must be called, or null for any
     * @return e.g. <code>&lt;tool_call&gt;\n&#123;"name": "add", "arguments": </code> or
     *         <code>&lt;tool_call&gt;\n&#123;"name": "</code>
     */
    public String opening(String name) {
        String start = this == HERMES ? OPEN + "\n{\"name\": \"" : "{\"name\": \"";
        if (name == null) {
            return start;
        }
        String quoted = ToolJson.write(name); // the name as a JSON string, escapes included
        return start + quoted.substring(1, quoted.length() - 1) + "\", \"" + (this == HERMES ? "arguments" : "parameters") + "\": ";
    }

    /**
     * The language of a reply that calls one of {@code tools} (constrained decoding holds the model to it): the
     * call's syntax, the name of a tool, its arguments kept to that tool's grammar, the end of the call; then the
     * reply ends. One call: a forced call is never followed by text or by other calls.
     *
     * @param tools    each tool's name and the grammar of its arguments, in the order the request gave them
     * @param written  what the prompt already holds of the reply: "", {@link #opening}{@code (null)} or {@code opening(name)};
     *                 only the tools whose call begins so are allowed
     * @param document a JSON grammar the reply may keep to instead of calling a tool ({@code tool_choice} "auto" beside a
     *                 {@code response_format}), or null for a reply that must call; needs {@code written} ""
     * @return the grammar of the reply after {@code written}
     * @throws IllegalArgumentException if no tool's call begins with {@code written}, or a document is given after an opening
     */
    public Grammar grammar(Map<String, Grammar> tools, String written, Grammar document) {
        return grammar(tools, written, document, false);
    }

    /**
     * As {@link #grammar(Map, String, Grammar)}, with {@code several} true for a reply of one or more calls (OpenAI's
     * {@code parallel_tool_calls}): after each call the reply may end or another call follow, of any of the tools
     * (the first one's name kept to {@code written}), written as the model's template writes several:
     * {@link #separator()} between them.
     *
     * @param tools    each tool's name and the grammar of its arguments, in the order the request gave them
     * @param written  what the prompt already holds of the reply (as above)
     * @param document a JSON grammar the reply may be instead of calls, or null
     * @param several  whether calls after the first may follow
     * @return the grammar of the reply after {@code written}
     * @throws IllegalArgumentException as above
     */
    public Grammar grammar(Map<String, Grammar> tools, String written, Grammar document, boolean several) {
        if (document != null && !written.isEmpty()) {
            throw new IllegalArgumentException("a reply whose call is begun in the prompt cannot be a document instead");
        }
        List<Grammar.Framed> first = new ArrayList<>();
        List<Grammar.Framed> next = new ArrayList<>();
        for (Map.Entry<String, Grammar> tool : tools.entrySet()) {
            String call = opening(tool.getKey());
            if (call.startsWith(written)) {
                first.add(new Grammar.Framed(call.substring(written.length()), tool.getValue(), closing()));
            }
            next.add(new Grammar.Framed(separator() + call, tool.getValue(), closing()));
        }
        if (first.isEmpty()) {
            throw new IllegalArgumentException("no tool's call begins with " + ToolJson.write(written));
        }
        Grammar calls = several ? Grammar.oneOrMore(first, next) : Grammar.anyOf(first);
        return document == null ? calls : Grammar.either(List.of(calls, document));
    }

    /** {@return what ends a call's arguments: the object's brace, and the closing tag in Hermes} */
    private String closing() {
        return this == HERMES ? "}\n" + CLOSE : "}";
    }

    /**
     * {@return the text between two calls of one reply: a line break between Hermes' {@code <tool_call>} blocks (as Qwen's
     * and Hermes' templates write them), {@code "; "} between Llama 3 JSON calls}
     */
    public String separator() {
        return this == HERMES ? "\n" : "; ";
    }

    /**
     * Whether {@code template} shows the model several calls in one assistant turn: it renders a turn of two calls without
     * an error (Llama 3.1-3.3's templates raise one: "only supports single tool-calls") and writes the second. A model
     * whose template cannot show it several calls is not asked for several.
     *
     * @param template a model's chat template
     * @return true if an assistant turn of two calls renders with both
     */
    public static boolean rendersSeveralCalls(JinjaChatTemplate template) {
        List<Map<String, ?>> tools = new ArrayList<>();
        List<Map<String, Object>> calls = new ArrayList<>();
        for (String name : List.of("first_probe", "second_probe")) {
            tools.add(Map.of("type", "function", "function", Map.of("name", name, "description", "A probe", "parameters",
                    Map.of("type", "object", "properties", Map.of("x", Map.of("type", "integer"))))));
        }
        calls.add(new ToolCall("call_1", "first_probe", "{\"x\":1111111}").toTemplateValue());
        calls.add(new ToolCall("call_2", "second_probe", "{\"x\":2222222}").toTemplateValue()); // a number only the second call holds
        List<Map<String, ?>> messages = List.of(Map.of("role", "user", "content", "Call both."),
                Map.of("role", "assistant", "content", "", "tool_calls", calls));
        try {
            return template.render(messages, tools, false, Map.of()).contains("2222222");
        } catch (RuntimeException e) { // the template's own raise_exception, or any other refusal
            return false;
        }
    }

    /**
     * Reads {@code reply} (the model's whole generated text).
     *
     * @param reply the generated text
     * @return its text and tool calls
     */
    public Reply parse(String reply) {
        return this == HERMES ? hermes(reply) : llama3(reply);
    }

    /**
     * How much of a reply being generated, {@code soFar}, can be shown as text already: all of it unless it may
     * be turning into a call (then up to where the call may begin).
     *
     * @param soFar the text generated so far
     * @return the number of leading characters that are text for sure
     */
    public int shownLength(String soFar) {
        if (this == HERMES) {
            int open = soFar.indexOf(OPEN);
            if (open >= 0) {
                return open;
            }
            for (int k = Math.min(OPEN.length() - 1, soFar.length()); k > 0; k--) { // a partial "<tool_c"
                if (soFar.endsWith(OPEN.substring(0, k))) {
                    return soFar.length() - k;
                }
            }
            return soFar.length();
        }
        String t = soFar.stripLeading();
        boolean mayBeCall = t.isEmpty() || t.startsWith("{") || t.startsWith(PYTHON_TAG) || PYTHON_TAG.startsWith(t);
        return mayBeCall ? 0 : soFar.length();
    }

    /**
     * How much of a reply being generated, {@code soFar}, holds calls that no later text can change: up to its last
     * {@code </tool_call>} (Hermes), or its last closing brace (Llama 3 JSON: a closed object stays what it is).
     * {@link #parse} of that much reads those calls, the same as the whole reply's first ones; so a stream may send
     * each call as soon as it is settled.
     *
     * @param soFar the text generated so far
     * @return the length of the settled beginning (0 if none)
     */
    public int settledLength(String soFar) {
        if (this == HERMES) {
            int close = soFar.lastIndexOf(CLOSE);
            return close < 0 ? 0 : close + CLOSE.length();
        }
        return soFar.lastIndexOf('}') + 1;
    }

    private static Reply hermes(String reply) {
        List<ToolCall> calls = new ArrayList<>();
        StringBuilder text = new StringBuilder();
        int at = 0;
        while (true) {
            int open = reply.indexOf(OPEN, at);
            if (open < 0) {
                text.append(reply, at, reply.length());
                break;
            }
            int close = reply.indexOf(CLOSE, open);
            int end = close < 0 ? reply.length() : close;
            ToolCall call = call(reply.substring(open + OPEN.length(), end).strip(), "arguments", calls.size() + 1);
            if (call == null) { // not a call: keep it as text
                text.append(reply, at, close < 0 ? reply.length() : close + CLOSE.length());
            } else {
                text.append(reply, at, open);
                calls.add(call);
            }
            if (close < 0) {
                break;
            }
            at = close + CLOSE.length();
        }
        return new Reply(text.toString().strip(), calls);
    }

    /**
     * The reply is calls, one JSON object each, separated by {@code ;} (or only whitespace); where the objects stop being
     * calls (a cut reply's unfinished last one, or text after them), the rest is text. No call first: all text.
     */
    private static Reply llama3(String reply) {
        String t = reply.strip();
        if (t.startsWith(PYTHON_TAG)) {
            t = t.substring(PYTHON_TAG.length()).strip();
        }
        List<ToolCall> calls = new ArrayList<>();
        int at = 0;
        while (at < t.length() && t.charAt(at) == '{') {
            int end = objectEnd(t, at);
            ToolCall c = end < 0 ? null : call(t.substring(at, end), "parameters", calls.size() + 1);
            if (c == null) {
                break;
            }
            calls.add(c);
            int after = skipSpace(t, end);
            at = skipSpace(t, after < t.length() && t.charAt(after) == ';' ? after + 1 : after);
        }
        if (calls.isEmpty()) {
            return new Reply(reply.strip(), List.of());
        }
        return new Reply(t.substring(at).strip(), calls);
    }

    /** {@return the index after the brace that closes the JSON object opening at {@code from}, or -1 if it is not closed} */
    private static int objectEnd(String s, int from) {
        int depth = 0;
        boolean inString = false;
        for (int i = from; i < s.length(); i++) {
            char c = s.charAt(i);
            if (inString) {
                if (c == '\\') {
                    i++; // the escaped character, a quote among them
                } else if (c == '"') {
                    inString = false;
                }
            } else if (c == '"') {
                inString = true;
            } else if (c == '{' || c == '[') {
                depth++;
            } else if ((c == '}' || c == ']') && --depth == 0) {
                return i + 1;
            }
        }
        return -1;
    }

    private static int skipSpace(String s, int from) {
        int i = from;
        while (i < s.length() && Character.isWhitespace(s.charAt(i))) {
            i++;
        }
        return i;
    }

    /** {@code {"name": string, key: object}} (or {@code "arguments"} for Llama, as some fine-tunes write), else null. */
    private static ToolCall call(String json, String key, int number) {
        if (!(ToolJson.readOrNull(json) instanceof Map<?, ?> m) || !(m.get("name") instanceof String name) || name.isEmpty()) {
            return null;
        }
        Object args = m.containsKey(key) ? m.get(key) : m.get(key.equals("parameters") ? "arguments" : "parameters");
        if (args instanceof String s && ToolJson.readOrNull(s) instanceof Map<?, ?> parsed) {
            args = parsed; // arguments given as JSON text
        }
        if (args == null) {
            args = Map.of();
        }
        if (!(args instanceof Map<?, ?>)) {
            return null;
        }
        return new ToolCall("call_" + number, name, ToolJson.write(args));
    }
}
