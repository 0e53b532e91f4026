package dev.panamax.transformer.chat.jinja;

import java.math.BigDecimal;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;

/**
 * The template's values and their Python-like rules. A value is a {@link String}, {@link Long},
 * {@link Double}, {@link Boolean}, null ({@code none}), {@link Undefined}, a {@link List}, a
 * {@link Map} with string keys (insertion-ordered), a {@link Namespace} or a {@link JinjaFunction}.
 * How values print and convert to JSON follows transformers.js ({@code @huggingface/jinja}), the
 * reference for chat templates: {@code tojson} writes Python's {@code json.dumps} format.
 */
final class Values {
    private Values() {
    }

    /** A value of the caller's context as a template value: ints become longs, floats doubles, collections copied. */
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

    /** The text {@code {{ v }}} writes: none and undefined write nothing, collections their JSON. */
    static String str(Object v, int maxChars) {
        return switch (v) {
            case null -> "";
            case Undefined u -> "";
            case String s -> s;
            case Double d -> formatDouble(d);
            case List<?> l -> toJson(l, null, ", ", ": ", false, false, maxChars);
            case Map<?, ?> m -> toJson(m, null, ", ", ": ", false, false, maxChars);
            case Namespace n -> toJson(n.attributes, null, ", ", ": ", false, false, maxChars);
            case JinjaFunction f -> "<function>";
            default -> v.toString();
        };
    }

    /** A float as JavaScript prints it, with {@code .0} on whole numbers (as Python does). */
    static String formatDouble(double d) {
        if (Double.isNaN(d)) {
            return "NaN";
        }
        if (Double.isInfinite(d)) {
            return d > 0 ? "Infinity" : "-Infinity";
        }
        if (d == 0) {
            return 1 / d < 0 ? "-0.0" : "0.0";
        }
        if (d == Math.rint(d) && Math.abs(d) < 1e21) {
            return new BigDecimal(d).toPlainString() + ".0";
        }
        double abs = Math.abs(d);
        if (abs >= 1e-6 && abs < 1e21) {
            return BigDecimal.valueOf(d).stripTrailingZeros().toPlainString();
        }
        String s = Double.toString(d).replace("E", "e");
        return s.contains("e-") ? s : s.replace("e", "e+");
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
            case Double d -> s.append(d.isNaN() || d.isInfinite() ? (d.isNaN() ? "NaN" : d > 0 ? "Infinity" : "-Infinity")
                    : d == Math.rint(d) && Math.abs(d) < 1e21 ? new BigDecimal(d).toPlainString() : formatDouble(d));
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

    /** A JSON string as JavaScript's {@code JSON.stringify} writes it; with {@code ascii}, everything above U+007E escaped. */
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
