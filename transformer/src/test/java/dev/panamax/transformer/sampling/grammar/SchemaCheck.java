package dev.panamax.transformer.sampling.grammar;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.networknt.schema.Error;
import com.networknt.schema.Schema;
import com.networknt.schema.SchemaRegistry;
import com.networknt.schema.SpecificationVersion;
import java.util.List;

/**
 * Checks a constrained output as a client would: Jackson parses it (strictly: one value, nothing after it) and
 * networknt's validator checks it against the schema (draft 2020-12), independently of the grammar's own code.
 */
public final class SchemaCheck {
    private static final ObjectMapper JSON = new ObjectMapper()
            .enable(com.fasterxml.jackson.databind.DeserializationFeature.FAIL_ON_TRAILING_TOKENS);
    private static final SchemaRegistry REGISTRY = SchemaRegistry.withDefaultDialect(SpecificationVersion.DRAFT_2020_12);

    private SchemaCheck() {
    }

    /**
     * Asserts that {@code text} is one JSON object and, if {@code schema} is not null, that it validates.
     *
     * @param text   the output
     * @param schema the schema's JSON text, or null for any object
     * @param what   what to name in a failure (a seed)
     * @return the parsed value
     */
    public static JsonNode assertValid(String text, String schema, String what) {
        JsonNode value;
        try {
            value = JSON.readTree(text);
        } catch (Exception e) {
            throw new AssertionError(what + ": not JSON: " + e.getMessage() + "\n" + text, e);
        }
        assertTrue(value != null && value.isObject(), what + ": not an object: " + text);
        if (schema != null) {
            Schema s = REGISTRY.getSchema(schema);
            List<Error> errors = s.validate(value);
            assertEquals(List.of(), errors, what + ": invalid against the schema: " + text);
        }
        return value;
    }
}
