package dev.panamax.transformer.chat.jinja;

import java.util.List;
import java.util.Map;

/** A callable value: a global such as {@code raise_exception}, a macro, a bound method such as {@code text.split}. */
@FunctionalInterface
interface JinjaFunction {
    Object call(List<Object> args, Map<String, Object> kwargs);
}
