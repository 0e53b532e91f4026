package dev.panamax.transformer.chat.jinja;

/**
 * A template that cannot be parsed or rendered. Once located, the message names the template's line
 * and the failing tag or expression: {@code line 17: raise_exception('Roles must alternate'): Roles must alternate}.
 */
public final class JinjaException extends RuntimeException {
    private final String detail;
    private final int line;
    private final String expression;

    JinjaException(String detail) {
        this(detail, 0, null, null);
    }

    JinjaException(String detail, Throwable cause) {
        this(detail, 0, null, cause);
    }

    private JinjaException(String detail, int line, String expression, Throwable cause) {
        super(line > 0 ? "line " + line + ": " + expression + ": " + detail : detail, cause);
        this.detail = detail;
        this.line = line;
        this.expression = expression;
    }

    /** The problem, without its location. */
    public String detail() {
        return detail;
    }

    /** The 1-based line of the template where it happened, or 0 if unknown. */
    public int line() {
        return line;
    }

    /** The failing expression or tag as written in the template, or null if unknown. */
    public String expression() {
        return expression;
    }

    boolean located() {
        return line > 0;
    }

    /** This exception, placed at {@code line} and {@code expression} unless it already has a place. */
    JinjaException at(int line, String expression) {
        return located() ? this : new JinjaException(detail, line, expression, getCause());
    }
}
