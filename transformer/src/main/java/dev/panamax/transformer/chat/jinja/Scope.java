package dev.panamax.transformer.chat.jinja;

import java.util.HashMap;
import java.util.Map;

/** Variables of one scope (the template, a loop, a macro call), in front of those of the enclosing one. */
final class Scope {
    private final Map<String, Object> variables = new HashMap<>();
    private final Scope parent;

    Scope(Scope parent) {
        this.parent = parent;
    }

    /** The value of {@code name} here or in an enclosing scope, else {@link Undefined#VALUE}. */
    Object get(String name) {
        for (Scope s = this; s != null; s = s.parent) {
            Object v = s.variables.get(name);
            if (v != null || s.variables.containsKey(name)) {
                return v;
            }
        }
        return Undefined.VALUE;
    }

    /** Sets {@code name} in this scope: {@code {% set %}} inside a loop or macro does not change the enclosing scope. */
    void set(String name, Object value) {
        variables.put(name, value);
    }
}
