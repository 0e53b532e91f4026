package dev.panamax.transformer.chat.jinja;

import java.math.BigDecimal;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.function.Function;

/**
 * The template's values and their Python-like rules. A value is a {@link String}, {@link Long},
 * {@link Double}, {@link Boolean}, null ({@code none}), {@link Undefined}, a {@link List}, a
 * {@link Map} (insertion-ordered, keys strings or numbers), a {@link Namespace} or a {@link JinjaFunction}.
 * They print as in Python Jinja (Hugging Face's renderer), and {@code tojson} writes Python's
 * {@code json.dumps} format.
 */
final class Values {
    private Values() {
    }

    /**
     * A value of the caller's context as a template value: ints become longs, floats doubles,
     * collections are copied, and a {@link Function} becomes a function of one argument.
     */
    static Object of(Object o) {
        return switch (o) {
            case null -> null;
            case String s -> s;
            case Boolean b -> b;
            case Long l -> l;
            case Integer i -> (long) i;
            case Short s -> (long) s;
            case Byte b -> (long) b;
            case Double d -> d;
            case Float f -> (double) f;
            case Number n -> n.doubleValue();
            case Character c -> String.valueOf(c);
            case CharSequence cs -> cs.toString();
            case Map<?, ?> m -> {
                Map<String, Object> copy = new LinkedHashMap<>();
                m.forEach((k, v) -> copy.put(String.valueOf(k), of(v)));
                yield copy;
            }
            case Iterable<?> it -> {
                List<Object> copy = new ArrayList<>();
                it.forEach(v -> copy.add(of(v)));
                yield copy;
            }
            case Object[] a -> {
                List<Object> copy = new ArrayList<>();
                for (Object v : a) {
                    copy.add(of(v));
                }
                yield copy;
            }
            case Undefined u -> u;
            case JinjaFunction f -> f;
            case Function<?, ?> f -> { // a function of one argument, e.g. a fixed strftime_now for tests
                @SuppressWarnings("unchecked")
                Function<Object, ?> g = (Function<Object, ?>) f;
                yield (JinjaFunction) (args, kw) -> of(g.apply(args.isEmpty() ? null : args.getFirst()));
            }
            default -> throw new IllegalArgumentException("a template cannot use a " + o.getClass().getName() + ": " + o);
        };
    }

    /** Python truthiness: empty strings and collections, zero, none and undefined are false. */
    static boolean truthy(Object v) {
        return switch (v) {
            case null -> false;
            case Undefined u -> false;
            case Boolean b -> b;
            case String s -> !s.isEmpty();
            case Long l -> l != 0;
            case Double d -> d != 0 && !d.isNaN();
            case List<?> l -> !l.isEmpty();
            case Map<?, ?> m -> !m.isEmpty();
            default -> true;
        };
    }

    /** Python's {@code ==}: numbers by value (booleans as 0 and 1), strings by content, collections element by element. */
    static boolean equal(Object a, Object b) {
        if (isNumeric(a) && isNumeric(b)) {
            return number(a) == number(b);
        }
        if (a instanceof List<?> x && b instanceof List<?> y) {
            if (x.size() != y.size()) {
                return false;
            }
            for (int i = 0; i < x.size(); i++) {
                if (!equal(x.get(i), y.get(i))) {
                    return false;
                }
            }
            return true;
        }
        if (a instanceof Map<?, ?> x && b instanceof Map<?, ?> y) {
            if (x.size() != y.size()) {
                return false;
            }
            for (Map.Entry<?, ?> e : x.entrySet()) {
                if (!y.containsKey(e.getKey()) || !equal(e.getValue(), y.get(e.getKey()))) {
                    return false;
                }
            }
            return true;
        }
        return Objects.equals(a, b);
    }

    static boolean isNumeric(Object v) {
        return v instanceof Long || v instanceof Double || v instanceof Boolean;
    }

    static double number(Object v) {
        return switch (v) {
            case Long l -> l;
            case Double d -> d;
            case Boolean b -> b ? 1 : 0;
            default -> throw new JinjaException("expected a number, got " + typeName(v));
        };
    }

