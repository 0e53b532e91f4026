package dev.panamax.transformer.chat;

import java.util.Arrays;
import java.util.List;
import java.util.Optional;
import java.util.stream.Collectors;

/**
 * A built-in chat prompt format, written by hand for each family as llama.cpp's {@code llm_chat_apply_template}
 * writes it: chosen by name ({@code --template NAME}), or used when a model ships no template. A model's
 * own template is rendered by {@link JinjaChatTemplate}; {@link #detect} still names the family of one.
 *
 * <p>The formatted text has no BOS: the tokenizer adds it. It contains control tokens such as
 * {@code <|im_start|>} as text, to be tokenized with special-token parsing on.
 *
 * <pre>{@code
 * ChatTemplate t = ChatTemplate.require(metadata.chatTemplate().orElseThrow());
 * String prompt = t.format(List.of(ChatMessage.system("Be brief."), ChatMessage.user("Hi")), true);
 * }</pre>
 */
public enum ChatTemplate implements ChatFormat {
    /** {@code <|im_start|>role\ncontent<|im_end|>\n} (Qwen, OpenHermes, SmolLM, ...). */
    CHATML("chatml"),
    /** {@code [INST] ... [/INST]}; a system message is prepended to the first user message as plain text. */
    LLAMA2("llama2"),
    /** Llama 2 with a {@code <<SYS>>\n...\n<</SYS>>\n\n} system block. */
    LLAMA2_SYS("llama2-sys"),
    /** Llama 2 with the system block and {@code <s>} before each later {@code [INST]}. */
    LLAMA2_SYS_BOS("llama2-sys-bos"),
    /** Llama 2 with the system block, every message stripped of surrounding whitespace (Meta's own template). */
    LLAMA2_SYS_STRIP("llama2-sys-strip"),
    /** Mistral v1: {@code  [INST] ... [/INST]} with a leading space. */
    MISTRAL_V1("mistral-v1"),
    /** Mistral v3: {@code [INST] ...[/INST]}, assistant replies trimmed. */
    MISTRAL_V3("mistral-v3"),
    /** Mistral v3 Tekken: as v3 without the space before replies and without trimming. */
    MISTRAL_V3_TEKKEN("mistral-v3-tekken"),
    /** Mistral v7: {@code [SYSTEM_PROMPT] ...[/SYSTEM_PROMPT][INST] ...[/INST] ...</s>}. */
    MISTRAL_V7("mistral-v7"),
    /** Mistral v7 Tekken: as v7 without the spaces after the tags. */
    MISTRAL_V7_TEKKEN("mistral-v7-tekken"),
    /** {@code <|start_header_id|>role<|end_header_id|>\n\ncontent<|eot_id|>}, content trimmed. */
    LLAMA3("llama3"),
    /** {@code <|role|>\ncontent<|end|>\n}. */
    PHI3("phi3"),
    /** {@code <|im_start|>role<|im_sep|>content<|im_end|>}. */
    PHI4("phi4"),
    /** {@code <|role|>\ncontent<|endoftext|>\n}. */
    ZEPHYR("zephyr"),
    /** {@code <start_of_turn>user\n...<end_of_turn>\n}; the assistant is {@code model}, system text joins the next user turn. */
    GEMMA("gemma");

    private final String llamaCppName;

    ChatTemplate(String llamaCppName) {
        this.llamaCppName = llamaCppName;
    }

    /**
     * {@return the name llama.cpp uses for this template ({@code --chat-template chatml}), also accepted by {@link
     * #named}}
     */
    public String llamaCppName() {
        return llamaCppName;
    }

    /** The formatted text has no BOS: the tokenizer adds it. */
    @Override
    public boolean tokenizerAddsBos() {
        return true;
    }

    @Override
    public String label() {
        return llamaCppName;
    }

    /**
     * {@return the template called {@code name} (llama.cpp's name, e.g. {@code "llama2-sys"}, or the constant's
     * name), if any}
     *
     * @param name a template name
     */
    public static Optional<ChatTemplate> named(String name) {
        String n = name.strip();
        return Arrays.stream(values()).filter(t -> t.llamaCppName.equals(n) || t.name().equalsIgnoreCase(n)).findFirst();
    }

