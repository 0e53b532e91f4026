package dev.panamax.transformer.chat.jinja;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * Renders a parsed template. Control flow and operators follow Python Jinja (the engine Hugging Face
 * renders with); printing values follows transformers.js. Every step, character and nested call is
 * counted against the {@link Limits}, so no template runs unbounded.
 */
final class Interpreter {
    private static final RuntimeException BREAK = new LoopSignal();
    private static final RuntimeException CONTINUE = new LoopSignal();

    private final String source;
    private final Limits limits;
    private final Builtins builtins;
    private long steps;
    private long charsMade;
    private int calls;

    Interpreter(String source, Limits limits) {
        this.source = source;
        this.limits = limits;
        this.builtins = new Builtins(this);
    }

    String render(List<Node> program, Map<String, ?> context) {
        Scope globals = new Scope(null);
        builtins.defineGlobals(globals);
        context.forEach((k, v) -> globals.set(k, Values.of(v)));
        StringBuilder out = new StringBuilder();
        try {
            block(program, new Scope(globals), out);
        } catch (StackOverflowError e) {
            throw new JinjaException("the template nests too deeply to render");
        } catch (LoopSignal e) {
            throw new JinjaException("{% break %} or {% continue %} outside a loop");
        }
        return out.toString();
    }

    Limits limits() {
        return limits;
    }

    // ---- statements

    private void block(List<Node> nodes, Scope scope, StringBuilder out) {
        for (Node n : nodes) {
            statement(n, scope, out);
        }
    }

    private void statement(Node node, Scope scope, StringBuilder out) {
        step();
        try {
            switch (node) {
                case Node.Text t -> append(out, t.text);
                case Node.Output o -> append(out, str(expression(o.expression, scope)));
                case Node.If i -> {
                    for (int k = 0; k < i.conditions.size(); k++) {
                        if (Values.truthy(expression(i.conditions.get(k), scope))) {
                            block(i.bodies.get(k), scope, out);
                            return;
                        }
                    }
                    block(i.otherwise, scope, out);
                }
                case Node.For f -> forLoop(f, scope, out);
                case Node.Set s -> set(s, scope);
                case Node.Macro m -> scope.set(m.name, macro(m.name, m.parameters, m.body, scope));
                case Node.CallBlock c -> {
                    JinjaFunction caller = macro("caller", c.parameters, c.body, scope);
                    Map<String, Object> kwargs = new LinkedHashMap<>(keywordArguments(c.call.arguments, scope));
                    kwargs.put("caller", caller);
                    append(out, str(call(expression(c.call.callee, scope), positionalArguments(c.call.arguments, scope), kwargs)));
                }
                case Node.FilterBlock fb -> {
                    StringBuilder inner = new StringBuilder();
                    block(fb.body, scope, inner);
                    append(out, str(builtins.filter(fb.filter.name, inner.toString(), positionalArguments(fb.filter.arguments, scope),
                            keywordArguments(fb.filter.arguments, scope))));
                }
                case Node.LoopControl lc -> throw lc.isBreak ? BREAK : CONTINUE;
                default -> throw new IllegalStateException("not a statement: " + node.getClass().getSimpleName());
            }
        } catch (JinjaException e) {
            throw e.at(node.line, text(node));
        } catch (LoopSignal e) {
            throw e;
        } catch (RuntimeException e) {
            throw new JinjaException(String.valueOf(e.getMessage()), e).at(node.line, text(node));
        }
    }

    private void forLoop(Node.For f, Scope scope, StringBuilder out) {
        Object iterable = expression(f.iterable, scope);
        List<Object> all = builtins.iterate(iterable);
        Scope loopScope = new Scope(scope);
        List<Object> items = all;
        if (f.condition != null) {
            items = new ArrayList<>();
            for (Object item : all) {
                bindTargets(f.targets, item, loopScope);
                if (Values.truthy(expression(f.condition, loopScope))) {
                    items.add(item);
                }
            }
        }
        int n = items.size();
        for (int i = 0; i < n; i++) {
            step();
            Map<String, Object> loop = new LinkedHashMap<>();
            loop.put("index", (long) i + 1);
            loop.put("index0", (long) i);
            loop.put("revindex", (long) (n - i));
            loop.put("revindex0", (long) (n - i - 1));
            loop.put("first", i == 0);
            loop.put("last", i == n - 1);
            loop.put("length", (long) n);
            loop.put("previtem", i > 0 ? items.get(i - 1) : Undefined.VALUE);
            loop.put("nextitem", i < n - 1 ? items.get(i + 1) : Undefined.VALUE);
            final int index = i;
            loop.put("cycle", (JinjaFunction) (args, kw) -> args.isEmpty() ? Undefined.VALUE : args.get(index % args.size()));
            loopScope.set("loop", loop);
            bindTargets(f.targets, items.get(i), loopScope);
            try {
                block(f.body, loopScope, out);
            } catch (LoopSignal s) {
                if (s == BREAK) {
                    break;
                }
            }
        }
        if (n == 0) {
            block(f.otherwise, loopScope, out);
        }
    }

