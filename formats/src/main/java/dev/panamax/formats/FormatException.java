package dev.panamax.formats;

import java.nio.file.Path;

/**
 * A file that does not follow its format. The message names the file, the field (or region) that
 * is wrong, and the offending value, so that a user can tell a truncated download from a bug.
 * Subclasses narrow the kind of problem; readers throw nothing else for bad input.
 */
public class FormatException extends RuntimeException {
    private final Path file;
    private final String field;
    private final String value;

    public FormatException(Path file, String field, Object value, String problem) {
        this(file, field, value, problem, null);
    }

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
