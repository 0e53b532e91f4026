package dev.panamax.serve;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.DeserializationFeature;
import com.fasterxml.jackson.databind.JsonMappingException;
import com.fasterxml.jackson.databind.MapperFeature;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.PropertyNamingStrategies;
import com.fasterxml.jackson.databind.cfg.CoercionAction;
import com.fasterxml.jackson.databind.cfg.CoercionInputShape;
import com.fasterxml.jackson.databind.exc.MismatchedInputException;
import com.fasterxml.jackson.databind.json.JsonMapper;
import com.fasterxml.jackson.databind.type.LogicalType;
import java.util.stream.Collectors;

/**
 * The one Jackson mapper of the server: snake_case names as OpenAI writes them, unknown fields
 * ignored (clients send many we do not use), and no silent coercion of types ({@code "max_tokens": "5"}
 * or {@code 2.5} is a 400, not 5 or 2). Turns Jackson's errors into messages that name the field.
 */
final class Json {
    static final ObjectMapper MAPPER = mapper();

    private Json() {
    }

    private static ObjectMapper mapper() {
        JsonMapper m = JsonMapper.builder()
                .propertyNamingStrategy(PropertyNamingStrategies.SNAKE_CASE)
                .disable(DeserializationFeature.FAIL_ON_UNKNOWN_PROPERTIES)
                .enable(DeserializationFeature.FAIL_ON_TRAILING_TOKENS)
                .disable(DeserializationFeature.ACCEPT_FLOAT_AS_INT)
                .disable(MapperFeature.ALLOW_COERCION_OF_SCALARS)
                .build();
        for (LogicalType type : new LogicalType[] {LogicalType.Textual, LogicalType.Integer, LogicalType.Float, LogicalType.Boolean}) {
            m.coercionConfigFor(type)
                    .setCoercion(CoercionInputShape.Integer, type == LogicalType.Integer || type == LogicalType.Float
                            ? CoercionAction.TryConvert : CoercionAction.Fail)
                    .setCoercion(CoercionInputShape.Float, type == LogicalType.Float ? CoercionAction.TryConvert : CoercionAction.Fail)
                    .setCoercion(CoercionInputShape.Boolean, type == LogicalType.Boolean ? CoercionAction.TryConvert : CoercionAction.Fail)
                    .setCoercion(CoercionInputShape.String, type == LogicalType.Textual ? CoercionAction.TryConvert : CoercionAction.Fail)
                    .setCoercion(CoercionInputShape.EmptyString, type == LogicalType.Textual ? CoercionAction.TryConvert : CoercionAction.Fail);
        }
        return m;
    }

    /**
     * {@code body} as a {@code type}.
     *
     * @throws ApiException 400 for malformed JSON or a field of the wrong type, naming it
     */
    static <T> T read(byte[] body, Class<T> type) {
        if (body.length == 0) {
            throw ApiException.badRequest("the request has no body; it needs a JSON object", null);
        }
        try {
            T value = MAPPER.readValue(body, type);
            if (value == null) {
                throw ApiException.badRequest("the body is JSON null; it needs a JSON object", null);
            }
            return value;
        } catch (MismatchedInputException e) {
            String field = field(e);
            String wanted = e.getTargetType() == null ? "another type" : describe(e.getTargetType());
            throw ApiException.badRequest(field.isEmpty() ? "the body must be a JSON object, not " + found(e)
                    : "'" + field + "' must be " + wanted, field.isEmpty() ? null : field);
        } catch (JsonMappingException e) {
            if (e.getCause() instanceof JsonProcessingException parse && !(parse instanceof JsonMappingException)) {
                throw notJson(parse);
            }
            String field = field(e);
            throw ApiException.badRequest((field.isEmpty() ? "" : "'" + field + "': ") + clean(e.getOriginalMessage()), field.isEmpty() ? null : field);
        } catch (JsonProcessingException e) {
            throw notJson(e);
        } catch (java.io.IOException e) {
            throw ApiException.badRequest("the body cannot be read: " + e.getMessage(), null);
        }
    }

    private static ApiException notJson(JsonProcessingException e) {
        String where = e.getLocation() == null ? "" : " (line " + e.getLocation().getLineNr() + ", column " + e.getLocation().getColumnNr() + ")";
        return ApiException.badRequest("the body is not valid JSON: " + clean(e.getOriginalMessage()) + where, null);
    }

    /** Jackson's message without its note that the source is not shown. */
    private static String clean(String message) {
        return message.replaceAll("\\[Source: REDACTED[^;]*; ", "[");
    }

    /** {@code value} as JSON bytes. */
    static byte[] write(Object value) {
        try {
            return MAPPER.writeValueAsBytes(value);
        } catch (JsonProcessingException e) {
            throw new IllegalStateException("cannot write " + value.getClass().getSimpleName() + " as JSON", e);
        }
    }

    private static String field(JsonMappingException e) {
        return e.getPath().stream()
                .map(r -> r.getFieldName() != null ? r.getFieldName() : "[" + r.getIndex() + "]")
                .collect(Collectors.joining(".")).replace(".[", "[");
    }

    private static String found(MismatchedInputException e) {
        String m = e.getOriginalMessage();
        int from = m.indexOf("from ");
        return from >= 0 ? m.substring(from + 5) : m;
    }

    private static String describe(Class<?> type) {
        if (type == Integer.class || type == int.class || type == Long.class || type == long.class) {
            return "an integer";
        }
        if (type == Double.class || type == double.class || type == Float.class || type == float.class) {
            return "a number";
        }
        if (type == Boolean.class || type == boolean.class) {
            return "true or false";
        }
        if (type == String.class) {
            return "a string";
        }
        if (java.util.Collection.class.isAssignableFrom(type) || type.isArray()) {
            return "an array";
        }
        return "an object";
    }
}
