package dev.panamax.transformer.chat.jinja;

import java.util.List;
import java.util.Map;
import java.util.Objects;

/**
 * A Jinja template, parsed once and rendered any number of times, in the environment Hugging Face
 * renders chat templates in ({@code trim_blocks}, {@code lstrip_blocks}, the globals
 * {@code raise_exception}, {@code strftime_now}, {@code namespace} and {@code range}). The subset is
 * what chat templates use: expressions with Python semantics, {@code if/elif/else}, {@code for/else}
 * with {@code loop}, {@code set} (also of namespace attributes and as a block), {@code macro},
 * {@code call}, {@code filter} blocks, {@code break}/{@code continue}, the common filters and tests and
 * Python's string and dict methods. Not supported: {@code include}, {@code extends}, {@code import}.
 *
 * <pre>{@code
 * String prompt = JinjaTemplate.parse(chatTemplate).render(Map.of("messages", messages, "add_generation_prompt", true));
 * }</pre>
 *
 * <p>Instances are immutable and may be rendered from several threads at once.
 */
public final class JinjaTemplate {
    private final String source;
    private final List<Node> program;
    private final Limits limits;

    private JinjaTemplate(String source, List<Node> program, Limits limits) {
        this.source = source;
        this.program = program;
        this.limits = limits;
    }

    /**
     * @throws JinjaException naming the line and the text where the template is malformed
     */
    public static JinjaTemplate parse(String template) {
        return parse(template, Limits.DEFAULT);
    }

    /** As {@link #parse(String)}, rendering within {@code limits}. */
    public static JinjaTemplate parse(String template, Limits limits) {
        Objects.requireNonNull(template, "template");
        return new JinjaTemplate(template, Parser.parse(template, limits.maxDepth()), limits);
    }

    /**
     * Parses and renders in one call: the single entry point a fuzzer needs. Every failure, however
     * malformed or hostile the template, is a {@link JinjaException}.
     */
    public static String render(String template, Map<String, ?> context) {
        return parse(template).render(context);
    }

    /**
     * The text the template renders for {@code context}, whose values may be strings, numbers, booleans,
     * null, lists, arrays and maps with string keys, nested, and {@code Function}s of one argument (which
     * may replace a global such as {@code strftime_now}).
     *
     * @throws JinjaException naming the template's line and the failing expression, for an error in the
     *                        template, a {@code raise_exception(message)} it calls, or a {@link Limits} exceeded
     */
    public String render(Map<String, ?> context) {
        return new Interpreter(source, limits).render(program, context);
    }

    /** The template's text. */
    public String source() {
        return source;
    }
}
