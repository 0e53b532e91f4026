package dev.panamax.transformer.chat.jinja;

import java.util.List;

/**
 * The syntax tree of a template: statements (text, output, control tags) and the expressions inside
 * them. Each node knows where it was written ({@code line}, and the offsets {@code start}..{@code end}
 * in the template), for error messages.
 */
abstract sealed class Node {
    final int line;
    final int start;
    final int end;

    Node(Token first, Token last) {
        this.line = first.line();
        this.start = first.start();
        this.end = last.end();
    }

    Node(Node first, Node last) {
        this(first.line, first.start, last.end);
    }

    Node(int line, int start, int end) {
        this.line = line;
        this.start = start;
        this.end = end;
    }

    /** The keyword-argument part of a call: {@code f(x, key=value)}. */
    record Arguments(List<Node> positional, List<String> names, List<Node> values) {
        static final Arguments NONE = new Arguments(List.of(), List.of(), List.of());
    }

    /** A macro parameter with its default value, or null for none. */
    record Parameter(String name, Node defaultValue) {
    }

    // ---- statements

    static final class Text extends Node {
        final String text;

        Text(Token t) {
            super(t, t);
            this.text = t.value();
        }
    }

    /** {@code {{ expression }}}. */
    static final class Output extends Node {
        final Node expression;

        Output(Token open, Node expression, Token close) {
            super(open, close);
            this.expression = expression;
        }
    }

    /** {@code {% if %}}, each {@code elif}, and the {@code else} body (empty if none). */
    static final class If extends Node {
        final List<Node> conditions;
        final List<List<Node>> bodies;
        final List<Node> otherwise;

        If(Token open, Token close, List<Node> conditions, List<List<Node>> bodies, List<Node> otherwise) {
            super(open, close);
            this.conditions = conditions;
            this.bodies = bodies;
            this.otherwise = otherwise;
        }
    }

    /** {@code {% for a, b in iterable if condition %} body {% else %} otherwise {% endfor %}}. */
    static final class For extends Node {
        final List<String> targets;
        final Node iterable;
        final Node condition;
        final List<Node> body;
        final List<Node> otherwise;

        For(Token open, Token close, List<String> targets, Node iterable, Node condition, List<Node> body, List<Node> otherwise) {
            super(open, close);
            this.targets = targets;
            this.iterable = iterable;
            this.condition = condition;
            this.body = body;
            this.otherwise = otherwise;
        }
    }

    /** {@code {% set target = value %}} or the block form {@code {% set target %}body{% endset %}} (value null). */
    static final class Set extends Node {
        final Node target;
        final Node value;
        final List<Node> body;

        Set(Token open, Token close, Node target, Node value, List<Node> body) {
            super(open, close);
            this.target = target;
            this.value = value;
            this.body = body;
        }
    }

    static final class Macro extends Node {
        final String name;
        final List<Parameter> parameters;
        final List<Node> body;

        Macro(Token open, Token close, String name, List<Parameter> parameters, List<Node> body) {
            super(open, close);
            this.name = name;
            this.parameters = parameters;
            this.body = body;
        }
    }

    /** {@code {% call(params) macro(args) %}body{% endcall %}}: the body is the macro's {@code caller()}. */
    static final class CallBlock extends Node {
        final Call call;
        final List<Parameter> parameters;
        final List<Node> body;

        CallBlock(Token open, Token close, Call call, List<Parameter> parameters, List<Node> body) {
            super(open, close);
            this.call = call;
            this.parameters = parameters;
            this.body = body;
        }
    }

    /** {@code {% filter name(args) %}body{% endfilter %}}. */
    static final class FilterBlock extends Node {
        final Filter filter;
        final List<Node> body;

        FilterBlock(Token open, Token close, Filter filter, List<Node> body) {
            super(open, close);
            this.filter = filter;
            this.body = body;
        }
    }

    /** {@code {% break %}} or {@code {% continue %}}. */
    static final class LoopControl extends Node {
        final boolean isBreak;

