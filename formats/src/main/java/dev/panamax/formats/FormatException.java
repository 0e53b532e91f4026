package dev.panamax.formats;

import java.nio.file.Path;

/**
 * A file that does not follow its format. The message names the file, the field (or region) that
 * is wrong, and the offending value, so that a user can tell a truncated download from a bug.
 * Subclasses narrow the kind of problem; readers throw nothing else for bad input.
 */
public class FormatException extends RuntimeException {
    /** The file that was read (serialized with the exception). */
    private final Path file;
    /** The field or region that is wrong. */
    private final String field;
    /** The offending value, as text. */
    private final String value;

    /**
     * A file's field holding a bad value.
     *
     * @param file    the file that was read
     * @param field   the header field or region, e.g. {@code "tensor_infos[3].offset"}
     * @param value   the value found there (shown with {@link String#valueOf(Object)})
     * @param problem what is wrong with it, e.g. {@code "is past the end of the file"}
     */
    public FormatException(Path file, String field, Object value, String problem) {
        this(file, field, value, problem, null);
    }

    /**
     * A file's field holding a bad value, found through another exception.
     *
     * @param file    the file that was read
     * @param field   the header field or region
     * @param value   the value found there
     * @param problem what is wrong with it
     * @param cause   the exception that revealed it (a JSON parser's, say), or null
     */
    public FormatException(Path file, String field, Object value, String problem, Throwable cause) {
        super(file + ": " + field + " = " + value + ": " + problem, cause);
        this.file = file;
        this.field = field;
        this.value = String.valueOf(value);
    }

    /** {@return the file that was read} */
    public Path file() {
        return file;
    }

    /** {@return the header field or region that is wrong, e.g. {@code "tensor_infos[3].offset"}} */
    public String field() {
        return field;
    }

    /** {@return the offending value as text} */
    public String value() {
        return value;
    }
}
