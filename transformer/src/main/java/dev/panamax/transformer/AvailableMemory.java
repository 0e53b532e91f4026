package dev.panamax.transformer;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Locale;

/** How much memory this process could still take: what Linux calls MemAvailable (no limit known elsewhere). */
final class AvailableMemory {
    private AvailableMemory() {
    }

    /** Bytes available for new allocations (page cache that can be dropped included). */
    static long bytes() {
        try {
            for (String line : Files.readAllLines(Path.of("/proc/meminfo"))) {
                if (line.startsWith("MemAvailable:")) {
                    return Long.parseLong(line.replaceAll("[^0-9]", "")) * 1024;
                }
            }
        } catch (IOException | RuntimeException e) {
            // not Linux, or an unusual /proc: fall through
        }
        return Long.MAX_VALUE; // nothing to check against
    }

    /** "3.2 GiB", "512.0 MiB". */
    static String describe(long bytes) {
        if (bytes == Long.MAX_VALUE) {
            return "more than 8 EiB";
        }
        double gib = bytes / (1024.0 * 1024 * 1024);
        return gib >= 1 ? String.format(Locale.ROOT, "%.1f GiB", gib)
                : String.format(Locale.ROOT, "%.1f MiB", bytes / (1024.0 * 1024));
    }
}