    private void bindTargets(List<String> targets, Object item, Scope scope) {
        if (targets.size() == 1) {
            scope.set(targets.getFirst(), item);
            return;
        }
        List<Object> parts = unpack(item, targets.size());
        for (int k = 0; k < targets.size(); k++) {
            scope.set(targets.get(k), parts.get(k));
        }
    }

    private List<Object> unpack(Object item, int count) {
        if (!(item instanceof List<?> l)) {
            throw new JinjaException("cannot unpack a " + Values.typeName(item) + " into " + count + " variables");
        }
        if (l.size() != count) {
            throw new JinjaException("cannot unpack " + l.size() + " values into " + count + " variables");
        }
        @SuppressWarnings("unchecked")
        List<Object> parts = (List<Object>) l;
        return parts;
    }

    private void set(Node.Set s, Scope scope) {
        Object value;
        if (s.value != null) {
            value = expression(s.value, scope);
        } else {
            StringBuilder inner = new StringBuilder();
            block(s.body, scope, inner);
            value = inner.toString();
        }
        switch (s.target) {
            case Node.Name n -> scope.set(n.name, value);
            case Node.ListLiteral l -> {
                List<Object> parts = unpack(value, l.items.size());
                for (int k = 0; k < parts.size(); k++) {
                    scope.set(((Node.Name) l.items.get(k)).name, parts.get(k));
                }
            }
            case Node.Attribute a -> {
                Object target = expression(a.object, scope);
                if (!(target instanceof Namespace ns)) {
                    throw new JinjaException("cannot set an attribute of a " + Values.typeName(target) + ", only of a namespace()");
                }
                ns.attributes.put(a.name, value);
            }
            default -> throw new JinjaException("cannot assign to this");
        }
    }

    /** A macro (or a call block's {@code caller}) as a function; it sees the scope it was defined in. */
    private JinjaFunction macro(String name, List<Node.Parameter> parameters, List<Node> body, Scope definedIn) {
        return (args, kwargs) -> {
            if (++calls > limits.maxDepth()) {
                throw new JinjaException("macro calls nest deeper than " + limits.maxDepth());
            }
            try {
                Scope local = new Scope(definedIn);
                Map<String, Object> extra = new LinkedHashMap<>(kwargs);
                for (int k = 0; k < parameters.size(); k++) {
                    Node.Parameter p = parameters.get(k);
                    Object v = k < args.size() ? args.get(k) : extra.containsKey(p.name()) ? extra.get(p.name())
                            : p.defaultValue() != null ? expression(p.defaultValue(), local) : Undefined.VALUE;
                    extra.remove(p.name());
                    local.set(p.name(), v);
                }
                if (extra.containsKey("caller")) {
                    local.set("caller", extra.remove("caller"));
                }
                local.set("varargs", new ArrayList<>(args.subList(Math.min(args.size(), parameters.size()), args.size())));
                local.set("kwargs", extra);
                StringBuilder out = new StringBuilder();
                block(body, local, out);
                return out.toString();
            } finally {
                calls--;
            }
        };
    }

    // ---- expressions

