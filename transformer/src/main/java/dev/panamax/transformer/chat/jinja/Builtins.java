package dev.panamax.transformer.chat.jinja;

import java.time.LocalDateTime;
import java.time.format.TextStyle;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;

/**
 * What templates call: the globals Hugging Face provides ({@code raise_exception}, {@code strftime_now},
 * {@code namespace}, {@code range}), Jinja's filters and tests, and the Python methods of strings and
 * dicts that chat templates use ({@code .strip()}, {@code .split()}, {@code .items()}, ...).
 */
final class Builtins {
    private final Interpreter in;

    Builtins(Interpreter in) {
        this.in = in;
    }

    void defineGlobals(Scope globals) {
        globals.set("raise_exception", (JinjaFunction) (args, kw) -> {
            throw new JinjaException(args.isEmpty() ? "raise_exception() was called" : in.str(args.getFirst()));
        });
        globals.set("strftime_now", (JinjaFunction) (args, kw) -> strftime(LocalDateTime.now(), string(arg(args, kw, 0, "format", ""), "format")));
        globals.set("namespace", (JinjaFunction) (args, kw) -> {
            Namespace ns = new Namespace();
            if (!args.isEmpty()) {
                if (!(args.getFirst() instanceof Map<?, ?> m)) {
                    throw new JinjaException("namespace() takes a mapping or keyword arguments");
                }
                m.forEach((k, v) -> ns.attributes.put(String.valueOf(k), v));
            }
            ns.attributes.putAll(kw);
            return ns;
        });
        globals.set("range", (JinjaFunction) (args, kw) -> range(args));
        globals.set("dict", (JinjaFunction) (args, kw) -> new LinkedHashMap<>(kw));
    }

    // ---- member access

    /** {@code object.name}: an entry of a mapping or namespace, else a method; undefined if neither. */
    Object attribute(Object object, String name) {
        if (object instanceof Map<?, ?> m && m.containsKey(name)) {
            return m.get(name);
        }
        if (object instanceof Namespace ns) {
            return ns.attributes.getOrDefault(name, Undefined.VALUE);
        }
        return method(object, name);
    }

    /** {@code object[key]}: an item of a list or string by (possibly negative) index, or an entry of a mapping. */
    Object item(Object object, Object key) {
        if (key instanceof Long || key instanceof Boolean) {
            long i = (long) Values.number(key);
            if (object instanceof List<?> l) {
                long k = i < 0 ? l.size() + i : i;
                return k >= 0 && k < l.size() ? l.get((int) k) : Undefined.VALUE;
            }
            if (object instanceof String s) { // by code point, as Python indexes
                int n = s.codePointCount(0, s.length());
                long k = i < 0 ? n + i : i;
                return k >= 0 && k < n ? Character.toString(s.codePointAt(s.offsetByCodePoints(0, (int) k))) : Undefined.VALUE;
            }
        }
        if (key instanceof String name) {
            return attribute(object, name);
        }
        if (object instanceof Map<?, ?> m && m.containsKey(key)) {
            return m.get(key);
        }
        return Undefined.VALUE;
    }

    /** {@code object[from:to:step]} on a list or string (by code point), with Python's bounds. */
    Object slice(Object object, Object from, Object to, Object step) {
        List<Object> items;
        if (object instanceof List<?> l) {
            items = new ArrayList<>(l);
        } else if (object instanceof String s) {
            items = new ArrayList<>(s.codePoints().mapToObj(Character::toString).toList());
        } else {
            throw new JinjaException("cannot slice a " + Values.typeName(object));
        }
        int n = items.size();
        long st = step == null || step == Undefined.VALUE ? 1 : integer(step, "slice step");
        if (st == 0) {
            throw new JinjaException("slice step cannot be zero");
        }
        long a;
        long b;
        if (st > 0) {
            a = bound(from, 0, n, false);
            b = bound(to, n, n, false);
        } else {
            a = bound(from, n - 1, n, true);
            b = bound(to, -1, n, true);
        }
        List<Object> out = new ArrayList<>();
        for (long i = a; st > 0 ? i < b : i > b; i += st) {
            out.add(items.get((int) i));
        }
        if (object instanceof String) {
            return String.join("", out.stream().map(String.class::cast).toList());
        }
        return out;
    }

