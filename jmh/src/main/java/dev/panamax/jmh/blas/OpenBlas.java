package dev.panamax.jmh.blas;

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
 * The OpenBLAS baseline, called through FFM downcalls to {@code cblas_sgemm} and {@code cblas_sgemv}
 * of {@code libopenblas.so.0} (Debian: {@code libopenblas0-pthread}).
 *
 * <p>Both calls use Panamax's weight convention ({@link dev.panamax.tensor.Ops#matmul}): row-major
 * activations {@code x [M, K]} times the transpose of row-major weights {@code w [N, K]}, so the
 * baseline does the same arithmetic on the same memory layout as the kernels it is compared with.
 * The library is optional: {@link #load()} is empty when it is absent, and {@link #unavailableReason()}
 * says why. Override the library name with {@code -Dpanamax.openblas=/path/libopenblas.so}.
 */
public final class OpenBlas {
    /** Library looked up when {@code panamax.openblas} is not set. */
    public static final String DEFAULT_LIBRARY = "libopenblas.so.0";

    private static final int ROW_MAJOR = 101;
    private static final int NO_TRANS = 111;
    private static final int TRANS = 112;

    private static volatile Optional<OpenBlas> loaded;
    private static volatile String reason;

    private final String library;
    private final MethodHandle sgemm;
    private final MethodHandle sgemv;
    private final MethodHandle setThreads;
    private final MethodHandle getThreads;

    private OpenBlas(String library, SymbolLookup lookup) {
        Linker linker = Linker.nativeLinker();
        this.library = library;
        // void cblas_sgemm(order, transA, transB, M, N, K, alpha, A, lda, B, ldb, beta, C, ldc)
        sgemm = linker.downcallHandle(find(lookup, "cblas_sgemm"), FunctionDescriptor.ofVoid(JAVA_INT, JAVA_INT, JAVA_INT,
                JAVA_INT, JAVA_INT, JAVA_INT, JAVA_FLOAT, ADDRESS, JAVA_INT, ADDRESS, JAVA_INT, JAVA_FLOAT, ADDRESS, JAVA_INT));
        // void cblas_sgemv(order, trans, M, N, alpha, A, lda, X, incX, beta, Y, incY)
        sgemv = linker.downcallHandle(find(lookup, "cblas_sgemv"), FunctionDescriptor.ofVoid(JAVA_INT, JAVA_INT, JAVA_INT,
                JAVA_INT, JAVA_FLOAT, ADDRESS, JAVA_INT, ADDRESS, JAVA_INT, JAVA_FLOAT, ADDRESS, JAVA_INT));
        setThreads = linker.downcallHandle(find(lookup, "openblas_set_num_threads"), FunctionDescriptor.ofVoid(JAVA_INT));
        getThreads = linker.downcallHandle(find(lookup, "openblas_get_num_threads"), FunctionDescriptor.of(JAVA_INT));
    }

    private static MemorySegment find(SymbolLookup lookup, String symbol) {
        return lookup.find(symbol).orElseThrow(() -> new IllegalArgumentException("symbol " + symbol + " not found"));
    }

    /** {@return the library, loaded once per JVM; empty when it cannot be loaded (see {@link #unavailableReason()})} */
    public static Optional<OpenBlas> load() {
        Optional<OpenBlas> result = loaded;
        if (result == null) {
            synchronized (OpenBlas.class) {
                result = loaded;
                if (result == null) {
                    String library = System.getProperty("panamax.openblas", DEFAULT_LIBRARY);
                    try {
                        result = Optional.of(new OpenBlas(library, SymbolLookup.libraryLookup(library, Arena.global())));
                    } catch (IllegalArgumentException | IllegalCallerException e) {
                        reason = "OpenBLAS baseline skipped: cannot load " + library + " (" + e.getMessage()
                                + "); on Debian/Ubuntu install it with: apt-get install libopenblas0-pthread";
                        result = Optional.empty();
                    }
                    loaded = result;
                }
            }
        }
        return result;
    }

    /** {@return empty when OpenBLAS is usable; otherwise a sentence saying why not and how to fix it} */
    public static Optional<String> unavailableReason() {
        return load().isPresent() ? Optional.empty() : Optional.of(reason);
    }

    /** {@return the library name or path that was loaded} */
    public String library() {
        return library;
    }

    /**
     * Sets the number of threads OpenBLAS uses for the following calls (process-wide).
     *
     * @param threads OpenBLAS's worker threads for the following calls
     */
    public void setThreads(int threads) {
        try {
            setThreads.invokeExact(threads);
        } catch (Throwable t) {
            throw rethrow(t);
        }
    }

    /** {@return the number of threads OpenBLAS uses} */
    public int threads() {
        try {
            return (int) getThreads.invokeExact();
        } catch (Throwable t) {
            throw rethrow(t);
        }
    }

    /**
     * {@code out[m, n] = sum_k x[m, k] * w[n, k]}: row-major F32 {@code x [M, K]}, {@code w [N, K]},
     * {@code out [M, N]}, all native segments.
     *
     * @param m   rows of {@code x} and {@code out}
     * @param n   rows of {@code w}, columns of {@code out}
     * @param k   columns of {@code x} and {@code w}
     * @param x   F32 {@code [m, k]}, row-major
     * @param w   F32 {@code [n, k]}, row-major
     * @param out F32 {@code [m, n]}, row-major, overwritten
     */
    public void sgemm(int m, int n, int k, MemorySegment x, MemorySegment w, MemorySegment out) {
        checkSize("x", x, (long) m * k);
        checkSize("w", w, (long) n * k);
        checkSize("out", out, (long) m * n);
        try {
            sgemm.invokeExact(ROW_MAJOR, NO_TRANS, TRANS, m, n, k, 1.0f, x, k, w, k, 0.0f, out, n);
        } catch (Throwable t) {
            throw rethrow(t);
        }
    }

    /**
     * {@code y[n] = sum_k w[n, k] * x[k]}: row-major F32 {@code w [N, K]}, {@code x [K]}, {@code y [N]}.
     *
     * @param n rows of {@code w}
     * @param k columns of {@code w}
     * @param w F32 {@code [n, k]}, row-major
     * @param x F32 {@code [k]}
     * @param y F32 {@code [n]}, overwritten
     */
    public void sgemv(int n, int k, MemorySegment w, MemorySegment x, MemorySegment y) {
        checkSize("w", w, (long) n * k);
        checkSize("x", x, k);
        checkSize("y", y, n);
        try {
            sgemv.invokeExact(ROW_MAJOR, NO_TRANS, n, k, 1.0f, w, k, x, 1, 0.0f, y, 1);
        } catch (Throwable t) {
            throw rethrow(t);
        }
    }

    private static void checkSize(String name, MemorySegment segment, long floats) {
        if (!segment.isNative() || segment.byteSize() < floats * Float.BYTES) {
            throw new IllegalArgumentException("OpenBLAS argument " + name + " must be a native segment of at least " + floats
                    + " floats, got " + segment);
        }
    }

    private static RuntimeException rethrow(Throwable t) {
        if (t instanceof RuntimeException re) {
            return re;
        }
        if (t instanceof Error e) {
            throw e;
        }
        return new IllegalStateException(t);
    }
}
