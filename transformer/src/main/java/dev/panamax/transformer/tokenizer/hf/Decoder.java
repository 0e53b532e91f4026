package dev.panamax.transformer.tokenizer.hf;

import java.util.List;

/**
 * A {@code tokenizer.json} decoder: turns the token texts of a sequence back into text. Each decoder
 * maps the list of pieces to a new list ({@code decode_chain}); the result is their concatenation.
 */
public sealed interface Decoder permits ByteLevelDecoder, MetaspaceDecoder, ByteFallbackDecoder, FuseDecoder,
        StripDecoder, ReplaceDecoder, SequenceDecoder, WordPieceDecoder {

    /** The pieces after this decoder, from the pieces before it. */
    List<String> decodeChain(List<String> pieces);

    /** The decoder that {@code node} describes. */
    static Decoder read(JsonNode node) {
        return switch (node.type()) {
            case "ByteLevel" -> new ByteLevelDecoder();
            case "Metaspace" -> new MetaspaceDecoder(node.string("replacement", "\u2581"),
                    MetaspacePreTokenizer.read(node).prependScheme() != MetaspacePreTokenizer.PrependScheme.NEVER);
            case "ByteFallback" -> new ByteFallbackDecoder();
            case "Fuse" -> new FuseDecoder();
            case "Strip" -> StripDecoder.read(node);
            case "Replace" -> new ReplaceDecoder(TextPattern.read(node.get("pattern")), node.get("content").string());
            case "Sequence" -> new SequenceDecoder(node.get("decoders").elements().stream().map(Decoder::read).toList());
            case "WordPiece" -> new WordPieceDecoder(node.string("prefix", "##"), node.bool("cleanup", true));
            default -> throw node.get("type").fail("unsupported decoder (supported: ByteLevel, Metaspace, ByteFallback, "
                    + "Fuse, Strip, Replace, Sequence, WordPiece)");
        };
    }
}