    /**
     * The template whose family {@code jinja} belongs to, recognised as llama.cpp does: by name if it is
     * one, else by distinctive substrings. Empty if the family is unknown or not one Panamax formats.
     *
     * @return the built-in format of the template's family, if Panamax has one
     * @param jinja a Jinja chat template's text
     */
    public static Optional<ChatTemplate> detect(String jinja) {
        Optional<ChatTemplate> byName = named(jinja);
        if (byName.isPresent()) {
            return byName;
        }
        String family = TemplateFamily.of(jinja);
        return family == null ? Optional.empty() : named(family);
    }

    /**
     * As {@link #detect}, failing with a message that names what was found and what is supported.
     *
     * @param jinja a Jinja chat template's text
     * @return the built-in format for its family
     * @throws UnsupportedChatTemplateException if the template is not recognised or not supported
     */
    public static ChatTemplate require(String jinja) {
        return detect(jinja).orElseThrow(() -> {
            String family = TemplateFamily.of(jinja);
            String found = family != null
                    ? "a " + family + " chat template, which Panamax does not format"
                    : "an unrecognised chat template (" + preview(jinja) + ")";
            return new UnsupportedChatTemplateException("found " + found + "; supported: " + supportedNames()
                    + "; choose one with --template NAME");
        });
    }

    /** {@return the names of all templates, comma-separated, for messages} */
    public static String supportedNames() {
        return Arrays.stream(values()).map(ChatTemplate::llamaCppName).collect(Collectors.joining(", "));
    }

    private static String preview(String jinja) {
        String oneLine = jinja.replaceAll("\\s+", " ").strip();
        return oneLine.length() <= 60 ? '"' + oneLine + '"' : '"' + oneLine.substring(0, 60) + "...\"";
    }

    /**
     * The prompt for {@code messages}.
     *
     * @param addAssistantPrompt end with the opening of an assistant turn, for the model to complete
     *                           (templates without a separate opening, such as Llama 2, ignore it)
     */
    @Override
    public String format(List<ChatMessage> messages, boolean addAssistantPrompt) {
        StringBuilder s = new StringBuilder();
        switch (this) {
            case CHATML -> {
                for (ChatMessage m : messages) {
                    s.append("<|im_start|>").append(m.role()).append('\n').append(m.content()).append("<|im_end|>\n");
                }
                if (addAssistantPrompt) {
                    s.append("<|im_start|>assistant\n");
                }
            }
            case LLAMA2, LLAMA2_SYS, LLAMA2_SYS_BOS, LLAMA2_SYS_STRIP -> llama2(messages, s);
            case MISTRAL_V1, MISTRAL_V3, MISTRAL_V3_TEKKEN -> mistral(messages, s);
            case MISTRAL_V7, MISTRAL_V7_TEKKEN -> {
                String space = this == MISTRAL_V7 ? " " : "";
                for (ChatMessage m : messages) {
                    switch (m.role()) {
                        case ChatMessage.SYSTEM -> s.append("[SYSTEM_PROMPT]").append(space).append(m.content()).append("[/SYSTEM_PROMPT]");
                        case ChatMessage.USER -> s.append("[INST]").append(space).append(m.content()).append("[/INST]");
                        default -> s.append(space).append(m.content()).append("</s>");
                    }
                }
            }
            case LLAMA3 -> {
                for (ChatMessage m : messages) {
                    s.append("<|start_header_id|>").append(m.role()).append("<|end_header_id|>\n\n").append(trim(m.content()))
                            .append("<|eot_id|>");
                }
                if (addAssistantPrompt) {
                    s.append("<|start_header_id|>assistant<|end_header_id|>\n\n");
                }
            }
            case PHI3, ZEPHYR -> {
                String end = this == PHI3 ? "<|end|>\n" : "<|endoftext|>\n";
                for (ChatMessage m : messages) {
                    s.append("<|").append(m.role()).append("|>\n").append(m.content()).append(end);
                }
                if (addAssistantPrompt) {
                    s.append("<|assistant|>\n");
                }
            }
            case PHI4 -> {
                for (ChatMessage m : messages) {
                    s.append("<|im_start|>").append(m.role()).append("<|im_sep|>").append(m.content()).append("<|im_end|>");
                }
                if (addAssistantPrompt) {
                    s.append("<|im_start|>assistant<|im_sep|>");
                }
            }
            case GEMMA -> gemma(messages, addAssistantPrompt, s);
        }
        return s.toString();
    }

