package dev.panamax.transformer.tokenizer.hf;

import dev.panamax.transformer.tokenizer.ByteLevel;
import java.io.ByteArrayOutputStream;
import java.nio.charset.StandardCharsets;
import java.util.List;

/**
 * {@code ByteLevel}: GPT-2's byte characters back to bytes, then UTF-8 (invalid bytes as U+FFFD). A
 * piece with a character outside the byte alphabet (an added token such as {@code <｜User｜>})
 * contributes its own UTF-8.
 */
public record ByteLevelDecoder() implements Decoder {
    @Override
    public List<String> decodeChain(List<String> pieces) {
        ByteArrayOutputStream bytes = new ByteArrayOutputStream();
        for (String p : pieces) {
            bytes.writeBytes(bytesOf(p));
        }
        return List.of(bytes.toString(StandardCharsets.UTF_8));
    }

    /** The bytes piece {@code p} stands for. */
    static byte[] bytesOf(String p) {
        for (int i = 0; i < p.length(); i++) {
            if (ByteLevel.byteOf(p.charAt(i)) < 0) {
                return p.getBytes(StandardCharsets.UTF_8);
            }
        }
        return ByteLevel.decode(p);
    }
}