    private long bound(Object v, long absent, int n, boolean backwards) {
        if (v == null || v == Undefined.VALUE) {
            return absent;
        }
        long i = integer(v, "slice index");
        if (i < 0) {
            i += n;
            return Math.max(i, backwards ? -1 : 0);
        }
        return Math.min(i, backwards ? n - 1 : n);
    }

    /** The items a for loop visits: a list's items, a mapping's keys, a string's characters; none for undefined. */
    List<Object> iterate(Object v) {
        return switch (v) {
            case List<?> l -> new ArrayList<>(l);
            case Map<?, ?> m -> new ArrayList<>(m.keySet());
            case String s -> new ArrayList<>(s.codePoints().mapToObj(Character::toString).toList());
            case Undefined u -> List.of();
            default -> throw new JinjaException("a " + Values.typeName(v) + " is not iterable");
        };
    }

    /** What {@code select}, {@code selectattr} and {@code map} go through: nothing for a falsy value (none too), as in Jinja. */
    private List<Object> sequence(Object v) {
        return Values.truthy(v) ? iterate(v) : List.of();
    }

    private List<Object> range(List<Object> args) {
        if (args.isEmpty() || args.size() > 3) {
            throw new JinjaException("range() takes 1 to 3 arguments");
        }
        long start = args.size() == 1 ? 0 : integer(args.get(0), "range start");
        long stop = integer(args.get(args.size() == 1 ? 0 : 1), "range stop");
        long step = args.size() == 3 ? integer(args.get(2), "range step") : 1;
        if (step == 0) {
            throw new JinjaException("range() step cannot be zero");
        }
        long count = step > 0 ? Math.max(0, (stop - start + step - 1) / step) : Math.max(0, (start - stop - step - 1) / -step);
        in.charge(count);
        List<Object> out = new ArrayList<>((int) count);
        for (long i = start; step > 0 ? i < stop : i > stop; i += step) {
            out.add(i);
        }
        return out;
    }

    // ---- methods

    /** {@code object.name} as a method (bound to {@code object}), or a property such as a list's {@code length}. */
    private Object method(Object object, String name) {
        if (object instanceof String s) {
            return stringMethod(s, name);
        }
        if (object instanceof Map<?, ?> m) {
            @SuppressWarnings("unchecked")
            Map<String, Object> map = (Map<String, Object>) m;
            return switch (name) {
                case "get" -> (JinjaFunction) (args, kw) -> {
                    Object key = arg(args, kw, 0, "key", null);
                    return map.containsKey(key) ? map.get(key) : arg(args, kw, 1, "default", null);
                };
                case "items" -> (JinjaFunction) (args, kw) -> items(map);
                case "keys" -> (JinjaFunction) (args, kw) -> new ArrayList<Object>(map.keySet());
                case "values" -> (JinjaFunction) (args, kw) -> new ArrayList<>(map.values());
                default -> Undefined.VALUE;
            };
        }
        if (object instanceof List<?> l && name.equals("length")) {
            return (long) l.size();
        }
        return Undefined.VALUE;
    }

