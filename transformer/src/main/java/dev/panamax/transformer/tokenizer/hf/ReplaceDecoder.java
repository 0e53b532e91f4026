package dev.panamax.transformer.tokenizer.hf;

import java.util.List;

/** {@code Replace}: every match of {@code pattern} in each piece becomes {@code content} (e.g. {@code ▁} to a space). */
public record ReplaceDecoder(TextPattern pattern, String content) implements Decoder {
    @Override
    public List<String> decodeChain(List<String> pieces) {
        return pieces.stream().map(p -> pattern.replaceAll(p, content)).toList();
    }
}
