package dev.panamax.transformer.chat;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.panamax.tensor.testing.Seeded;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Random;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

/**
 * Expected prompts are written out by hand from the rules of llama.cpp's {@code llm_chat_apply_template}
 * (checked against the outputs its test-chat-template.cpp documents for the same families).
 */
class ChatTemplateTest {
    /** System, user, an assistant reply with surrounding spaces (trimmed by some families only), user. */
    private static final List<ChatMessage> CONVERSATION = List.of(
            ChatMessage.system("You are terse."),
            ChatMessage.user("Hello there"),
            ChatMessage.assistant("  Hi! How can I help?  "),
            ChatMessage.user("Name a colour."));

    private static final Map<ChatTemplate, String> EXPECTED = Map.ofEntries(
            Map.entry(ChatTemplate.CHATML, "<|im_start|>system\nYou are terse.<|im_end|>\n<|im_start|>user\nHello there<|im_end|>\n"
                    + "<|im_start|>assistant\n  Hi! How can I help?  <|im_end|>\n<|im_start|>user\nName a colour.<|im_end|>\n"
                    + "<|im_start|>assistant\n"),
            Map.entry(ChatTemplate.LLAMA2, "[INST] You are terse.\nHello there [/INST]  Hi! How can I help?  </s>[INST] Name a colour. [/INST]"),
            Map.entry(ChatTemplate.LLAMA2_SYS, "[INST] <<SYS>>\nYou are terse.\n<</SYS>>\n\nHello there [/INST]  Hi! How can I help?  </s>"
                    + "[INST] Name a colour. [/INST]"),
            Map.entry(ChatTemplate.LLAMA2_SYS_BOS, "[INST] <<SYS>>\nYou are terse.\n<</SYS>>\n\nHello there [/INST]  Hi! How can I help?  </s>"
                    + "<s>[INST] Name a colour. [/INST]"),
            Map.entry(ChatTemplate.LLAMA2_SYS_STRIP, "[INST] <<SYS>>\nYou are terse.\n<</SYS>>\n\nHello there [/INST]Hi! How can I help?</s>"
                    + "[INST] Name a colour. [/INST]"),
            Map.entry(ChatTemplate.MISTRAL_V1, " [INST] You are terse.\n\nHello there [/INST]   Hi! How can I help?  </s> [INST] Name a colour. [/INST]"),
            Map.entry(ChatTemplate.MISTRAL_V3, "[INST] You are terse.\n\nHello there[/INST] Hi! How can I help?</s>[INST] Name a colour.[/INST]"),
            Map.entry(ChatTemplate.MISTRAL_V3_TEKKEN, "[INST]You are terse.\n\nHello there[/INST]  Hi! How can I help?  </s>[INST]Name a colour.[/INST]"),
            Map.entry(ChatTemplate.MISTRAL_V7, "[SYSTEM_PROMPT] You are terse.[/SYSTEM_PROMPT][INST] Hello there[/INST]   Hi! How can I help?  </s>"
                    + "[INST] Name a colour.[/INST]"),
            Map.entry(ChatTemplate.MISTRAL_V7_TEKKEN, "[SYSTEM_PROMPT]You are terse.[/SYSTEM_PROMPT][INST]Hello there[/INST]  Hi! How can I help?  </s>"
                    + "[INST]Name a colour.[/INST]"),
            Map.entry(ChatTemplate.LLAMA3, "<|start_header_id|>system<|end_header_id|>\n\nYou are terse.<|eot_id|>"
                    + "<|start_header_id|>user<|end_header_id|>\n\nHello there<|eot_id|>"
                    + "<|start_header_id|>assistant<|end_header_id|>\n\nHi! How can I help?<|eot_id|>"
                    + "<|start_header_id|>user<|end_header_id|>\n\nName a colour.<|eot_id|>"
                    + "<|start_header_id|>assistant<|end_header_id|>\n\n"),
            Map.entry(ChatTemplate.PHI3, "<|system|>\nYou are terse.<|end|>\n<|user|>\nHello there<|end|>\n<|assistant|>\n  Hi! How can I help?  <|end|>\n"
                    + "<|user|>\nName a colour.<|end|>\n<|assistant|>\n"),
            Map.entry(ChatTemplate.PHI4, "<|im_start|>system<|im_sep|>You are terse.<|im_end|><|im_start|>user<|im_sep|>Hello there<|im_end|>"
                    + "<|im_start|>assistant<|im_sep|>  Hi! How can I help?  <|im_end|><|im_start|>user<|im_sep|>Name a colour.<|im_end|>"
                    + "<|im_start|>assistant<|im_sep|>"),
            Map.entry(ChatTemplate.ZEPHYR, "<|system|>\nYou are terse.<|endoftext|>\n<|user|>\nHello there<|endoftext|>\n"
                    + "<|assistant|>\n  Hi! How can I help?  <|endoftext|>\n<|user|>\nName a colour.<|endoftext|>\n<|assistant|>\n"),
            Map.entry(ChatTemplate.GEMMA, "<start_of_turn>user\nYou are terse.\n\nHello there<end_of_turn>\n<start_of_turn>model\nHi! How can I help?<end_of_turn>\n"
                    + "<start_of_turn>user\nName a colour.<end_of_turn>\n<start_of_turn>model\n"));

