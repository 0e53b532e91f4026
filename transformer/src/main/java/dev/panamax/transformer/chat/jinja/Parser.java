package dev.panamax.transformer.chat.jinja;

import dev.panamax.transformer.chat.jinja.Node.Arguments;
import dev.panamax.transformer.chat.jinja.Node.Parameter;
import dev.panamax.transformer.chat.jinja.Token.Kind;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;

/**
 * Builds the syntax tree of a template from its tokens, by recursive descent with Jinja's operator
 * precedence (lowest first): {@code x if c else y}, {@code or}, {@code and}, {@code not}, comparisons
 * and {@code in}, {@code + - ~}, {@code * / // %}, {@code **}, {@code is} tests, {@code |} filters,
 * unary {@code - +}, then calls, attributes, subscripts and slices.
 */
final class Parser {
    private static final Set<String> KEYWORDS = Set.of("and", "or", "not", "in", "is", "if", "else", "elif");

    private final String source;
    private final List<Token> tokens;
    private final int maxDepth;
    private int pos;
    private int depth;

    private Parser(String source, List<Token> tokens, int maxDepth) {
        this.source = source;
        this.tokens = tokens;
        this.maxDepth = maxDepth;
    }

    static List<Node> parse(String template, int maxDepth) {
        Parser p = new Parser(template, Lexer.tokenize(template), maxDepth);
        List<Node> body = p.body(Set.of(), null);
        if (p.pos < p.tokens.size()) {
            Token t = p.tokens.get(p.pos + 1 < p.tokens.size() ? p.pos + 1 : p.pos);
            throw p.error("unexpected '" + t.value() + "' without an opening tag", t);
        }
        return body;
    }

    // ---- statements

    /**
     * Nodes up to (not including) a block tag whose keyword is one of {@code ends}, or the end of the
     * template if there are none; {@code open} is the tag whose block this is, for the error if it never ends.
     */
    private List<Node> body(Set<String> ends, Token open) {
        enter(peek());
        List<Node> nodes = new ArrayList<>();
        while (pos < tokens.size()) {
            Token t = tokens.get(pos);
            switch (t.kind()) {
                case TEXT -> {
                    nodes.add(new Node.Text(t));
                    pos++;
                }
                case OPEN_EXPRESSION -> {
                    pos++;
                    Node e = expression();
                    nodes.add(new Node.Output(t, e, expect(Kind.CLOSE_EXPRESSION, "}}")));
                }
                case OPEN_STATEMENT -> {
                    Token keyword = at(pos + 1);
                    if (keyword.kind() == Kind.NAME && ends.contains(keyword.value())) {
                        depth--;
                        return nodes;
                    }
                    Node s = statement();
                    if (s != null) {
                        nodes.add(s);
                    }
                }
                default -> throw error("unexpected '" + t.value() + "'", t);
            }
        }
        if (!ends.isEmpty()) {
            String end = ends.stream().filter(e -> e.startsWith("end")).findFirst().orElseThrow();
            throw error("this block is never closed: the template ends without {% " + end + " %}", open);
        }
        depth--;
        return nodes;
    }

    private Node statement() {
        Token open = tokens.get(pos++);
        Token keyword = peek();
        if (keyword.kind() != Kind.NAME) {
            throw error("expected a tag name", keyword);
        }
        pos++;
        return switch (keyword.value()) {
            case "if" -> ifStatement(open);
            case "for" -> forStatement(open);
            case "set" -> setStatement(open);
            case "macro" -> macroStatement(open);
            case "call" -> callStatement(open);
            case "filter" -> filterStatement(open);
            case "break", "continue" -> new Node.LoopControl(open, closeTag(), keyword.value().equals("break"));
            case "generation", "endgeneration" -> { // transformers' marker of assistant text: renders nothing
                closeTag();
                yield null;
            }
            case "elif", "else", "endif", "endfor", "endset", "endmacro", "endcall", "endfilter" ->
                    throw error("{% " + keyword.value() + " %} without an opening tag", open);
            default -> throw error("unknown tag '" + keyword.value() + "'", open);
        };
    }

    private Node ifStatement(Token open) {
        List<Node> conditions = new ArrayList<>();
        List<List<Node>> bodies = new ArrayList<>();
        conditions.add(expression());
        Token close = closeTag();
        Set<String> ends = Set.of("elif", "else", "endif");
        bodies.add(body(ends, open));
        List<Node> otherwise = List.of();
        while (true) {
            pos++; // {%
            String k = tokens.get(pos++).value();
            if (k.equals("elif")) {
                conditions.add(expression());
                closeTag();
                bodies.add(body(ends, open));
            } else if (k.equals("else")) {
                closeTag();
                otherwise = body(Set.of("endif"), open);
            } else {
                closeTag();
                return new Node.If(open, close, conditions, bodies, otherwise);
            }
        }
    }

