package dev.panamax.transformer.chat.jinja;

import dev.panamax.transformer.chat.jinja.Token.Kind;
import java.util.ArrayList;
import java.util.List;

/**
 * Splits a template into tokens with the environment Hugging Face renders chat templates in:
 * {@code trim_blocks} (the newline after a block tag or comment is dropped), {@code lstrip_blocks}
 * (spaces and tabs before a block tag or comment at the start of a line are dropped), one trailing
 * newline of the template dropped, and {@code {%-}/{@code -%}} stripping all whitespace on that side.
 * Whitespace is JavaScript's {@code \s} set, as in transformers.js.
 */
final class Lexer {
    private static final String[] OPERATORS = {"**", "//", "==", "!=", "<=", ">=", "(", ")", "[", "]", "{", "}", ",", ".", ":", "|",
            "+", "-", "~", "*", "/", "%", "<", ">", "="};

    private final String src;
    private final List<Token> tokens = new ArrayList<>();
    private int pos;
    private int line = 1;
    private int lineCountedTo;

    private Lexer(String template) {
        this.src = template.endsWith("\n") ? template.substring(0, template.length() - 1) : template;
    }

    static List<Token> tokenize(String template) {
        Lexer l = new Lexer(template);
        l.run();
        return l.tokens;
    }

    private void run() {
        while (pos < src.length()) {
            int tag = nextTag(pos);
            if (tag > pos) {
                text(pos, tag);
            }
            if (tag >= src.length()) {
                break;
            }
            char kind = src.charAt(tag + 1);
            boolean stripBefore = tag + 2 < src.length() && src.charAt(tag + 2) == '-';
            if (kind != '{') {
                lstripBlock(tag);
            }
            if (stripBefore) {
                trimLastText(tag);
            }
            pos = tag + (stripBefore ? 3 : 2);
            if (kind == '#') {
                comment(tag);
            } else {
                boolean statement = kind == '%';
                tokens.add(token(statement ? Kind.OPEN_STATEMENT : Kind.OPEN_EXPRESSION, statement ? "{%" : "{{", tag, pos));
                inside(statement);
            }
        }
    }

    /** The offset of the next {@code {{}, {@code {%} or {@code {#} at or after {@code from}, or the length. */
    private int nextTag(int from) {
        for (int i = from; i + 1 < src.length(); i++) {
            if (src.charAt(i) == '{') {
                char c = src.charAt(i + 1);
                if (c == '{' || c == '%' || c == '#') {
                    return i;
                }
            }
        }
        return src.length();
    }

    private void text(int from, int to) {
        tokens.add(token(Kind.TEXT, src.substring(from, to), from, to));
    }

    /** lstrip_blocks: spaces and tabs between the start of a line and a block tag go. */
    private void lstripBlock(int tag) {
        if (tokens.isEmpty() || tokens.getLast().kind() != Kind.TEXT || tokens.getLast().end() != tag) {
            return;
        }
        Token t = tokens.getLast();
        String s = t.value();
        int i = s.length();
        while (i > 0 && (s.charAt(i - 1) == ' ' || s.charAt(i - 1) == '\t')) {
            i--;
        }
        boolean lineStart = i > 0 ? s.charAt(i - 1) == '\n' : t.start() == 0 || src.charAt(t.start() - 1) == '\n';
        if (lineStart && i < s.length()) {
            replaceLastText(s.substring(0, i));
        }
    }

    /** {@code {%-}: the text just before the tag loses its trailing whitespace (not text before a comment or another tag). */
    private void trimLastText(int tag) {
        if (!tokens.isEmpty() && tokens.getLast().kind() == Kind.TEXT && tokens.getLast().end() == tag) {
            String s = tokens.getLast().value();
            int i = s.length();
            while (i > 0 && isSpace(s.charAt(i - 1))) {
                i--;
            }
            replaceLastText(s.substring(0, i));
        }
    }

    private void replaceLastText(String value) {
        Token t = tokens.removeLast();
        if (!value.isEmpty()) {
            tokens.add(new Token(Kind.TEXT, value, t.line(), t.start(), t.end()));
        }
    }

    private void comment(int tag) {
        int close = src.indexOf("#}", pos);
        if (close < 0) {
            throw located("unclosed comment", tag);
        }
        boolean stripAfter = close > pos && src.charAt(close - 1) == '-';
        pos = close + 2;
        afterBlock(stripAfter);
    }

    /** After a block tag or comment: {@code -%}} strips all following whitespace, else trim_blocks drops one newline. */
    private void afterBlock(boolean stripAfter) {
        if (stripAfter) {
            skipSpace();
        } else if (pos < src.length() && src.charAt(pos) == '\n') {
            pos++;
        }
    }

    /** The tokens of one tag's inside, up to and including its closing delimiter. */
    private void inside(boolean statement) {
        int open = pos;
        int curly = 0;
        while (true) {
            skipSpace();
            if (pos >= src.length()) {
                throw located("unclosed " + (statement ? "{%" : "{{"), open);
            }
            char c = src.charAt(pos);
            if (c == '-' && src.startsWith(statement ? "%}" : "}}", pos + 1) && (statement || curly == 0)) {
                close(statement, pos, pos + 3, true);
                return;
            }
            if (statement ? src.startsWith("%}", pos) : curly == 0 && src.startsWith("}}", pos)) {
                close(statement, pos, pos + 2, false);
                return;
            }
            int start = pos;
            if (c == '\'' || c == '"') {
                tokens.add(token(Kind.STRING, string(c), start, pos));
            } else if (isDigit(c)) {
                number(start);
            } else if (isWord(c)) {
                while (pos < src.length() && isWord(src.charAt(pos))) {
                    pos++;
                }
                tokens.add(token(Kind.NAME, src.substring(start, pos), start, pos));
            } else {
                String op = operator();
                curly += op.equals("{") ? 1 : op.equals("}") ? -1 : 0;
                tokens.add(token(Kind.OPERATOR, op, start, pos));
            }
        }
    }