    @Test
    void everyTemplateFormatsAMultiTurnConversationAsLlamaCppDoes() {
        assertEquals(ChatTemplate.values().length, EXPECTED.size(), "a template without an expected prompt");
        for (ChatTemplate t : ChatTemplate.values()) {
            assertEquals(EXPECTED.get(t), t.format(CONVERSATION, true), t.llamaCppName());
        }
    }

    @Test
    void threeMessagesWithoutTheAssistantPromptEndAfterTheReply() {
        List<ChatMessage> three = CONVERSATION.subList(0, 3);
        assertEquals("<|im_start|>system\nYou are terse.<|im_end|>\n<|im_start|>user\nHello there<|im_end|>\n"
                + "<|im_start|>assistant\n  Hi! How can I help?  <|im_end|>\n", ChatTemplate.CHATML.format(three, false));
        assertEquals("<|start_header_id|>system<|end_header_id|>\n\nYou are terse.<|eot_id|><|start_header_id|>user<|end_header_id|>\n\n"
                + "Hello there<|eot_id|><|start_header_id|>assistant<|end_header_id|>\n\nHi! How can I help?<|eot_id|>",
                ChatTemplate.LLAMA3.format(three, false));
        assertEquals("[INST] <<SYS>>\nYou are terse.\n<</SYS>>\n\nHello there [/INST]  Hi! How can I help?  </s>",
                ChatTemplate.LLAMA2_SYS.format(three, false));
    }

    @Test
    void theAssistantPromptIsLeftOutOnlyWhereTheFamilyHasOne() {
        List<ChatMessage> oneUser = List.of(ChatMessage.user("Hi"));
        assertEquals("<|im_start|>user\nHi<|im_end|>\n", ChatTemplate.CHATML.format(oneUser, false));
        assertEquals("<|im_start|>user\nHi<|im_end|>\n<|im_start|>assistant\n", ChatTemplate.CHATML.format(oneUser, true));
        // Llama 2 and Mistral v7 prompts end with [/INST] either way
        assertEquals("[INST] Hi [/INST]", ChatTemplate.LLAMA2.format(oneUser, false));
        assertEquals("[INST] Hi [/INST]", ChatTemplate.LLAMA2.format(oneUser, true));
        assertEquals("[INST] Hi[/INST]", ChatTemplate.MISTRAL_V7.format(oneUser, true));
    }

    @Test
    void trimmingRemovesAsciiWhitespaceOnly() {
        assertEquals("a b", ChatTemplate.trim(" \t\n\u000B\f\r a b \r\n"));
        assertEquals("\u00A0x\u00A0", ChatTemplate.trim("\u00A0x\u00A0")); // no-break space is not C isspace
        assertEquals("", ChatTemplate.trim("  \n "));
    }

