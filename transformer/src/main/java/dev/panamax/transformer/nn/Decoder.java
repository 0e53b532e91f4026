package dev.panamax.transformer.nn;

import java.util.List;

/**
 * A decoder-only language model put together from layers: embedding, blocks, output head. Every
 * family builds one; {@link dev.panamax.transformer.Transformer} runs it.
 */
public record Decoder(Embedding embedding, List<Block> blocks, OutputHead head) {
    public Decoder {
        blocks = List.copyOf(blocks);
    }
}
