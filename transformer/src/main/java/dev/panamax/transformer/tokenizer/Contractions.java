package dev.panamax.transformer.tokenizer;

/** The English contractions {@code 's 't 're 've 'm 'll 'd} that GPT-style splits keep together. */
final class Contractions {
    private Contractions() {
    }

    /**
     * The length (2 or 3) of the contraction at {@code pos}, or 0 if there is none. With
     * {@code ignoreCase} the letters may be upper case, as in Llama 3's {@code (?i:...)}.
     */
    static int length(int[] cps, int pos, int end, boolean ignoreCase) {
        if (cps[pos] != '\'' || pos + 1 >= end) {
            return 0;
        }
        int a = fold(cps[pos + 1], ignoreCase);
        if (a == 's' || a == 't' || a == 'm' || a == 'd') {
            return 2;
        }
        if (pos + 2 < end) {
            int b = fold(cps[pos + 2], ignoreCase);
            if ((a == 'r' && b == 'e') || (a == 'v' && b == 'e') || (a == 'l' && b == 'l')) {
                return 3;
            }
        }
        return 0;
    }

    private static int fold(int cp, boolean ignoreCase) {
        return ignoreCase ? Character.toLowerCase(cp) : cp;
    }
}
