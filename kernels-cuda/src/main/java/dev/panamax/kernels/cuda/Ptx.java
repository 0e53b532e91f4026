package dev.panamax.kernels.cuda;

import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.util.LinkedHashSet;
import java.util.Set;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/** The committed PTX modules, read from the class path as text. */
final class Ptx {
    private static final Pattern ENTRY = Pattern.compile("^(?:\\.(?:visible|weak)\\s+)?\\.entry\\s+([A-Za-z_$][\\w$]*)\\s*\\(",
            Pattern.MULTILINE);
    private static final Pattern PARAM = Pattern.compile("\\.param\\s+(?:\\.align\\s+\\d+\\s+)?\\.(\\w+)\\s+\\w+");
    private static final Pattern VERSION = Pattern.compile("^\\.version\\s+(\\d+)\\.(\\d+)", Pattern.MULTILINE);

    private Ptx() {
    }

    /** The text of module {@code name} ("matmul" for matmul.ptx). */
    static String load(String name) {
        try (InputStream in = Ptx.class.getResourceAsStream(name + ".ptx")) {
            if (in == null) {
                throw new IllegalStateException("PTX module " + name + ".ptx is missing from the class path"
                        + " (dev/panamax/kernels/cuda/; regenerate it with scripts/build-ptx.sh)");
            }
            return new String(in.readAllBytes(), StandardCharsets.US_ASCII);
        } catch (IOException e) {
            throw new UncheckedIOException("cannot read PTX module " + name, e);
        }
    }

    /** The kernel entry points a PTX text declares. */
    static Set<String> entries(String ptx) {
        Set<String> names = new LinkedHashSet<>();
        Matcher m = ENTRY.matcher(ptx);
        while (m.find()) {
            names.add(m.group(1));
        }
        return names;
    }

    /**
     * The parameter list of entry {@code name} in the letters of {@link Kernel#signature}: L for
     * {@code .u64}/{@code .b64}/{@code .s64}, I for 32-bit integers, F for {@code .f32}.
     *
     * @throws IllegalArgumentException if the PTX declares no such entry, or a parameter of another type
     */
    static String signature(String ptx, String name) {
        Matcher m = Pattern.compile("^(?:\\.(?:visible|weak)\\s+)?\\.entry\\s+" + Pattern.quote(name) + "\\s*\\(([^)]*)\\)",
                Pattern.MULTILINE).matcher(ptx);
        if (!m.find()) {
            throw new IllegalArgumentException("no .entry " + name + " in the PTX");
        }
        StringBuilder sig = new StringBuilder();
        Matcher p = PARAM.matcher(m.group(1));
        while (p.find()) {
            sig.append(switch (p.group(1)) {
                case "u64", "b64", "s64" -> 'L';
                case "u32", "b32", "s32" -> 'I';
                case "f32" -> 'F';
                default -> throw new IllegalArgumentException("entry " + name + " has a ." + p.group(1) + " parameter");
            });
        }
        return sig.toString();
    }

    /** The PTX ISA version as major * 10 + minor (9.0 -> 90). */
    static int isaVersion(String ptx) {
        Matcher m = VERSION.matcher(ptx);
        if (!m.find()) {
            throw new IllegalStateException("PTX text has no .version directive");
        }
        return Integer.parseInt(m.group(1)) * 10 + Integer.parseInt(m.group(2));
    }

    /** The oldest driver (cuDriverGetVersion: 1000 * major + 10 * minor) that accepts PTX ISA {@code isa}. */
    static int minimumDriver(int isa) {
        // PTX ISA 8.x shipped with CUDA 12.x (8.0 = 12.0 ... 8.8 = 12.8); 9.0 with CUDA 13.0.
        return isa >= 90 ? 13_000 + (isa - 90) * 10 : 12_000 + (isa - 80) * 10;
    }
}
