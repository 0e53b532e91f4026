package dev.panamax.formats.safetensors;

import com.fasterxml.jackson.core.JsonFactory;
import com.fasterxml.jackson.core.JsonFactoryBuilder;
import com.fasterxml.jackson.core.JsonParser;
import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.core.JsonToken;
import com.fasterxml.jackson.core.StreamReadConstraints;
import com.fasterxml.jackson.core.StreamReadFeature;
import dev.panamax.formats.FormatException;
import java.io.IOException;
import java.nio.file.Path;

/**
 * Streaming JSON reading with hard limits, shared by the header, index and config parsers. Every
 * problem becomes a {@link FormatException} naming the file, the field and the value.
 */
final class Json {
    /** Largest JSON document read (the reference implementation's header limit, 100 MB). */
    static final int MAX_DOCUMENT_BYTES = 100_000_000;
    /** Deepest nesting accepted: headers need 3 levels, configs a few more. */
    static final int MAX_NESTING_DEPTH = 64;
    /** Longest string value (metadata values, which some tools fill with whole configs). */
    static final int MAX_STRING_CHARS = 16 << 20;
    /** Longest key: a tensor name or a metadata key. */
    static final int MAX_NAME_CHARS = 64 << 10;
    /** Longest number literal accepted: a long has at most 20 characters. */
    static final int MAX_NUMBER_CHARS = 64;
    /** Longest value shown in an error message. */
    private static final int MAX_SHOWN_CHARS = 120;

    private static final JsonFactory FACTORY = new JsonFactoryBuilder()
            .streamReadConstraints(StreamReadConstraints.builder()
                    .maxNestingDepth(MAX_NESTING_DEPTH)
                    .maxDocumentLength(MAX_DOCUMENT_BYTES)
                    .maxStringLength(MAX_STRING_CHARS)
                    .maxNameLength(MAX_NAME_CHARS)
                    .maxNumberLength(MAX_NUMBER_CHARS)
                    .build())
            .enable(StreamReadFeature.STRICT_DUPLICATE_DETECTION)
            // no symbol table: tensor names are unique anyway, and a crafted header could make the
            // table's hash-flooding guard throw an IllegalStateException
            .disable(JsonFactory.Feature.CANONICALIZE_FIELD_NAMES)
            .disable(JsonFactory.Feature.INTERN_FIELD_NAMES)
            .build();

    private Json() {}

    /**
     * A parser over {@code json}, after checking it is valid UTF-8 (Jackson checks only what it
     * decodes) without raw control characters. {@code baseOffset} is the position of {@code json} in its file, for messages.
     */
    static JsonParser parser(Path file, String what, byte[] json, long baseOffset) {
        int bad = Utf8.firstInvalid(json);
        if (bad >= 0) {
            throw new FormatException(file, what + " at byte " + (baseOffset + bad),
                    String.format("0x%02X", json[bad] & 0xFF), "is not valid UTF-8");
        }
        // JSON allows no raw control characters; rejecting NUL also keeps Jackson from guessing UTF-16/32
        for (int i = 0; i < json.length; i++) {
            byte b = json[i];
            if (b >= 0 && b < 0x20 && b != '\t' && b != '\n' && b != '\r') {
                throw new FormatException(file, what + " at byte " + (baseOffset + i), String.format("0x%02X", b),
                        "is a raw control character, which JSON allows only escaped");
            }
        }
        try {
            return FACTORY.createParser(json);
        } catch (IOException e) {
            throw syntaxError(file, what, baseOffset, e);
        }
    }

    /** A Jackson failure as a FormatException at its byte position. */
    static FormatException syntaxError(Path file, String what, long baseOffset, IOException e) {
        String field = what;
        String problem = e.getMessage();
        if (e instanceof JsonProcessingException j) {
            problem = j.getOriginalMessage();
            if (j.getLocation() != null && j.getLocation().getByteOffset() >= 0) {
                field = what + " at byte " + (baseOffset + j.getLocation().getByteOffset());
            }
        }
        return new FormatException(file, field, shown(problem), "is not valid JSON", e);
    }

    /** The next token, with Jackson's failures turned into FormatExceptions. */
    static JsonToken next(JsonParser p, Path file, String what, long baseOffset) {
        try {
            return p.nextToken();
        } catch (IOException e) {
            throw syntaxError(file, what, baseOffset, e);
        }
    }

    /** Skips the value at the current token (a scalar, or a whole object or array). */
    static void skip(JsonParser p, Path file, String what, long baseOffset) {
        try {
            p.skipChildren();
        } catch (IOException e) {
            throw syntaxError(file, what, baseOffset, e);
        }
    }

