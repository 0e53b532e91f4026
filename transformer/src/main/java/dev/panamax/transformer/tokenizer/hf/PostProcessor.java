package dev.panamax.transformer.tokenizer.hf;

/** A {@code tokenizer.json} post-processor: adds special tokens (BOS, EOS) around the encoded ids. */
public sealed interface PostProcessor permits TemplateProcessing, ByteLevelProcessor, SequenceProcessor {

    /** The ids of a single sequence after processing; special tokens only when {@code addSpecial}. */
    int[] process(int[] ids, boolean addSpecial);

    /** The post-processor that {@code node} describes. */
    static PostProcessor read(JsonNode node) {
        return switch (node.type()) {
            case "TemplateProcessing" -> TemplateProcessing.read(node);
            case "ByteLevel" -> new ByteLevelProcessor();
            case "Sequence" -> new SequenceProcessor(node.get("processors").elements().stream().map(PostProcessor::read).toList());
            default -> throw node.get("type").fail("unsupported post-processor (supported: TemplateProcessing, ByteLevel, Sequence)");
        };
    }
}
