package dev.panamax.transformer.chat;

import dev.panamax.transformer.chat.jinja.JinjaTemplate;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;

/**
 * A model's own chat template, rendered as Hugging Face's {@code apply_chat_template} renders it: the
 * template sees {@code messages}, {@code add_generation_prompt}, {@code tools} and {@code documents}
 * (none unless given), the special tokens ({@code bos_token}, {@code eos_token}, ...) and any extra
 * variables (such as {@code enable_thinking}). The text includes what the template writes of BOS.
 *
 * <pre>{@code
 * JinjaChatTemplate t = JinjaChatTemplate.of(ModelChatTemplate.of(model).orElseThrow(), ModelChatTemplate.specialTokens(model));
 * String prompt = t.format(List.of(ChatMessage.system("Be brief."), ChatMessage.user("Hi")), true);
 * }</pre>
 */
public final class JinjaChatTemplate implements ChatFormat {
    private final JinjaTemplate template;
    private final Map<String, String> specialTokens;
    private final String name;

    private JinjaChatTemplate(JinjaTemplate template, Map<String, String> specialTokens, String name) {
        this.template = template;
        this.specialTokens = Map.copyOf(specialTokens);
        this.name = name;
    }

    /**
     * Parses a Jinja chat template.
     *
     * @param jinja         the template text
     * @param specialTokens {@code bos_token}, {@code eos_token}, ... as the template may use them
     * @return the parsed template, ready to render
     * @throws dev.panamax.transformer.chat.jinja.JinjaException naming the line where the template is malformed
     */
    public static JinjaChatTemplate of(String jinja, Map<String, String> specialTokens) {
        return new JinjaChatTemplate(JinjaTemplate.parse(jinja), specialTokens, "the model's template");
    }

    /**
     * As {@link #of}, called {@code name} in messages.
     *
     * @param jinja         the template text
     * @param specialTokens {@code bos_token}, {@code eos_token}, ... as the template may use them
     * @param name          what messages call the template (its file, say)
     * @return the parsed template
     */
    public static JinjaChatTemplate of(String jinja, Map<String, String> specialTokens, String name) {
        return new JinjaChatTemplate(JinjaTemplate.parse(jinja), specialTokens, name);
    }

    @Override
    public String format(List<ChatMessage> messages, boolean addAssistantPrompt) {
        List<Map<String, Object>> maps = new ArrayList<>(messages.size());
        for (ChatMessage m : messages) {
            maps.add(Map.of("role", m.role(), "content", m.content()));
        }
        return render(maps, null, addAssistantPrompt, Map.of());
    }

    /**
     * The prompt for messages in Hugging Face's form: maps with {@code role}, {@code content} (a string,
     * a list of parts, or null) and, for tool use, {@code tool_calls}, {@code tool_call_id}, {@code name}.
     *
     * @param messages            the conversation, oldest first
     * @param tools               the tool definitions (JSON schemas), or null for none
     * @param addGenerationPrompt true to end with the opening of the assistant's turn
     * @param variables           further variables the template reads, e.g. {@code enable_thinking}
     * @return the prompt text
     * @throws dev.panamax.transformer.chat.jinja.JinjaException naming the template's line and the failing
     *                                                          expression, or the template's own {@code raise_exception} message
     */
    public String render(List<? extends Map<String, ?>> messages, List<? extends Map<String, ?>> tools, boolean addGenerationPrompt,
                         Map<String, ?> variables) {
        Objects.requireNonNull(messages, "messages");
        Map<String, Object> context = new HashMap<>();
        context.put("messages", messages);
        context.put("add_generation_prompt", addGenerationPrompt);
        context.put("tools", tools);
        context.put("documents", null);
        context.putAll(specialTokens);
        context.putAll(new LinkedHashMap<>(variables));
        return template.render(context);
    }

    @Override
    public boolean tokenizerAddsBos() {
        return false;
    }

    @Override
    public String label() {
        return name;
    }

    /** {@return the template's text} */
    public String source() {
        return template.source();
    }
}
