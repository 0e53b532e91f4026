package dev.panamax.transformer.chat;

/**
 * Names the family of a Jinja chat template from distinctive substrings, in the order llama.cpp's
 * {@code llm_chat_detect_template} tests them, so that a template detected here is the one llama.cpp
 * would pick. Families Panamax does not format are still named (to say what was found, and so that
 * e.g. a Phi-4 template, which also contains {@code <|im_start|>}, is not taken for ChatML).
 */
final class TemplateFamily {
    private TemplateFamily() {
    }

    /** llama.cpp's name for the family of {@code t} (e.g. {@code "chatml"}), or null if none matches. */
    static String of(String t) {
        if (has(t, "<|im_start|>")) {
            return has(t, "<|im_sep|>") ? "phi4" : has(t, "<end_of_utterance>") ? "smolvlm" : "chatml";
        }
        if (t.startsWith("mistral") || has(t, "[INST]")) {
            return mistralOrLlama2(t);
        }
        if (has(t, "<|assistant|>") && has(t, "<|end|>")) {
            return "phi3";
        }
        if (has(t, "[gMASK]<sop>")) {
            return "chatglm4";
        }
        if (has(t, "<|assistant|>") && has(t, "<|user|>")) {
            return has(t, "</s>") ? "falcon3" : "glmedge";
        }
        if (has(t, "<|{{ item['role'] }}|>") && has(t, "<|begin_of_image|>")) {
            return "glmedge";
        }
        if (has(t, "<|user|>") && has(t, "<|endoftext|>")) {
            return "zephyr";
        }
        if (has(t, "bos_token + message['role']")) {
            return "monarch";
        }
        if (has(t, "<start_of_turn>")) {
            return "gemma";
        }
        if (has(t, "'\\n\\nAssistant: ' + eos_token")) {
            return "orion";
        }
        if (has(t, "GPT4 Correct ")) {
            return "openchat";
        }
        if (has(t, "USER: ") && has(t, "ASSISTANT: ")) {
            return has(t, "SYSTEM: ") ? "vicuna-orca" : "vicuna";
        }
        if (has(t, "### Instruction:") && has(t, "<|EOT|>")) {
            return "deepseek";
        }
        if (has(t, "<|START_OF_TURN_TOKEN|>") && has(t, "<|USER_TOKEN|>")) {
            return "command-r";
        }
        if (has(t, "<|start_header_id|>") && has(t, "<|end_header_id|>")) {
            return "llama3";
        }
        if (has(t, "[gMASK]sop")) {
            return "chatglm3";
        }
        if (has(t, "<用户>")) {
            return "minicpm";
        }
        if (has(t, "'Assistant: ' + message['content'] + eos_token")) {
            return "deepseek2";
        }
        if (has(t, "<｜Assistant｜>") && has(t, "<｜User｜>") && has(t, "<｜end▁of▁sentence｜>")) {
            return "deepseek3";
        }
        if (has(t, "[|system|]") && has(t, "[|assistant|]") && has(t, "[|endofturn|]")) {
            return has(t, "[|tool|]") ? "exaone4" : "exaone3";
        }
        if (has(t, "<|start_of_role|>")) {
            return "granite";
        }
        if (has(t, "<|header_start|>") && has(t, "<|header_end|>")) {
            return "llama4";
        }
        return null;
    }

    /** Templates with {@code [INST]}: Mistral's official ones, else Llama 2 and its variants. */
    private static String mistralOrLlama2(String t) {
        if (has(t, "[SYSTEM_PROMPT]")) {
            return "mistral-v7";
        }
        if (has(t, "' [INST] ' + system_message") || has(t, "[AVAILABLE_TOOLS]")) {
            if (has(t, " [INST]")) {
                return "mistral-v1";
            }
            return has(t, "\"[INST]\"") ? "mistral-v3-tekken" : "mistral-v3";
        }
        if (has(t, "content.strip()")) {
            return "llama2-sys-strip";
        }
        if (has(t, "bos_token + '[INST]")) {
            return "llama2-sys-bos";
        }
        return has(t, "<<SYS>>") ? "llama2-sys" : "llama2";
    }

    private static boolean has(String template, String marker) {
        return template.contains(marker);
    }
}
