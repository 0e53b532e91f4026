package dev.panamax.transformer.tokenizer.hf;

import java.util.List;

/** {@code Fuse}: all pieces joined into one, so that later steps see the whole text. */
public record FuseDecoder() implements Decoder {
    @Override
    public List<String> decodeChain(List<String> pieces) {
        return List.of(String.join("", pieces));
    }
}
