package dev.panamax.transformer.chat.jinja;

import java.util.LinkedHashMap;
import java.util.Map;

/** What {@code namespace(a=1)} returns: the one object whose attributes {@code {% set ns.a = 2 %}} may change, across scopes. */
final class Namespace {
    final Map<String, Object> attributes = new LinkedHashMap<>();
}
