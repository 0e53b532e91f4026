/**
 * A Jinja interpreter of the subset chat templates use, with Python Jinja's semantics and Hugging
 * Face's rendering environment: {@link dev.panamax.transformer.chat.jinja.JinjaTemplate} parses and
 * renders, bounded by {@link dev.panamax.transformer.chat.jinja.Limits}; every failure is a
 * {@link dev.panamax.transformer.chat.jinja.JinjaException} naming the template's line and expression.
 * Inside: {@code Lexer} (tokens, whitespace control), {@code Parser} (syntax tree, {@code Node}),
 * {@code Interpreter} (statements and expressions), {@code Operators}, {@code Builtins} (filters, tests,
 * globals, string and dict methods) and {@code Values} (truthiness, equality, printing, JSON).
 */
package dev.panamax.transformer.chat.jinja;
