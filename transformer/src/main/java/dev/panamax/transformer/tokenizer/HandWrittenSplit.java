package dev.panamax.transformer.tokenizer;

/**
 * A split regex written out by hand, as llama.cpp writes its common ones: {@link #apply} walks each
 * chunk from its start, and {@link #emit} matches the regex's next token(s) at one position.
 */
abstract class HandWrittenSplit implements SplitRule {

    @Override
    public final IntList apply(SplitText text, IntList chunks) {
        int[] cps = text.cps;
        IntList out = new IntList(chunks.size() * 4);
        int start = 0;
        for (int c = 0; c < chunks.size(); c++) {
            int end = start + chunks.get(c);
            int pos = start;
            while (pos < end) {
                pos = emit(cps, pos, end, out);
            }
            start = end;
        }
        return out;
    }

    /**
     * Adds the length of the token(s) that start at {@code pos} (within the chunk ending at
     * {@code end}) to {@code out}; returns where the next token starts, always after {@code pos}.
     */
    abstract int emit(int[] cps, int pos, int end, IntList out);
}
