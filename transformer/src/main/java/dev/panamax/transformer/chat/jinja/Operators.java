package dev.panamax.transformer.chat.jinja;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;

/**
 * Jinja's operators with Python's semantics: integer arithmetic stays integral, {@code /} is true
 * division, {@code //} and {@code %} floor; {@code +} joins strings, lists, or a string with any value
 * (as transformers.js allows); {@code ~} joins the printed forms; {@code in} tests membership.
 */
final class Operators {
    private Operators() {
    }

    static Object unary(String op, Object v) {
        if (op.equals("not")) {
            return !Values.truthy(v);
        }
        if (!Values.isNumeric(v)) {
            throw new JinjaException("bad operand for unary " + op + ": " + Values.typeName(v));
        }
        if (v instanceof Double d) {
            return op.equals("-") ? -d : d;
        }
        long l = (long) Values.number(v);
        return op.equals("-") ? -l : l;
    }

    static Object binary(Interpreter in, String op, Object a, Object b) {
        switch (op) {
            case "==" -> {
                return Values.equal(a, b);
            }
            case "!=" -> {
                return !Values.equal(a, b);
            }
            case "in" -> {
                return contains(b, a);
            }
            case "not in" -> {
                return !contains(b, a);
            }
            case "~" -> {
                String s = in.str(a) + in.str(b);
                in.charge(s.length());
                return s;
            }
            default -> {
            }
        }
        if (a == Undefined.VALUE || b == Undefined.VALUE) {
            throw new JinjaException("cannot apply " + op + " to an undefined value");
        }
        if (a == null || b == null) {
            throw new JinjaException("cannot apply " + op + " to none");
        }
        if (Values.isNumeric(a) && Values.isNumeric(b)) {
            return arithmetic(op, a, b);
        }
        if (op.equals("+")) {
            if (a instanceof List<?> x && b instanceof List<?> y) {
                in.charge(x.size() + y.size());
                List<Object> joined = new ArrayList<>(x);
                joined.addAll(y);
                return joined;
            }
            if (a instanceof String || b instanceof String) {
                String s = in.str(a) + in.str(b);
                in.charge(s.length());
                return s;
            }
        }
        if (op.equals("*") && (a instanceof String || b instanceof String) && (a instanceof Long || b instanceof Long)) {
            String s = a instanceof String x ? x : (String) b;
            long times = Math.max(0, a instanceof Long n ? n : (Long) b);
            in.charge(s.length() * times);
            return s.repeat((int) times);
        }
        if (a instanceof String x && b instanceof String y) {
            int c = x.compareTo(y);
            switch (op) {
                case "<" -> {
                    return c < 0;
                }
                case ">" -> {
                    return c > 0;
                }
                case "<=" -> {
                    return c <= 0;
                }
                case ">=" -> {
                    return c >= 0;
                }
                default -> {
                }
            }
        }
        throw new JinjaException("unsupported operand types for " + op + ": " + Values.typeName(a) + " and " + Values.typeName(b));
    }

    private static boolean contains(Object container, Object item) {
        return switch (container) {
            case Undefined u -> false;
            case String s when item instanceof String x -> s.contains(x);
            case String s -> throw new JinjaException("'in <string>' needs a string on the left, not " + Values.typeName(item));
            case List<?> l -> l.stream().anyMatch(e -> Values.equal(e, item));
            case Map<?, ?> m -> item instanceof String && m.containsKey(item);
            case Namespace n -> item instanceof String && n.attributes.containsKey(item);
            default -> throw new JinjaException("a " + Values.typeName(container) + " is not a container");
        };
    }

    private static Object arithmetic(String op, Object a, Object b) {
        boolean integral = !(a instanceof Double) && !(b instanceof Double);
        double x = Values.number(a);
        double y = Values.number(b);
        if (integral) {
            long p = (long) x;
            long q = (long) y;
            switch (op) {
                case "+" -> {
                    return Math.addExact(p, q);
                }
                case "-" -> {
                    return Math.subtractExact(p, q);
                }
                case "*" -> {
                    return Math.multiplyExact(p, q);
                }
                case "//" -> {
                    return Math.floorDiv(p, nonZero(q));
                }
                case "%" -> {
                    return Math.floorMod(p, nonZero(q));
                }
                case "**" -> {
                    if (q >= 0) {
                        if (p == 0 || p == 1 || q == 0) {
                            return q == 0 ? 1L : p;
                        }
                        if (p == -1) {
                            return q % 2 == 0 ? 1L : -1L;
                        }
                        long r = 1; // |p| >= 2 overflows within 63 factors
                        for (long k = 0; k < q; k++) {
                            r = Math.multiplyExact(r, p);
                        }
                        return r;
                    }
                }
                default -> {
                }
            }
        }
        return switch (op) {
            case "+" -> x + y;
            case "-" -> x - y;
            case "*" -> x * y;
            case "/" -> x / nonZero(y);
            case "//" -> Math.floor(x / nonZero(y));
            case "%" -> x - Math.floor(x / nonZero(y)) * y;
            case "**" -> Math.pow(x, y);
            case "<" -> x < y;
            case ">" -> x > y;
            case "<=" -> x <= y;
            case ">=" -> x >= y;
            default -> throw new JinjaException("unknown operator " + op);
        };
    }

    private static long nonZero(long q) {
        if (q == 0) {
            throw new JinjaException("division by zero");
        }
        return q;
    }

    private static double nonZero(double q) {
        if (q == 0) {
            throw new JinjaException("division by zero");
        }
        return q;
    }
}
