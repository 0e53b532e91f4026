package dev.panamax.transformer.chat.jinja;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.time.LocalDateTime;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/** Errors, limits and the places where Panamax follows Python Jinja rather than transformers.js. */
class JinjaTemplateTest {

    @Test
    void raiseExceptionFailsWithTheTemplatesMessageLineAndCall() {
        String t = "{% for m in messages %}\n{% if m.role == 'tool' %}\n  {{ raise_exception('No tools here') }}\n{% endif %}{% endfor %}";
        JinjaException e = assertThrows(JinjaException.class,
                () -> JinjaTemplate.render(t, Map.of("messages", List.of(Map.of("role", "tool")))));
        assertEquals("No tools here", e.detail());
        assertEquals(3, e.line());
        assertEquals("raise_exception('No tools here')", e.expression());
        assertEquals("line 3: raise_exception('No tools here'): No tools here", e.getMessage());
    }

    @Test
    void aFailingExpressionIsNamedWithItsLine() {
        JinjaException e = assertThrows(JinjaException.class,
                () -> JinjaTemplate.render("ok\n{{ 'n: ' ~ 1 }}\n{{ m.content + none }}", Map.of("m", Map.of("content", "x"))));
        assertEquals(3, e.line());
        assertEquals("m.content + none", e.expression());
        assertTrue(e.detail().contains("none"), e.getMessage());
    }

    @Test
    void malformedTemplatesFailWhenParsedWithTheirLine() {
        assertParseError("a\n{% if x %}b", 2, "never closed: the template ends without {% endif %}");
        assertParseError("{{ x ", 1, "unclosed");
        assertParseError("a\nb\n{% include 'other.jinja' %}", 3, "unknown tag 'include'");
        assertParseError("{{ 'open }}", 1, "unclosed string");
        assertParseError("{% for x in %}{% endfor %}", 1, "expected an expression");
        assertParseError("{{ a b }}", 1, "expected '}}'");
        assertParseError("{% endfor %}", 1, "without an opening tag");
        assertParseError("{{ x.100000000000000000000 }}", 1, "expected an attribute name");
    }

    private static void assertParseError(String template, int line, String detail) {
        JinjaException e = assertThrows(JinjaException.class, () -> JinjaTemplate.parse(template));
        assertEquals(line, e.line(), e.getMessage());
        assertTrue(e.getMessage().contains(detail), e.getMessage());
    }

    @Test
    void outputIsBounded() {
        Limits small = new Limits(1000, 1_000_000, 50);
        JinjaException e = assertThrows(JinjaException.class,
                () -> JinjaTemplate.parse("{% for i in range(2000) %}x{% endfor %}", small).render(Map.of()));
        assertTrue(e.detail().contains("1000 characters"), e.getMessage());
        assertEquals("x".repeat(999), JinjaTemplate.parse("{% for i in range(999) %}x{% endfor %}", small).render(Map.of()));
    }

    @Test
    void aValueThatDoublesIsStoppedAtTheLimit() {
        String doubling = "{% set ns = namespace(s='ab') %}{% for i in range(60) %}{% set ns.s = ns.s + ns.s %}{% endfor %}{{ ns.s | length }}";
        JinjaException e = assertThrows(JinjaException.class, () -> JinjaTemplate.render(doubling, Map.of()));
        assertTrue(e.detail().contains("characters"), e.getMessage());
        String nested = "{% set ns = namespace(l=[1]) %}{% for i in range(60) %}{% set ns.l = [ns.l, ns.l] %}{% endfor %}{{ ns.l | tojson }}";
        assertThrows(JinjaException.class, () -> JinjaTemplate.render(nested, Map.of()));
    }

    @Test
    void loopsThatWouldRunForeverAreStopped() {
        Limits small = new Limits(1 << 20, 100_000, 50);
        String t = "{% for a in range(1000) %}{% for b in range(1000) %}{% endfor %}{% endfor %}done";
        JinjaException e = assertThrows(JinjaException.class, () -> JinjaTemplate.parse(t, small).render(Map.of()));
        assertTrue(e.detail().contains("100000 steps"), e.getMessage());
        assertThrows(JinjaException.class, () -> JinjaTemplate.render("{{ range(100000000) | length }}", Map.of()));
    }

