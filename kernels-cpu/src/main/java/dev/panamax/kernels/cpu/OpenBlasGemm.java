package dev.panamax.kernels.cpu;

import java.lang.foreign.Arena;
import java.lang.foreign.FunctionDescriptor;
import java.lang.foreign.Linker;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.SymbolLookup;
import java.lang.invoke.MethodHandle;
import java.util.Optional;

import static java.lang.foreign.ValueLayout.ADDRESS;
import static java.lang.foreign.ValueLayout.JAVA_FLOAT;
import static java.lang.foreign.ValueLayout.JAVA_INT;

/**
 * OpenBLAS's {@code cblas_sgemm}, found at run time through FFM, for the wide-batch (prefill) GEMM:
 * where the machine has {@code libopenblas.so.0} (Debian/Ubuntu: {@code apt-get install
 * libopenblas0-pthread}), {@link CpuMatmul} decodes each block of weight rows to F32 and hands it,
 * with all rows of x, to one single-threaded sgemm call per task on its own threads. Without the
 * library, or with {@code -Dpanamax.blas=false}, the pure Java GEMM runs; it is always there and always
 * tested. {@code -Dpanamax.openblas=PATH} names another library file.
 *
 * <p>OpenBLAS 0.3.21 (Debian 12) reads CPUs newer than it (Intel family 6 model 207, for one) as
 * "Prescott", an SSE3 core, and its sgemm is then 4-5x slower than with its AVX-512 kernels. So when
 * {@code OPENBLAS_CORETYPE} is unset, it is set, before the library loads, to the core matching the
 * vector width the JVM reports (SkylakeX for 512 bits, Haswell for 256); a library that still reports an
 * SSE-era core is not used. The choice is logged once and shown by {@link #describe()}.
 */
final class OpenBlasGemm {
    /** System property: {@code false} keeps the pure Java GEMM even where OpenBLAS is installed. */
    static final String ENABLE_PROPERTY = "panamax.blas";
    /** System property naming the library (default {@value #DEFAULT_LIBRARY}). */
    static final String LIBRARY_PROPERTY = "panamax.openblas";
    static final String DEFAULT_LIBRARY = "libopenblas.so.0";

    private static final int ROW_MAJOR = 101;
    private static final int NO_TRANS = 111;
    private static final int TRANS = 112;
    private static final System.Logger LOG = System.getLogger(OpenBlasGemm.class.getName());

    /** What {@link #load} found: the library (null for pure Java) and the one-line report of the choice. */
    record Choice(OpenBlasGemm gemm, String description) {
    }

    private static volatile Choice loaded;

    private final MethodHandle sgemm;
    private final String description;

    private OpenBlasGemm(MethodHandle sgemm, String description) {
        this.sgemm = sgemm;
        this.description = description;
    }

    /** The library, loaded once per JVM; empty when absent, disabled or unsuitable ({@link #describe()} says which). */
    static Optional<OpenBlasGemm> shared() {
        return Optional.ofNullable(choice().gemm());
    }

    /** One line: which GEMM the wide-batch matmuls use and why, e.g. for {@code panamax info}. */
    static String describe() {
        return choice().description();
    }

    private static Choice choice() {
        Choice result = loaded;
        if (result == null) {
            synchronized (OpenBlasGemm.class) {
                result = loaded;
                if (result == null) {
                    result = load(Boolean.parseBoolean(System.getProperty(ENABLE_PROPERTY, "true")),
                            System.getProperty(LIBRARY_PROPERTY, DEFAULT_LIBRARY));
                    loaded = result;
                    LOG.log(System.Logger.Level.INFO, "prefill GEMM: " + result.description());
                }
            }
        }
        return result;
    }

