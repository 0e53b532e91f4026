package dev.panamax.transformer.tokenizer.hf;

import dev.panamax.formats.FormatException;
import java.math.BigInteger;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

/**
 * A value of a JSON file (as {@link dev.panamax.formats.JsonTree} reads it) with its file and JSON path,
 * so that every complaint names both: {@code pre_tokenizer.pretokenizers[1].behavior}.
 */
public record JsonNode(Path file, String path, Object value) {

    /** The document root of {@code file}. */
    public static JsonNode root(Path file, Object value) {
        return new JsonNode(file, "", value);
    }

    /** The member {@code key} of this object (a node holding null when absent). */
    public JsonNode get(String key) {
        Object member = value instanceof Map<?, ?> m ? m.get(key) : null;
        if (!(value instanceof Map<?, ?>) && value != null) {
            throw fail("expected an object");
        }
        return new JsonNode(file, path.isEmpty() ? key : path + "." + key, member);
    }

    /** Whether this object has a member {@code key} (even a null one). */
    public boolean has(String key) {
        return value instanceof Map<?, ?> m && m.containsKey(key);
    }

    public boolean isNull() {
        return value == null;
    }

    /** The elements of this array. */
    public List<JsonNode> elements() {
        if (!(value instanceof List<?> list)) {
            throw fail("expected an array");
        }
        List<JsonNode> out = new ArrayList<>(list.size());
        for (int i = 0; i < list.size(); i++) {
            out.add(new JsonNode(file, path + "[" + i + "]", list.get(i)));
        }
        return out;
    }

    /** The member names of this object, in file order. */
    public List<String> keys() {
        if (!(value instanceof Map<?, ?> m)) {
            throw fail("expected an object");
        }
        List<String> keys = new ArrayList<>();
        for (Object k : m.keySet()) {
            keys.add((String) k);
        }
        return keys;
    }

    /** This value as a string. */
    public String string() {
        if (!(value instanceof String s)) {
            throw fail("expected a string");
        }
        return s;
    }

    /** Member {@code key} as a string, or {@code fallback} when absent or null. */
    public String string(String key, String fallback) {
        JsonNode n = get(key);
        return n.isNull() ? fallback : n.string();
    }

    /** Member {@code key} as a boolean, or {@code fallback} when absent or null. */
    public boolean bool(String key, boolean fallback) {
        JsonNode n = get(key);
        if (n.isNull()) {
            return fallback;
        }
        if (!(n.value instanceof Boolean b)) {
            throw n.fail("expected true or false");
        }
        return b;
    }

    /** This value as an int in {@code [min, max]}. */
    public int intValue(long min, long max) {
        if (!(value instanceof Long || value instanceof BigInteger)) {
            throw fail("expected an integer");
        }
        BigInteger v = value instanceof Long l ? BigInteger.valueOf(l) : (BigInteger) value;
        if (v.compareTo(BigInteger.valueOf(min)) < 0 || v.compareTo(BigInteger.valueOf(max)) > 0) {
            throw fail("out of range [" + min + ", " + max + "]");
        }
        return v.intValue();
    }

    /** Member {@code type} of this object, required. */
    public String type() {
        JsonNode t = get("type");
        if (t.isNull()) {
            throw t.fail("missing");
        }
        return t.string();
    }

    /** An error about this value: {@code problem}, naming the file, the JSON path and the value. */
    public FormatException fail(String problem) {
        return new FormatException(file, path.isEmpty() ? "$" : path, describe(value), problem);
    }

    private static String describe(Object value) {
        String s = String.valueOf(value);
        return s.length() > 200 ? s.substring(0, 200) + "..." : s;
    }
}
