package dev.panamax.transformer.tokenizer.hf;

import java.util.List;

/** {@code Sequence}: the decoders applied in order, each to the pieces the one before produced. */
public record SequenceDecoder(List<Decoder> decoders) implements Decoder {
    public SequenceDecoder {
        decoders = List.copyOf(decoders);
    }

    @Override
    public List<String> decodeChain(List<String> pieces) {
        for (Decoder d : decoders) {
            pieces = d.decodeChain(pieces);
        }
        return pieces;
    }
}
