package dev.panamax.transformer.sampling.grammar;

import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;

/**
 * A language of output texts that constrained decoding keeps to: JSON documents whose top-level value
 * is an object, any ({@link #jsonObject()}) or as a JSON Schema describes ({@link #jsonSchema}); or
 * such objects framed by fixed text, one of several ways ({@link #anyOf}: a tool call in a chat
 * template's syntax, whose arguments keep to the tool's parameters), one or more times ({@link #oneOrMore}: several
 * calls in one reply); or any of such grammars ({@link #either}).
 * Whitespace is allowed between tokens, at most 16 bytes and one line break per gap; keys are written as the schema
 * spells them (without escapes it does not use). Immutable and thread-safe; a {@link GrammarMatcher}
 * follows one generation through it.
 */
public final class Grammar {
    /** The document's value; null for a grammar of framed values. */
    private final Node root;
    private final Frame start;

    private Grammar(Node root) {
        this.root = root;
        this.start = new Frame.ValueStart(root, Frame.Top.INSTANCE, 0);
    }

    private Grammar(Frame start) {
        this.root = null;
        this.start = start;
    }

    /**
     * One way a text may be written: {@code before}, then a document of {@code value} (leading whitespace
     * allowed as in any document), then {@code after}, with nothing between.
     *
     * @param before the fixed text before the value ("" for none)
     * @param value  the value's language: {@link #jsonObject()} or {@link #jsonSchema}, not a framed grammar
     * @param after  the fixed text after the value ("" for none)
     */
    public record Framed(String before, Grammar value, String after) {
        /** @throws IllegalArgumentException if {@code value} is itself a grammar of framed values */
        public Framed {
            if (value.root == null) {
                throw new IllegalArgumentException("the value of a framed text must be a JSON grammar, not a framed one");
            }
        }
    }

    /**
     * The texts written in any of {@code ways}. The automaton follows every way the text so far can still
     * be, so ways may share a beginning (calls of tools whose names share a prefix, or a call and a plain
     * JSON document that both start with a brace).
     *
     * @param ways the ways, at least one
     * @return their grammar
     * @throws IllegalArgumentException if {@code ways} is empty
     */
    public static Grammar anyOf(List<Framed> ways) {
        if (ways.isEmpty()) {
            throw new IllegalArgumentException("a grammar needs at least one way to write its text");
        }
        return new Grammar(starts(ways, Frame.End.INSTANCE));
    }

    /**
     * The texts of one or more parts: one of the {@code first} ways, then any number of the {@code next} ways (each
     * part any one of them, repeats allowed); the text may end after any part. Where it may both end and go on, a
     * {@link GrammarMatcher} allows the vocabulary's end tokens beside the next part's bytes, so the model chooses:
     * several tool calls in one reply, each framed in its syntax ({@code next} begins with the separator between calls).
     *
     * @param first the ways of the first part, at least one
     * @param next  the ways of every later part, at least one
     * @return their grammar
     * @throws IllegalArgumentException if either list is empty
     */
    public static Grammar oneOrMore(List<Framed> first, List<Framed> next) {
        if (first.isEmpty() || next.isEmpty()) {
            throw new IllegalArgumentException("a text of parts needs at least one way to write its first part and one for the next");
        }
        PartEnd end = new PartEnd();
        end.then(starts(next, end));
        return new Grammar(starts(first, end));
    }

    /**
     * The texts of any of {@code alternatives} (a reply that is tool calls or a JSON document). As in {@link #anyOf},
     * the automaton follows every alternative the text so far can still be.
     *
     * @param alternatives the grammars, at least one
     * @return their grammar
     * @throws IllegalArgumentException if {@code alternatives} is empty
     */
    public static Grammar either(List<Grammar> alternatives) {
        if (alternatives.isEmpty()) {
            throw new IllegalArgumentException("a grammar needs at least one alternative");
        }
        List<Frame> starts = new ArrayList<>(alternatives.size());
        for (Grammar g : alternatives) {
            starts.add(g.start());
        }
        return new Grammar(Frame.Fork.of(starts));
    }

    /** The first state of each of {@code ways}, each going on as {@code end} after its text. */
    private static Frame starts(List<Framed> ways, Frame end) {
        List<Frame> starts = new ArrayList<>(ways.size());
        for (Framed w : ways) {
            Frame after = TextFrame.of(w.after().getBytes(StandardCharsets.UTF_8), end);
            Frame value = new Frame.ValueStart(w.value().root, new TextFrame.Then(after), 0);
            starts.add(TextFrame.of(w.before().getBytes(StandardCharsets.UTF_8), value));
        }
        return Frame.Fork.of(starts);
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
        return start; // frames are immutable: every matcher may start from the same one
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
