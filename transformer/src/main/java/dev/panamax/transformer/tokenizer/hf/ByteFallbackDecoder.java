package dev.panamax.transformer.tokenizer.hf;

import java.nio.ByteBuffer;
import java.nio.charset.CharacterCodingException;
import java.nio.charset.CodingErrorAction;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;

/**
 * {@code ByteFallback}: runs of byte pieces {@code <0xXX>} become the text their bytes spell; a run
 * that is not valid UTF-8 becomes one U+FFFD per byte, as in Hugging Face tokenizers.
 */
public record ByteFallbackDecoder() implements Decoder {
    @Override
    public List<String> decodeChain(List<String> pieces) {
        List<String> out = new ArrayList<>(pieces.size());
        ByteBuffer run = ByteBuffer.allocate(pieces.size());
        for (String p : pieces) {
            int b = byteOf(p);
            if (b >= 0) {
                run.put((byte) b);
                continue;
            }
            flush(run, out);
            out.add(p);
        }
        flush(run, out);
        return out;
    }

    private static void flush(ByteBuffer run, List<String> out) {
        if (run.position() == 0) {
            return;
        }
        run.flip();
        int n = run.remaining();
        try {
            out.add(StandardCharsets.UTF_8.newDecoder().onMalformedInput(CodingErrorAction.REPORT)
                    .onUnmappableCharacter(CodingErrorAction.REPORT).decode(run).toString());
        } catch (CharacterCodingException e) {
            out.add("\uFFFD".repeat(n));
        }
        run.clear();
    }

    /** The byte of a piece written {@code <0xXX>} (two hex digits), or -1. */
    public static int byteOf(String p) {
        if (p.length() != 6 || !p.startsWith("<0x") || p.charAt(5) != '>') {
            return -1;
        }
        int hi = Character.digit(p.charAt(3), 16);
        int lo = Character.digit(p.charAt(4), 16);
        return hi < 0 || lo < 0 ? -1 : hi * 16 + lo;
    }
}