    private Object stringMethod(String s, String name) {
        return switch (name) {
            case "length" -> (long) s.codePointCount(0, s.length());
            case "upper" -> fn(() -> charged(s.toUpperCase(Locale.ROOT)));
            case "lower" -> fn(() -> charged(s.toLowerCase(Locale.ROOT)));
            case "title" -> fn(() -> charged(title(s)));
            case "capitalize" -> fn(() -> charged(s.isEmpty() ? s : s.substring(0, 1).toUpperCase(Locale.ROOT) + s.substring(1).toLowerCase(Locale.ROOT)));
            case "strip" -> (JinjaFunction) (args, kw) -> strip(s, args.isEmpty() ? null : args.getFirst(), true, true);
            case "lstrip" -> (JinjaFunction) (args, kw) -> strip(s, args.isEmpty() ? null : args.getFirst(), true, false);
            case "rstrip" -> (JinjaFunction) (args, kw) -> strip(s, args.isEmpty() ? null : args.getFirst(), false, true);
            case "startswith", "endswith" -> (JinjaFunction) (args, kw) -> {
                Object p = arg(args, kw, 0, "prefix", Undefined.VALUE);
                List<?> options = p instanceof List<?> l ? l : List.of(string(p, name + "() argument"));
                for (Object o : options) {
                    String x = string(o, name + "() argument");
                    if (name.equals("startswith") ? s.startsWith(x) : s.endsWith(x)) {
                        return true;
                    }
                }
                return false;
            };
            case "split", "rsplit" -> (JinjaFunction) (args, kw) -> split(s, arg(args, kw, 0, "sep", null),
                    integer(arg(args, kw, 1, "maxsplit", -1L), "maxsplit"), name.equals("rsplit"));
            case "replace" -> (JinjaFunction) (args, kw) -> replace(s, string(arg(args, kw, 0, "old", null), "old"),
                    string(arg(args, kw, 1, "new", null), "new"), integer(arg(args, kw, 2, "count", -1L), "count"));
            case "find" -> (JinjaFunction) (args, kw) -> (long) s.indexOf(string(arg(args, kw, 0, "sub", null), "sub"));
            case "rfind" -> (JinjaFunction) (args, kw) -> (long) s.lastIndexOf(string(arg(args, kw, 0, "sub", null), "sub"));
            case "count" -> (JinjaFunction) (args, kw) -> count(s, string(arg(args, kw, 0, "sub", null), "sub"));
            case "join" -> (JinjaFunction) (args, kw) -> join(iterate(arg(args, kw, 0, "iterable", null)), s);
            case "isdigit" -> fn(() -> !s.isEmpty() && s.chars().allMatch(Character::isDigit));
            case "isalpha" -> fn(() -> !s.isEmpty() && s.chars().allMatch(Character::isLetter));
            case "isspace" -> fn(() -> !s.isEmpty() && s.chars().allMatch(c -> Lexer.isSpace((char) c)));
            case "islower" -> fn(() -> s.chars().anyMatch(Character::isLetter) && s.equals(s.toLowerCase(Locale.ROOT)));
            case "isupper" -> fn(() -> s.chars().anyMatch(Character::isLetter) && s.equals(s.toUpperCase(Locale.ROOT)));
            case "splitlines" -> fn(() -> new ArrayList<Object>(s.lines().toList()));
            case "format" -> (JinjaFunction) (args, kw) -> format(s, args, kw);
            default -> Undefined.VALUE;
        };
    }

    /** Python's {@code str.format} with {@code {}}, {@code {0}} and {@code {name}} fields (no format specs). */
    private String format(String s, List<Object> args, Map<String, Object> kw) {
        StringBuilder out = new StringBuilder();
        int auto = 0;
        for (int i = 0; i < s.length(); i++) {
            char c = s.charAt(i);
            if ((c == '{' || c == '}') && i + 1 < s.length() && s.charAt(i + 1) == c) {
                out.append(c);
                i++;
            } else if (c == '{') {
                int close = s.indexOf('}', i);
                if (close < 0) {
                    throw new JinjaException("single '{' in a format string");
                }
                String field = s.substring(i + 1, close);
                Object value;
                if (field.isEmpty()) {
                    if (auto >= args.size()) {
                        throw new JinjaException("format() has too few arguments");
                    }
                    value = args.get(auto++);
                } else if (field.chars().allMatch(Character::isDigit)) {
                    int k = Integer.parseInt(field);
                    if (k >= args.size()) {
                        throw new JinjaException("format() has no argument " + k);
                    }
                    value = args.get(k);
                } else if (kw.containsKey(field)) {
                    value = kw.get(field);
                } else {
                    throw new JinjaException("format() has no argument '" + field + "'");
                }
                out.append(in.str(value));
                i = close;
            } else {
                out.append(c);
            }
        }
        return charged(out.toString());
    }

    private static JinjaFunction fn(java.util.function.Supplier<Object> f) {
        return (args, kw) -> f.get();
    }

    private String charged(String s) {
        in.charge(s.length());
        return s;
    }

