package dev.panamax.transformer.sampling.grammar;

/**
 * A JSON Schema that {@link Grammar#jsonSchema} cannot turn into a grammar: a keyword it does not
 * support (named by {@link #keyword()}), or one used in a way it cannot honour.
 */
public final class UnsupportedSchemaException extends IllegalArgumentException {
    private static final long serialVersionUID = 1L;

    /** The keyword at fault. */
    private final String keyword;
    /** Where in the schema, as a JSON pointer. */
    private final String path;

    /**
     * @param keyword the keyword at fault
     * @param path    where in the schema, as a JSON pointer ("" for the top level)
     * @param message what is wrong
     */
    UnsupportedSchemaException(String keyword, String path, String message) {
        super("JSON Schema keyword '" + keyword + "' at '" + (path.isEmpty() ? "#" : "#" + path) + "': " + message);
        this.keyword = keyword;
        this.path = path;
    }

    /** {@return the keyword at fault, e.g. {@code pattern}} */
    public String keyword() {
        return keyword;
    }

    /** {@return where in the schema, as a JSON pointer ("" for the top level)} */
    public String path() {
        return path;
    }
}