    private void close(boolean statement, int start, int end, boolean strip) {
        tokens.add(token(statement ? Kind.CLOSE_STATEMENT : Kind.CLOSE_EXPRESSION, statement ? "%}" : "}}", start, end));
        pos = end;
        if (statement) {
            afterBlock(strip);
        } else if (strip) {
            skipSpace();
        }
    }

    private void number(int start) {
        while (pos < src.length() && isDigit(src.charAt(pos))) {
            pos++;
        }
        boolean afterDot = !tokens.isEmpty() && tokens.getLast().isOperator(".");
        boolean isFloat = false;
        if (!afterDot && pos + 1 < src.length() && src.charAt(pos) == '.' && isDigit(src.charAt(pos + 1))) {
            pos++;
            while (pos < src.length() && isDigit(src.charAt(pos))) {
                pos++;
            }
            isFloat = true;
        }
        if (!afterDot && pos < src.length() && (src.charAt(pos) == 'e' || src.charAt(pos) == 'E')) { // 1e20, 2.5e-3
            int e = pos + 1;
            if (e < src.length() && (src.charAt(e) == '+' || src.charAt(e) == '-')) {
                e++;
            }
            if (e < src.length() && isDigit(src.charAt(e))) {
                pos = e;
                while (pos < src.length() && isDigit(src.charAt(pos))) {
                    pos++;
                }
                isFloat = true;
            }
        }
        tokens.add(token(isFloat ? Kind.FLOAT : Kind.INTEGER, src.substring(start, pos), start, pos));
    }

    private String operator() {
        for (String op : OPERATORS) {
            if (src.startsWith(op, pos)) {
                pos += op.length();
                return op;
            }
        }
        throw located("unexpected character '" + src.charAt(pos) + "'", pos);
    }

    /** A quoted string literal from {@code pos}, unescaped as Python does (an unknown escape stays as written). */
    private String string(char quote) {
        int open = pos++;
        StringBuilder s = new StringBuilder();
        while (true) {
            if (pos >= src.length()) {
                throw located("unclosed string literal", open);
            }
            char c = src.charAt(pos++);
            if (c == quote) {
                return s.toString();
            }
            if (c != '\\' || pos >= src.length()) {
                s.append(c);
                continue;
            }
            char e = src.charAt(pos++);
            switch (e) {
                case 'n' -> s.append('\n');
                case 't' -> s.append('\t');
                case 'r' -> s.append('\r');
                case 'b' -> s.append('\b');
                case 'f' -> s.append('\f');
                case 'v' -> s.append('\u000b');
                case '0' -> s.append('\0');
                case '\'', '"', '\\' -> s.append(e);
                case '\n' -> { } // a backslash-newline continues the literal
                case 'x', 'u' -> s.append(hex(e == 'x' ? 2 : 4, open));
                default -> s.append('\\').append(e);
            }
        }
    }

    private char hex(int digits, int open) {
        if (pos + digits > src.length()) {
            throw located("bad escape in string literal", open);
        }
        try {
            char c = (char) Integer.parseInt(src.substring(pos, pos + digits), 16);
            pos += digits;
            return c;
        } catch (NumberFormatException e) {
            throw located("bad escape in string literal", open);
        }
    }

    private void skipSpace() {
        while (pos < src.length() && isSpace(src.charAt(pos))) {
            pos++;
        }
    }

    private Token token(Kind kind, String value, int start, int end) {
        return new Token(kind, value, lineOf(start), start, end);
    }

    /** The line of offset {@code at}; offsets are asked for in increasing order, so counting is incremental. */
    private int lineOf(int at) {
        if (at < lineCountedTo) {
            return lineFromStart(at);
        }
        for (int i = lineCountedTo; i < at; i++) {
            if (src.charAt(i) == '\n') {
                line++;
            }
        }
        lineCountedTo = at;
        return line;
    }

    private int lineFromStart(int at) {
        int n = 1;
        for (int i = 0; i < at; i++) {
            n += src.charAt(i) == '\n' ? 1 : 0;
        }
        return n;
    }

    private JinjaException located(String message, int at) {
        int end = Math.min(src.length(), at + 40);
        return new JinjaException(message).at(lineFromStart(at), src.substring(at, end).replaceAll("\\s+", " ").strip());
    }

    /** JavaScript's {@code \s}: the whitespace transformers.js strips. */
    static boolean isSpace(char c) {
        return c == ' ' || (c >= '\t' && c <= '\r') || c == '\u00a0' || c == '\u1680' || (c >= '\u2000' && c <= '\u200a')
                || c == '\u2028' || c == '\u2029' || c == '\u202f' || c == '\u205f' || c == '\u3000' || c == '\ufeff';
    }

    private static boolean isDigit(char c) {
        return c >= '0' && c <= '9';
    }

    private static boolean isWord(char c) {
        return c == '_' || isDigit(c) || (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z');
    }
}
