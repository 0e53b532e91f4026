package dev.panamax.transformer.sampling.grammar;

import java.math.BigDecimal;
import java.math.BigInteger;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * Turns a JSON Schema (as {@link SchemaTree} values) into the automaton's {@link Node}s: the subset
 * that structured-output clients send. Any other keyword is refused by name rather than ignored, so a
 * grammar never claims a guarantee it does not keep.
 */
final class SchemaCompiler {
    /** Keywords that say nothing about which documents are valid. */
    private static final Set<String> ANNOTATIONS = Set.of("title", "description", "$schema", "$id", "$comment", "examples", "default",
            "deprecated", "readOnly", "writeOnly", "$defs", "definitions");
    private static final Set<String> SUPPORTED = Set.of("type", "properties", "required", "additionalProperties", "items", "enum",
            "const", "anyOf", "allOf", "$ref");
    private static final Set<String> TYPES = Set.of("object", "array", "string", "number", "integer", "boolean", "null");

    private final Object root;
    private final Map<String, Node.Ref> refs = new HashMap<>();

    private SchemaCompiler(Object root) {
        this.root = root;
    }

    /** {@return the grammar's root node for {@code schema}} @throws UnsupportedSchemaException as {@link Grammar#jsonSchema} says */
    static Node compile(Object schema) {
        SchemaCompiler c = new SchemaCompiler(schema);
        Node n = c.node(schema, "");
        Node resolved = n;
        while (resolved instanceof Node.Ref r) {
            resolved = r.target();
        }
        if (!(resolved instanceof Node.Obj)) {
            throw new UnsupportedSchemaException("type", "", "the top-level schema must be an object (\"type\": \"object\"), as OpenAI requires");
        }
        return n;
    }

    private Node node(Object schema, String path) {
        if (Boolean.TRUE.equals(schema)) {
            return Node.any();
        }
        if (!(schema instanceof Map<?, ?> raw)) {
            throw new UnsupportedSchemaException(Boolean.FALSE.equals(schema) ? "false" : "type", path,
                    Boolean.FALSE.equals(schema) ? "a false schema allows no value" : "a schema must be an object or a boolean");
        }
        @SuppressWarnings("unchecked")
        Map<String, Object> s = (Map<String, Object>) raw;
        for (String k : s.keySet()) {
            if (!ANNOTATIONS.contains(k) && !SUPPORTED.contains(k)) {
                throw new UnsupportedSchemaException(k, path, "this keyword is not supported by constrained decoding");
            }
        }
        if (s.containsKey("$ref")) {
            alone(s, "$ref", path);
            return ref(s.get("$ref"), path);
        }
        if (s.containsKey("allOf")) {
            alone(s, "allOf", path);
            List<?> all = list(s.get("allOf"), "allOf", path);
            if (all.size() != 1) {
                throw new UnsupportedSchemaException("allOf", path, "only an allOf of one schema is supported, not of " + all.size());
            }
            return node(all.get(0), path + "/allOf/0");
        }
        if (s.containsKey("anyOf")) {
            alone(s, "anyOf", path);
            List<?> any = list(s.get("anyOf"), "anyOf", path);
            if (any.isEmpty()) {
                throw new UnsupportedSchemaException("anyOf", path, "an empty anyOf allows no value");
            }
            List<Node> alternatives = new ArrayList<>();
            for (int i = 0; i < any.size(); i++) {
                alternatives.add(node(any.get(i), path + "/anyOf/" + i));
            }
            return alternatives.size() == 1 ? alternatives.get(0) : new Node.AnyOf(List.copyOf(alternatives));
        }
        List<String> types = types(s, path);
        if (s.containsKey("enum") || s.containsKey("const")) {
            return literals(s, types, path);
        }
        if (types.isEmpty()) { // no type: an object or array if the keywords say so (a subset of the valid values), else anything
            if (s.containsKey("properties") || s.containsKey("required") || s.containsKey("additionalProperties")) {
                return object(s, path);
            }
            return s.containsKey("items") ? array(s, path) : Node.any();
        }
        List<Node> alternatives = new ArrayList<>();
        for (String t : types) {
            alternatives.add(switch (t) {
                case "object" -> object(s, path);
                case "array" -> array(s, path);
                case "string" -> Node.Str.INSTANCE;
                case "number" -> new Node.Num(false);
                case "integer" -> new Node.Num(true);
                case "boolean" -> literal(List.of(Boolean.TRUE, Boolean.FALSE));
                default -> literal(java.util.Collections.singletonList(null));
            });
        }
        return alternatives.size() == 1 ? alternatives.get(0) : new Node.AnyOf(List.copyOf(alternatives));
    }

