package dev.panamax.transformer.chat;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.panamax.formats.FormatException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Optional;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class ModelChatTemplateTest {
    @TempDir
    Path dir;

    @Test
    void aStringFieldOfTheTokenizerConfigIsTheTemplate() throws Exception {
        Files.writeString(dir.resolve("tokenizer_config.json"), "{\"bos_token\": \"<s>\", \"added_tokens_decoder\": {\"0\": {\"content\": \"x\"}},"
                + " \"chat_template\": \"{% for m in messages %}<|im_start|>{{ m.role }}\\n{% endfor %}\", \"eos_token\": \"</s>\"}");
        Optional<String> t = ModelChatTemplate.ofHuggingFace(dir);
        assertEquals(Optional.of("{% for m in messages %}<|im_start|>{{ m.role }}\n{% endfor %}"), t);
        assertEquals(ChatTemplate.CHATML, ChatTemplate.require(t.get()));
    }

    @Test
    void ofNamedTemplatesTheDefaultOneIsUsed() throws Exception {
        Files.writeString(dir.resolve("tokenizer_config.json"), "{\"chat_template\": [{\"name\": \"tool_use\", \"template\": \"tools\"},"
                + " {\"name\": \"default\", \"template\": \"<|start_header_id|><|end_header_id|>\"}]}");
        assertEquals(Optional.of("<|start_header_id|><|end_header_id|>"), ModelChatTemplate.ofHuggingFace(dir));
    }

    @Test
    void aChatTemplateJinjaFileComesFirst() throws Exception {
        Files.writeString(dir.resolve("tokenizer_config.json"), "{\"chat_template\": \"from the config\"}");
        Files.writeString(dir.resolve("chat_template.jinja"), "from the file");
        assertEquals(Optional.of("from the file"), ModelChatTemplate.ofHuggingFace(dir));
    }

    @Test
    void noTemplateIsEmpty() throws Exception {
        assertEquals(Optional.empty(), ModelChatTemplate.ofHuggingFace(dir));
        Files.writeString(dir.resolve("tokenizer_config.json"), "{\"bos_token\": \"<s>\", \"chat_template\": null}");
        assertEquals(Optional.empty(), ModelChatTemplate.ofHuggingFace(dir));
    }

    @Test
    void aTemplateOfTheWrongTypeNamesTheFileAndField() throws Exception {
        Files.writeString(dir.resolve("tokenizer_config.json"), "{\"chat_template\": 42}");
        FormatException e = assertThrows(FormatException.class, () -> ModelChatTemplate.ofHuggingFace(dir));
        assertTrue(e.getMessage().contains("tokenizer_config.json") && e.getMessage().contains("chat_template"), e.getMessage());
    }
}
