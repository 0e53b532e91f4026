package dev.panamax.transformer.sampling.grammar;

import java.nio.charset.StandardCharsets;

/**
 * A language of output texts that constrained decoding keeps to: JSON documents whose top-level value
 * is an object, any ({@link #jsonObject()}) or as a JSON Schema describes ({@link #jsonSchema}).
 * Whitespace is allowed between tokens, at most 16 bytes and one line break per gap; keys are written as the schema
 * spells them (without escapes it does not use). Immutable and thread-safe; a {@link GrammarMatcher}
 * follows one generation through it.
 */
public final class Grammar {
    private final Node root;

    private Grammar(Node root) {
        this.root = root;
    }

    /** {@return any JSON object (OpenAI's {@code response_format: {"type": "json_object"}})} */
    public static Grammar jsonObject() {
        return new Grammar(new Node.Obj(null, new Node[0], 0, Node.any()));
    }

    /**
     * The JSON documents that {@code schema} accepts, or a subset of them. Supported: {@code type} (a name
     * or a list), {@code properties}, {@code required}, {@code additionalProperties} (false, true or a
     * schema; beside {@code properties} only the named properties are written), {@code items},
     * {@code enum}, {@code const}, {@code anyOf}, a one-element {@code allOf}, {@code $ref} to {@code #},
     * {@code #/$defs/...} or {@code #/definitions/...}, and the annotations ({@code title},
     * {@code description}, ...), which are ignored. The top level must be an object.
     *
     * @param schema the schema's JSON text
     * @return its grammar
     * @throws UnsupportedSchemaException naming the keyword, for any other keyword or a schema that
     *                                    cannot be honoured (a required property that is not listed)
     * @throws IllegalArgumentException   if {@code schema} is not JSON
     */
    public static Grammar jsonSchema(String schema) {
        return new Grammar(SchemaCompiler.compile(SchemaTree.parse(schema)));
    }

    /** {@return the automaton's first state} */
    Frame start() {
        return new Frame.ValueStart(root, Frame.Top.INSTANCE, 0);
    }

    /**
     * Whether {@code text} is a complete document of this language.
     *
     * @param text the text
     * @return true if the automaton reads it whole and ends complete
     */
    public boolean matches(String text) {
        Frame s = start();
        for (byte b : text.getBytes(StandardCharsets.UTF_8)) {
            s = s.next(b & 0xFF);
            if (s == null) {
                return false;
            }
        }
        return s.complete();
    }
}
