package dev.panamax.transformer.tokenizer.hf;

import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;

/**
 * What one token contributes when tokens are decoded one at a time (generation): the decoder chain
 * applied to a token in the middle of a text. Steps that only act on the whole text's start (a
 * {@code Strip} after {@code Fuse}, Metaspace's first-space rule) are left to the caller through
 * {@link #stripsFirstSpace(Decoder)}.
 */
public final class TokenPieces {
    private TokenPieces() {
    }

    /** The bytes of normal token text {@code text} under {@code decoder} (null: the text itself). */
    public static byte[] bytes(Decoder decoder, String text) {
        List<Decoder> steps = flatten(decoder);
        if (steps.stream().anyMatch(d -> d instanceof ByteLevelDecoder)) {
            return ByteLevelDecoder.bytesOf(text);
        }
        boolean fused = false;
        for (Decoder d : steps) {
            switch (d) {
                case FuseDecoder f -> fused = true;
                case StripDecoder s -> {
                    if (!fused) {
                        text = s.decodeChain(List.of(text)).getFirst();
                    }
                }
                case ReplaceDecoder r -> text = r.decodeChain(List.of(text)).getFirst();
                case MetaspaceDecoder m -> text = text.replace(m.replacement(), " ");
                case WordPieceDecoder w -> text = text.startsWith(w.prefix()) ? text.substring(w.prefix().length()) : " " + text;
                default -> {
                }
            }
        }
        return text.getBytes(StandardCharsets.UTF_8);
    }

    /** Whether decoding drops one leading space from the text's first token. */
    public static boolean stripsFirstSpace(Decoder decoder) {
        boolean fused = false;
        for (Decoder d : flatten(decoder)) {
            switch (d) {
                case FuseDecoder f -> fused = true;
                case StripDecoder s -> {
                    if (fused && s.content().equals(" ") && s.start() > 0) {
                        return true;
                    }
                }
                case MetaspaceDecoder m -> {
                    if (m.stripFirstSpace()) {
                        return true;
                    }
                }
                case WordPieceDecoder w -> {
                    return true;
                }
                default -> {
                }
            }
        }
        return false;
    }

    private static List<Decoder> flatten(Decoder decoder) {
        List<Decoder> out = new ArrayList<>();
        if (decoder instanceof SequenceDecoder s) {
            s.decoders().forEach(d -> out.addAll(flatten(d)));
        } else if (decoder != null) {
            out.add(decoder);
        }
        return out;
    }
}
