package dev.panamax.transformer.tokenizer.hf;

import java.util.regex.Pattern;
import java.util.regex.PatternSyntaxException;

/**
 * Compiles a regular expression written for Oniguruma (the engine of Hugging Face tokenizers) to a
 * {@code java.util.regex.Pattern} with the same meaning on the patterns real tokenizers use.
 *
 * <p>The two dialects share almost all syntax ({@code \p{L}}, {@code (?i:...)}, {@code (?!...)},
 * {@code \x{...}}, class unions and {@code &&}); what differs is rewritten: {@code \s}/{@code \S} become
 * the Unicode White_Space property (so U+0085 is whitespace and U+FEFF is not), {@code \d} decimal digits
 * of any script, {@code \w} Unicode word characters, {@code \h} hex digits, and property names that Java
 * only knows with an {@code Is} prefix (scripts, binary properties) get it. {@code .}, {@code ^} and
 * {@code $} see only {@code \n} as a line end, as in Ruby syntax. Case-insensitive groups fold ASCII only,
 * as transformers.js does (Oniguruma also folds e.g. U+017F to s).
 */
public final class OnigurumaRegex {
    private static final String WORD = "\\p{IsAlphabetic}\\p{M}\\p{Nd}\\p{Pc}";
    private static final String SPACE = "\\p{IsWhite_Space}";
    private static final String HEX = "0-9A-Fa-f";

    private OnigurumaRegex() {
    }

    /**
     * The Java pattern for {@code regex}.
     *
     * @throws PatternSyntaxException if the translated pattern is not valid Java syntax
     */
    public static Pattern compile(String regex) {
        return Pattern.compile(translate(regex), Pattern.MULTILINE | Pattern.UNIX_LINES);
    }

    /** {@code regex} rewritten to Java syntax. */
    static String translate(String regex) {
        StringBuilder out = new StringBuilder(regex.length() + 32);
        int classDepth = 0;
        for (int i = 0; i < regex.length(); i++) {
            char c = regex.charAt(i);
            if (c == '\\' && i + 1 < regex.length()) {
                char e = regex.charAt(++i);
                boolean inClass = classDepth > 0;
                switch (e) {
                    case 's' -> out.append(SPACE);
                    case 'S' -> out.append("\\P{IsWhite_Space}");
                    case 'd' -> out.append("\\p{Nd}");
                    case 'D' -> out.append("\\P{Nd}");
                    case 'w' -> out.append(inClass ? WORD : "[" + WORD + "]");
                    case 'W' -> out.append("[^" + WORD + "]");
                    case 'h' -> out.append(inClass ? HEX : "[" + HEX + "]");
                    case 'H' -> out.append("[^" + HEX + "]");
                    case 'p', 'P' -> {
                        int close = regex.indexOf('}', i);
                        if (i + 1 < regex.length() && regex.charAt(i + 1) == '{' && close > 0) {
                            out.append('\\').append(e).append('{').append(javaProperty(regex.substring(i + 2, close))).append('}');
                            i = close;
                        } else {
                            out.append('\\').append(e);
                        }
                    }
                    default -> out.append('\\').append(e);
                }
                continue;
            }
            if (c == '[') {
                classDepth++;
            } else if (c == ']' && classDepth > 0) {
                classDepth--;
            }
            out.append(c);
        }
        return out.toString();
    }

    /** A property name as Java spells it: general categories as they are, others with {@code Is}. */
    private static String javaProperty(String name) {
        String negated = name.startsWith("^") ? "^" : "";
        String bare = negated.isEmpty() ? name : name.substring(1);
        if (!negated.isEmpty()) {
            throw new PatternSyntaxException("negated property \\p{^...} is not supported", name, 0);
        }
        try {
            Pattern.compile("\\p{" + bare + "}");
            return bare;
        } catch (PatternSyntaxException e) {
            return "Is" + bare;
        }
    }
}