    private Node forStatement(Token open) {
        List<String> targets = new ArrayList<>();
        do {
            targets.add(name("a loop variable"));
        } while (accept(","));
        if (!peek().isName("in")) {
            throw error("expected 'in' after the loop variable", peek());
        }
        pos++;
        Node iterable = or();
        Node condition = null;
        if (peek().isName("if")) {
            pos++;
            condition = or();
        }
        if (peek().isName("recursive")) {
            throw error("recursive loops are not supported", peek());
        }
        Token close = closeTag();
        List<Node> body = body(Set.of("else", "endfor"), open);
        List<Node> otherwise = List.of();
        pos++;
        if (tokens.get(pos++).value().equals("else")) {
            closeTag();
            otherwise = body(Set.of("endfor"), open);
            pos += 2;
        }
        closeTag();
        return new Node.For(open, close, targets, iterable, condition, body, otherwise);
    }

    private Node setStatement(Token open) {
        Node target = postfix(primary());
        if (peek().isOperator(",")) {
            List<Node> names = new ArrayList<>(List.of(target));
            while (accept(",")) {
                names.add(postfix(primary()));
            }
            target = new Node.ListLiteral(names.getFirst(), names.getLast(), names);
        }
        checkAssignable(target);
        if (accept("=")) {
            Node value = expressionSequence();
            return new Node.Set(open, closeTag(), target, value, null);
        }
        Token close = closeTag();
        List<Node> body = body(Set.of("endset"), open);
        pos += 2;
        closeTag();
        return new Node.Set(open, close, target, null, body);
    }

    private void checkAssignable(Node target) {
        boolean ok = target instanceof Node.Name || (target instanceof Node.Attribute a && a.object instanceof Node.Name)
                || (target instanceof Node.ListLiteral l && l.items.stream().allMatch(i -> i instanceof Node.Name));
        if (!ok) {
            throw new JinjaException("cannot assign to this").at(target.line, source.substring(target.start, target.end));
        }
    }

    private Node macroStatement(Token open) {
        String name = name("a macro name");
        List<Parameter> parameters = parameters();
        Token close = closeTag();
        List<Node> body = body(Set.of("endmacro"), open);
        pos += 2;
        closeTag();
        return new Node.Macro(open, close, name, parameters, body);
    }

    private Node callStatement(Token open) {
        List<Parameter> parameters = peek().isOperator("(") ? parameters() : List.of();
        Node call = postfix(primary());
        if (!(call instanceof Node.Call c)) {
            throw new JinjaException("expected a macro call").at(call.line, source.substring(call.start, call.end));
        }
        Token close = closeTag();
        List<Node> body = body(Set.of("endcall"), open);
        pos += 2;
        closeTag();
        return new Node.CallBlock(open, close, c, parameters, body);
    }

    private Node filterStatement(Token open) {
        Token nameToken = peek();
        String name = name("a filter name");
        Arguments args = peek().isOperator("(") ? arguments() : Arguments.NONE;
        Node.Filter filter = new Node.Filter(new Node.Literal(nameToken, null), previous(), name, args);
        Token close = closeTag();
        List<Node> body = body(Set.of("endfilter"), open);
        pos += 2;
        closeTag();
        return new Node.FilterBlock(open, close, filter, body);
    }

    /** {@code (a, b=default)}. */
    private List<Parameter> parameters() {
        expect(Kind.OPERATOR, "(");
        List<Parameter> ps = new ArrayList<>();
        while (!accept(")")) {
            String n = name("a parameter name");
            ps.add(new Parameter(n, accept("=") ? expression() : null));
            if (!peek().isOperator(")")) {
                expect(Kind.OPERATOR, ",");
            }
        }
        return ps;
    }

    private Token closeTag() {
        return expect(Kind.CLOSE_STATEMENT, "%}");
    }

    // ---- expressions

    /** An expression, or several separated by commas (a tuple), as after {@code set x =}. */
    private Node expressionSequence() {
        Node first = expression();
        if (!peek().isOperator(",")) {
            return first;
        }
        List<Node> items = new ArrayList<>(List.of(first));
        while (accept(",")) {
            items.add(expression());
        }
        return new Node.ListLiteral(first, items.getLast(), items);
    }

    private Node expression() {
        enter(peek());
        Node then = or();
        if (peek().isName("if")) {
            pos++;
            Node condition = or();
            Node otherwise = null;
            if (peek().isName("else")) {
                pos++;
                otherwise = expression();
            }
            then = new Node.Conditional(then, condition, otherwise, otherwise != null ? otherwise : condition);
        }
        depth--;
        return then;
    }

    private Node or() {
        Node left = and();
        while (peek().isName("or")) {
            pos++;
            left = new Node.Binary("or", left, and());
        }
        return left;
    }

