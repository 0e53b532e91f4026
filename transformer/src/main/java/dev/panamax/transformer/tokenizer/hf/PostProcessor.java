package dev.panamax.transformer.tokenizer.hf;

/** A {@code tokenizer.json} post-processor: adds special tokens (BOS, EOS) around the encoded ids. */
public sealed interface PostProcessor permits TemplateProcessing, ByteLevelProcessor, SequenceProcessor {

    /** The ids of a single sequence after processing; special tokens only when {@code addSpecial}. */
    int[] process(int[] ids, boolean addSpecial);

    /** The post-processor that {@code node} describes, for a vocabulary of {@code size} ids. */
    static PostProcessor read(JsonNode node, int size) {
        return switch (node.type()) {
            case "TemplateProcessing" -> TemplateProcessing.read(node, size);
            case "ByteLevel" -> new ByteLevelProcessor();
            case "Sequence" -> new SequenceProcessor(node.get("processors").elements().stream().map(p -> read(p, size)).toList());
            default -> throw node.get("type").fail("unsupported post-processor (supported: TemplateProcessing, ByteLevel, Sequence)");
        };
    }
}