    /** Python's {@code strip(chars)}; without {@code chars}, the whitespace transformers.js strips. */
    private String strip(String s, Object chars, boolean left, boolean right) {
        String set = chars == null || chars == Undefined.VALUE ? null : string(chars, "strip() argument");
        int a = 0;
        int b = s.length();
        while (left && a < b && (set == null ? Lexer.isSpace(s.charAt(a)) : set.indexOf(s.charAt(a)) >= 0)) {
            a++;
        }
        while (right && b > a && (set == null ? Lexer.isSpace(s.charAt(b - 1)) : set.indexOf(s.charAt(b - 1)) >= 0)) {
            b--;
        }
        return s.substring(a, b);
    }

    /** Python's {@code str.split(sep=None, maxsplit=-1)} (and {@code rsplit}). */
    private List<Object> split(String s, Object sepValue, long maxSplit, boolean fromRight) {
        List<Object> parts = new ArrayList<>();
        if (sepValue == null || sepValue == Undefined.VALUE) {
            List<String> words = new ArrayList<>();
            int i = 0;
            while (i < s.length()) {
                while (i < s.length() && Lexer.isSpace(s.charAt(i))) {
                    i++;
                }
                int j = i;
                while (j < s.length() && !Lexer.isSpace(s.charAt(j))) {
                    j++;
                }
                if (j > i) {
                    words.add(s.substring(i, j));
                }
                i = j;
            }
            if (maxSplit >= 0 && words.size() > maxSplit + 1) {
                if (fromRight) {
                    int keep = (int) maxSplit;
                    String head = strip(s, null, true, true);
                    List<String> tail = words.subList(words.size() - keep, words.size());
                    int cut = head.length();
                    for (int k = tail.size() - 1; k >= 0; k--) {
                        cut = head.lastIndexOf(tail.get(k), cut - 1);
                    }
                    parts.add(strip(head.substring(0, Math.max(cut, 0)), null, false, true));
                    parts.addAll(tail);
                } else {
                    String rest = strip(s, null, true, false);
                    for (int k = 0; k < maxSplit; k++) {
                        String w = words.get(k);
                        parts.add(w);
                        rest = strip(rest.substring(rest.indexOf(w) + w.length()), null, true, false);
                    }
                    parts.add(rest);
                }
            } else {
                parts.addAll(words);
            }
        } else {
            String sep = string(sepValue, "sep");
            if (sep.isEmpty()) {
                throw new JinjaException("empty separator");
            }
            List<Object> all = new ArrayList<>();
            int from = 0;
            for (int at = s.indexOf(sep); at >= 0; at = s.indexOf(sep, from)) {
                all.add(s.substring(from, at));
                from = at + sep.length();
            }
            all.add(s.substring(from));
            if (maxSplit >= 0 && all.size() > maxSplit + 1) {
                int k = (int) maxSplit;
                if (fromRight) {
                    parts.add(String.join(sep, all.subList(0, all.size() - k).stream().map(String.class::cast).toList()));
                    parts.addAll(all.subList(all.size() - k, all.size()));
                } else {
                    parts.addAll(all.subList(0, k));
                    parts.add(String.join(sep, all.subList(k, all.size()).stream().map(String.class::cast).toList()));
                }
            } else {
                parts = all;
            }
        }
        in.charge(parts.size() + s.length());
        return parts;
    }

    private String replace(String s, String old, String by, long count) {
        if (count == 0) {
            return s;
        }
        long limit = count < 0 ? Long.MAX_VALUE : count;
        StringBuilder out = new StringBuilder();
        if (old.isEmpty()) { // Python inserts the replacement between characters and at both ends
            int i = 0;
            long done = 0;
            while (done < limit && i <= s.length()) {
                out.append(by);
                done++;
                if (i < s.length()) {
                    int cp = s.codePointAt(i);
                    out.appendCodePoint(cp);
                    i += Character.charCount(cp);
                } else {
                    i++;
                }
                in.charge(by.length() + 1L);
            }
            if (i < s.length()) {
                out.append(s, i, s.length());
            }
            return charged(out.toString());
        }
        int from = 0;
        long done = 0;
        for (int at = s.indexOf(old); at >= 0 && done < limit; at = s.indexOf(old, from), done++) {
            out.append(s, from, at).append(by);
            in.charge(by.length() + at - from);
            from = at + old.length();
        }
        out.append(s, from, s.length());
        return charged(out.toString());
    }

