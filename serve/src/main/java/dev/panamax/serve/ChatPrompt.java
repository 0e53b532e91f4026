package dev.panamax.serve;

import com.fasterxml.jackson.databind.JsonNode;
import dev.panamax.serve.Requests.ChatCompletionRequest;
import dev.panamax.serve.Requests.Message;
import dev.panamax.serve.Responses.FunctionCall;
import dev.panamax.serve.Responses.ToolCallOut;
import dev.panamax.transformer.chat.ChatFormat;
import dev.panamax.transformer.chat.ChatMessage;
import dev.panamax.transformer.chat.JinjaChatTemplate;
import dev.panamax.transformer.chat.ToolCall;
import dev.panamax.transformer.chat.ToolCallSyntax;
import dev.panamax.transformer.sampling.grammar.Grammar;
import dev.panamax.transformer.sampling.grammar.UnsupportedSchemaException;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HexFormat;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ThreadLocalRandom;

/**
 * A chat request's prompt, and how its reply is read. With the model's own Jinja template the messages are
 * rendered in Hugging Face's form (an assistant's {@code tool_calls}, a tool result's {@code tool_call_id}
 * and {@code name}) with the request's {@code tools}, which the template describes to the model in its own
 * words; the reply's calls are then read in the syntax the template teaches ({@link ToolCallSyntax}). A
 * built-in format knows no tools. {@code tool_choice} {@code "required"} or a named function writes the
 * opening of a call at the start of the reply ({@link ToolCallSyntax#opening}) and holds the rest to a grammar
 * ({@link ToolCallSyntax#grammar}): the name of a tool (the named one), arguments that keep to its
 * {@code parameters}, the end of the call, so the reply is valid calls. As OpenAI defines them, a named function is
 * called exactly once and {@code "required"} calls one or more tools, each call followed by the end of the reply or
 * another call, the model's choice; {@code parallel_tool_calls: false}, or a template that cannot show the model
 * several calls in one turn ({@link ToolCallSyntax#rendersSeveralCalls}), holds it to one. {@code "auto"} leaves the
 * model free (with {@code parallel_tool_calls: false} only its first call is returned), unless a {@code response_format}
 * asks for JSON: then the reply is calls or that document. {@code "none"} renders no tools and reads no calls.
 *
 * @param text             the prompt
 * @param tokenizerAddsBos whether the tokenizer adds BOS to it (a model's template writes its own)
 * @param syntax           how the reply's calls are read, or null when they are not
 * @param opening          the start of the reply already written in the prompt ("" for none)
 * @param firstCallOnly    {@code parallel_tool_calls: false}: a reply's calls past its first are dropped
 * @param grammar          the language the reply (after the opening) keeps to, or null for free text
 */
record ChatPrompt(String text, boolean tokenizerAddsBos, ToolCallSyntax syntax, String opening, boolean firstCallOnly, Grammar grammar) {
    /** A reply read: its text (null when it is only calls) and its calls, each with an id of its own. */
    record Reply(String content, List<ToolCallOut> calls) {
    }

    /**
     * @throws ApiException 400 for malformed tools, tool choices, tool calls or tool results, for tools the
     *                      model's chat format cannot render or whose calls it cannot read, or messages its template refuses
     */
    static ChatPrompt of(ChatCompletionRequest req, ChatFormat format) {
        return of(req, format, null);
    }