    private Node and() {
        Node left = not();
        while (peek().isName("and")) {
            pos++;
            left = new Node.Binary("and", left, not());
        }
        return left;
    }

    private Node not() {
        if (peek().isName("not")) {
            Token op = tokens.get(pos++);
            enter(op);
            Node operand = not();
            depth--;
            return new Node.Unary(op, operand);
        }
        return comparison();
    }

    private Node comparison() {
        Node left = additive();
        while (true) {
            Token t = peek();
            String op;
            if (t.isName("not") && at(pos + 1).isName("in")) {
                op = "not in";
                pos += 2;
            } else if (t.isName("in")) {
                op = "in";
                pos++;
            } else if (t.kind() == Kind.OPERATOR && Set.of("==", "!=", "<", ">", "<=", ">=").contains(t.value())) {
                op = t.value();
                pos++;
            } else {
                return left;
            }
            left = new Node.Binary(op, left, additive());
        }
    }

    private Node additive() {
        Node left = multiplicative();
        while (peek().kind() == Kind.OPERATOR && Set.of("+", "-", "~").contains(peek().value())) {
            String op = tokens.get(pos++).value();
            left = new Node.Binary(op, left, multiplicative());
        }
        return left;
    }

    private Node multiplicative() {
        Node left = power();
        while (peek().kind() == Kind.OPERATOR && Set.of("*", "/", "//", "%").contains(peek().value())) {
            String op = tokens.get(pos++).value();
            left = new Node.Binary(op, left, power());
        }
        return left;
    }

    private Node power() {
        Node left = test();
        while (accept("**")) {
            left = new Node.Binary("**", left, test());
        }
        return left;
    }

    private Node test() {
        Node operand = filter();
        while (peek().isName("is")) {
            pos++;
            boolean negated = false;
            if (peek().isName("not")) {
                pos++;
                negated = true;
            }
            String name = name("a test name");
            List<Node> args = new ArrayList<>();
            if (peek().isOperator("(")) {
                args.addAll(arguments().positional());
            } else if (startsArgument(peek())) {
                args.add(postfix(primary()));
            }
            operand = new Node.Test(operand, previous(), name, negated, args);
        }
        return operand;
    }

    /** Whether {@code t} can begin the argument of a test written without parentheses ({@code x is equalto 'user'}). */
    private static boolean startsArgument(Token t) {
        return switch (t.kind()) {
            case STRING, INTEGER, FLOAT -> true;
            case NAME -> !KEYWORDS.contains(t.value());
            default -> false;
        };
    }

    private Node filter() {
        Node operand = unary();
        while (accept("|")) {
            String name = name("a filter name");
            Arguments args = peek().isOperator("(") ? arguments() : Arguments.NONE;
            operand = new Node.Filter(operand, previous(), name, args);
        }
        return operand;
    }

    private Node unary() {
        Token t = peek();
        if (t.isOperator("-") || t.isOperator("+")) {
            pos++;
            enter(t);
            Node operand = unary();
            depth--;
            return new Node.Unary(t, operand);
        }
        return postfix(primary());
    }

    private Node postfix(Node node) {
        while (true) {
            Token t = peek();
            if (t.isOperator(".")) {
                pos++;
                Token n = tokens.get(pos++);
                if (n.kind() == Kind.NAME) {
                    node = new Node.Attribute(node, n, n.value());
                } else if (n.kind() == Kind.INTEGER && parseInteger(n) instanceof Long index) {
                    node = new Node.Index(node, n, new Node.Literal(n, index));
                } else {
                    throw error("expected an attribute name after '.'", n);
                }
            } else if (t.isOperator("[")) {
                pos++;
                node = subscript(node);
            } else if (t.isOperator("(")) {
                Arguments args = arguments();
                node = new Node.Call(node, previous(), args);
            } else {
                return node;
            }
        }
    }

    /** After {@code [}: an index, or a slice {@code [from:to:step]} with any part left out. */
    private Node subscript(Node object) {
        Node[] parts = new Node[3];
        int part = 0;
        boolean slice = false;
        while (!peek().isOperator("]")) {
            if (accept(":")) {
                slice = true;
                if (++part > 2) {
                    throw error("a slice has at most three parts", previous());
                }
            } else {
                if (parts[part] != null) {
                    throw error("expected ':' or ']'", peek());
                }
                parts[part] = expression();
            }
        }
        Token close = expect(Kind.OPERATOR, "]");
        if (!slice) {
            if (parts[0] == null) {
                throw error("empty subscript", close);
            }
            return new Node.Index(object, close, parts[0]);
        }
        return new Node.Slice(object, close, parts[0], parts[1], parts[2]);
    }