    private static long count(String s, String sub) {
        if (sub.isEmpty()) {
            return s.codePointCount(0, s.length()) + 1L;
        }
        long n = 0;
        for (int at = s.indexOf(sub); at >= 0; at = s.indexOf(sub, at + sub.length())) {
            n++;
        }
        return n;
    }

    private static String title(String s) {
        StringBuilder out = new StringBuilder(s.length());
        boolean previousCased = false;
        for (int i = 0; i < s.length(); i++) {
            char c = s.charAt(i);
            out.append(previousCased ? Character.toLowerCase(c) : Character.toUpperCase(c));
            previousCased = Character.isLetter(c) || Character.isDigit(c) || c == '_';
        }
        return out.toString();
    }

    private static List<Object> items(Map<?, ?> map) {
        List<Object> out = new ArrayList<>(map.size());
        map.forEach((k, v) -> {
            List<Object> pair = new ArrayList<>(2);
            pair.add(k);
            pair.add(v);
            out.add(pair);
        });
        return out;
    }

    private String join(List<Object> items, String separator) {
        StringBuilder out = new StringBuilder();
        for (int k = 0; k < items.size(); k++) {
            if (k > 0) {
                out.append(separator);
            }
            out.append(in.str(items.get(k)));
            in.charge(separator.length());
        }
        return charged(out.toString());
    }

    // ---- filters