    /** {@code [INST] user [/INST]reply</s>[INST] ...}: no BOS up front (the tokenizer adds it). */
    private void llama2(List<ChatMessage> messages, StringBuilder s) {
        boolean systemBlock = this != LLAMA2;
        boolean strip = this == LLAMA2_SYS_STRIP;
        boolean insideTurn = true;
        s.append("[INST] ");
        for (ChatMessage m : messages) {
            String content = strip ? trim(m.content()) : m.content();
            if (!insideTurn) {
                insideTurn = true;
                s.append(this == LLAMA2_SYS_BOS ? "<s>[INST] " : "[INST] ");
            }
            switch (m.role()) {
                case ChatMessage.SYSTEM -> s.append(systemBlock ? "<<SYS>>\n" + content + "\n<</SYS>>\n\n" : content + "\n");
                case ChatMessage.USER -> s.append(content).append(" [/INST]");
                default -> {
                    s.append(content).append("</s>");
                    insideTurn = false;
                }
            }
        }
    }

    /** Mistral v1/v3/v3-Tekken: a system message opens the first {@code [INST]} block, followed by a blank line. */
    private void mistral(List<ChatMessage> messages, StringBuilder s) {
        String leading = this == MISTRAL_V1 ? " " : "";
        String trailing = this == MISTRAL_V3_TEKKEN ? "" : " ";
        boolean insideTurn = false;
        for (ChatMessage m : messages) {
            if (!insideTurn) {
                s.append(leading).append("[INST]").append(trailing);
                insideTurn = true;
            }
            switch (m.role()) {
                case ChatMessage.SYSTEM -> s.append(m.content()).append("\n\n");
                case ChatMessage.USER -> s.append(m.content()).append(leading).append("[/INST]");
                default -> {
                    s.append(trailing).append(this == MISTRAL_V3 ? trim(m.content()) : m.content()).append("</s>");
                    insideTurn = false;
                }
            }
        }
    }

    /** Gemma has no system role: system text (trimmed) is prepended to the next user turn. */
    private static void gemma(List<ChatMessage> messages, boolean addAssistantPrompt, StringBuilder s) {
        StringBuilder system = new StringBuilder();
        for (ChatMessage m : messages) {
            if (m.role().equals(ChatMessage.SYSTEM)) {
                system.append(trim(m.content()));
                continue;
            }
            String role = m.role().equals(ChatMessage.ASSISTANT) ? "model" : m.role();
            s.append("<start_of_turn>").append(role).append('\n');
            if (!system.isEmpty() && !role.equals("model")) {
                s.append(system).append("\n\n");
                system.setLength(0);
            }
            s.append(trim(m.content())).append("<end_of_turn>\n");
        }
        if (addAssistantPrompt) {
            s.append("<start_of_turn>model\n");
        }
    }

    /** Strips ASCII whitespace (C's {@code isspace}: space, \t, \n, \v, \f, \r) from both ends, as llama.cpp does. */
    static String trim(String text) {
        int start = 0;
        int end = text.length();
        while (start < end && isSpace(text.charAt(start))) {
            start++;
        }
        while (end > start && isSpace(text.charAt(end - 1))) {
            end--;
        }
        return text.substring(start, end);
    }

    private static boolean isSpace(char c) {
        return c == ' ' || (c >= '\t' && c <= '\r');
    }
}
