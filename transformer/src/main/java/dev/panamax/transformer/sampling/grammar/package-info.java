/**
 * Constrained decoding: a {@link dev.panamax.transformer.sampling.grammar.Grammar} (any JSON object, or
 * the JSON documents a JSON Schema describes) is matched byte by byte by a pushdown automaton, and a
 * {@link dev.panamax.transformer.sampling.grammar.GrammarMatcher} masks, at each step, every token whose
 * bytes would take the output out of the language, by walking a {@link
 * dev.panamax.transformer.sampling.grammar.TokenTrie} of the vocabulary's token bytes against the
 * automaton's state.
 */
package dev.panamax.transformer.sampling.grammar;