    Object filter(String name, Object v, List<Object> args, Map<String, Object> kw) {
        return switch (name) {
            case "safe" -> v;
            case "tojson" -> tojson(v, args, kw);
            case "string" -> v instanceof String ? v : in.str(v);
            case "list" -> iterate(v);
            case "length", "count" -> switch (v) {
                case String s -> (long) s.codePointCount(0, s.length());
                case List<?> l -> (long) l.size();
                case Map<?, ?> m -> (long) m.size();
                case Namespace ns -> (long) ns.attributes.size();
                case Undefined u -> 0L;
                default -> throw new JinjaException("a " + Values.typeName(v) + " has no length");
            };
            case "first" -> iterate(v).stream().findFirst().orElse(Undefined.VALUE);
            case "last" -> {
                List<Object> l = iterate(v);
                yield l.isEmpty() ? Undefined.VALUE : l.getLast();
            }
            case "reverse" -> {
                List<Object> l = iterate(v).reversed();
                yield v instanceof String ? String.join("", l.stream().map(String.class::cast).toList()) : new ArrayList<>(l);
            }
            case "join" -> {
                List<Object> items = iterate(v);
                Object attribute = kw.get("attribute");
                if (attribute != null) {
                    items = items.stream().map(i -> path(i, attribute)).toList();
                }
                yield join(items, string(arg(args, kw, 0, "d", ""), "join separator"));
            }
            case "unique" -> {
                List<Object> out = new ArrayList<>();
                for (Object o : iterate(v)) {
                    if (out.stream().noneMatch(x -> Values.equal(x, o))) {
                        out.add(o);
                    }
                }
                yield out;
            }
            case "sort" -> sort(iterate(v), args, kw);
            case "dictsort" -> {
                if (!(v instanceof Map<?, ?> m)) {
                    throw new JinjaException("dictsort needs a mapping, not " + Values.typeName(v));
                }
                List<Object> pairs = items(m);
                pairs.sort((a, b) -> {
                    Object x = ((List<?>) a).getFirst();
                    Object y = ((List<?>) b).getFirst();
                    return x instanceof String s && y instanceof String t ? s.toLowerCase(Locale.ROOT).compareTo(t.toLowerCase(Locale.ROOT)) : compare(x, y);
                });
                yield pairs;
            }
            case "items" -> {
                if (v instanceof Undefined) {
                    yield new ArrayList<>();
                }
                if (!(v instanceof Map<?, ?> m)) {
                    throw new JinjaException("items needs a mapping, not " + Values.typeName(v));
                }
                yield items(m);
            }
            case "upper", "lower", "title", "capitalize" -> ((JinjaFunction) stringMethod(in.str(v), name)).call(List.of(), Map.of());
            case "trim" -> strip(in.str(v), args.isEmpty() ? null : args.getFirst(), true, true);
            case "replace" -> replace(in.str(v), in.str(arg(args, kw, 0, "old", null)), in.str(arg(args, kw, 1, "new", null)),
                    integer(arg(args, kw, 2, "count", -1L), "count"));
            case "indent" -> indent(in.str(v), arg(args, kw, 0, "width", 4L), Values.truthy(arg(args, kw, 1, "first", false)),
                    Values.truthy(arg(args, kw, 2, "blank", false)));
            case "default", "d" -> {
                Object fallback = arg(args, kw, 0, "default_value", "");
                boolean onFalsy = Values.truthy(arg(args, kw, 1, "boolean", false));
                yield v == Undefined.VALUE || (onFalsy && !Values.truthy(v)) ? fallback : v;
            }
            case "int" -> toInt(v, arg(args, kw, 0, "default", 0L));
            case "float" -> toFloat(v, arg(args, kw, 0, "default", 0.0));
            case "bool" -> Values.truthy(v);
            case "abs" -> v instanceof Long l ? Math.abs(l) : Math.abs(Values.number(v));
            case "round" -> {
                double x = Values.number(v);
                long digits = integer(arg(args, kw, 0, "precision", 0L), "precision");
                String method = string(arg(args, kw, 1, "method", "common"), "method");
                double scale = Math.pow(10, digits);
                double r = switch (method) {
                    case "floor" -> Math.floor(x * scale) / scale;
                    case "ceil" -> Math.ceil(x * scale) / scale;
                    default -> Math.signum(x) * Math.floor(Math.abs(x) * scale + 0.5) / scale;
                };
                yield r;
            }
            case "sum" -> {
                Object total = arg(args, kw, 1, "start", 0L);
                for (Object o : iterate(v)) {
                    Object x = kw.containsKey("attribute") ? path(o, kw.get("attribute")) : o;
                    total = Operators.binary(in, "+", total, x);
                }
                yield total;
            }
            case "min", "max" -> {
                List<Object> l = new ArrayList<>(iterate(v));
                if (l.isEmpty()) {
                    yield Undefined.VALUE;
                }
                l.sort(this::compare);
                yield name.equals("min") ? l.getFirst() : l.getLast();
            }
            case "selectattr", "rejectattr" -> {
                if (args.isEmpty()) {
                    throw new JinjaException(name + " needs an attribute name");
                }
                boolean keep = name.equals("selectattr");
                List<Object> out = new ArrayList<>();
                for (Object o : sequence(v)) {
                    Object a = path(o, args.getFirst());
                    boolean passes = args.size() == 1 ? Values.truthy(a) : test(string(args.get(1), "test name"), a, args.subList(2, args.size()));
                    if (passes == keep) {
                        out.add(o);
                    }
                }
                yield out;
            }
            case "select", "reject" -> {
                boolean keep = name.equals("select");
                List<Object> out = new ArrayList<>();
                for (Object o : sequence(v)) {
                    boolean passes = args.isEmpty() ? Values.truthy(o) : test(string(args.getFirst(), "test name"), o, args.subList(1, args.size()));
                    if (passes == keep) {
                        out.add(o);
                    }
                }
                yield out;
            }
            case "map" -> {
                List<Object> out = new ArrayList<>();
                for (Object o : sequence(v)) {
                    if (kw.containsKey("attribute")) {
                        Object a = path(o, kw.get("attribute"));
                        out.add(a == Undefined.VALUE && kw.containsKey("default") ? kw.get("default") : a);
                    } else if (!args.isEmpty()) {
                        out.add(filter(string(args.getFirst(), "filter name"), o, args.subList(1, args.size()), Map.of()));
                    } else {
                        throw new JinjaException("map needs attribute= or a filter name");
                    }
                }
                yield out;
            }
            case "escape", "e" -> charged(in.str(v).replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")
                    .replace("\"", "&#34;").replace("'", "&#39;"));
            case "wordcount" -> (long) split(in.str(v), null, -1, false).size();
            default -> throw new JinjaException("unknown filter '" + name + "'");
        };
    }