    /**
     * The name of the current FIELD_NAME token, at most {@link #MAX_NAME_CHARS} long (Jackson checks
     * that limit only for names it canonicalizes, which these parsers do not).
     */
    static String name(JsonParser p, Path file, String what) {
        String name;
        try {
            name = p.currentName();
        } catch (IOException e) {
            throw syntaxError(file, what, 0, e);
        }
        if (name.length() > MAX_NAME_CHARS) {
            throw new FormatException(file, what + " key", quote(name),
                    "is " + name.length() + " characters long, over the limit of " + MAX_NAME_CHARS);
        }
        return name;
    }

    /** The current token's value for a message: text of scalars, {@code {...}} or {@code [...]}. */
    static String tokenText(JsonParser p) {
        JsonToken t = p.currentToken();
        if (t == null) {
            return "end of input";
        }
        return switch (t) {
            case START_OBJECT -> "{...}";
            case START_ARRAY -> "[...]";
            case VALUE_STRING -> quote(text(p));
            default -> shown(text(p));
        };
    }

    /** The current token's text for messages ("?" if even that fails). */
    private static String text(JsonParser p) {
        try {
            return p.getText();
        } catch (IOException e) {
            return "?";
        }
    }

    /** The current token as a non-negative long; {@code field} names it in errors. */
    static long nonNegativeLong(JsonParser p, Path file, String field) {
        long v = integer(p, file, field);
        if (v < 0) {
            throw new FormatException(file, field, v, "must not be negative");
        }
        return v;
    }

    /** The current token as a long; {@code field} names it in errors. */
    static long integer(JsonParser p, Path file, String field) {
        JsonToken t = p.currentToken();
        if (t != JsonToken.VALUE_NUMBER_INT) {
            throw new FormatException(file, field, tokenText(p), "must be an integer");
        }
        try {
            if (p.getNumberType() == JsonParser.NumberType.BIG_INTEGER) {
                throw new FormatException(file, field, tokenText(p), "does not fit in 64 bits");
            }
            return p.getLongValue();
        } catch (IOException e) {
            throw new FormatException(file, field, tokenText(p), "is not a valid integer", e);
        }
    }

    /** The current token as a number; {@code field} names it in errors. */
    static double number(JsonParser p, Path file, String field) {
        JsonToken t = p.currentToken();
        if (t != JsonToken.VALUE_NUMBER_INT && t != JsonToken.VALUE_NUMBER_FLOAT) {
            throw new FormatException(file, field, tokenText(p), "must be a number");
        }
        try {
            return p.getDoubleValue();
        } catch (IOException e) {
            throw new FormatException(file, field, tokenText(p), "is not a valid number", e);
        }
    }

    /** The current token as a string; {@code field} names it in errors. */
    static String string(JsonParser p, Path file, String field) {
        if (p.currentToken() != JsonToken.VALUE_STRING) {
            throw new FormatException(file, field, tokenText(p), "must be a string");
        }
        String s;
        try {
            s = p.getText();
        } catch (IOException e) { // Jackson's string length limit
            throw new FormatException(file, field, "a long string",
                    e instanceof JsonProcessingException j ? j.getOriginalMessage() : e.getMessage(), e);
        }
        if (s.length() > MAX_STRING_CHARS) {
            throw new FormatException(file, field, quote(s),
                    "is " + s.length() + " characters long, over the limit of " + MAX_STRING_CHARS);
        }
        return s;
    }

    /** The current token as a boolean; {@code field} names it in errors. */
    static boolean bool(JsonParser p, Path file, String field) {
        JsonToken t = p.currentToken();
        if (t != JsonToken.VALUE_TRUE && t != JsonToken.VALUE_FALSE) {
            throw new FormatException(file, field, tokenText(p), "must be true or false");
        }
        return t == JsonToken.VALUE_TRUE;
    }

    /** Requires the current token to be {@code expected}. */
    static void expect(JsonParser p, JsonToken expected, Path file, String field, String problem) {
        if (p.currentToken() != expected) {
            throw new FormatException(file, field, tokenText(p), problem);
        }
    }

    /** {@code s} in double quotes, shortened for messages. */
    static String quote(String s) {
        return "\"" + shown(s) + "\"";
    }

    /** {@code s} shortened to a readable length for messages. */
    static String shown(String s) {
        if (s == null) {
            return "null";
        }
        return s.length() <= MAX_SHOWN_CHARS ? s : s.substring(0, MAX_SHOWN_CHARS) + "...(" + s.length() + " chars)";
    }
}
