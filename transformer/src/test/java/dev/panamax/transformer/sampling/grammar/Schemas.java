package dev.panamax.transformer.sampling.grammar;

/** Schemas the tests generate to: between them, every keyword the grammar supports. */
public final class Schemas {
    /** Every supported keyword: nested objects, arrays, enum, const, anyOf (objects told apart by their keys only), $ref recursion. */
    public static final String EVERYTHING = """
            {"type": "object", "title": "a person",
             "properties": {
               "name": {"type": "string", "description": "what they are called"},
               "age": {"type": "integer"},
               "score": {"type": "number"},
               "member": {"type": "boolean"},
               "nothing": {"type": "null"},
               "color": {"enum": ["red", "green", "blue", 7]},
               "kind": {"const": "cat"},
               "tags": {"type": "array", "items": {"type": "string"}},
               "address": {"type": "object", "properties": {"city": {"type": "string"}, "zip": {"type": ["string", "null"]}},
                           "required": ["city"], "additionalProperties": false},
               "either": {"anyOf": [{"type": "integer"},
                                    {"type": "object", "properties": {"x": {"type": "number"}}, "required": ["x"], "additionalProperties": false},
                                    {"type": "object", "properties": {"x": {"type": "string"}, "y": {"type": "boolean"}},
                                     "required": ["x", "y"], "additionalProperties": false}]},
               "tree": {"$ref": "#/$defs/node"},
               "counts": {"type": "object", "additionalProperties": {"type": "integer"}}
             },
             "required": ["name", "age", "color", "tags"],
             "additionalProperties": false,
             "$defs": {"node": {"type": "object",
                                "properties": {"value": {"type": "integer"}, "children": {"type": "array", "items": {"$ref": "#/$defs/node"}}},
                                "required": ["value"], "additionalProperties": false}}}
            """;

    /** No free strings (which a random model may never close): enums, numbers, booleans, nested objects and arrays, anyOf. */
    public static final String NO_FREE_STRINGS = """
            {"type": "object",
             "properties": {
               "level": {"enum": ["low", "mid", "high"]},
               "count": {"type": "integer"},
               "ratio": {"type": "number"},
               "ok": {"type": "boolean"},
               "points": {"type": "array", "items": {"type": "object", "properties": {"x": {"type": "integer"}, "y": {"type": "integer"}},
                                                     "required": ["x", "y"], "additionalProperties": false}},
               "maybe": {"anyOf": [{"type": "null"}, {"type": "integer"}, {"const": "none"}]}
             },
             "required": ["level", "count", "ok", "points"],
             "additionalProperties": false}
            """;

    private Schemas() {
    }
}
