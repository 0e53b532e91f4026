package dev.panamax.kernels.cpu;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;

/**
 * The processor's vendor and family from the first entry of {@code /proc/cpuinfo}, read once per JVM, for the kernel
 * routes that differ between machines ({@link DotRoutes}, {@link GemmRoutes}).
 *
 * @param vendor {@code vendor_id} ("AuthenticAMD", "GenuineIntel"), or "" if unknown
 * @param family {@code cpu family}, or -1 if unknown
 */
record CpuIdentity(String vendor, int family) {
    /** This machine's, or an unknown one where /proc/cpuinfo cannot be read (not Linux). */
    static final CpuIdentity MACHINE = read();

    /** {@return e.g. "GenuineIntel family 6"} */
    String describe() {
        return (vendor.isEmpty() ? "unknown vendor" : vendor) + " family " + family;
    }

    private static CpuIdentity read() {
        String vendor = "";
        int family = -1;
        try {
            for (String line : Files.readAllLines(Path.of("/proc/cpuinfo"))) {
                int colon = line.indexOf(':');
                if (colon < 0) {
                    if (!vendor.isEmpty()) {
                        break; // the first processor's entry is enough
                    }
                    continue;
                }
                String key = line.substring(0, colon).trim(), value = line.substring(colon + 1).trim();
                if (key.equals("vendor_id")) {
                    vendor = value;
                } else if (key.equals("cpu family")) {
                    family = Integer.parseInt(value);
                }
            }
        } catch (IOException | RuntimeException e) {
            // not Linux, or a format we do not know: unknown
        }
        return new CpuIdentity(vendor, family);
    }
}