        LoopControl(Token open, Token close, boolean isBreak) {
            super(open, close);
            this.isBreak = isBreak;
        }
    }

    // ---- expressions

    static final class Literal extends Node {
        final Object value;

        Literal(Token t, Object value) {
            super(t, t);
            this.value = value;
        }
    }

    static final class Name extends Node {
        final String name;

        Name(Token t) {
            super(t, t);
            this.name = t.value();
        }
    }

    /** {@code [a, b]} or, when {@code tuple}, {@code (a, b)} / {@code a, b}. */
    static final class ListLiteral extends Node {
        final List<Node> items;
        final boolean tuple;

        ListLiteral(Token first, Token last, List<Node> items, boolean tuple) {
            super(first, last);
            this.items = items;
            this.tuple = tuple;
        }

        ListLiteral(Node first, Node last, List<Node> items) {
            super(first, last);
            this.items = items;
            this.tuple = true;
        }
    }

    static final class DictLiteral extends Node {
        final List<Node> keys;
        final List<Node> values;

        DictLiteral(Token first, Token last, List<Node> keys, List<Node> values) {
            super(first, last);
            this.keys = keys;
            this.values = values;
        }
    }

    /** {@code object.name}. */
    static final class Attribute extends Node {
        final Node object;
        final String name;

        Attribute(Node object, Token last, String name) {
            super(object.line, object.start, last.end());
            this.object = object;
            this.name = name;
        }
    }

    /** {@code object[index]}. */
    static final class Index extends Node {
        final Node object;
        final Node index;

        Index(Node object, Token last, Node index) {
            super(object.line, object.start, last.end());
            this.object = object;
            this.index = index;
        }
    }

    /** {@code object[start:stop:step]}, each part null when left out. */
    static final class Slice extends Node {
        final Node object;
        final Node from;
        final Node to;
        final Node step;

        Slice(Node object, Token last, Node from, Node to, Node step) {
            super(object.line, object.start, last.end());
            this.object = object;
            this.from = from;
            this.to = to;
            this.step = step;
        }
    }

    static final class Call extends Node {
        final Node callee;
        final Arguments arguments;

        Call(Node callee, Token last, Arguments arguments) {
            super(callee.line, callee.start, last.end());
            this.callee = callee;
            this.arguments = arguments;
        }
    }

    /** {@code operand | name(args)}. */
    static final class Filter extends Node {
        final Node operand;
        final String name;
        final Arguments arguments;

        Filter(Node operand, Token last, String name, Arguments arguments) {
            super(operand.line, operand.start, last.end());
            this.operand = operand;
            this.name = name;
            this.arguments = arguments;
        }
    }

    /** {@code operand is [not] name(args)}. */
    static final class Test extends Node {
        final Node operand;
        final String name;
        final boolean negated;
        final List<Node> arguments;

        Test(Node operand, Token last, String name, boolean negated, List<Node> arguments) {
            super(operand.line, operand.start, last.end());
            this.operand = operand;
            this.name = name;
            this.negated = negated;
            this.arguments = arguments;
        }
    }

    /** {@code not x}, {@code -x}, {@code +x}. */
    static final class Unary extends Node {
        final String operator;
        final Node operand;

        Unary(Token op, Node operand) {
            super(op.line(), op.start(), operand.end);
            this.operator = op.value();
            this.operand = operand;
        }
    }

    static final class Binary extends Node {
        final String operator;
        final Node left;
        final Node right;

        Binary(String operator, Node left, Node right) {
            super(left, right);
            this.operator = operator;
            this.left = left;
            this.right = right;
        }
    }

    /** {@code then if condition else otherwise}; without {@code else}, {@code otherwise} is null and the value undefined. */
    static final class Conditional extends Node {
        final Node condition;
        final Node then;
        final Node otherwise;

        Conditional(Node then, Node condition, Node otherwise, Node last) {
            super(then, last);
            this.condition = condition;
            this.then = then;
            this.otherwise = otherwise;
        }
    }
}
