package dev.panamax.transformer.tokenizer;

import static dev.panamax.transformer.tokenizer.CodepointClass.isLetter;
import static dev.panamax.transformer.tokenizer.CodepointClass.isNumber;
import static dev.panamax.transformer.tokenizer.CodepointClass.isWhitespace;

/**
 * Llama 3's split {@code (?i:'s|'t|'re|'ve|'m|'ll|'d)|[^\r\n\p{L}\p{N}]?\p{L}+|\p{N}{1,3}|
 * ?[^\s\p{L}\p{N}]+[\r\n]*|\s*[\r\n]+|\s+(?!\S)|\s+} written out by hand, as llama.cpp does.
 */
final class Llama3Split extends HandWrittenSplit {
    static final Llama3Split INSTANCE = new Llama3Split();

    private Llama3Split() {
    }

    @Override
    int emit(int[] cps, int pos, int end, IntList out) {
        int cp = cps[pos];
        int contraction = Contractions.length(cps, pos, end, true);
        if (contraction > 0) {
            out.add(contraction);
            return pos + contraction;
        }
        // [^\r\n\p{L}\p{N}]?\p{L}+
        if (cp != '\r' && cp != '\n' && !isNumber(cp) && (isLetter(cp) || (pos + 1 < end && isLetter(cps[pos + 1])))) {
            int next = Gpt2Split.run(cps, pos + 1, end, Gpt2Split.Kind.LETTER);
            out.add(next - pos);
            return next;
        }
        // \p{N}{1,3}: digits in groups of three from the left
        if (isNumber(cp)) {
            int next = Gpt2Split.run(cps, pos, end, Gpt2Split.Kind.NUMBER);
            for (int p = pos; p < next; p += 3) {
                out.add(Math.min(3, next - p));
            }
            return next;
        }
        // ' ?[^\s\p{L}\p{N}]+[\r\n]*' (a lone trailing space also lands here, as in llama.cpp)
        int body = cp == ' ' ? pos + 1 : pos;
        if (body >= end || (!isWhitespace(cps[body]) && !isLetter(cps[body]) && !isNumber(cps[body]))) {
            int next = Gpt2Split.run(cps, body, end, Gpt2Split.Kind.OTHER);
            while (next < end && (cps[next] == '\r' || cps[next] == '\n')) {
                next++;
            }
            out.add(next - pos);
            return next;
        }
        int spaces = 0;
        int afterLastNewline = -1;
        while (pos + spaces < end && isWhitespace(cps[pos + spaces])) {
            int c = cps[pos + spaces];
            spaces++;
            if (c == '\r' || c == '\n') {
                afterLastNewline = pos + spaces;
            }
        }
        int next;
        if (afterLastNewline > 0) {
            next = afterLastNewline; // \s*[\r\n]+
        } else if (spaces > 1 && pos + spaces < end) {
            next = pos + spaces - 1; // \s+(?!\S)
        } else if (spaces > 0) {
            next = pos + spaces; // \s+
        } else {
            next = pos + 1;
        }
        out.add(next - pos);
        return next;
    }
}