    private Node object(Map<String, Object> s, String path) {
        Map<?, ?> properties = s.containsKey("properties") ? map(s.get("properties"), "properties", path) : Map.of();
        Object additional = s.get("additionalProperties");
        if (additional != null && !(additional instanceof Boolean) && !(additional instanceof Map)) {
            throw new UnsupportedSchemaException("additionalProperties", path, "must be a boolean or a schema");
        }
        List<String> required = new ArrayList<>();
        if (s.containsKey("required")) {
            for (Object r : list(s.get("required"), "required", path)) {
                if (!(r instanceof String name)) {
                    throw new UnsupportedSchemaException("required", path, "must be an array of property names");
                }
                required.add(name);
            }
        }
        if (properties.isEmpty() && !Boolean.FALSE.equals(additional)) { // a map: any keys, each value as additionalProperties says
            if (!required.isEmpty()) {
                throw new UnsupportedSchemaException("required", path, "required properties need 'properties' listing them");
            }
            return new Node.Obj(null, new Node[0], 0, additional instanceof Map ? node(additional, path + "/additionalProperties")
                    : Node.any());
        }
        if (properties.size() > 64) {
            throw new UnsupportedSchemaException("properties", path, "at most 64 properties per object are supported, not " + properties.size());
        }
        List<byte[]> keys = new ArrayList<>();
        Node[] values = new Node[properties.size()];
        List<String> names = new ArrayList<>();
        for (Map.Entry<?, ?> e : properties.entrySet()) {
            String name = (String) e.getKey();
            byte[] quoted = SchemaTree.write(name);
            keys.add(Arrays.copyOfRange(quoted, 1, quoted.length)); // after the opening quote, with the closing one
            values[names.size()] = node(e.getValue(), path + "/properties/" + pointer(name));
            names.add(name);
        }
        long req = 0;
        for (String r : required) {
            int i = names.indexOf(r);
            if (i < 0) {
                throw new UnsupportedSchemaException("required", path, "required property '" + r + "' is not in 'properties'");
            }
            req |= 1L << i;
        }
        return new Node.Obj(ByteTrie.of(keys), values, req, null);
    }

    private Node array(Map<String, Object> s, String path) {
        Object items = s.get("items");
        if (items instanceof List) {
            throw new UnsupportedSchemaException("items", path, "tuple items (an array of schemas) are not supported");
        }
        return new Node.Arr(s.containsKey("items") ? node(items, path + "/items") : Node.any());
    }

    private Node literals(Map<String, Object> s, List<String> types, String path) {
        List<?> values = s.containsKey("const") ? java.util.Collections.singletonList(s.get("const")) : list(s.get("enum"), "enum", path);
        if (s.containsKey("const") && s.containsKey("enum")) {
            throw new UnsupportedSchemaException("enum", path, "give 'enum' or 'const', not both");
        }
        List<Object> kept = new ArrayList<>();
        for (Object v : values) {
            if ((types.isEmpty() || types.stream().anyMatch(t -> is(v, t))) && !kept.contains(v)) {
                kept.add(v);
            }
        }
        if (kept.isEmpty()) {
            throw new UnsupportedSchemaException(s.containsKey("const") ? "const" : "enum", path, "no value of it has the schema's type");
        }
        return literal(kept);
    }

    private static Node literal(List<?> values) {
        List<byte[]> texts = new ArrayList<>();
        for (Object v : values) {
            texts.add(SchemaTree.write(v));
        }
        return new Node.Literal(ByteTrie.of(texts));
    }

    private static boolean is(Object v, String type) {
        return switch (type) {
            case "object" -> v instanceof Map;
            case "array" -> v instanceof List;
            case "string" -> v instanceof String;
            case "number" -> v instanceof BigInteger || v instanceof BigDecimal;
            case "integer" -> v instanceof BigInteger || (v instanceof BigDecimal d && d.stripTrailingZeros().scale() <= 0);
            case "boolean" -> v instanceof Boolean;
            default -> v == null;
        };
    }

    private Node ref(Object target, String path) {
        if (!(target instanceof String pointer) || !(pointer.equals("#") || pointer.startsWith("#/"))) {
            throw new UnsupportedSchemaException("$ref", path, "only references into this schema (\"#\", \"#/$defs/...\") are supported");
        }
        Node.Ref known = refs.get(pointer);
        if (known != null) {
            return known;
        }
        Object at = root;
        String where = "";
        if (pointer.length() > 1) {
            for (String part : pointer.substring(2).split("/", -1)) {
                String key = part.replace("~1", "/").replace("~0", "~");
                if (!(at instanceof Map<?, ?> m) || !m.containsKey(key)) {
                    throw new UnsupportedSchemaException("$ref", path, "'" + pointer + "' points to nothing");
                }
                at = m.get(key);
                where += "/" + part;
            }
        }
        Node.Ref r = new Node.Ref();
        refs.put(pointer, r); // before compiling the target, so that it may refer to itself
        r.resolve(node(at, where));
        return r;
    }

    private static List<String> types(Map<String, Object> s, String path) {
        Object t = s.get("type");
        if (t == null) {
            return List.of();
        }
        List<?> names = t instanceof List<?> l ? l : List.of(t);
        List<String> out = new ArrayList<>();
        for (Object n : names) {
            if (!(n instanceof String name) || !TYPES.contains(name)) {
                throw new UnsupportedSchemaException("type", path, "'" + n + "' is not a JSON Schema type");
            }
            if (!out.contains(name)) {
                out.add(name);
            }
        }
        if (out.isEmpty()) {
            throw new UnsupportedSchemaException("type", path, "an empty list of types allows no value");
        }
        return out;
    }

    /** Refuses keywords beside {@code keyword} other than annotations (their meaning together is an intersection). */
    private static void alone(Map<String, Object> s, String keyword, String path) {
        for (String k : s.keySet()) {
            if (!k.equals(keyword) && !ANNOTATIONS.contains(k)) {
                throw new UnsupportedSchemaException(k, path, "'" + k + "' beside '" + keyword + "' is not supported");
            }
        }
    }

    private static List<?> list(Object v, String keyword, String path) {
        if (!(v instanceof List<?> l)) {
            throw new UnsupportedSchemaException(keyword, path, "must be an array");
        }
        return l;
    }

    private static Map<?, ?> map(Object v, String keyword, String path) {
        if (!(v instanceof Map<?, ?> m)) {
            throw new UnsupportedSchemaException(keyword, path, "must be an object");
        }
        return m;
    }

    private static String pointer(String name) {
        return name.replace("~", "~0").replace("/", "~1");
    }
}