    /**
     * What the chat's cache reuse relies on: a conversation's prompt up to any message is a prefix of
     * the prompt of the whole conversation (with the assistant opening when the cut ends with a user
     * message). Random conversations: optional system, alternating turns, contents with random spaces.
     */
    @Test
    @ExtendWith(Seeded.class)
    void aConversationsPromptExtendsThePromptOfEachOfItsPrefixes(Random random) {
        for (int c = 0; c < 50; c++) {
            List<ChatMessage> conversation = randomConversation(random);
            for (ChatTemplate t : ChatTemplate.values()) {
                String whole = t.format(conversation, true);
                for (int k = 1; k <= conversation.size(); k++) {
                    List<ChatMessage> cut = conversation.subList(0, k);
                    boolean endsWithUser = cut.get(k - 1).role().equals(ChatMessage.USER);
                    String prefix = t.format(cut, endsWithUser);
                    assertTrue(whole.startsWith(prefix), t.llamaCppName() + " cut at " + k + " of " + conversation
                            + "\nprefix: " + prefix + "\nwhole:  " + whole);
                }
            }
        }
    }

    private static List<ChatMessage> randomConversation(Random r) {
        List<ChatMessage> m = new ArrayList<>();
        if (r.nextBoolean()) {
            m.add(ChatMessage.system(randomText(r)));
        }
        int turns = 1 + r.nextInt(4);
        for (int i = 0; i < turns; i++) {
            m.add(ChatMessage.user(randomText(r)));
            if (i < turns - 1 || r.nextBoolean()) {
                m.add(ChatMessage.assistant(randomText(r)));
            }
        }
        return m;
    }

    private static String randomText(Random r) {
        String alphabet = "abc xyz\n\t.!é";
        StringBuilder s = new StringBuilder();
        int n = 1 + r.nextInt(12);
        for (int i = 0; i < n; i++) {
            s.append(alphabet.charAt(r.nextInt(alphabet.length())));
        }
        return s.toString();
    }

    // ---- detection from template texts, as models ship them ----

    /** ChatML with a default system prompt, as in Qwen2's tokenizer_config.json. */
    static final String QWEN2 = "{% for message in messages %}{% if loop.first and messages[0]['role'] != 'system' %}"
            + "{{ '<|im_start|>system\\nYou are a helpful assistant.<|im_end|>\\n' }}{% endif %}{{'<|im_start|>' + message['role'] + '\\n'"
            + " + message['content'] + '<|im_end|>' + '\\n'}}{% endfor %}{% if add_generation_prompt %}{{ '<|im_start|>assistant\\n' }}{% endif %}";

    /** Meta's Llama 2 chat template: system block folded into the first user turn, every message stripped. */
    static final String LLAMA2_CHAT = "{% if messages[0]['role'] == 'system' %}{% set loop_messages = messages[1:] %}"
            + "{% set system_message = messages[0]['content'] %}{% else %}{% set loop_messages = messages %}{% set system_message = false %}{% endif %}"
            + "{% for message in loop_messages %}{% if (message['role'] == 'user') != (loop.index0 % 2 == 0) %}"
            + "{{ raise_exception('Conversation roles must alternate user/assistant/user/assistant/...') }}{% endif %}"
            + "{% if loop.index0 == 0 and system_message != false %}{% set content = '<<SYS>>\\n' + system_message + '\\n<</SYS>>\\n\\n'"
            + " + message['content'] %}{% else %}{% set content = message['content'] %}{% endif %}{% if message['role'] == 'user' %}"
            + "{{ bos_token + '[INST] ' + content.strip() + ' [/INST]' }}{% elif message['role'] == 'assistant' %}"
            + "{{ ' '  + content.strip() + ' ' + eos_token }}{% endif %}{% endfor %}";