    /**
     * @param document the grammar of the {@code response_format} (null for free text): the reply's grammar when no
     *                 tool may be called, the other way than a call under {@code "auto"}, unused when a call is forced
     * @throws ApiException 400 as {@link #of(ChatCompletionRequest, ChatFormat)}, and for a forced call (or "auto" beside a
     *                      {@code response_format}) with a tool whose {@code parameters} constrained decoding cannot follow
     */
    static ChatPrompt of(ChatCompletionRequest req, ChatFormat format, Grammar document) {
        List<Map<String, Object>> tools = tools(req.tools());
        String choice = choice(req.toolChoice(), tools);
        if (!(format instanceof JinjaChatTemplate template)) {
            if (tools != null && !choice.equals("none")) {
                throw ApiException.badRequest("tools need the model's own chat template; this model is formatted with "
                        + format.label() + ", which knows no tools", "tools");
            }
            List<ChatMessage> conversation = req.conversation();
            for (int i = 0; i < req.messages().size(); i++) {
                if (req.messages().get(i).toolCalls() != null && !req.messages().get(i).toolCalls().isNull()) {
                    throw ApiException.badRequest("'messages[" + i + "].tool_calls' needs the model's own chat template; this model is"
                            + " formatted with " + format.label() + ", which knows no tool calls", "messages[" + i + "].tool_calls");
                }
            }
            return new ChatPrompt(render(() -> format.format(conversation, true)), format.tokenizerAddsBos(), null, "", false, document);
        }
        List<Map<String, Object>> messages = messages(req);
        boolean parallel = !Boolean.FALSE.equals(req.parallelToolCalls()); // OpenAI's default: true
        boolean calling = tools != null && !choice.equals("none");
        ToolCallSyntax syntax = null;
        String opening = "";
        Grammar grammar = document;
        if (calling) {
            syntax = ToolCallSyntax.of(template.source()).orElseThrow(() -> ApiException.badRequest("the model's chat template renders"
                    + " tools, but writes calls in no syntax this server reads (Hermes/Qwen <tool_call>, Llama 3.1 JSON)", "tools"));
            boolean forced = !choice.equals("auto");
            opening = forced ? syntax.opening(choice.equals("required") ? null : choice) : "";
            if (forced || document != null) {
                // OpenAI: "required" calls one or more tools, a named function exactly one, parallel_tool_calls false at most one
                boolean several = (choice.equals("required") || !forced) && parallel && severalCalls(template);
                grammar = syntax.grammar(arguments(req.tools()), opening, forced ? null : document, several);
            }
        }
        List<Map<String, Object>> shown = calling ? tools : null;
        String text = render(() -> template.render(messages, shown, true, Map.of())) + opening;
        return new ChatPrompt(text, template.tokenizerAddsBos(), syntax, opening, !parallel, grammar);
    }

    /** Per template, whether it shows the model several calls in one turn ({@link ToolCallSyntax#rendersSeveralCalls}). */
    private static final Map<JinjaChatTemplate, Boolean> SEVERAL = java.util.Collections.synchronizedMap(new java.util.WeakHashMap<>());

    private static boolean severalCalls(JinjaChatTemplate template) {
        return SEVERAL.computeIfAbsent(template, ToolCallSyntax::rendersSeveralCalls);
    }

    /** A function's arguments when it declares no {@code parameters}: OpenAI's empty parameter list. */
    private static final String NO_PARAMETERS = "{\"type\": \"object\", \"properties\": {}, \"additionalProperties\": false}";

    /** Each tool's name and the grammar of its arguments, its {@code parameters} (checked by {@link #tools} already). */
    private static Map<String, Grammar> arguments(JsonNode tools) {
        Map<String, Grammar> out = new LinkedHashMap<>();
        for (int i = 0; i < tools.size(); i++) {
            JsonNode f = tools.get(i).get("function");
            String where = "tools[" + i + "].function.parameters";
            try {
                out.put(f.get("name").asText(), Grammar.jsonSchema(f.has("parameters") ? f.get("parameters").toString() : NO_PARAMETERS));
            } catch (UnsupportedSchemaException e) {
                throw ApiException.badRequest("'" + where + "' cannot be followed by constrained decoding (a forced call, or a call"
                        + " beside response_format): " + e.getMessage(), where);
            }
        }
        return out;
    }

    /** How much of the reply generated so far can be streamed as text: all of it, unless it may be turning into a call. */
    int shownLength(String soFar) {
        return syntax == null ? soFar.length() : Math.max(0, syntax.shownLength(opening + soFar) - opening.length());
    }

    /** A new prefix for a reply's call ids ({@code call_<8 hex>_1}, {@code _2}, ...). */
    static String idPrefix() {
        return "call_" + HexFormat.of().toHexDigits(ThreadLocalRandom.current().nextInt()) + "_";
    }

    /**
     * The calls of a reply being generated that no later text can change ({@link ToolCallSyntax#settledLength}), with
     * the ids {@link #read(String, String)} gives them at the end with the same {@code idPrefix}; none when calls are
     * not read. {@code parallel_tool_calls: false} settles one at most.
     */
    List<ToolCallOut> settledCalls(String soFar, String idPrefix) {
        if (syntax == null) {
            return List.of();
        }
        String all = opening + soFar;
        return outs(syntax.parse(all.substring(0, syntax.settledLength(all))).calls(), idPrefix);
    }