    @Test
    void recursionIsBounded() {
        String forever = "{% macro f(n) %}{{ f(n + 1) }}{% endmacro %}{{ f(0) }}";
        JinjaException e = assertThrows(JinjaException.class, () -> JinjaTemplate.render(forever, Map.of()));
        assertTrue(e.detail().contains("nest deeper"), e.getMessage());
        String deep = "{{ " + "(".repeat(5000) + "1" + ")".repeat(5000) + " }}";
        e = assertThrows(JinjaException.class, () -> JinjaTemplate.parse(deep));
        assertTrue(e.detail().contains("nests deeper"), e.getMessage());
    }

    /** transformers.js drops items without the attribute before the test; Python Jinja tests them as undefined. */
    @Test
    void selectattrTestsItemsThatLackTheAttribute() {
        String t = "{{ ms | selectattr('tool_calls', 'undefined') | map(attribute='content') | join(',') }}";
        List<Map<String, Object>> ms = List.of(Map.of("content", "a"), Map.of("content", "b", "tool_calls", List.of()), Map.of("content", "c"));
        assertEquals("a,c", JinjaTemplate.render(t, Map.of("ms", ms)));
    }

    /** Python's strip(chars) strips only those characters. */
    @Test
    void stripWithArgumentsStripsOnlyThoseCharacters() {
        assertEquals("[ x ]", JinjaTemplate.render("[{{ '\\n\\n x \\n'.strip('\\n') }}]", Map.of()));
        assertEquals("[  x]", JinjaTemplate.render("[{{ 'ab  x'.lstrip('ab') }}]", Map.of()));
        assertEquals("[x]", JinjaTemplate.render("[{{ '\\u3000x\\t' | trim }}]", Map.of()));
    }

    @Test
    void forElseRendersOnlyWhenNothingWasIterated() {
        String t = "{% for x in xs %}{% continue %}{% else %}empty{% endfor %}.";
        assertEquals(".", JinjaTemplate.render(t, Map.of("xs", List.of(1, 2))));
        assertEquals("empty.", JinjaTemplate.render(t, Map.of("xs", List.of())));
    }

    @Test
    void strftimeWritesTheDirectivesTemplatesUse() {
        LocalDateTime t = LocalDateTime.of(2026, 7, 4, 15, 5, 9);
        assertEquals("04 Jul 2026", Builtins.strftime(t, "%d %b %Y"));
        assertEquals("July 04, 2026 03:05:09 PM Saturday %", Builtins.strftime(t, "%B %d, %Y %I:%M:%S %p %A %%"));
        assertEquals("2026-07-04", Builtins.strftime(t, "%Y-%m-%d"));
    }

    @Test
    void contextValuesOfJavaTypesAreConverted() {
        Map<String, Object> ctx = Map.of("i", 3, "f", 1.5f, "arr", new Object[] {"a", 'b'}, "flag", true);
        assertEquals("4 3.0 ab True", JinjaTemplate.render("{{ i + 1 }} {{ f * 2 }} {{ arr | join }} {{ flag }}", ctx));
        assertThrows(IllegalArgumentException.class, () -> JinjaTemplate.render("{{ x }}", Map.of("x", new Object())));
    }

    @Test
    void aParsedTemplateRendersManyTimes() {
        JinjaTemplate t = JinjaTemplate.parse("{% set n = n + 1 %}{{ n }}");
        assertEquals("2", t.render(Map.of("n", 1)));
        assertEquals("6", t.render(Map.of("n", 5)));
    }

    @Test
    void lexerCountsLinesAcrossTrimmedBlocks() {
        List<Token> tokens = Lexer.tokenize("a\n{% if x %}\nb\n{{ y }}");
        Token y = tokens.stream().filter(t -> t.isName("y")).findFirst().orElseThrow();
        assertEquals(4, y.line());
        assertEquals(List.of("a\n", "b\n"), tokens.stream().filter(t -> t.kind() == Token.Kind.TEXT).map(Token::value).toList());
    }
}
