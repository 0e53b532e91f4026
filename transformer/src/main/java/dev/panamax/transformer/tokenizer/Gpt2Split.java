package dev.panamax.transformer.tokenizer;

import static dev.panamax.transformer.tokenizer.CodepointClass.isLetter;
import static dev.panamax.transformer.tokenizer.CodepointClass.isNumber;
import static dev.panamax.transformer.tokenizer.CodepointClass.isWhitespace;

/**
 * GPT-2's split {@code 's|'t|'re|'ve|'m|'ll|'d| ?\p{L}+| ?\p{N}+| ?[^\s\p{L}\p{N}]+|\s+(?!\S)|\s+}
 * written out by hand, as llama.cpp does, so that it classifies code points exactly like llama.cpp
 * ({@code \s} is White_Space; a code point no branch takes becomes a chunk of its own).
 */
final class Gpt2Split extends HandWrittenSplit {
    static final Gpt2Split INSTANCE = new Gpt2Split();

    private Gpt2Split() {
    }

    @Override
    int emit(int[] cps, int pos, int end, IntList out) {
        int next = matchEnd(cps, pos, end);
        out.add(next - pos);
        return next;
    }

    /** Where the token that starts at {@code pos} ends (exclusive). */
    private static int matchEnd(int[] cps, int pos, int end) {
        int cp = cps[pos];
        int contraction = Contractions.length(cps, pos, end, false);
        if (contraction > 0) {
            return pos + contraction;
        }
        // an optional leading space belongs to the letters, digits or symbols that follow it
        int body = cp == ' ' ? pos + 1 : pos;
        if (body < end) {
            int b = cps[body];
            if (isLetter(b)) {
                return run(cps, body, end, Kind.LETTER);
            }
            if (isNumber(b)) {
                return run(cps, body, end, Kind.NUMBER);
            }
            if (!isWhitespace(b)) {
                return run(cps, body, end, Kind.OTHER);
            }
        }
        int spaces = 0;
        while (pos + spaces < end && isWhitespace(cps[pos + spaces])) {
            spaces++;
        }
        if (spaces > 1 && pos + spaces < end) {
            return pos + spaces - 1; // \s+(?!\S): leave the last space to the word after it
        }
        if (spaces > 0) {
            return pos + spaces;
        }
        return pos + 1;
    }

    enum Kind { LETTER, NUMBER, OTHER }

    /** The end of the run of {@code kind} code points starting at {@code pos}. */
    static int run(int[] cps, int pos, int end, Kind kind) {
        while (pos < end && is(kind, cps[pos])) {
            pos++;
        }
        return pos;
    }

    private static boolean is(Kind kind, int cp) {
        return switch (kind) {
            case LETTER -> isLetter(cp);
            case NUMBER -> isNumber(cp);
            case OTHER -> !isWhitespace(cp) && !isLetter(cp) && !isNumber(cp);
        };
    }
}