    /** {@return how much of {@code soFar} is settled (see {@link #settledCalls}): a stream reads the calls again only when it grows} */
    int settledLength(String soFar) {
        return syntax == null ? 0 : syntax.settledLength(opening + soFar);
    }

    /** The whole reply read: its calls, if the request reads them, and the text outside them. */
    Reply read(String generated) {
        return read(generated, idPrefix());
    }

    /** As {@link #read(String)}, the calls' ids led by {@code idPrefix}. */
    Reply read(String generated, String idPrefix) {
        if (syntax == null) {
            return new Reply(generated, List.of());
        }
        ToolCallSyntax.Reply r = syntax.parse(opening + generated);
        if (r.calls().isEmpty()) {
            return new Reply(opening + generated, List.of());
        }
        // a reply held to calls by the grammar has no text: what is outside its whole calls is one cut short by the token limit
        String content = grammar != null || r.text().isEmpty() ? null : r.text();
        return new Reply(content, outs(r.calls(), idPrefix));
    }

    /** The calls in OpenAI's shape; the first only for {@code parallel_tool_calls: false} (OpenAI's model then calls at most one tool). */
    private List<ToolCallOut> outs(List<ToolCall> read, String idPrefix) {
        List<ToolCall> calls = firstCallOnly && read.size() > 1 ? read.subList(0, 1) : read;
        List<ToolCallOut> out = new ArrayList<>(calls.size());
        for (int i = 0; i < calls.size(); i++) {
            out.add(new ToolCallOut(idPrefix + (i + 1), "function", new FunctionCall(calls.get(i).name(), calls.get(i).arguments())));
        }
        return out;
    }

    private interface Rendering {
        String render();
    }

    private static String render(Rendering r) {
        try {
            return r.render();
        } catch (ApiException e) {
            throw e;
        } catch (RuntimeException e) { // a template that cannot render these messages (e.g. its own raise_exception)
            throw ApiException.badRequest("the model's chat template cannot render these messages: " + e.getMessage(), "messages");
        }
    }

    /** {@code tools}: OpenAI's function tools, as the templates read them; null for none. */
    private static List<Map<String, Object>> tools(JsonNode tools) {
        if (tools == null || tools.isNull()) {
            return null;
        }
        if (!tools.isArray()) {
            throw ApiException.badRequest("'tools' must be an array of {\"type\": \"function\", \"function\": {...}}", "tools");
        }
        if (tools.isEmpty()) {
            return null;
        }
        List<Map<String, Object>> out = new ArrayList<>();
        Set<String> names = new java.util.HashSet<>();
        for (int i = 0; i < tools.size(); i++) {
            JsonNode t = tools.get(i);
            String where = "tools[" + i + "]";
            if (!t.isObject() || !"function".equals(t.path("type").asText(null))) {
                throw ApiException.badRequest("'" + where + "' must be {\"type\": \"function\", \"function\": {...}} (only function tools"
                        + " are supported)", where);
            }
            JsonNode f = t.path("function");
            if (!f.isObject() || !f.path("name").isTextual() || f.path("name").asText().isEmpty()) {
                throw ApiException.badRequest("'" + where + ".function' must be an object with a non-empty 'name'", where + ".function.name");
            }
            if (f.has("parameters") && !f.get("parameters").isObject()) {
                throw ApiException.badRequest("'" + where + ".function.parameters' must be a JSON schema object", where + ".function.parameters");
            }
            if (f.has("description") && !f.get("description").isTextual()) {
                throw ApiException.badRequest("'" + where + ".function.description' must be a string", where + ".function.description");
            }
            if (!names.add(f.get("name").asText())) {
                throw ApiException.badRequest("'" + where + "': a second tool named '" + f.get("name").asText() + "'", where + ".function.name");
            }
            out.add(plain(t));
        }
        return out;
    }

