package dev.panamax.serve;

import com.fasterxml.jackson.databind.JsonNode;
import dev.panamax.transformer.sampling.grammar.Grammar;
import dev.panamax.transformer.sampling.grammar.UnsupportedSchemaException;

/**
 * A chat request's {@code response_format}: plain text, any JSON object ({@code json_object}), or the
 * documents of a JSON Schema ({@code json_schema}), the last two kept to by constrained decoding
 * ({@link Grammar}). {@code strict} is accepted either way: the grammar always holds.
 */
final class ResponseFormat {
    private ResponseFormat() {
    }

    /**
     * {@return the grammar the reply must keep to, or null for plain text}
     *
     * Beside tools the model may call, the reply is a call or this document ({@link ChatPrompt}).
     *
     * @param format the request's {@code response_format}, or null
     * @throws ApiException 400 for a malformed format or a schema keyword constrained decoding does not support (named)
     */
    static Grammar grammar(JsonNode format) {
        if (format == null || format.isNull()) {
            return null;
        }
        String type = format.path("type").isTextual() ? format.get("type").asText() : null;
        if (!format.isObject() || type == null) {
            throw ApiException.badRequest("'response_format' must be an object with a 'type'", "response_format");
        }
        if (type.equals("text")) {
            return null;
        }
        if (!type.equals("json_object") && !type.equals("json_schema")) {
            throw ApiException.badRequest("'response_format.type' must be 'text', 'json_object' or 'json_schema', got '" + type + "'",
                    "response_format");
        }
        if (type.equals("json_object")) {
            return Grammar.jsonObject();
        }
        JsonNode spec = format.get("json_schema");
        if (spec == null || !spec.isObject()) {
            throw ApiException.badRequest("'response_format.json_schema' must be an object with a 'schema'", "response_format");
        }
        JsonNode schema = spec.get("schema");
        if (schema == null || !schema.isObject()) {
            throw ApiException.badRequest("'response_format.json_schema.schema' must be a JSON Schema object", "response_format");
        }
        JsonNode strict = spec.get("strict");
        if (strict != null && !strict.isNull() && !strict.isBoolean()) {
            throw ApiException.badRequest("'response_format.json_schema.strict' must be a boolean", "response_format");
        }
        try {
            return Grammar.jsonSchema(schema.toString());
        } catch (UnsupportedSchemaException e) {
            throw ApiException.badRequest("'response_format.json_schema.schema' cannot be followed: " + e.getMessage(), "response_format");
        }
    }
}