    /** Mistral 7B Instruct v0.1: [INST] without a system block. */
    static final String MISTRAL_INSTRUCT = "{{ bos_token }}{% for message in messages %}{% if (message['role'] == 'user') != (loop.index0 % 2 == 0) %}"
            + "{{ raise_exception('Conversation roles must alternate user/assistant/user/assistant/...') }}{% endif %}"
            + "{% if message['role'] == 'user' %}{{ '[INST] ' + message['content'] + ' [/INST]' }}{% elif message['role'] == 'assistant' %}"
            + "{{ message['content'] + eos_token + ' ' }}{% else %}{{ raise_exception('Only user and assistant roles are supported!') }}{% endif %}{% endfor %}";

    /** A Llama 2 style template with a system block and nothing else distinctive. */
    static final String LLAMA2_WITH_SYS = "{% for message in messages %}{% if message['role'] == 'system' %}{{ '[INST] <<SYS>>\\n'"
            + " + message['content'] + '\\n<</SYS>>\\n\\n' }}{% elif message['role'] == 'user' %}{{ message['content'] + ' [/INST]' }}"
            + "{% else %}{{ message['content'] + eos_token + '[INST] ' }}{% endif %}{% endfor %}";

    /** Meta's Llama 3 Instruct template. */
    static final String LLAMA3_INSTRUCT = "{% set loop_messages = messages %}{% for message in loop_messages %}"
            + "{% set content = '<|start_header_id|>' + message['role'] + '<|end_header_id|>\\n\\n'+ message['content'] | trim + '<|eot_id|>' %}"
            + "{% if loop.index0 == 0 %}{% set content = bos_token + content %}{% endif %}{{ content }}{% endfor %}"
            + "{% if add_generation_prompt %}{{ '<|start_header_id|>assistant<|end_header_id|>\\n\\n' }}{% endif %}";

    /** Phi-3 mini. */
    static final String PHI3_MINI = "{{ bos_token }}{% for message in messages %}{% if (message['role'] == 'user') %}"
            + "{{'<|user|>' + '\\n' + message['content'] + '<|end|>' + '\\n' + '<|assistant|>' + '\\n'}}"
            + "{% elif (message['role'] == 'assistant') %}{{message['content'] + '<|end|>' + '\\n'}}{% endif %}{% endfor %}";

    /** Phi-4: ChatML's markers plus <|im_sep|>, which must not be taken for ChatML. */
    static final String PHI4_TEMPLATE = "{% for message in messages %}{{'<|im_start|>' + message['role'] + '<|im_sep|>' + message['content']"
            + " + '<|im_end|>'}}{% endfor %}{% if add_generation_prompt %}{{ '<|im_start|>assistant<|im_sep|>' }}{% endif %}";

    /** Gemma instruct. */
    static final String GEMMA_IT = "{{ bos_token }}{% if messages[0]['role'] == 'system' %}{{ raise_exception('System role not supported') }}{% endif %}"
            + "{% for message in messages %}{% if (message['role'] == 'assistant') %}{% set role = 'model' %}{% else %}{% set role = message['role'] %}"
            + "{% endif %}{{ '<start_of_turn>' + role + '\\n' + message['content'] | trim + '<end_of_turn>\\n' }}{% endfor %}"
            + "{% if add_generation_prompt %}{{'<start_of_turn>model\\n'}}{% endif %}";

    /** Mistral's v7 template. */
    static final String MISTRAL_V7_TEMPLATE = "{{ bos_token }}{% for message in messages %}{% if message['role'] == 'system' %}"
            + "{{ '[SYSTEM_PROMPT] ' + message['content'] + '[/SYSTEM_PROMPT]' }}{% elif message['role'] == 'user' %}"
            + "{{ '[INST] ' + message['content'] + '[/INST]' }}{% elif message['role'] == 'assistant' %}{{ ' ' + message['content'] + eos_token }}"
            + "{% endif %}{% endfor %}";