    /** {@code (a, b, key=value)}. */
    private Arguments arguments() {
        expect(Kind.OPERATOR, "(");
        List<Node> positional = new ArrayList<>();
        List<String> names = new ArrayList<>();
        List<Node> values = new ArrayList<>();
        while (!accept(")")) {
            if (peek().kind() == Kind.NAME && at(pos + 1).isOperator("=")) {
                names.add(tokens.get(pos).value());
                pos += 2;
                values.add(expression());
            } else if (!names.isEmpty()) {
                throw error("a positional argument after a keyword argument", peek());
            } else {
                positional.add(expression());
            }
            if (!peek().isOperator(")")) {
                expect(Kind.OPERATOR, ",");
            }
        }
        return new Arguments(positional, names, values);
    }

    private Node primary() {
        Token t = peek();
        enter(t);
        pos++;
        Node n = switch (t.kind()) {
            case INTEGER -> new Node.Literal(t, parseInteger(t));
            case FLOAT -> new Node.Literal(t, Double.parseDouble(t.value()));
            case STRING -> {
                StringBuilder s = new StringBuilder(t.value());
                Token last = t;
                while (peek().kind() == Kind.STRING) { // 'a' 'b' is 'ab', as in Python
                    last = tokens.get(pos++);
                    s.append(last.value());
                }
                yield new Node.Literal(new Token(Kind.STRING, "", t.line(), t.start(), last.end()), s.toString());
            }
            case NAME -> switch (t.value()) {
                case "true", "True" -> new Node.Literal(t, Boolean.TRUE);
                case "false", "False" -> new Node.Literal(t, Boolean.FALSE);
                case "none", "None" -> new Node.Literal(t, null);
                default -> new Node.Name(t);
            };
            case OPERATOR -> switch (t.value()) {
                case "(" -> parenthesized(t);
                case "[" -> listLiteral(t);
                case "{" -> dictLiteral(t);
                default -> throw error("unexpected '" + t.value() + "'", t);
            };
            default -> throw error("expected an expression, found '" + t.value() + "'", t);
        };
        depth--;
        return n;
    }

    private Node parenthesized(Token open) {
        if (accept(")")) {
            return new Node.ListLiteral(open, previous(), List.of(), true);
        }
        Node first = expression();
        if (accept(")")) {
            return first;
        }
        List<Node> items = new ArrayList<>(List.of(first));
        while (accept(",")) {
            if (peek().isOperator(")")) {
                break;
            }
            items.add(expression());
        }
        return new Node.ListLiteral(open, expect(Kind.OPERATOR, ")"), items, true);
    }

    private Node listLiteral(Token open) {
        List<Node> items = new ArrayList<>();
        while (!accept("]")) {
            items.add(expression());
            if (!peek().isOperator("]")) {
                expect(Kind.OPERATOR, ",");
            }
        }
        return new Node.ListLiteral(open, previous(), items, false);
    }

    private Node dictLiteral(Token open) {
        List<Node> keys = new ArrayList<>();
        List<Node> values = new ArrayList<>();
        while (!accept("}")) {
            keys.add(expression());
            expect(Kind.OPERATOR, ":");
            values.add(expression());
            if (!peek().isOperator("}")) {
                expect(Kind.OPERATOR, ",");
            }
        }
        return new Node.DictLiteral(open, previous(), keys, values);
    }

    private Object parseInteger(Token t) {
        try {
            return Long.parseLong(t.value());
        } catch (NumberFormatException e) {
            return Double.parseDouble(t.value());
        }
    }

    // ---- token helpers

    private void enter(Token t) {
        if (++depth > maxDepth) {
            throw error("the template nests deeper than " + maxDepth + " levels", t);
        }
    }

    private String name(String what) {
        Token t = peek();
        if (t.kind() != Kind.NAME) {
            throw error("expected " + what + ", found '" + t.value() + "'", t);
        }
        pos++;
        return t.value();
    }

    private boolean accept(String operator) {
        if (peek().isOperator(operator)) {
            pos++;
            return true;
        }
        return false;
    }

    private Token expect(Kind kind, String value) {
        Token t = peek();
        if (t.kind() != kind || !t.value().equals(value)) {
            throw error("expected '" + value + "', found '" + t.value() + "'", t);
        }
        pos++;
        return t;
    }

    private Token peek() {
        return at(pos);
    }

    private Token previous() {
        return tokens.get(pos - 1);
    }

    private Token at(int i) {
        if (i < tokens.size()) {
            return tokens.get(i);
        }
        int end = source.length();
        return new Token(Kind.TEXT, "end of template", tokens.isEmpty() ? 1 : tokens.getLast().line(), end, end);
    }

    private JinjaException error(String message, Token t) {
        int from = Math.min(t.start(), source.length());
        String near = source.substring(from, Math.min(source.length(), from + 40)).replaceAll("\\s+", " ").strip();
        return new JinjaException(message).at(t.line(), near.isEmpty() ? "end of template" : near);
    }
}
