package dev.panamax.transformer.chat.jinja;

/**
 * One lexical token of a template: literal text, a tag delimiter, or a piece of an expression.
 *
 * @param value the text (of a string literal: unescaped), the name, the number or the operator
 * @param line  the 1-based line where it starts
 * @param start its first character's offset in the template
 * @param end   the offset after its last character
 */
record Token(Kind kind, String value, int line, int start, int end) {
    enum Kind { TEXT, OPEN_STATEMENT, CLOSE_STATEMENT, OPEN_EXPRESSION, CLOSE_EXPRESSION, NAME, STRING, INTEGER, FLOAT, OPERATOR }

    boolean is(Kind k, String v) {
        return kind == k && value.equals(v);
    }

    boolean isName(String name) {
        return is(Kind.NAME, name);
    }

    boolean isOperator(String op) {
        return is(Kind.OPERATOR, op);
    }
}