    Object expression(Node node, Scope scope) {
        step();
        try {
            return switch (node) {
                case Node.Literal l -> l.value;
                case Node.Name n -> scope.get(n.name);
                case Node.ListLiteral l -> {
                    List<Object> items = new ArrayList<>(l.items.size());
                    for (Node item : l.items) {
                        items.add(expression(item, scope));
                    }
                    yield items;
                }
                case Node.DictLiteral d -> {
                    Map<Object, Object> map = new LinkedHashMap<>();
                    for (int k = 0; k < d.keys.size(); k++) {
                        Object key = expression(d.keys.get(k), scope);
                        if (!(key instanceof String || key instanceof Long || key instanceof Boolean || key == null)) {
                            throw new JinjaException("a mapping's keys must be strings or integers, not " + Values.typeName(key));
                        }
                        map.put(key, expression(d.values.get(k), scope));
                    }
                    yield map;
                }
                case Node.Attribute a -> builtins.attribute(expression(a.object, scope), a.name);
                case Node.Index i -> builtins.item(expression(i.object, scope), expression(i.index, scope));
                case Node.Slice s -> builtins.slice(expression(s.object, scope), optional(s.from, scope), optional(s.to, scope),
                        optional(s.step, scope));
                case Node.Call c -> call(expression(c.callee, scope), positionalArguments(c.arguments, scope), keywordArguments(c.arguments, scope));
                case Node.Filter f -> builtins.filter(f.name, expression(f.operand, scope), positionalArguments(f.arguments, scope),
                        keywordArguments(f.arguments, scope));
                case Node.Test t -> {
                    List<Object> args = new ArrayList<>();
                    for (Node a : t.arguments) {
                        args.add(expression(a, scope));
                    }
                    yield builtins.test(t.name, expression(t.operand, scope), args) != t.negated;
                }
                case Node.Unary u -> Operators.unary(u.operator, expression(u.operand, scope));
                case Node.Binary b -> switch (b.operator) {
                    case "and" -> {
                        Object left = expression(b.left, scope);
                        yield Values.truthy(left) ? expression(b.right, scope) : left;
                    }
                    case "or" -> {
                        Object left = expression(b.left, scope);
                        yield Values.truthy(left) ? left : expression(b.right, scope);
                    }
                    default -> Operators.binary(this, b.operator, expression(b.left, scope), expression(b.right, scope));
                };
                case Node.Conditional c -> Values.truthy(expression(c.condition, scope)) ? expression(c.then, scope)
                        : c.otherwise == null ? Undefined.VALUE : expression(c.otherwise, scope);
                default -> throw new IllegalStateException("not an expression: " + node.getClass().getSimpleName());
            };
        } catch (JinjaException e) {
            throw e.at(node.line, text(node));
        } catch (LoopSignal e) {
            throw e;
        } catch (RuntimeException e) {
            throw new JinjaException(String.valueOf(e.getMessage()), e).at(node.line, text(node));
        }
    }

    private Object optional(Node node, Scope scope) {
        return node == null ? null : expression(node, scope);
    }

    private List<Object> positionalArguments(Node.Arguments a, Scope scope) {
        List<Object> args = new ArrayList<>(a.positional().size());
        for (Node n : a.positional()) {
            args.add(expression(n, scope));
        }
        return args;
    }

    private Map<String, Object> keywordArguments(Node.Arguments a, Scope scope) {
        if (a.names().isEmpty()) {
            return Map.of();
        }
        Map<String, Object> kwargs = new LinkedHashMap<>();
        for (int k = 0; k < a.names().size(); k++) {
            kwargs.put(a.names().get(k), expression(a.values().get(k), scope));
        }
        return kwargs;
    }

    private Object call(Object callee, List<Object> args, Map<String, Object> kwargs) {
        if (!(callee instanceof JinjaFunction f)) {
            throw new JinjaException("a " + Values.typeName(callee) + " is not callable");
        }
        return f.call(args, kwargs);
    }

    // ---- budgets

    private void step() {
        if (++steps > limits.maxSteps()) {
            throw new JinjaException("rendering takes more than " + limits.maxSteps() + " steps");
        }
    }

    private void append(StringBuilder out, String s) {
        charge(s.length());
        if ((long) out.length() + s.length() > limits.maxChars()) {
            throw tooLong(limits.maxChars());
        }
        out.append(s);
    }

    /** Counts {@code n} characters or items made; all of them together are bounded, so that work is. */
    void charge(long n) {
        if (n > limits.maxChars()) {
            throw tooLong(limits.maxChars());
        }
        charsMade += n;
        if (charsMade > 16L * limits.maxChars()) {
            throw new JinjaException("rendering makes more than " + 16L * limits.maxChars() + " characters in all");
        }
    }

    /** The text {@code v} prints as, charged. */
    String str(Object v) {
        String s = Values.str(v, limits.maxChars());
        charge(s.length());
        return s;
    }

    static JinjaException tooLong(int maxChars) {
        return new JinjaException("a value or the output grows beyond " + maxChars + " characters");
    }

    private String text(Node node) {
        String t = source.substring(Math.min(node.start, source.length()), Math.min(node.end, source.length()));
        t = t.replaceAll("\\s+", " ").strip();
        return t.length() <= 120 ? t : t.substring(0, 117) + "...";
    }

    /** {@code {% break %}} and {@code {% continue %}} unwinding to their loop. */
    private static final class LoopSignal extends RuntimeException {
        LoopSignal() {
            super(null, null, false, false);
        }
    }
}
