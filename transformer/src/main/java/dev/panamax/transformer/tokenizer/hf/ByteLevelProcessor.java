package dev.panamax.transformer.tokenizer.hf;

/** {@code ByteLevel} post-processing: only trims offsets, which Panamax does not compute; ids pass unchanged. */
public record ByteLevelProcessor() implements PostProcessor {
    @Override
    public int[] process(int[] ids, boolean addSpecial) {
        return ids;
    }
}
