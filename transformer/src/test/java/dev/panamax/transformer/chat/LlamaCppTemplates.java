package dev.panamax.transformer.chat;

import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Assumptions;

/**
 * The real model templates llama.cpp keeps ({@code models/templates/*.jinja} of its source, outside this
 * repository), found as {@code LlamaCppTemplatesTest} finds them: {@code -Dpanamax.llamacpp.src},
 * {@code PANAMAX_LLAMACPP_SRC}, or {@code tools/llama.cpp-src} beside the checkout.
 * Tests that need one skip when it is absent.
 */
public final class LlamaCppTemplates {
    private LlamaCppTemplates() {
    }

    public static Path require(String name) {
        for (String src : new String[] {System.getProperty("panamax.llamacpp.src"), System.getenv("PANAMAX_LLAMACPP_SRC"),
                "../../tools/llama.cpp-src", "../tools/llama.cpp-src"}) {
            if (src != null && Files.isRegularFile(Path.of(src, "models", "templates", name))) {
                return Path.of(src, "models", "templates", name);
            }
        }
        Assumptions.abort("llama.cpp's template " + name + " was not found: set -Dpanamax.llamacpp.src or PANAMAX_LLAMACPP_SRC");
        throw new AssertionError("unreachable");
    }
}
