package dev.panamax.kernels.cpu;

import java.util.Locale;

/**
 * Which matrix-vector dot a weight type takes where two kernels each win on some machine: chosen once per JVM
 * from the CPU, overridable, and reported ({@link #describe}, {@code panamax info}, one log line).
 *
 * <p>Q8_0 on 512-bit machines: the float kernel ({@link WideDots#dotQ8_0}: per 32 weights two byte-to-int
 * widenings, two conversions, a multiply and two FMAs, all 512 bits wide) or the 16-bit integer one
 * ({@link VectorDots#dotQ8_0}: 256 bits wide, x quantized to 8 bits). Measured (docs/benchmarks.md, issue 18):
 * on Sapphire Rapids the float kernel reads the weights at 96% of the core's read bandwidth, so nothing can
 * beat it there; on Zen 4, which executes each 512-bit instruction as two 256-bit halves, the float kernel's
 * instructions cost twice and it is compute-bound, the integer one 1.6x faster. So AMD processors of family
 * 25 (Zen 3 and Zen 4; Zen 3 has no AVX-512 and never gets here) take the integer kernel, every other
 * machine (Intel, and AMD family 26, Zen 5, whose 512-bit units are full width; not measured) the float one.
 * {@code -Dpanamax.cpu.q8_0=float|integer} forces either. Narrow machines always take the integer kernel.
 *
 * <p>Q4_0 on 512-bit machines: the pair-product dot with its blocks' f16 scales converted
 * ({@link PairDots#dotQ4_0}, as measured on Zen 4) or looked up in a table ({@link PairDots#dotQ4_0Table}, the
 * same arithmetic and result). On Sapphire Rapids the conversion's three vector uops per block were about a fifth
 * of the dot, which runs on two 512-bit ports; the lookup is 1.2x faster per product there (docs/benchmarks.md,
 * 2026-12-04). Zen 4 keeps the converting kernel it was measured with; every other machine takes the table.
 * {@code -Dpanamax.cpu.q4_0=table|convert} forces either.
 *
 * <p>Q4_K and Q6_K on 512-bit machines ({@link KQuantDot}, a route of its own): {@link PairDots}' one-row dots or
 * {@link TwoRowPairDots}, the same dots two weight rows per pass, bit for bit the same results. On Sapphire Rapids
 * the two-row form is 1.1-1.3x faster per row (issue 18, docs/benchmarks.md); on Zen 4 the one-row dots are what
 * was measured, so AMD processors of family 25 keep them and every other 512-bit machine takes the two-row form.
 * {@code -Dpanamax.cpu.kquant=one|two} forces either.
 */
public final class DotRoutes {
    /** The system property that forces the Q8_0 route: {@code float} or {@code integer}. */
    public static final String Q8_0_PROPERTY = "panamax.cpu.q8_0";
    /** The system property that forces the Q4_0 route: {@code table} or {@code convert}. */
    public static final String Q4_0_PROPERTY = "panamax.cpu.q4_0";

    /** The two Q8_0 matrix-vector kernels of 512-bit machines. */
    enum Q8_0Dot {
        /** {@link WideDots#dotQ8_0}: weights converted to float, 512 bits. */
        FLOAT_512("512-bit float"),
        /** {@link VectorDots#dotQ8_0}: 16-bit products of weights and x quantized to 8 bits, 256 bits. */
        INTEGER_256("256-bit 16-bit integer");

        final String description;

        Q8_0Dot(String description) {
            this.description = description;
        }
    }

    /** The two Q4_0 matrix-vector kernels of 512-bit machines: both {@link PairDots}, they differ in the scales. */
    enum Q4_0Dot {
        /** {@link PairDots#dotQ4_0}: each block's f16 scale converted ({@code vcvtph2ps}). */
        CONVERT("256-bit pairs, f16 scales converted"),
        /** {@link PairDots#dotQ4_0Table}: each block's f16 scale looked up ({@link HalfFloats}). */
        TABLE("256-bit pairs, f16 scales looked up");

        final String description;

        Q4_0Dot(String description) {
            this.description = description;
        }
    }

    /** The system property that forces the Q4_K/Q6_K route: {@code one} or {@code two} (weight rows per pass). */
    public static final String KQUANT_PROPERTY = "panamax.cpu.kquant";