    /** Loads {@code library} when {@code enabled}; any failure gives the pure Java choice with its reason. */
    static Choice load(boolean enabled, String library) {
        if (!enabled) {
            return new Choice(null, "pure Java (OpenBLAS disabled by -D" + ENABLE_PROPERTY + "=false)");
        }
        try {
            Linker linker = Linker.nativeLinker();
            String coreSet = setCoreTypeIfUnset(linker);
            SymbolLookup lookup = SymbolLookup.libraryLookup(library, Arena.global());
            MethodHandle corename = linker.downcallHandle(find(lookup, "openblas_get_corename"), FunctionDescriptor.of(ADDRESS));
            MethodHandle config = linker.downcallHandle(find(lookup, "openblas_get_config"), FunctionDescriptor.of(ADDRESS));
            MethodHandle setThreads = linker.downcallHandle(find(lookup, "openblas_set_num_threads"), FunctionDescriptor.ofVoid(JAVA_INT));
            // void cblas_sgemm(order, transA, transB, M, N, K, alpha, A, lda, B, ldb, beta, C, ldc); critical: x and
            // the decoded weights are Java arrays, passed without a copy (the call takes milliseconds, no upcalls)
            MethodHandle sgemm = linker.downcallHandle(find(lookup, "cblas_sgemm"), FunctionDescriptor.ofVoid(JAVA_INT, JAVA_INT,
                    JAVA_INT, JAVA_INT, JAVA_INT, JAVA_INT, JAVA_FLOAT, ADDRESS, JAVA_INT, ADDRESS, JAVA_INT, JAVA_FLOAT, ADDRESS, JAVA_INT),
                    Linker.Option.critical(true));
            String core = cString((MemorySegment) corename.invokeExact());
            String version = cString((MemorySegment) config.invokeExact()).split(" ")[1];
            String what = "OpenBLAS " + version + " sgemm (" + library + ", core " + core + coreSet + ")";
            if (isSseEraCore(core)) {
                return new Choice(null, "pure Java (" + what + " would run SSE kernels; set OPENBLAS_CORETYPE to this CPU's core)");
            }
            setThreads.invokeExact(1); // one thread per call: CpuMatmul's own threads share the work
            return new Choice(new OpenBlasGemm(sgemm, what),
                    what + ", one call per block of weight rows on Panamax's threads; -D" + ENABLE_PROPERTY + "=false for pure Java");
        } catch (IllegalArgumentException | IllegalCallerException e) {
            return new Choice(null, "pure Java (no OpenBLAS: " + e.getMessage() + "; Debian/Ubuntu: apt-get install libopenblas0-pthread)");
        } catch (Throwable e) {
            return new Choice(null, "pure Java (OpenBLAS " + library + " failed to start: " + e + ")");
        }
    }

    /** Sets OPENBLAS_CORETYPE for the library's CPU detection when the user has not; returns a note for the report. */
    private static String setCoreTypeIfUnset(Linker linker) throws Throwable {
        if (System.getenv("OPENBLAS_CORETYPE") != null) {
            return ", OPENBLAS_CORETYPE=" + System.getenv("OPENBLAS_CORETYPE");
        }
        int bits = jdk.incubator.vector.FloatVector.SPECIES_PREFERRED.vectorBitSize();
        String core = bits >= 512 ? "SkylakeX" : bits == 256 ? "Haswell" : null;
        if (core == null || !"amd64".equals(System.getProperty("os.arch"))) {
            return "";
        }
        MethodHandle setenv = linker.downcallHandle(find(linker.defaultLookup(), "setenv"),
                FunctionDescriptor.of(JAVA_INT, ADDRESS, ADDRESS, JAVA_INT));
        try (Arena arena = Arena.ofConfined()) {
            int rc = (int) setenv.invokeExact(arena.allocateFrom("OPENBLAS_CORETYPE"), arena.allocateFrom(core), 0);
            return rc == 0 ? ", OPENBLAS_CORETYPE=" + core + " set by Panamax for " + bits + "-bit vectors" : "";
        }
    }

    /** OpenBLAS core names without AVX2 kernels, which this CPU's vector width would outrun. */
    static boolean isSseEraCore(String core) {
        return switch (core.toLowerCase(java.util.Locale.ROOT)) {
            case "prescott", "katmai", "coppermine", "northwood", "banias", "core2", "penryn", "dunnington", "nehalem",
                 "atom", "opteron", "opteron_sse3", "barcelona", "bobcat", "athlon", "nano", "unknown" ->
                    jdk.incubator.vector.FloatVector.SPECIES_PREFERRED.vectorBitSize() >= 256;
            default -> false;
        };
    }

    private static MemorySegment find(SymbolLookup lookup, String symbol) {
        return lookup.find(symbol).orElseThrow(() -> new IllegalArgumentException("symbol " + symbol + " not found"));
    }

    private static String cString(MemorySegment p) {
        return p.reinterpret(4096).getString(0);
    }

    /** What {@link #sgemm} calls: library, version and core. */
    String library() {
        return description;
    }

    /**
     * {@code out[i, j] = sum_k x[i, k] * w[j, k]} for {@code i < m, j < n}: x row-major with row length
     * {@code lda}, w row-major with row length {@code ldb}, out rows {@code ldc} floats apart; any of them
     * a heap segment or a native one.
     */
    void sgemm(int m, int n, int k, MemorySegment x, int lda, MemorySegment w, int ldb, MemorySegment out, int ldc) {
        try {
            sgemm.invokeExact(ROW_MAJOR, NO_TRANS, TRANS, m, n, k, 1f, x, lda, w, ldb, 0f, out, ldc);
        } catch (RuntimeException | Error e) {
            throw e;
        } catch (Throwable e) {
            throw new IllegalStateException("cblas_sgemm failed", e);
        }
    }
}
