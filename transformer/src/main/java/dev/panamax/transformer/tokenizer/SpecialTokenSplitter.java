package dev.panamax.transformer.tokenizer;

import java.util.ArrayList;
import java.util.List;

/**
 * Finds special tokens written out in text before the model's own tokenization, as llama.cpp's
 * {@code tokenizer_st_partition}: for each special token, longest text first, every occurrence in
 * every remaining stretch of text becomes that token. User-defined tokens are always matched;
 * control and unknown tokens only when {@code parseSpecial} is set.
 */
final class SpecialTokenSplitter {
    private SpecialTokenSplitter() {
    }

    static List<Fragment> split(Vocabulary vocab, String text, boolean parseSpecial) {
        List<Fragment> fragments = new ArrayList<>();
        if (text.isEmpty()) {
            return fragments;
        }
        fragments.add(Fragment.text(0, text.length()));
        for (int id : vocab.specialsLongestFirst()) {
            TokenType type = vocab.type(id);
            if (!parseSpecial && type != TokenType.USER_DEFINED) {
                continue;
            }
            String special = vocab.text(id);
            List<Fragment> next = new ArrayList<>(fragments.size() + 2);
            for (Fragment f : fragments) {
                if (f.isToken()) {
                    next.add(f);
                } else {
                    splitFragment(vocab, text, f.start(), f.end(), id, special, next);
                }
            }
            fragments = next;
        }
        return fragments;
    }

    private static void splitFragment(Vocabulary vocab, String text, int start, int end, int id, String special,
            List<Fragment> out) {
        while (start < end) {
            int match = indexOf(text, special, start, end);
            if (match < 0) {
                out.add(Fragment.text(start, end));
                return;
            }
            int left = match;
            if (vocab.stripsLeft(id)) {
                while (left > start && isSpace(text.charAt(left - 1))) {
                    left--;
                }
            }
            if (left > start) {
                out.add(Fragment.text(start, left));
            }
            out.add(Fragment.token(id));
            start = match + special.length();
            if (vocab.stripsRight(id)) {
                while (start < end && isSpace(text.charAt(start))) {
                    start++;
                }
            }
        }
    }

    /** The first occurrence of {@code needle} entirely inside {@code text[from, to)}, or -1. */
    private static int indexOf(String text, String needle, int from, int to) {
        int i = text.indexOf(needle, from);
        return i >= 0 && i + needle.length() <= to ? i : -1;
    }

    /** C's {@code isspace} in the "C" locale, which llama.cpp uses for stripping. */
    private static boolean isSpace(char c) {
        return c == ' ' || (c >= '\t' && c <= '\r');
    }
}