    /**
     * The text {@code {{ v }}} writes, as Python's {@code str()}: undefined writes nothing, none
     * {@code None}, booleans {@code True}/{@code False}, lists and mappings their Python repr.
     */
    static String str(Object v, int maxChars) {
        return switch (v) {
            case null -> "None";
            case Undefined u -> "";
            case String s -> s;
            case Double d -> pythonFloat(d);
            case Boolean b -> b ? "True" : "False";
            case List<?> l -> repr(l, maxChars);
            case Map<?, ?> m -> repr(m, maxChars);
            case Namespace n -> "<Namespace " + repr(n.attributes, maxChars) + ">";
            case JinjaFunction f -> "<function>";
            default -> v.toString();
        };
    }

    /** Python's {@code repr()} of a value inside a list or mapping. */
    static String repr(Object v, int maxChars) {
        StringBuilder s = new StringBuilder();
        repr(s, v, maxChars);
        return s.toString();
    }

    private static void repr(StringBuilder s, Object v, int maxChars) {
        if (s.length() > maxChars) {
            throw Interpreter.tooLong(maxChars);
        }
        switch (v) {
            case String str -> quotePython(s, str);
            case List<?> l -> {
                s.append('[');
                for (int i = 0; i < l.size(); i++) {
                    s.append(i > 0 ? ", " : "");
                    repr(s, l.get(i), maxChars);
                }
                s.append(']');
            }
            case Map<?, ?> m -> {
                s.append('{');
                boolean first = true;
                for (Map.Entry<?, ?> e : m.entrySet()) {
                    s.append(first ? "" : ", ");
                    first = false;
                    repr(s, e.getKey(), maxChars);
                    s.append(": ");
                    repr(s, e.getValue(), maxChars);
                }
                s.append('}');
            }
            case Undefined u -> s.append("Undefined");
            case null, default -> s.append(str(v, maxChars));
        }
    }

    /** A string literal as Python's {@code repr} writes it: single quotes unless the text has one and no double quote. */
    private static void quotePython(StringBuilder s, String str) {
        char q = str.indexOf('\'') >= 0 && str.indexOf('"') < 0 ? '"' : '\'';
        s.append(q);
        for (int i = 0; i < str.length(); i++) {
            char c = str.charAt(i);
            switch (c) {
                case '\\' -> s.append("\\\\");
                case '\n' -> s.append("\\n");
                case '\r' -> s.append("\\r");
                case '\t' -> s.append("\\t");
                default -> {
                    if (c == q) {
                        s.append('\\').append(c);
                    } else if (c < 0x20 || c == 0x7f) {
                        s.append(String.format("\\x%02x", (int) c));
                    } else {
                        s.append(c);
                    }
                }
            }
        }
        s.append(q);
    }

    /** Python's {@code repr(float)}: the shortest digits, positional from 1e-4 up to 1e16, else as {@code 1e+20}. */
    static String pythonFloat(double d) {
        if (Double.isNaN(d)) {
            return "nan";
        }
        if (Double.isInfinite(d)) {
            return d > 0 ? "inf" : "-inf";
        }
        if (d == 0) {
            return 1 / d < 0 ? "-0.0" : "0.0";
        }
        BigDecimal shortest = new BigDecimal(Double.toString(d)).stripTrailingZeros();
        int exponent = shortest.precision() - shortest.scale() - 1;
        if (exponent >= -4 && exponent < 16) {
            String plain = shortest.toPlainString();
            return plain.contains(".") ? plain : plain + ".0";
        }
        String digits = shortest.unscaledValue().abs().toString();
        String mantissa = digits.length() == 1 ? digits : digits.charAt(0) + "." + digits.substring(1);
        return (d < 0 ? "-" : "") + mantissa + (exponent < 0 ? "e-" : "e+") + String.format("%02d", Math.abs(exponent));
    }

    /**
     * JSON as Python's {@code json.dumps(v, ensure_ascii=..., indent=..., separators=..., sort_keys=...)}
     * writes it; an undefined value is {@code null}.
     *
     * @throws JinjaException if it grows beyond {@code maxChars}
     */
    static String toJson(Object v, Integer indent, String itemSeparator, String keySeparator, boolean ensureAscii, boolean sortKeys, int maxChars) {
        StringBuilder s = new StringBuilder();
        new Json(s, indent, itemSeparator, keySeparator, ensureAscii, sortKeys, maxChars).write(v, 0);
        return s.toString();
    }