    private String tojson(Object v, List<Object> args, Map<String, Object> kw) {
        Object indentValue = arg(args, kw, 0, "indent", null);
        Integer indent = indentValue == null ? null : (int) integer(indentValue, "indent");
        String item = indent != null ? "," : ", ";
        String key = ": ";
        Object separators = kw.get("separators");
        if (separators instanceof List<?> l && l.size() == 2) {
            item = string(l.get(0), "separators");
            key = string(l.get(1), "separators");
        } else if (separators != null) {
            throw new JinjaException("separators must be a pair of strings");
        }
        String json = Values.toJson(v, indent, item, key, Values.truthy(kw.getOrDefault("ensure_ascii", false)),
                Values.truthy(kw.getOrDefault("sort_keys", false)), in.limits().maxChars());
        return charged(json);
    }

    private List<Object> sort(List<Object> items, List<Object> args, Map<String, Object> kw) {
        boolean reverse = Values.truthy(arg(args, kw, 0, "reverse", false));
        boolean caseSensitive = Values.truthy(arg(args, kw, 1, "case_sensitive", false));
        Object attribute = arg(args, kw, 2, "attribute", null);
        List<Object> out = new ArrayList<>(items);
        Comparator<Object> c = (a, b) -> {
            Object x = attribute == null ? a : path(a, attribute);
            Object y = attribute == null ? b : path(b, attribute);
            if (!caseSensitive && x instanceof String s && y instanceof String t) {
                return s.toLowerCase(Locale.ROOT).compareTo(t.toLowerCase(Locale.ROOT));
            }
            return compare(x, y);
        };
        out.sort(reverse ? c.reversed() : c);
        return out;
    }

    private int compare(Object a, Object b) {
        if (Values.isNumeric(a) && Values.isNumeric(b)) {
            return Double.compare(Values.number(a), Values.number(b));
        }
        if (a instanceof String s && b instanceof String t) {
            return s.compareTo(t);
        }
        throw new JinjaException("cannot compare a " + Values.typeName(a) + " with a " + Values.typeName(b));
    }

    /** An attribute path such as {@code "function.name"} or {@code "0"} into {@code o}. */
    private Object path(Object o, Object attribute) {
        Object v = o;
        for (String part : in.str(attribute).split("\\.", -1)) {
            v = part.matches("-?\\d+") && v instanceof List<?> ? item(v, Long.parseLong(part)) : attribute(v, part);
        }
        return v;
    }

    private String indent(String s, Object width, boolean first, boolean blank) {
        String pad = width instanceof String w ? w : " ".repeat((int) Math.max(0, Math.min(integer(width, "width"), in.limits().maxChars())));
        String[] lines = s.split("\n", -1);
        StringBuilder out = new StringBuilder();
        for (int k = 0; k < lines.length; k++) {
            if (k > 0) {
                out.append('\n');
            }
            if ((k > 0 || first) && (blank || !lines[k].isEmpty())) {
                out.append(pad);
                in.charge(pad.length());
            }
            out.append(lines[k]);
        }
        return charged(out.toString());
    }

    private static Object toInt(Object v, Object fallback) {
        return switch (v) {
            case Long l -> l;
            case Double d -> (long) (double) d;
            case Boolean b -> b ? 1L : 0L;
            case String s -> {
                try {
                    yield Long.parseLong(s.strip());
                } catch (NumberFormatException e) {
                    try {
                        yield (long) Double.parseDouble(s.strip());
                    } catch (NumberFormatException e2) {
                        yield fallback;
                    }
                }
            }
            default -> fallback;
        };
    }

    private static Object toFloat(Object v, Object fallback) {
        return switch (v) {
            case Long l -> (double) l;
            case Double d -> d;
            case Boolean b -> b ? 1.0 : 0.0;
            case String s -> {
                try {
                    yield Double.parseDouble(s.strip());
                } catch (NumberFormatException e) {
                    yield fallback;
                }
            }
            default -> fallback;
        };
    }

    // ---- tests

