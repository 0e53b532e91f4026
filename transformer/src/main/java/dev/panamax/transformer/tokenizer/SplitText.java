package dev.panamax.transformer.tokenizer;

/**
 * The text a pre-tokenizer splits, as code points, with the two views llama.cpp's regex fallback
 * matches against, built on first use: {@link #collapsed()} (one category character per code point)
 * and {@link #wide()} (the code points themselves, non-ASCII whitespace as vertical tab).
 */
final class SplitText {
    final int[] cps;
    private String collapsed;
    private String wide;
    private int[] wideIndex;

    SplitText(int[] cps) {
        this.cps = cps;
    }

    int length() {
        return cps.length;
    }

    /** One character per code point: see {@link CodepointClass#collapse(int)}. */
    String collapsed() {
        if (collapsed == null) {
            char[] chars = new char[cps.length];
            for (int i = 0; i < cps.length; i++) {
                chars[i] = CodepointClass.collapse(cps[i]);
            }
            collapsed = new String(chars);
        }
        return collapsed;
    }

    /** The code points with non-ASCII whitespace replaced by U+000B (llama.cpp's wregex input). */
    String wide() {
        if (wide == null) {
            StringBuilder sb = new StringBuilder(cps.length);
            wideIndex = new int[cps.length + 1];
            for (int i = 0; i < cps.length; i++) {
                wideIndex[i] = sb.length();
                int cp = cps[i];
                sb.appendCodePoint(cp > 0x7F && CodepointClass.isWhitespace(cp) ? 0x0B : cp);
            }
            wideIndex[cps.length] = sb.length();
            wide = sb.toString();
        }
        return wide;
    }

    /** The char index in {@link #wide()} of code point {@code cpIndex}. */
    int wideIndex(int cpIndex) {
        wide();
        return wideIndex[cpIndex];
    }

    /** The code point index of char index {@code charIndex} of {@link #wide()} (a code point boundary). */
    int cpIndexOfWide(int charIndex) {
        wide();
        int i = java.util.Arrays.binarySearch(wideIndex, charIndex);
        if (i < 0) {
            throw new IllegalStateException("char index " + charIndex + " is inside a code point");
        }
        // wideIndex is strictly increasing, so the hit is unique
        return i;
    }
}