    /** Zephyr-style, with its markers written out and the assistant role built from pieces. */
    static final String ZEPHYR_STYLE = "{% for message in messages %}{% if message['role'] == 'user' %}{{ '<|user|>\\n' + message['content']"
            + " + '<|endoftext|>\\n' }}{% else %}{{ '<|' + message['role'] + '|>\\n' + message['content'] + '<|endoftext|>\\n' }}{% endif %}"
            + "{% endfor %}{% if add_generation_prompt %}{{ '<|' + 'assistant' + '|>\\n' }}{% endif %}";

    /** Vicuna: a family llama.cpp knows and Panamax does not format. */
    static final String VICUNA = "{% for message in messages %}{% if message['role'] == 'user' %}{{ 'USER: ' + message['content'] + '\\n' }}"
            + "{% else %}{{ 'ASSISTANT: ' + message['content'] + '</s>\\n' }}{% endif %}{% endfor %}{% if add_generation_prompt %}{{ 'ASSISTANT:' }}{% endif %}";

    @Test
    void realTemplatesAreRecognisedByTheirMarkers() {
        assertEquals(Optional.of(ChatTemplate.CHATML), ChatTemplate.detect(QWEN2));
        assertEquals(Optional.of(ChatTemplate.CHATML), ChatTemplate.detect(ChatModels.CHATML_JINJA));
        assertEquals(Optional.of(ChatTemplate.LLAMA2_SYS_STRIP), ChatTemplate.detect(LLAMA2_CHAT));
        assertEquals(Optional.of(ChatTemplate.LLAMA2), ChatTemplate.detect(MISTRAL_INSTRUCT));
        assertEquals(Optional.of(ChatTemplate.LLAMA2_SYS), ChatTemplate.detect(LLAMA2_WITH_SYS));
        assertEquals(Optional.of(ChatTemplate.LLAMA3), ChatTemplate.detect(LLAMA3_INSTRUCT));
        assertEquals(Optional.of(ChatTemplate.PHI3), ChatTemplate.detect(PHI3_MINI));
        assertEquals(Optional.of(ChatTemplate.PHI4), ChatTemplate.detect(PHI4_TEMPLATE));
        assertEquals(Optional.of(ChatTemplate.GEMMA), ChatTemplate.detect(GEMMA_IT));
        assertEquals(Optional.of(ChatTemplate.MISTRAL_V7), ChatTemplate.detect(MISTRAL_V7_TEMPLATE));
        assertEquals(Optional.of(ChatTemplate.ZEPHYR), ChatTemplate.detect(ZEPHYR_STYLE));
    }

    @Test
    void llamaCppNamesSelectATemplateDirectly() {
        for (ChatTemplate t : ChatTemplate.values()) {
            assertEquals(Optional.of(t), ChatTemplate.detect(t.llamaCppName()));
            assertEquals(Optional.of(t), ChatTemplate.named(t.name().toLowerCase()));
        }
        assertEquals(Optional.empty(), ChatTemplate.named("llama-2"));
    }

    @Test
    void aKnownButUnsupportedFamilyIsNamedInTheError() {
        assertEquals(Optional.empty(), ChatTemplate.detect(VICUNA));
        UnsupportedChatTemplateException e = assertThrows(UnsupportedChatTemplateException.class, () -> ChatTemplate.require(VICUNA));
        assertTrue(e.getMessage().contains("vicuna") && e.getMessage().contains("chatml, llama2") && e.getMessage().contains("--template"),
                e.getMessage());
    }

    @Test
    void anUnrecognisedTemplateIsQuotedInTheError() {
        UnsupportedChatTemplateException e = assertThrows(UnsupportedChatTemplateException.class,
                () -> ChatTemplate.require("{% for m in messages %}{{ m.role }}: {{ m.content }}\n{% endfor %}"));
        assertTrue(e.getMessage().contains("unrecognised") && e.getMessage().contains("{% for m in messages %}")
                && e.getMessage().contains("llama3"), e.getMessage());
    }
}
