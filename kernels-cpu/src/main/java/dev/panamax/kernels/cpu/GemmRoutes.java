package dev.panamax.kernels.cpu;

import java.util.Locale;

/**
 * How the pure-Java wide-batch GEMM (a prompt) lays out its weight tiles, chosen once per JVM from the CPU,
 * overridable with {@code -Dpanamax.cpu.gemm=strided|packed}, reported by {@code panamax info}.
 *
 * <ul>
 * <li>{@code strided}: the decoded weight rows stay row-major and the micro-kernel broadcasts from
 * {@link GemmKernel#WIDE_MR} rows a stride apart ({@link GemmKernel#multiply12}). C2 keeps one row offset per
 * broadcast in a general register, and twelve of them do not fit with the loop's others: they are spilled, so
 * every broadcast costs a stack load and an add besides. On Zen 4 (512-bit work in 256-bit halves, so the FMAs
 * take twice as long and hide this) that tile reached about 94% of OpenBLAS; it stays the route of AMD.</li>
 * <li>{@code packed}: each tile's rows are stored k-major ({@code wp[k WIDE_MR + i]}), so the broadcasts are one
 * base register and constant offsets ({@link GemmKernel#multiply12Packed}); tasks of
 * {@link CpuMatmul#NC_WIDE_PACKED} weight rows (for a 2 MiB L2); the tiles written to out by gathers
 * ({@link GemmKernel#storeTransposed}). On Sapphire Rapids (two full 512-bit FMA ports, 209 GFLOP/s per core
 * measured) the tile alone in L1 ran at 174 against 150 GFLOP/s (83% against 72% of the FMA peak, thread CPU
 * time), a whole 512 x 2048 x 2048 product 1.08-1.33x (256-bit vectors 1.17-1.20x), a pp512 1.16-1.17x in process CPU
 * time (docs/benchmarks.md). The route of Intel and of machines we do not know.</li>
 * </ul>
 * AMD keeps the strided route because it was measured there and the packed one was not: Zen 4 has a 1 MiB L2
 * (the 192-row tasks were sized for 2 MiB) and microcoded gathers.
 */
final class GemmRoutes {
    /** The system property that forces the layout: {@code strided} or {@code packed}. */
    static final String PROPERTY = "panamax.cpu.gemm";

    /** This JVM's route: from {@link CpuIdentity#MACHINE} and the system property. */
    static final GemmRoutes MACHINE = choose(CpuIdentity.MACHINE, System.getProperty(PROPERTY));
    /** The row-major tiles forced, for tests. */
    static final GemmRoutes STRIDED = new GemmRoutes(false, "forced");
    /** The k-major tiles forced, for tests. */
    static final GemmRoutes PACKED = new GemmRoutes(true, "forced");

    /** Whether weight tiles are packed k-major ({@link GemmKernel#multiply12Packed}) rather than row-major. */
    final boolean packed;
    private final String why;

    private GemmRoutes(boolean packed, String why) {
        this.packed = packed;
        this.why = why;
    }

    /**
     * The route for a CPU and an override.
     *
     * @param cpu      the processor
     * @param override the property's value, or null
     * @throws IllegalArgumentException if the override is neither {@code strided} nor {@code packed}
     */
    static GemmRoutes choose(CpuIdentity cpu, String override) {
        if (override != null && !override.isBlank()) {
            return switch (override.trim().toLowerCase(Locale.ROOT)) {
                case "strided" -> new GemmRoutes(false, "-D" + PROPERTY + "=" + override);
                case "packed" -> new GemmRoutes(true, "-D" + PROPERTY + "=" + override);
                default -> throw new IllegalArgumentException("-D" + PROPERTY + "=" + override + ": expected strided or packed");
            };
        }
        if (cpu.vendor().equals("AuthenticAMD")) {
            return new GemmRoutes(false, cpu.describe() + ": the tile measured on Zen 4");
        }
        return new GemmRoutes(true, cpu.describe());
    }

    /** {@return this route in words, e.g. "weight tiles packed k-major (GenuineIntel family 6; -Dpanamax.cpu.gemm=strided|packed)"} */
    String description() {
        return "weight tiles " + (packed ? "packed k-major" : "row-major, strided") + " (" + why + "; -D" + PROPERTY + "=strided|packed)";
    }
}