    private record Json(StringBuilder s, Integer indent, String itemSep, String keySep, boolean ascii, boolean sort, int maxChars) {
        private void write(Object v, int depth) {
            switch (v) {
                case null -> s.append("null");
                case Undefined u -> s.append("null");
                case String str -> quote(s, str, ascii);
                case Double d -> s.append(d.isNaN() ? "NaN" : d.isInfinite() ? (d > 0 ? "Infinity" : "-Infinity") : pythonFloat(d));
                case Long l -> s.append(l);
                case Boolean b -> s.append(b);
                case Namespace n -> write(n.attributes, depth);
                case List<?> l -> {
                    if (l.isEmpty()) {
                        s.append("[]");
                        return;
                    }
                    s.append('[');
                    for (int i = 0; i < l.size(); i++) {
                        if (i > 0) {
                            s.append(itemSep);
                        }
                        newline(depth + 1);
                        write(l.get(i), depth + 1);
                        checkSize();
                    }
                    newline(depth);
                    s.append(']');
                }
                case Map<?, ?> m -> {
                    if (m.isEmpty()) {
                        s.append("{}");
                        return;
                    }
                    List<? extends Map.Entry<?, ?>> entries = new ArrayList<>(m.entrySet());
                    if (sort) {
                        entries.sort((a, b) -> String.valueOf(a.getKey()).compareTo(String.valueOf(b.getKey())));
                    }
                    s.append('{');
                    boolean first = true;
                    for (Map.Entry<?, ?> e : entries) {
                        if (!first) {
                            s.append(itemSep);
                        }
                        first = false;
                        newline(depth + 1);
                        quote(s, String.valueOf(e.getKey()), ascii);
                        s.append(keySep);
                        write(e.getValue(), depth + 1);
                        checkSize();
                    }
                    newline(depth);
                    s.append('}');
                }
                default -> throw new JinjaException("cannot convert a " + typeName(v) + " to JSON");
            }
        }

        private void newline(int depth) {
            if (indent != null && indent > 0) {
                s.append('\n').repeat(' ', indent * depth);
            }
        }

        private void checkSize() {
            if (s.length() > maxChars) {
                throw Interpreter.tooLong(maxChars);
            }
        }
    }

    /** A JSON string as Python's {@code json.dumps} writes it; with {@code ascii}, everything from U+007F up escaped. */
    private static void quote(StringBuilder s, String str, boolean ascii) {
        s.append('"');
        for (int i = 0; i < str.length(); i++) {
            char c = str.charAt(i);
            switch (c) {
                case '"' -> s.append("\\\"");
                case '\\' -> s.append("\\\\");
                case '\n' -> s.append("\\n");
                case '\r' -> s.append("\\r");
                case '\t' -> s.append("\\t");
                case '\b' -> s.append("\\b");
                case '\f' -> s.append("\\f");
                default -> {
                    boolean lone = Character.isSurrogate(c) && !(Character.isHighSurrogate(c) && i + 1 < str.length()
                            && Character.isLowSurrogate(str.charAt(i + 1))) && !(Character.isLowSurrogate(c) && i > 0
                            && Character.isHighSurrogate(str.charAt(i - 1)));
                    if (c < 0x20 || lone || (ascii && c >= 0x7f)) {
                        s.append(String.format("\\u%04x", (int) c));
                    } else {
                        s.append(c);
                    }
                }
            }
        }
        s.append('"');
    }

    /** The type's name for messages: {@code string}, {@code integer}, {@code list}, ... */
    static String typeName(Object v) {
        return switch (v) {
            case null -> "none";
            case Undefined u -> "undefined";
            case String s -> "string";
            case Long l -> "integer";
            case Double d -> "float";
            case Boolean b -> "boolean";
            case List<?> l -> "list";
            case Map<?, ?> m -> "mapping";
            case Namespace n -> "namespace";
            case JinjaFunction f -> "function";
            default -> v.getClass().getSimpleName();
        };
    }
}
