package dev.panamax.transformer.tokenizer;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

/**
 * Test helper: reads the metadata of a small GGUF file (the vocab-only test files) into a map, so
 * the tokenizer tests can run before the project's GGUF reader is merged.
 */
final class GgufVocabFiles {
    private GgufVocabFiles() {
    }

    static Tokenizer tokenizer(Path gguf) throws IOException {
        Map<String, Object> metadata = metadata(gguf);
        return Tokenizer.create(GgufTokenizerConfig.from(metadata::get, gguf.toString()));
    }

    static Map<String, Object> metadata(Path gguf) throws IOException {
        ByteBuffer b = ByteBuffer.wrap(Files.readAllBytes(gguf)).order(ByteOrder.LITTLE_ENDIAN);
        if (b.getInt() != 0x46554747) {
            throw new IOException(gguf + ": not a GGUF file");
        }
        b.getInt(); // version
        b.getLong(); // tensor count
        long kvCount = b.getLong();
        Map<String, Object> out = new HashMap<>();
        for (long i = 0; i < kvCount; i++) {
            String key = string(b);
            out.put(key, value(b, b.getInt()));
        }
        return out;
    }

    private static String string(ByteBuffer b) {
        byte[] bytes = new byte[Math.toIntExact(b.getLong())];
        b.get(bytes);
        return new String(bytes, StandardCharsets.UTF_8);
    }

    private static Object value(ByteBuffer b, int type) {
        return switch (type) {
            case 0 -> (long) (b.get() & 0xFF);
            case 1 -> (long) b.get();
            case 2 -> (long) (b.getShort() & 0xFFFF);
            case 3 -> (long) b.getShort();
            case 4 -> b.getInt() & 0xFFFFFFFFL;
            case 5 -> (long) b.getInt();
            case 6 -> b.getFloat();
            case 7 -> b.get() != 0;
            case 8 -> string(b);
            case 9 -> {
                int elementType = b.getInt();
                int n = Math.toIntExact(b.getLong());
                List<Object> list = new ArrayList<>(n);
                for (int i = 0; i < n; i++) {
                    list.add(value(b, elementType));
                }
                yield list;
            }
            case 10, 11 -> b.getLong();
            case 12 -> b.getDouble();
            default -> throw new IllegalArgumentException("GGUF value type " + type);
        };
    }
}
