package dev.panamax.transformer.tokenizer.hf;

import java.util.ArrayList;
import java.util.List;

/** {@code Strip}: up to {@code start} leading and {@code stop} trailing {@code content} characters off each piece. */
public record StripDecoder(String content, int start, int stop) implements Decoder {

    static StripDecoder read(JsonNode node) {
        String content = node.get("content").string();
        if (content.codePointCount(0, content.length()) != 1) {
            throw node.get("content").fail("expected one character");
        }
        return new StripDecoder(content, node.get("start").intValue(0, Integer.MAX_VALUE),
                node.get("stop").intValue(0, Integer.MAX_VALUE));
    }

    @Override
    public List<String> decodeChain(List<String> pieces) {
        List<String> out = new ArrayList<>(pieces.size());
        for (String p : pieces) {
            int from = 0;
            for (int i = 0; i < start && p.startsWith(content, from); i++) {
                from += content.length();
            }
            int to = p.length();
            for (int i = 0; i < stop && to - content.length() >= from && p.startsWith(content, to - content.length()); i++) {
                to -= content.length();
            }
            out.add(p.substring(from, to));
        }
        return out;
    }
}