    /** The two Q4_K/Q6_K matrix-vector forms of 512-bit machines; both give the same bits. */
    enum KQuantDot {
        /** {@link PairDots#dotQ4_K}, {@link PairDots#dotQ6_K}: one weight row per call. */
        ONE_ROW("512-bit pair products, one row per pass"),
        /** {@link TwoRowPairDots}: two weight rows per call. */
        TWO_ROWS("512-bit pair products, two rows per pass");

        final String description;

        KQuantDot(String description) {
            this.description = description;
        }
    }

    /** This JVM's routes: read once, from {@code /proc/cpuinfo} and the system properties. */
    static final DotRoutes MACHINE = fromMachine();
    /** For tests: the float Q8_0 kernel and the Q4_0 table, the routes of machines other than Zen 4. */
    static final DotRoutes FLOAT = new DotRoutes(Q8_0Dot.FLOAT_512, "forced", Q4_0Dot.TABLE, "forced", KQuantDot.ONE_ROW, "forced");
    /** For tests: the integer Q8_0 kernel and the converting Q4_0 one, Zen 4's routes. */
    static final DotRoutes INTEGER = new DotRoutes(Q8_0Dot.INTEGER_256, "forced", Q4_0Dot.CONVERT, "forced", KQuantDot.ONE_ROW, "forced");

    private static final System.Logger LOG = System.getLogger(DotRoutes.class.getName());
    private static volatile boolean logged;

    /** The Q8_0 kernel where {@link WideDots#AVAILABLE} (narrow machines take the integer one regardless). */
    final Q8_0Dot q8_0;
    private final String why;
    /** The Q4_0 kernel where {@link WideDots#AVAILABLE} (narrow machines take {@link VectorDots#dotQ4_0}). */
    final Q4_0Dot q4_0;
    private final String q4_0Why;
    /** The Q4_K/Q6_K form where {@link WideDots#AVAILABLE} (narrow machines take {@link VectorDots}' regardless). */
    final KQuantDot kQuant;
    private final String kQuantWhy;

    private DotRoutes(Q8_0Dot q8_0, String why, Q4_0Dot q4_0, String q4_0Why, KQuantDot kQuant, String kQuantWhy) {
        this.q8_0 = q8_0;
        this.why = why;
        this.q4_0 = q4_0;
        this.q4_0Why = q4_0Why;
        this.kQuant = kQuant;
        this.kQuantWhy = kQuantWhy;
    }

    /** These routes with the K-quant form forced to {@code form} (tests force each). */
    DotRoutes withKQuant(KQuantDot form) {
        return new DotRoutes(q8_0, why, q4_0, q4_0Why, form, "forced");
    }

    /** Whether Q4_K and Q6_K matrix-vector products take {@link TwoRowPairDots} (512-bit machines only). */
    boolean kQuantTwoRows() {
        return WideDots.AVAILABLE && kQuant == KQuantDot.TWO_ROWS;
    }

    /** Whether Q8_0 matrix-vector products take {@link VectorDots#dotQ8_0} on x quantized to 8 bits. */
    boolean q8_0Integer() {
        return !WideDots.AVAILABLE || q8_0 == Q8_0Dot.INTEGER_256;
    }

    /** Whether Q4_0 matrix-vector products on 512-bit machines take {@link PairDots#dotQ4_0Table}. */
    boolean q4_0Table() {
        return q4_0 == Q4_0Dot.TABLE;
    }

    /** The routes for a CPU with no Q4_0 or K-quant override ({@link #choose(String, int, String, String, String)}). */
    static DotRoutes choose(String vendor, int family, String override) {
        return choose(vendor, family, override, null, null);
    }

    /** The routes for a CPU with no K-quant override ({@link #choose(String, int, String, String, String)}). */
    static DotRoutes choose(String vendor, int family, String override, String q4_0Override) {
        return choose(vendor, family, override, q4_0Override, null);
    }