    boolean test(String name, Object v, List<Object> args) {
        return switch (name) {
            case "defined" -> v != Undefined.VALUE;
            case "undefined" -> v == Undefined.VALUE;
            case "none" -> v == null;
            case "string" -> v instanceof String;
            case "number" -> v instanceof Long || v instanceof Double;
            case "integer" -> v instanceof Long;
            case "float" -> v instanceof Double;
            case "boolean" -> v instanceof Boolean;
            case "true" -> Boolean.TRUE.equals(v);
            case "false" -> Boolean.FALSE.equals(v);
            case "mapping" -> v instanceof Map<?, ?>;
            case "iterable" -> v instanceof List<?> || v instanceof Map<?, ?> || v instanceof String;
            case "sequence" -> v instanceof List<?> || v instanceof Map<?, ?> || v instanceof String;
            case "callable" -> v instanceof JinjaFunction;
            case "odd" -> integer(v, "odd test") % 2 != 0;
            case "even" -> integer(v, "even test") % 2 == 0;
            case "divisibleby" -> integer(v, "divisibleby test") % integer(args.isEmpty() ? null : args.getFirst(), "divisor") == 0;
            case "lower" -> v instanceof String s && s.equals(s.toLowerCase(Locale.ROOT));
            case "upper" -> v instanceof String s && s.equals(s.toUpperCase(Locale.ROOT));
            case "equalto", "eq", "==", "sameas" -> !args.isEmpty() && Values.equal(v, args.getFirst());
            case "ne", "!=" -> args.isEmpty() || !Values.equal(v, args.getFirst());
            case "lt", "<", "gt", ">", "le", "<=", "ge", ">=" -> {
                int c = compare(v, args.isEmpty() ? null : args.getFirst());
                yield switch (name) {
                    case "lt", "<" -> c < 0;
                    case "gt", ">" -> c > 0;
                    case "le", "<=" -> c <= 0;
                    default -> c >= 0;
                };
            }
            case "in" -> !args.isEmpty() && (boolean) Operators.binary(in, "in", v, args.getFirst());
            default -> throw new JinjaException("unknown test '" + name + "'");
        };
    }

    // ---- strftime

    /** Python's {@code strftime} for the directives chat templates use (English names, as in the C locale). */
    static String strftime(LocalDateTime t, String format) {
        StringBuilder out = new StringBuilder();
        for (int i = 0; i < format.length(); i++) {
            char c = format.charAt(i);
            if (c != '%' || i + 1 >= format.length()) {
                out.append(c);
                continue;
            }
            char d = format.charAt(++i);
            switch (d) {
                case 'Y' -> out.append(t.getYear());
                case 'y' -> out.append(String.format("%02d", t.getYear() % 100));
                case 'm' -> out.append(String.format("%02d", t.getMonthValue()));
                case 'd' -> out.append(String.format("%02d", t.getDayOfMonth()));
                case 'e' -> out.append(String.format("%2d", t.getDayOfMonth()));
                case 'j' -> out.append(String.format("%03d", t.getDayOfYear()));
                case 'H' -> out.append(String.format("%02d", t.getHour()));
                case 'I' -> out.append(String.format("%02d", (t.getHour() + 11) % 12 + 1));
                case 'M' -> out.append(String.format("%02d", t.getMinute()));
                case 'S' -> out.append(String.format("%02d", t.getSecond()));
                case 'p' -> out.append(t.getHour() < 12 ? "AM" : "PM");
                case 'B' -> out.append(t.getMonth().getDisplayName(TextStyle.FULL, Locale.ENGLISH));
                case 'b' -> out.append(t.getMonth().getDisplayName(TextStyle.SHORT, Locale.ENGLISH));
                case 'A' -> out.append(t.getDayOfWeek().getDisplayName(TextStyle.FULL, Locale.ENGLISH));
                case 'a' -> out.append(t.getDayOfWeek().getDisplayName(TextStyle.SHORT, Locale.ENGLISH));
                case '%' -> out.append('%');
                default -> out.append('%').append(d);
            }
        }
        return out.toString();
    }

    // ---- argument helpers

    private static Object arg(List<Object> args, Map<String, Object> kw, int index, String name, Object absent) {
        return index < args.size() ? args.get(index) : kw.getOrDefault(name, absent);
    }

    private static String string(Object v, String what) {
        if (!(v instanceof String s)) {
            throw new JinjaException(what + " must be a string, not " + Values.typeName(v));
        }
        return s;
    }

    private static long integer(Object v, String what) {
        if (v instanceof Long l) {
            return l;
        }
        if (v instanceof Boolean b) {
            return b ? 1 : 0;
        }
        throw new JinjaException(what + " must be an integer, not " + Values.typeName(v));
    }
}