    /** {@code tool_choice}: "none", "auto", "required", or the name of the function that must be called. */
    private static String choice(JsonNode choice, List<Map<String, Object>> tools) {
        if (choice == null || choice.isNull()) {
            return tools == null ? "none" : "auto";
        }
        String name;
        if (choice.isTextual()) {
            name = choice.asText();
            if (!List.of("none", "auto", "required").contains(name)) {
                throw ApiException.badRequest("'tool_choice' must be \"none\", \"auto\", \"required\" or {\"type\": \"function\", "
                        + "\"function\": {\"name\": ...}}, got '" + name + "'", "tool_choice");
            }
            if (name.equals("none")) {
                return name;
            }
        } else if (choice.isObject() && "function".equals(choice.path("type").asText(null)) && choice.path("function").path("name").isTextual()) {
            name = choice.path("function").path("name").asText();
            if (tools != null && tools.stream().noneMatch(t -> name.equals(((Map<?, ?>) t.get("function")).get("name")))) {
                throw ApiException.badRequest("'tool_choice' names the function '" + name + "', which is not among 'tools'", "tool_choice");
            }
        } else {
            throw ApiException.badRequest("'tool_choice' must be \"none\", \"auto\", \"required\" or {\"type\": \"function\", "
                    + "\"function\": {\"name\": ...}}", "tool_choice");
        }
        if (tools == null) {
            throw ApiException.badRequest("'tool_choice' " + (choice.isTextual() ? "'" + name + "'" : "of a function") + " needs 'tools'",
                    "tool_choice");
        }
        return name;
    }

    /** The messages in Hugging Face's form, as chat templates read them. */
    private static List<Map<String, Object>> messages(ChatCompletionRequest req) {
        List<ChatMessage> plain = req.conversation(); // checks roles and contents
        List<Map<String, Object>> out = new ArrayList<>(plain.size());
        Map<String, String> callNames = new HashMap<>();
        for (int i = 0; i < plain.size(); i++) {
            Message m = req.messages().get(i);
            String where = "messages[" + i + "]";
            Map<String, Object> msg = new LinkedHashMap<>();
            msg.put("role", plain.get(i).role());
            msg.put("content", plain.get(i).content());
            if (m.toolCalls() != null && !m.toolCalls().isNull()) {
                if (!m.role().equals("assistant")) {
                    throw ApiException.badRequest("'" + where + ".tool_calls' belongs to an assistant message, not a " + m.role() + " one",
                            where + ".tool_calls");
                }
                msg.put("tool_calls", calls(m.toolCalls(), where + ".tool_calls", callNames));
            }
            if (m.role().equals("tool")) {
                if (m.toolCallId() == null || m.toolCallId().isEmpty()) {
                    throw ApiException.badRequest("'" + where + ".tool_call_id' is required: the id of the call this is the result of",
                            where + ".tool_call_id");
                }
                msg.put("tool_call_id", m.toolCallId());
                String name = m.name() != null ? m.name() : callNames.get(m.toolCallId());
                if (name != null) {
                    msg.put("name", name); // templates such as Llama's and Hermes' write the tool's name with its result
                }
            } else if (m.name() != null) {
                msg.put("name", m.name());
            }
            out.add(msg);
        }
        return out;
    }

    private static List<Map<String, Object>> calls(JsonNode calls, String where, Map<String, String> callNames) {
        if (!calls.isArray()) {
            throw ApiException.badRequest("'" + where + "' must be an array of tool calls", where);
        }
        List<Map<String, Object>> out = new ArrayList<>();
        for (int j = 0; j < calls.size(); j++) {
            JsonNode c = calls.get(j);
            String at = where + "[" + j + "]";
            JsonNode f = c.path("function");
            if (!c.isObject() || !f.path("name").isTextual() || (c.has("type") && !"function".equals(c.get("type").asText(null)))) {
                throw ApiException.badRequest("'" + at + "' must be {\"id\": ..., \"type\": \"function\", \"function\": {\"name\": ..., "
                        + "\"arguments\": \"{...}\"}}", at);
            }
            JsonNode args = f.path("arguments");
            String arguments;
            if (args.isTextual()) {
                arguments = args.asText();
            } else if (args.isObject()) {
                arguments = args.toString();
            } else if (args.isMissingNode() || args.isNull()) {
                arguments = "{}";
            } else {
                throw ApiException.badRequest("'" + at + ".function.arguments' must be a JSON object's text", at + ".function.arguments");
            }
            String id = c.path("id").isTextual() ? c.get("id").asText() : "";
            callNames.put(id, f.get("name").asText());
            out.add(new ToolCall(id, f.get("name").asText(), arguments).toTemplateValue());
        }
        return out;
    }

    @SuppressWarnings("unchecked")
    private static Map<String, Object> plain(JsonNode node) {
        return Json.MAPPER.convertValue(node, Map.class);
    }
}