    /**
     * The routes for a CPU and the overrides.
     *
     * @param vendor       {@code vendor_id} of /proc/cpuinfo ("AuthenticAMD", "GenuineIntel"), or "" if unknown
     * @param family       {@code cpu family}, or -1 if unknown
     * @param override     the Q8_0 property's value, or null
     * @param q4_0Override the Q4_0 property's value, or null
     * @param kQuantOverride the K-quant property's value, or null
     */
    static DotRoutes choose(String vendor, int family, String override, String q4_0Override, String kQuantOverride) {
        String cpu = new CpuIdentity(vendor, family).describe();
        boolean zen4 = vendor.equals("AuthenticAMD") && family == 25;
        Q8_0Dot q8_0;
        String why;
        if (override != null && !override.isBlank()) {
            q8_0 = switch (override.trim().toLowerCase(Locale.ROOT)) {
                case "float" -> Q8_0Dot.FLOAT_512;
                case "integer", "int" -> Q8_0Dot.INTEGER_256;
                default -> throw new IllegalArgumentException("-D" + Q8_0_PROPERTY + "=" + override + ": expected float or integer");
            };
            why = "-D" + Q8_0_PROPERTY + "=" + override;
        } else if (zen4) {
            q8_0 = Q8_0Dot.INTEGER_256;
            why = cpu + ": 512-bit work runs in 256-bit halves";
        } else {
            q8_0 = Q8_0Dot.FLOAT_512;
            why = cpu;
        }
        Q4_0Dot q4_0;
        String q4_0Why;
        if (q4_0Override != null && !q4_0Override.isBlank()) {
            q4_0 = switch (q4_0Override.trim().toLowerCase(Locale.ROOT)) {
                case "table" -> Q4_0Dot.TABLE;
                case "convert" -> Q4_0Dot.CONVERT;
                default -> throw new IllegalArgumentException("-D" + Q4_0_PROPERTY + "=" + q4_0Override + ": expected table or convert");
            };
            q4_0Why = "-D" + Q4_0_PROPERTY + "=" + q4_0Override;
        } else if (zen4) {
            q4_0 = Q4_0Dot.CONVERT;
            q4_0Why = cpu + ": as measured there";
        } else {
            q4_0 = Q4_0Dot.TABLE;
            q4_0Why = cpu;
        }
        KQuantDot kQuant;
        String kQuantWhy;
        if (kQuantOverride != null && !kQuantOverride.isBlank()) {
            kQuant = switch (kQuantOverride.trim().toLowerCase(Locale.ROOT)) {
                case "one", "1" -> KQuantDot.ONE_ROW;
                case "two", "2" -> KQuantDot.TWO_ROWS;
                default -> throw new IllegalArgumentException("-D" + KQUANT_PROPERTY + "=" + kQuantOverride + ": expected one or two");
            };
            kQuantWhy = "-D" + KQUANT_PROPERTY + "=" + kQuantOverride;
        } else if (zen4) {
            kQuant = KQuantDot.ONE_ROW;
            kQuantWhy = cpu + ": as measured on Zen 4";
        } else {
            kQuant = KQuantDot.TWO_ROWS;
            kQuantWhy = cpu;
        }
        return new DotRoutes(q8_0, why, q4_0, q4_0Why, kQuant, kQuantWhy);
    }

    /**
     * This JVM's choices, for logs and {@code panamax info}.
     *
     * @return e.g. "Q8_0 decode dot: 256-bit 16-bit integer (AuthenticAMD family 25: ...); Q4_0 decode dot: ..."
     */
    public static String describe() {
        return MACHINE.description();
    }

    String description() {
        if (!WideDots.AVAILABLE) {
            return "Q8_0 decode dot: " + Q8_0Dot.INTEGER_256.description + " (vectors narrower than 512 bits); Q4_0 decode dot: "
                    + "256-bit 16-bit integer (vectors narrower than 512 bits)";
        }
        return "Q8_0 decode dot: " + q8_0.description + " (" + why + "; -D" + Q8_0_PROPERTY + "=float|integer); Q4_0 decode dot: "
                + q4_0.description + " (" + q4_0Why + "; -D" + Q4_0_PROPERTY + "=table|convert); " + kQuantDescription();
    }

    /** The K-quant half of {@link #description}, e.g. "Q4_K/Q6_K decode dots: 512-bit pair products, two rows ...". */
    String kQuantDescription() {
        return "Q4_K/Q6_K decode dots: " + kQuant.description + " (" + kQuantWhy + "; -D" + KQUANT_PROPERTY + "=one|two)";
    }

    /** Logs this JVM's choice the first time a matmul asks. */
    static void logOnce() {
        if (!logged) {
            logged = true;
            LOG.log(System.Logger.Level.INFO, describe());
        }
    }

    private static DotRoutes fromMachine() {
        String vendor = CpuIdentity.MACHINE.vendor();
        int family = CpuIdentity.MACHINE.family();
        return choose(vendor, family, System.getProperty(Q8_0_PROPERTY), System.getProperty(Q4_0_PROPERTY),
                System.getProperty(KQUANT_PROPERTY));
    }
}
